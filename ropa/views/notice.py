"""The privacy notice page: the notice written from the register, each section linked to the entries it comes from,
its downloads, and a published notice uploaded to be checked against the register (editors, the DPO and
administrators; read-only roles see the notice and download it)."""

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from ropa.auth import role_required
from ropa.enums import Role
from ropa.notice.check import CATEGORIES
from ropa.notice.compose import Ref
from ropa.notice.render import KIND_LABELS, render_html, render_markdown
from ropa.services.notice import READABLE, NoticeUnreadable, check_published, generate, notice_limit

bp = Blueprint("notice", __name__)
CHECKERS = (Role.ADMIN, Role.DPO, Role.EDITOR)
#: The page for each kind of register entry, and the argument naming it.
PAGES = {"activity": ("activities.detail", "reference"), "organisation": ("organisations.detail", "name"),
         "service": ("services.detail", "name"), "recipient": ("recipients.detail", "name"),
         "engagement": ("engagements.detail", "reference"), "transfer": ("transfers.detail", "reference"),
         "system": ("systems.detail", "name")}
DOWNLOADS = {"html": ("text/html", "HTML"), "md": ("text/markdown", "Markdown")}


class CheckForm(FlaskForm):
    """A published notice to check."""

    file = FileField("Published notice", validators=[FileRequired("Choose the published notice to check")],
                     description="The notice as published: the web page saved as .html, or its text in a .txt file.")


def link(ref: Ref) -> str | None:
    """The page of a register entry, when it has one."""
    page = PAGES.get(ref.kind)
    if page is None or page[0] not in current_app.view_functions:
        return None
    return url_for(page[0], **{page[1]: ref.key})


def _page(form: CheckForm | None = None, status: int = 200, **extra):
    may_check = current_user.role in CHECKERS
    return render_template("notice/index.html", notice=generate(), link=link, kinds=KIND_LABELS,
                           form=(form or CheckForm()) if may_check else None, categories=CATEGORIES,
                           accepts=",".join(READABLE), limit_kib=notice_limit() // 1024, downloads=DOWNLOADS,
                           **extra), status


@bp.get("/notice")
@role_required()
def index():
    """The notice from the register, its downloads and (for those who may) the consistency check."""
    return _page()


@bp.get("/notice/download/<any(html, md):ext>")
@role_required()
def download(ext: str):
    """The notice as a standalone HTML page or as Markdown."""
    notice = generate()
    content = render_html(notice) if ext == "html" else render_markdown(notice)
    name = f"privacy-notice-{datetime.now(UTC).date().isoformat()}.{ext}"
    return Response(content, mimetype=f"{DOWNLOADS[ext][0]}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/notice/check")
@role_required(*CHECKERS)
def check():
    """Check an uploaded published notice against the register; the gaps are shown on the notice page."""
    form = CheckForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    upload = form.file.data
    data = upload.read(notice_limit() + 1)
    try:
        report = check_published(data, upload.filename or "")
    except NoticeUnreadable as exc:
        return _page(CheckForm(formdata=None), 413 if len(data) > notice_limit() else 400, refused=str(exc))
    return _page(CheckForm(formdata=None), report=report, checked=upload.filename)
