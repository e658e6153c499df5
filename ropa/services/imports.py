"""Importing files into the register: an ICO workbook, our CSV files (one, a folder or a zip of them) and our JSON
dump, from the command line or uploaded in the web app.

`read_upload` decides what a file is by its content, not its name, and refuses in words a file that is not what it
claims (a renamed zip, a macro workbook, a PDF called .csv). Uploads are kept under the instance folder by a random
token, never by the user's file name, so the preview (a dry run) and the confirm apply the very same bytes."""

import io
import json
import os
import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from flask import current_app, has_app_context

from ropa.config import DATA_DIR
from ropa.exchange.csvio import csv_columns, read_csv
from ropa.exchange.jsonio import read_dump
from ropa.exchange.problems import ImportFailed, Problem, RawRecord, Remark
from ropa.exchange.schema import BY_NAME, ENTITIES
from ropa.extensions import db
from ropa.ico.importing import read_ico
from ropa.models import AuditHead
from ropa.models.base import utcnow
from ropa.services.register import ImportSummary, apply_records

#: A file the command line reads (the web's upload limit is ROPA_IMPORT_MAX_BYTES, below).
MAX_BYTES = 1024 * 1024 * 1024
#: Defaults of the settings read from the app's config (ropa/config.py may set them).
DEFAULT_UPLOAD_BYTES = 50 * 2**20          # ROPA_IMPORT_MAX_BYTES
DEFAULT_MAX_RECORDS = 200_000              # ROPA_IMPORT_MAX_RECORDS
DEFAULT_JOB_RECORDS = 2_000                # ROPA_IMPORT_JOB_ROWS: more than this runs as a background job
DEFAULT_JOB_BYTES = 5 * 2**20              # ROPA_IMPORT_JOB_BYTES: so does a file larger than this
#: A zip of CSV files: at most this many members and this much once unpacked (a zip bomb is refused, not unpacked).
ZIP_MAX_MEMBERS = 50
ZIP_MAX_UNPACKED = 512 * 2**20
UPLOAD_LIFETIME = timedelta(hours=24)
TOKEN = re.compile(r"[0-9a-f]{32}")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
REFERENCE_FILES = ("countries.csv", "lawful_bases.csv")


def read_records(path: Path) -> tuple[list[RawRecord], list[dict], list[Problem], list[Remark]]:
    """Parse a file or a folder of CSV files into raw records in dependency order, the problems found, and the
    remarks (what was inferred or kept in notes) a person should check.

    Raises ImportFailed when a file cannot be read as a register file at all.
    """
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        if not files:
            raise ImportFailed([Problem(str(path), "-", "-", "the folder holds no .csv files")])
    elif path.exists():
        files = [path]
    else:
        raise ImportFailed([Problem(str(path), "-", "-", "no such file or folder")])
    records, snapshots, problems, remarks, fatal = [], [], [], [], []
    for file in files:
        try:
            new_records, new_snapshots, new_problems, new_remarks = _read_file(file)
        except ImportFailed as failed:
            fatal += failed.problems
            continue
        records += new_records
        snapshots += new_snapshots
        problems += new_problems
        remarks += new_remarks
    if fatal:
        raise ImportFailed(fatal + problems)
    order = {e.name: i for i, e in enumerate(ENTITIES)}
    return sorted(records, key=lambda r: order[r.entity]), snapshots, problems, remarks


def _read_file(file: Path) -> tuple[list[RawRecord], list[dict], list[Problem], list[Remark]]:
    size = file.stat().st_size
    if size > MAX_BYTES:
        raise ImportFailed([Problem(str(file), "-", "-", f"the file is {size // 2**20} MiB; the limit is "
                                                         f"{MAX_BYTES // 2**20} MiB")])
    return read_upload(file.read_bytes(), file.name)


def import_path(path: Path, *, actor: str, dry_run: bool = False) -> ImportSummary:
    """Import a file or folder as one transaction: all of it, or nothing and every problem listed."""
    records, snapshots, problems, remarks = read_records(path)
    summary = apply_records(records, actor=actor, dry_run=dry_run, snapshots=snapshots, problems=problems)
    summary.remarks = remarks
    return summary


def load_reference_data(*, actor: str) -> ImportSummary:
    """Countries and lawful bases shipped with ropa (editable defaults); re-running changes nothing edited."""
    records: list[RawRecord] = []
    for name in REFERENCE_FILES:
        new_records, _, problems, _ = read_records(DATA_DIR / name)
        if problems:
            raise ImportFailed(problems)
        records += new_records
    return apply_records(records, actor=actor, only_create=True)


def load_seed(*, actor: str) -> ImportSummary:
    """The seed register built from the ECFWS privacy notice (every CSV in data/)."""
    return import_path(DATA_DIR, actor=actor)


# --- reading an uploaded file -------------------------------------------------------------------------------------

def read_upload(data: bytes, filename: str, *, max_records: int | None = None,
                ) -> tuple[list[RawRecord], list[dict], list[Problem], list[Remark]]:
    """Records, snapshots, problems and remarks of one file, recognised by its content: an ICO workbook (.xlsx),
    a zip of our CSV files, our JSON dump or one of our CSV files. Raises ImportFailed, in words, for a file that
    is not what its name says or not a register file at all, and for more than max_records records."""
    name = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    suffix = PurePosixPath(name).suffix.lower()
    if not data.strip():
        raise ImportFailed([Problem(name, 1, "-", "the file is empty")])
    if data.startswith(_OLE):
        raise _refuse(name, "this is an Excel 97-2003 (.xls) workbook or a password-protected one: open it in "
                            "Excel and save it as an Excel Workbook (.xlsx) without a password")
    if data.startswith(b"PK"):
        records, snapshots, problems, remarks = _read_zip(data, name, suffix)
    elif data.startswith(b"%PDF"):
        raise _refuse(name, "this is a PDF document, not a register file: upload the spreadsheet itself, saved as "
                            "an Excel Workbook (.xlsx) or as CSV")
    elif suffix in (".xlsx", ".xlsm", ".xls", ".ods", ".zip"):
        what = "JSON text" if _looks_like_json(data) else "a text file (it looks like CSV)" if _is_text(data) \
            else "not a spreadsheet"
        raise _refuse(name, f"the name says {suffix} but this is {what}: "
                            + ("name it .json" if what == "JSON text" else "name it .csv"
                               if what.startswith("a text") else "save it from Excel as an Excel Workbook (.xlsx)"))
    elif suffix == ".json" or _looks_like_json(data):
        records, snapshots, problems = read_dump(data, name)
        remarks = []
    else:
        records, problems = _read_one_csv(data, name)
        snapshots, remarks = [], []
    limit = max_records if max_records is not None else setting("ROPA_IMPORT_MAX_RECORDS", DEFAULT_MAX_RECORDS)
    if len(records) > limit:
        raise _refuse(name, f"the file holds {len(records):,} records; one import takes at most {limit:,}: "
                            "split it into smaller files")
    order = {e.name: i for i, e in enumerate(ENTITIES)}
    return sorted(records, key=lambda r: order[r.entity]), snapshots, problems, remarks


def setting(name: str, default: int) -> int:
    """A limit from the app's config, or its default outside an app (and when not set)."""
    value = current_app.config.get(name) if has_app_context() else None
    return int(value) if value is not None else default


def _refuse(file: str, reason: str) -> ImportFailed:
    return ImportFailed([Problem(file, "-", "-", reason)])


def _is_text(data: bytes) -> bool:
    head = data[:65536]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut at the end of the sample
    return True


def _looks_like_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _read_zip(data: bytes, name: str, suffix: str):
    """A zip is an Excel workbook (it holds xl/workbook.xml) or a zip of our CSV files; anything else is refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(name, "this looks like a zip file but is damaged or incomplete: save or download it again") \
            from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" in names:
        if suffix == ".xlsm" or any(n.lower().endswith("vbaproject.bin") for n in names):
            raise _refuse(name, "macro-enabled workbooks are not accepted: save it as .xlsx (Excel Workbook)")
        if suffix not in (".xlsx", ""):
            raise _refuse(name, f"the name says {suffix} but this is an Excel workbook: name it .xlsx")
        return read_ico(data, name)
    if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
        raise _refuse(name, "this is an OpenDocument spreadsheet (.ods): save it as an Excel Workbook (.xlsx)")
    if any(n.startswith(("word/", "ppt/")) for n in names):
        raise _refuse(name, "this is a Word or PowerPoint file, not a register: upload the spreadsheet itself")
    if suffix != ".zip":
        what = "an Excel workbook" if suffix in (".xlsx", ".xlsm", ".xls") else f"a {suffix or 'register'} file"
        raise _refuse(name, f"the name says {what} but this is a zip archive of {len(members)} file(s), not "
                            "an Excel workbook: upload the .xlsx itself, or name a zip of CSV files .zip")
    return _read_csv_zip(archive, members, name)


def _read_csv_zip(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], name: str):
    """Every member of a zip read as one of our CSV files, by its own name; folders, nested zips and zip bombs are
    refused before anything is unpacked."""
    files = [m for m in members if not m.is_dir()]
    if not files:
        raise _refuse(name, "the zip holds no files: put the register's CSV files in it")
    if len(files) > ZIP_MAX_MEMBERS:
        raise _refuse(name, f"the zip holds {len(files)} files; at most {ZIP_MAX_MEMBERS} are read: put only the "
                            "register's CSV files in it")
    for member in files:
        path = member.filename.replace("\\", "/")
        if "/" in path or path.startswith(".") or ".." in path:
            raise _refuse(name, f"the zip holds '{member.filename}' in a folder: put the CSV files at the top "
                                "of the zip, with no folders")
        if not path.lower().endswith(".csv"):
            raise _refuse(name, f"the zip holds '{member.filename}', which is not a .csv file: a zip may hold only "
                                "the register's CSV files")
    if sum(m.file_size for m in files) > ZIP_MAX_UNPACKED:
        raise _refuse(name, f"the zip unpacks to more than {ZIP_MAX_UNPACKED // 2**20} MiB: import it in parts")
    records, problems, unpacked = [], [], 0
    for member in files:
        with archive.open(member) as handle:  # read at most what is left of the cap, whatever the header claims
            content = handle.read(ZIP_MAX_UNPACKED - unpacked + 1)
        unpacked += len(content)
        if unpacked > ZIP_MAX_UNPACKED:
            raise _refuse(name, f"the zip unpacks to more than {ZIP_MAX_UNPACKED // 2**20} MiB: import it in parts")
        if content.startswith(b"PK"):
            raise _refuse(name, f"'{member.filename}' in the zip is itself a zip or a workbook: a zip may hold "
                                "only CSV files")
        try:
            new_records, new_problems = _read_one_csv(content, f"{name}/{member.filename}")
        except ImportFailed as failed:
            problems += failed.problems
            continue
        records += new_records
        problems += new_problems
    if problems and not records:
        raise ImportFailed(problems)
    return records, [], problems, []


def _read_one_csv(data: bytes, name: str) -> tuple[list[RawRecord], list[Problem]]:
    """One of our CSV files; a header that matches none of them is refused with the header of the nearest."""
    try:
        _, records, problems = read_csv(data, name)
    except ImportFailed as failed:
        first = failed.problems[0] if failed.problems else None
        if first is None or "does not match any register CSV" not in first.reason:
            raise
        raise ImportFailed([Problem(first.file, first.row, first.column,
                                    first.reason + _expected_header(data))]) from None
    return records, problems


def _expected_header(data: bytes) -> str:
    """The nearest register CSV's header, spelled out, so the person can correct the first row."""
    first_line = data.decode("utf-8-sig", errors="replace").splitlines()[0] if data else ""
    header = {h.strip().lower() for h in first_line.split(",")}
    nearest = max(ENTITIES, key=lambda e: len(header & set(csv_columns(e))))
    if not header & set(csv_columns(nearest)):
        nearest = BY_NAME["activities"]
    return (f". The nearest is the {nearest.name} file, whose first row is: {','.join(csv_columns(nearest))} "
            "(the Exports page downloads the register in these files)")


def estimated_records(data: bytes, filename: str) -> int:
    """Roughly how many records a file holds, without reading it: to decide whether it runs as a background job."""
    if data.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            total = 0
            for member in archive.infolist()[:ZIP_MAX_MEMBERS]:
                if member.filename.startswith("xl/worksheets/") or member.filename.lower().endswith(".csv"):
                    with archive.open(member) as handle:
                        chunk = handle.read(ZIP_MAX_UNPACKED)
                    total += chunk.count(b"<row ") if member.filename.startswith("xl/") else chunk.count(b"\n")
            return total
        except (zipfile.BadZipFile, ValueError, OSError, KeyError):
            return 0
    if _looks_like_json(data):
        return data.count(b"{")
    return data.count(b"\n")


# --- uploads kept for preview and confirm -------------------------------------------------------------------------

class UploadGone(LookupError):
    """No such upload, or it has expired: the message says which and what to do."""


class NotYourUpload(PermissionError):
    """An upload another user made: only they may preview or confirm it."""


@dataclass
class Upload:
    """One uploaded file, kept in its own folder (named by its token) with what is known about it."""

    token: str
    folder: Path
    meta: dict

    @property
    def file_name(self) -> str:
        return self.meta["file_name"]

    @property
    def owner(self) -> str:
        return self.meta["owner"]

    def data(self) -> bytes:
        return (self.folder / "upload.bin").read_bytes()

    def result(self, phase: str) -> dict | None:
        """The preview ("preview") or the import's outcome ("applied"), once it is known."""
        path = self.folder / f"{phase}.json"
        return json.loads(path.read_text()) if path.is_file() else None

    def save_result(self, phase: str, result: dict) -> None:
        _write_json(self.folder / f"{phase}.json", result)

    def update(self, **values) -> None:
        self.meta |= values
        _write_json(self.folder / "meta.json", self.meta)

    def claim_confirm(self) -> bool:
        """True for the first confirm of this upload only, so a double-click cannot import it twice."""
        try:
            os.close(os.open(self.folder / "confirm.lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True


def uploads_root() -> Path:
    """Where uploads are kept: ROPA_IMPORT_DIR, or imports/ in the instance folder."""
    configured = current_app.config.get("ROPA_IMPORT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "imports"


def store_upload(data: bytes, file_name: str, *, owner: str, root: Path | None = None) -> Upload:
    """Keep an uploaded file under a new random token (the user's file name is kept only as text)."""
    root = root or uploads_root()
    remove_expired_uploads(root)
    token = secrets.token_hex(16)
    folder = root / token
    folder.mkdir(parents=True)
    (folder / "upload.bin").write_bytes(data)
    shown = re.sub(r"[\x00-\x1f\x7f]", "", PurePosixPath(file_name.replace("\\", "/")).name)[:200] or "upload"
    upload = Upload(token, folder, {"file_name": shown, "owner": owner, "size": len(data),
                                    "created_at": utcnow().isoformat()})
    upload.update()
    return upload


def open_upload(token: str, *, owner: str, root: Path | None = None) -> Upload:
    """The upload of this token, if it is the owner's and has not expired."""
    folder = (root or uploads_root()) / token
    if not TOKEN.fullmatch(token or "") or not (folder / "meta.json").is_file():
        raise UploadGone("There is no such upload: it may have expired (uploads are kept for "
                         f"{int(UPLOAD_LIFETIME.total_seconds() // 3600)} hours). Upload the file again.")
    meta = json.loads((folder / "meta.json").read_text())
    if meta.get("owner") != owner:
        raise NotYourUpload("This upload was made by another user: only they can preview or confirm it. "
                            "Upload the file yourself to import it.")
    if utcnow() - datetime.fromisoformat(meta["created_at"]) > UPLOAD_LIFETIME:
        raise UploadGone("This upload has expired (uploads are kept for "
                         f"{int(UPLOAD_LIFETIME.total_seconds() // 3600)} hours). Upload the file again.")
    return Upload(token, folder, meta)


def remove_expired_uploads(root: Path, now: datetime | None = None) -> int:
    """Remove the uploads kept more than twice their lifetime (never confirmed, or confirmed long ago); how many."""
    if not root.is_dir():
        return 0
    cutoff = (now or utcnow()) - UPLOAD_LIFETIME * 2
    removed = 0
    for folder in root.iterdir():
        try:
            created = datetime.fromisoformat(json.loads((folder / "meta.json").read_text())["created_at"])
        except (OSError, ValueError, KeyError):
            continue
        if created < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _write_json(path: Path, value: dict) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(value, ensure_ascii=False, default=str))
    partial.replace(path)  # a page reading it never sees half a file


def runs_as_job(upload: Upload) -> bool:
    """A file too large to preview or import inside a web request."""
    size = upload.meta.get("size", 0)
    if size > setting("ROPA_IMPORT_JOB_BYTES", DEFAULT_JOB_BYTES):
        return True
    return estimated_records(upload.data(), upload.file_name) > setting("ROPA_IMPORT_JOB_ROWS", DEFAULT_JOB_RECORDS)


def register_version() -> str:
    """The audit chain's head: it changes with every write to the register, so a preview can tell it is stale."""
    head = db.session.scalar(sa.select(AuditHead.last_hash).where(AuditHead.id == 1))
    return head or ""


def import_actor(email: str, file_name: str, via: str = "web") -> str:
    """Who the audit log names for every entry of one import: the user and the file, so the import reads as one."""
    return f"{email} ({via} import of {file_name})"


def preview_upload(upload: Upload, progress=None) -> dict:
    """Read the upload and apply it as a dry run; keep and return what it would do, or every problem."""
    result = run_import(upload.data(), upload.file_name, actor=import_actor(upload.owner, upload.file_name),
                        dry_run=True, progress=progress)
    result["register_version"] = register_version()
    upload.save_result("preview", result)
    return result


def confirm_upload(upload: Upload, progress=None) -> dict:
    """Apply the previewed file for real, all or nothing, against the register as it is now.

    If the register changed since the preview the import is run again regardless (it matches records by their
    keys, so it does what it would have done, on top of the newer rows) and the result says so; if problems appear
    now, nothing is written and they are listed."""
    preview = upload.result("preview") or {}
    stale = preview.get("register_version") not in (None, register_version())
    result = run_import(upload.data(), upload.file_name, actor=import_actor(upload.owner, upload.file_name),
                        dry_run=False, progress=progress)
    result["register_changed_since_preview"] = stale
    upload.save_result("applied", result)
    return result


def run_import(data: bytes, file_name: str, *, actor: str, dry_run: bool, progress=None) -> dict:
    """Read and apply one file; the outcome as plain data (for a page, a job or the API)."""
    report = progress or (lambda fraction, message: None)
    report(0.05, f"Reading {file_name}")
    try:
        records, snapshots, problems, remarks = read_upload(data, file_name)
    except ImportFailed as failed:
        return outcome(None, failed.problems, [], dry_run=dry_run, refused=True)
    report(0.4, f"{'Checking' if dry_run else 'Importing'} {len(records):,} records against the register")
    try:
        summary = apply_records(records, actor=actor, dry_run=dry_run, snapshots=snapshots, problems=problems)
    except ImportFailed as failed:
        return outcome(None, failed.problems, remarks, dry_run=dry_run)
    summary.remarks = remarks
    report(1.0, "Done")
    return outcome(summary, [], remarks, dry_run=dry_run)


def outcome(summary: ImportSummary | None, problems: list[Problem], remarks: list[Remark], *, dry_run: bool,
            refused: bool = False) -> dict:
    """What an import did or would do, as JSON-ready data: counts per kind of record, problems, remarks."""
    kinds = []
    if summary is not None:
        for name in [e.name for e in ENTITIES] + ["snapshots"]:
            counts = {k: getattr(summary, k)[name] for k in ("created", "updated", "unchanged")}
            if any(counts.values()):
                label = BY_NAME[name].label if name in BY_NAME else "snapshot"
                kinds.append({"name": name, "label": label} | counts)
    return {"dry_run": dry_run, "refused": refused, "ok": summary is not None, "kinds": kinds,
            "lines": summary.lines() if summary else [], "changed": bool(summary and summary.changed),
            "audit_entries": summary.audit_entries if summary else 0,
            "problems": [problem_row(p) for p in problems], "remarks": [remark_row(r) for r in remarks]}


def problem_row(problem: Problem) -> dict:
    """A problem as a table row: the file (and sheet), where in it (the cell, or row and column), and why."""
    if type(problem).__name__ == "CellProblem":  # book.xlsx:Template, H14
        where = problem.column or ""
    elif problem.row in ("-", "", None):
        where = "" if problem.column in ("-", "", None) else str(problem.column)
    else:
        where = f"row {problem.row}" + (f", {problem.column}" if problem.column not in ("-", "", None) else "")
    return {"file": problem.file, "where": where, "reason": problem.reason, "text": str(problem)}


def remark_row(remark: Remark) -> dict:
    return {"file": remark.file, "cell": remark.cell, "kind": remark.kind, "text": remark.text, "line": str(remark)}
