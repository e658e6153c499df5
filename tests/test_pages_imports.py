"""The import pages: a DPO uploads a file, sees the dry run (what would be created, changed and left alone, every
problem at its cell, the remarks), confirms, and the register holds it with one import in the audit log. Files that
are not what they claim are refused in words, never with a 500; other roles get 403; a token is its uploader's."""

import io
import re
import zipfile
from datetime import datetime

import openpyxl
import pytest
import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import AuditEntry, Job, ProcessingActivity
from ropa.services import imports, jobs

HEADER = "reference,name,service,our_role,data_categories,article_6,last_reviewed\n"
GOOD = HEADER + "PA-900,Home visits by text,,controller,,6(1)(e) Public task,2026-01-15\n"
BAD = HEADER + "PA-901,Care,,controller,,6(1)(z) Made up,\n"


@pytest.fixture
def importing(seeded, tmp_path):
    seeded.config.update(WTF_CSRF_ENABLED=False, ROPA_IMPORT_DIR=str(tmp_path / "uploads"))
    return seeded


@pytest.fixture
def dpo(importing, make_client):
    return make_client("dpo")


def upload(client, content: bytes | str, name: str = "register.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post("/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def text(response) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", response.get_data(as_text=True)))


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def activity(reference: str):
    return db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == reference))


def test_the_import_page_is_in_the_navigation_of_the_dpo_only(importing, make_client):
    assert ">Import</a>" in make_client("dpo").get("/activities").get_data(as_text=True)
    assert ">Import</a>" not in make_client("auditor").get("/activities").get_data(as_text=True)
    page = text(make_client("admin").get("/imports"))
    assert "Upload and preview" in page and 'type="file"' in page


def test_a_good_csv_is_previewed_then_confirmed_as_one_import(dpo):
    before = audit_count()
    response = upload(dpo, GOOD)
    assert response.status_code == 303
    preview = text(dpo.get(response.location))
    assert "Preview of register.csv" in preview and "Nothing has been written yet" in preview
    assert "Processing activity</th><td>1</td><td>0</td><td>0</td>" in preview
    assert activity("PA-900") is None and audit_count() == before  # the dry run wrote nothing

    token = response.location.rsplit("/", 1)[-1]
    confirmed = dpo.post(f"/imports/{token}/confirm")
    assert confirmed.status_code == 303
    result = text(dpo.get(confirmed.location))
    assert "Imported register.csv" in result and "as one import" in result
    assert 'href="/activities"' in result and 'href="/organisations"' in result and 'href="/findings"' in result
    assert activity("PA-900").name == "Home visits by text"
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.id > 0).order_by(AuditEntry.id.desc())
                                 .limit(audit_count() - before)).all()
    assert {e.actor for e in entries} == {next(iter({e.actor for e in entries}))}  # one actor ...
    assert entries[0].actor.endswith("(web import of register.csv)")
    assert len({e.at for e in entries}) == 1  # ... one moment: one import

    again = dpo.post(f"/imports/{token}/confirm")  # a second click shows the first result, imports nothing more
    assert again.status_code == 303 and audit_count() == before + len(entries)


def test_a_problem_is_shown_at_its_cell_and_nothing_can_be_confirmed(dpo):
    before = audit_count()
    response = upload(dpo, GOOD.replace("PA-900", "PA-899") + BAD.split("\n", 1)[1])
    page = text(dpo.get(response.location))
    assert "1 problem" in page and "Nothing was written" in page and "upload the corrected file" in page
    assert "<td>register.csv</td><td>row 3, article_6</td><td>unknown lawful basis &#39;6(1)(z) Made up&#39;" in page
    assert "Confirm the import" not in page
    token = response.location.rsplit("/", 1)[-1]
    assert dpo.post(f"/imports/{token}/confirm").status_code == 400
    assert activity("PA-899") is None and audit_count() == before


def workbook(country: str, basis: str = "6(1)(b)") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Template"
    headings = ["Business function", "Purpose of processing", "Categories of individuals",
                "Categories of personal data",
                ("Names of third countries or international organisations that personal data are transferred to "
                 "(if applicable)"), "Article 6 lawful basis for processing personal data"]
    for column, heading in enumerate(headings, start=1):
        sheet.cell(1, column, heading)
    for column, value in enumerate(["Payroll", "Paying staff", "Staff", "Bank details", country, basis], 1):
        sheet.cell(2, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_problem_is_shown_with_its_sheet_and_cell(dpo):
    response = upload(dpo, workbook("France", basis="6(1)(z)"), "book.xlsx")
    assert response.status_code == 303
    page = text(dpo.get(response.location))
    assert "<td>book.xlsx:Template</td><td>F2</td>" in page and "6(1)(z)" in page
    assert "Confirm the import" not in page


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def macro_workbook() -> bytes:
    data = zipfile.ZipFile(io.BytesIO(workbook("France")))
    return zip_of({n: data.read(n) for n in data.namelist()} | {"xl/vbaProject.bin": b"\x00macro"})


REFUSED = {
    "renamed zip": (zip_of({"activities.csv": GOOD.encode()}), "register.xlsx",
                    "the name says an Excel workbook but this is a zip archive"),
    "macro workbook": (macro_workbook(), "register.xlsx", "macro-enabled workbooks are not accepted: save it as .xlsx"),
    "xlsm": (workbook("France"), "register.xlsm", "macro-enabled workbooks are not accepted"),
    "wrong header": (b"colour,size\nblue,2\n", "register.csv",
                     "The nearest is the activities file, whose first row is: reference,name"),
    "csv called xlsx": (GOOD.encode(), "register.xlsx", "the name says .xlsx but this is a text file"),
    "pdf called csv": (b"%PDF-1.7\n...", "register.csv", "this is a PDF document"),
    "workbook called csv": (workbook("France"), "register.csv", "this is an Excel workbook: name it .xlsx"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "register.xls", "save it as an Excel Workbook (.xlsx)"),
    "folder in zip": (zip_of({"data/activities.csv": GOOD.encode()}), "register.zip", "in a folder"),
    "zip in zip": (zip_of({"inner.csv": zip_of({"a.csv": b"x"})}), "register.zip", "is itself a zip"),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_file_that_is_not_what_it_claims_is_refused_in_words(dpo, case):
    content, name, expected = REFUSED[case]
    before = audit_count()
    response = upload(dpo, content, name)
    assert response.status_code == 400
    page = text(response)
    assert "The file was not imported" in page and expected in page and "nothing was written" in page
    assert audit_count() == before


def test_a_zip_of_csv_files_is_read_member_by_member(dpo):
    response = upload(dpo, zip_of({"activities.csv": GOOD.encode()}), "register.zip")
    assert response.status_code == 303
    assert "Processing activity</th><td>1</td>" in text(dpo.get(response.location))


def test_an_oversized_upload_is_refused_in_words(importing, dpo):
    importing.config.update(MAX_CONTENT_LENGTH=2000, ROPA_IMPORT_MAX_BYTES=1000)
    response = upload(dpo, GOOD + "x" * 5000)
    assert response.status_code == 413
    assert "The file is too large to import" in text(response) and "Split the register" in text(response)
    importing.config.update(MAX_CONTENT_LENGTH=None)
    response = upload(dpo, GOOD + "#" * 1500)  # under the request limit, over the import limit
    assert response.status_code == 413 and "the limit is 1,000 bytes" in text(response)


def test_too_many_records_are_refused_with_the_limit(importing, dpo):
    importing.config["ROPA_IMPORT_MAX_RECORDS"] = 1
    rows = "".join(f"PA-95{i},Care {i},,controller,,,\n" for i in range(3))
    response = upload(dpo, HEADER + rows)
    assert response.status_code == 400
    assert "the file holds 3 records; one import takes at most 1: split it" in text(response)


@pytest.mark.parametrize("role", ["auditor", "editor"])
def test_auditors_and_editors_cannot_import(importing, make_client, role):
    client = make_client(role)
    assert client.get("/imports").status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert activity("PA-900") is None


def test_a_token_belongs_to_its_uploader(importing, dpo, make_client):
    token = upload(dpo, GOOD).location.rsplit("/", 1)[-1]
    other = make_client("dpo")
    refused = other.get(f"/imports/{token}")
    assert refused.status_code == 403 and "made by another user" in text(refused)
    assert other.post(f"/imports/{token}/confirm").status_code == 403
    assert activity("PA-900") is None
    missing = dpo.get("/imports/" + "0" * 32)
    assert missing.status_code == 404 and "Upload the file again" in text(missing)
    assert dpo.get("/imports/..%2F..%2Fetc").status_code == 404


def test_an_expired_token_is_refused_with_a_clear_message(importing, dpo):
    token = upload(dpo, GOOD).location.rsplit("/", 1)[-1]
    stored = imports.open_upload(token, owner=dpo.get("/imports") and _owner(token))
    stored.update(created_at="2000-01-01T00:00:00")
    response = dpo.post(f"/imports/{token}/confirm")
    assert response.status_code == 404 and "has expired" in text(response)
    assert activity("PA-900") is None


def _owner(token: str) -> str:
    import json
    return json.loads((imports.uploads_root() / token / "meta.json").read_text())["owner"]


def test_a_stale_preview_is_imported_again_and_says_so(dpo):
    token = upload(dpo, GOOD).location.rsplit("/", 1)[-1]
    other = upload(dpo, GOOD.replace("PA-900", "PA-898")).location.rsplit("/", 1)[-1]
    dpo.post(f"/imports/{other}/confirm")  # the register changes after the first preview
    result = text(dpo.get(dpo.post(f"/imports/{token}/confirm").location))
    assert "The register changed between your preview and your confirm" in result
    assert activity("PA-900") is not None


@pytest.fixture
def inline_jobs(importing, monkeypatch):
    """Jobs run at once in this process instead of a worker process, with a low threshold."""
    importing.config["ROPA_IMPORT_JOB_ROWS"] = 1
    started = []

    def run_here(job_id, config):
        started.append(job_id)
        jobs.run_job(job_id, importing.config["ROPA_EXPORT_DIR"])

    monkeypatch.setattr(jobs, "launch", run_here)
    return started


def test_a_large_file_is_previewed_and_imported_by_a_job(inline_jobs, dpo):
    rows = "".join(f"PA-96{i},Care {i},,controller,,,\n" for i in range(3))
    response = upload(dpo, HEADER + rows)
    assert response.status_code == 303 and len(inline_jobs) == 1
    preview = text(dpo.get(response.location))
    assert "Preview of register.csv" in preview and "Processing activity</th><td>3</td>" in preview
    token = response.location.rsplit("/", 1)[-1]
    result = text(dpo.get(dpo.post(f"/imports/{token}/confirm").location))
    assert len(inline_jobs) == 2 and "Imported register.csv" in result
    assert activity("PA-962") is not None
    assert {j.kind for j in db.session.scalars(sa.select(Job))} == {"import"}


def test_a_running_import_job_shows_progress_and_a_dead_one_is_failed(importing, dpo, monkeypatch):
    importing.config["ROPA_IMPORT_JOB_ROWS"] = 0
    monkeypatch.setattr(jobs, "launch", lambda job_id, config: None)  # the worker never runs
    location = upload(dpo, GOOD).location
    page = text(dpo.get(location))
    assert "Checking register.csv" in page and 'data-refresh-seconds="2"' in page
    job = db.session.scalars(sa.select(Job)).one()
    job.created_at = datetime(2000, 1, 1)  # its worker never started
    db.session.commit()
    failed = text(dpo.get(location))
    assert "The check did not finish" in failed and "The worker never started" in failed
