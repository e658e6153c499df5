"""Importing a register file in the browser (the DPO and administrators): upload, preview as a dry run, confirm.

The upload is kept under the instance folder by a random token that belongs to the user who uploaded it; the
preview shows what the import would create, change and leave alone, every problem at its cell and every remark to
check; the confirm applies the same stored bytes, all or nothing. A large file is previewed and imported by a
background job (as the ICO workbook export is), its progress shown until the result is ready.

If the register changed between the preview and the confirm, the confirm runs the import again against the
register as it is now (it matches records by their keys) and says so beside what it did; if problems appear now,
nothing is written and they are listed.
"""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from ropa.auth import role_required
from ropa.enums import Role
from ropa.services import imports, jobs

bp = Blueprint("imports", __name__)
IMPORTERS = (Role.ADMIN, Role.DPO)
ACCEPTS = ".xlsx,.csv,.zip,.json"


class UploadForm(FlaskForm):
    """One file: an ICO workbook, one of our CSV files, a zip of them, or a JSON dump."""

    file = FileField("File to import", validators=[FileRequired("Choose the file to import")],
                     description="An ICO workbook (.xlsx), one of ropa's CSV files, a .zip of them, or a ropa JSON "
                                 "dump. Nothing is written until you have seen the preview and confirmed it.")


def _limit() -> int:
    return imports.setting("ROPA_IMPORT_MAX_BYTES", imports.DEFAULT_UPLOAD_BYTES)


def _upload_page(form: UploadForm, status: int = 200, *, problems=(), message: str = ""):
    return render_template("imports/index.html", form=form, accepts=ACCEPTS, limit_mib=_limit() / 2**20,
                           max_records=imports.setting("ROPA_IMPORT_MAX_RECORDS", imports.DEFAULT_MAX_RECORDS),
                           problems=problems, message=message), status


@bp.get("/imports")
@role_required(*IMPORTERS)
def index():
    """The upload form."""
    return _upload_page(UploadForm())


@bp.post("/imports")
@role_required(*IMPORTERS)
def upload():
    """Keep the file and preview it (a dry run), here or by a background job for a large file."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, 400)
    data = form.file.data.read()
    if len(data) > _limit():
        return _too_large(len(data))
    upload = imports.store_upload(data, form.file.data.filename or "upload", owner=current_user.email)
    if imports.runs_as_job(upload):
        return _start_job(upload, "preview")
    result = imports.preview_upload(upload)
    if result["refused"]:
        return _upload_page(UploadForm(formdata=None), 400, problems=result["problems"],
                            message=f"{upload.file_name} was not imported: nothing was written.")
    return redirect(url_for("imports.show", token=upload.token), code=303)


@bp.get("/imports/<token>")
@role_required(*IMPORTERS)
def show(token: str):
    """The upload's progress while a job works on it, then its preview, then what the import did."""
    upload = _own_upload(token)
    if not isinstance(upload, imports.Upload):
        return upload
    job = jobs.get_job(upload.meta["job_id"]) if upload.meta.get("job_id") else None
    if job is not None:
        state = jobs.state_of(job)
        if state.status != "done":
            return render_template("imports/job.html", upload=upload, state=state, job=job)
    applied = upload.result("applied")
    if applied is not None:
        return render_template("imports/preview.html", upload=upload, result=applied, applied=True)
    preview = upload.result("preview")
    if preview is None:
        return _gone("This upload has not been previewed. Upload the file again.", 404)
    return render_template("imports/preview.html", upload=upload, result=preview, applied=False)


@bp.post("/imports/<token>/confirm")
@role_required(*IMPORTERS)
def confirm(token: str):
    """Apply the previewed file for real, all or nothing; a second confirm shows the first one's result."""
    upload = _own_upload(token)
    if not isinstance(upload, imports.Upload):
        return upload
    preview = upload.result("preview")
    if preview is None:
        return _gone("This upload has not been previewed yet: wait for the preview, then confirm.", 409)
    if not preview["ok"]:
        return render_template("imports/preview.html", upload=upload, result=preview, applied=False,
                               refused_confirm=True), 400
    if upload.claim_confirm():
        if imports.runs_as_job(upload):
            return _start_job(upload, "confirm")
        imports.confirm_upload(upload)
    return redirect(url_for("imports.show", token=upload.token), code=303)


@bp.errorhandler(413)
def _request_too_large(_error):
    return _too_large(request.content_length or 0)


def _size(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB" if size >= 2**20 else f"{size:,} bytes"


def _too_large(size: int):
    size_text = _size(size) if size else "larger than the limit"
    return _upload_page(UploadForm(formdata=None), 413,
                        message=f"The file is too large to import: {size_text}, and the limit is "
                                f"{_size(_limit())}. Split the register into smaller files (for example "
                                "one CSV file per kind of record, or a workbook per part of the organisation) "
                                "and import them one after the other.")


def _start_job(upload: imports.Upload, phase: str):
    job = jobs.start_import_job(upload.token, phase, upload.folder.parent, actor=current_user.email,
                                config=current_app.config)
    upload.update(job_id=job.id, job_phase=phase)
    return redirect(url_for("imports.show", token=upload.token), code=303)


def _own_upload(token: str):
    """The signed-in user's upload of this token, or the page saying why not (404 expired, 403 another's)."""
    try:
        return imports.open_upload(token, owner=current_user.email)
    except imports.UploadGone as gone:
        return _gone(str(gone), 404)
    except imports.NotYourUpload as other:
        return _gone(str(other), 403)


def _gone(message: str, status: int):
    return render_template("imports/gone.html", message=message, code=status), status
