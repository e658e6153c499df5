"""The privacy notice from the register (now or as at a snapshot), and a published notice checked against it."""

from pathlib import PurePath

from ropa.notice.check import Report, check_notice
from ropa.notice.compose import Notice, compose
from ropa.notice.render import render_html, render_markdown
from ropa.notice.text import decode, notice_text
from ropa.services.imports import setting
from ropa.services.snapshots import register_as_at

#: A published notice is a web page or its text: a few hundred kilobytes at most.
DEFAULT_NOTICE_BYTES = 2 * 2**20
#: Notice files by extension: is it HTML?
READABLE = {".txt": False, ".text": False, ".html": True, ".htm": True}
#: Written notices by extension: the format's name.
WRITTEN = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


class NoticeUnreadable(ValueError):
    """The published notice could not be read: the message says why and what to do."""


def notice_limit() -> int:
    return setting("ROPA_NOTICE_MAX_BYTES", DEFAULT_NOTICE_BYTES)


def generate(as_at: str | None = None) -> Notice:
    """The notice composed from the register now, or as frozen in a snapshot (SnapshotError if there is none)."""
    register, _ = register_as_at(as_at)
    return compose(register, as_at=as_at or "")


def notice_document(fmt: str, as_at: str | None = None) -> str:
    """The notice as 'html' or 'markdown'."""
    if fmt not in ("html", "markdown"):
        raise ValueError(f"the notice is written as html or markdown, not {fmt!r}")
    notice = generate(as_at)
    return render_html(notice) if fmt == "html" else render_markdown(notice)


def format_for(path: PurePath) -> str:
    """Which notice format a file name asks for, by its extension."""
    fmt = WRITTEN.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"the notice is written as HTML or Markdown: name the file .html or .md, not {path.name!r}")
    return fmt


def read_published(data: bytes, file_name: str) -> str:
    """A published notice's words, from the bytes of a .txt or .html file."""
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix not in READABLE:
        raise NoticeUnreadable(f"{file_name or 'the file'}: give the published notice as .txt or .html "
                               "(save the web page, or copy its text into a .txt file)")
    if len(data) > notice_limit():
        raise NoticeUnreadable(f"{file_name}: the file is {len(data):,} bytes; a notice may be at most "
                               f"{notice_limit():,} bytes")
    try:
        text = decode(data)
    except ValueError as exc:
        raise NoticeUnreadable(f"{file_name}: {exc}") from None
    words = notice_text(text, html=READABLE[suffix])
    if not words.strip():
        raise NoticeUnreadable(f"{file_name}: the file holds no text to check")
    return words


def check_published(data: bytes, file_name: str, as_at: str | None = None) -> Report:
    """What the published notice omits or contradicts, against the register now (or as at a snapshot)."""
    words = read_published(data, file_name)
    register, _ = register_as_at(as_at)
    return check_notice(words, register)
