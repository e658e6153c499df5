"""Background export jobs: the ICO workbook written outside the web request, its progress shown, then downloaded."""

import io
import json
import re
import time
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import Job
from ropa.models.base import utcnow
from ropa.services import jobs
from ropa.services.snapshots import create_snapshot


def _export_dir(app) -> Path:
    return Path(app.config["ROPA_EXPORT_DIR"])


@pytest.fixture
def inline_jobs(seeded, monkeypatch):
    """Jobs started from the page run at once in this process instead of in a new one."""
    launched = []

    def run_here(job_id, config):
        launched.append(job_id)
        jobs.run_job(job_id, Path(config["ROPA_EXPORT_DIR"]))

    monkeypatch.setattr(jobs, "launch", run_here)
    seeded.config["WTF_CSRF_ENABLED"] = False
    return launched


def _status(client, url: str) -> int:
    response = client.get(url)
    response.close()  # a file download holds the file open until closed
    return response.status_code


def _workbook_sheets(data_or_path) -> list[str]:
    book = openpyxl.load_workbook(data_or_path, read_only=True)
    try:
        return book.sheetnames
    finally:
        book.close()


def test_a_job_writes_the_workbook_and_reports_done(seeded):
    job = jobs.create_export_job("ico", None, actor="dpo@example.org")
    assert (job.status, job.progress) == ("queued", 0)
    ended = jobs.run_job(job.id, _export_dir(seeded))
    assert (ended.status, ended.progress, ended.error) == ("done", 100, "")
    assert ended.started_at <= ended.finished_at
    assert re.fullmatch(rf"jobs/{job.id}/ropa-register-\d{{4}}-\d\d-\d\d\.xlsx", ended.result_path)
    path = jobs.result_file(ended, _export_dir(seeded))
    assert "Template" in _workbook_sheets(path)
    assert not list(path.parent.glob("*.part"))
    with pytest.raises(jobs.JobError, match="each job runs once"):
        jobs.run_job(job.id, _export_dir(seeded))


def test_a_job_that_cannot_be_done_fails_with_the_reason_on_its_page(seeded, make_client):
    create_snapshot("Q1", actor="test")
    db.session.execute(sa.text("UPDATE snapshots SET content = replace(content, 'Pearson', 'Someone')"))
    db.session.commit()
    job = jobs.create_export_job("ico", "Q1", actor="dpo@example.org")
    assert jobs.run_job(job.id, _export_dir(seeded)).status == "failed"
    html = make_client("auditor").get(f"/exports/jobs/{job.id}").get_data(as_text=True)
    assert "The workbook was not written" in html and "altered after it was taken" in html
    assert "data-refresh-seconds" not in html


def test_a_running_job_shows_its_progress_and_reloads_itself(seeded, make_client):
    job = jobs.create_export_job("ico", None, actor="someone@example.org")
    job.status, job.progress, job.message, job.started_at = "running", 40, "Writing the sheets", utcnow()
    db.session.commit()
    html = make_client("dpo").get(f"/exports/jobs/{job.id}").get_data(as_text=True)
    assert 'data-refresh-seconds="2"' in html
    assert re.search(r'<progress[^>]*value="40"', html) and "Writing the sheets" in html
    assert "Download" not in html.split("<h1>", 1)[1]


def test_a_job_whose_worker_went_quiet_is_shown_as_failed(seeded, make_client):
    job = jobs.create_export_job("ico", None, actor="someone@example.org")
    long_ago = utcnow() - timedelta(minutes=10)
    job.status, job.progress, job.started_at = "running", 30, long_ago
    job.params = json.dumps(json.loads(job.params) | {"heartbeat_at": long_ago.isoformat()})
    db.session.commit()
    html = make_client("auditor").get(f"/exports/jobs/{job.id}").get_data(as_text=True)
    assert "The worker stopped: no progress for 10 minutes" in html
    assert "data-refresh-seconds" not in html


def test_auditor_starts_an_export_job_and_downloads_the_workbook(inline_jobs, make_client):
    client = make_client("auditor")
    response = client.post("/exports/jobs", data={"format": "ico"})
    assert response.status_code == 303
    job_url = response.headers["Location"]
    assert len(inline_jobs) == 1 and job_url.endswith(f"/exports/jobs/{inline_jobs[0]}")
    html = client.get(job_url).get_data(as_text=True)
    assert "Ready" in html and "data-refresh-seconds" not in html
    link = re.search(r'href="(/exports/jobs/[^"]+/file)"', html).group(1)
    download = client.get(link)
    assert download.status_code == 200
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r'attachment; filename=ropa-register-\d{4}-\d\d-\d\d\.xlsx',
                        download.headers["Content-Disposition"])
    assert "Template" in _workbook_sheets(io.BytesIO(download.data))
    download.close()
    assert "ropa-register-" in client.get("/exports").get_data(as_text=True)  # listed among their workbooks


def test_only_the_starter_and_readers_of_everything_see_a_job(inline_jobs, make_client):
    editor = make_client("editor")
    job_url = editor.post("/exports/jobs", data={"format": "ico"}).headers["Location"]
    assert editor.get(job_url).status_code == 200 and _status(editor, job_url + "/file") == 200
    assert make_client("editor").get(job_url).status_code == 403
    assert _status(make_client("editor"), job_url + "/file") == 403
    for role in ("admin", "dpo", "auditor"):
        assert _status(make_client(role), job_url + "/file") == 200, role


def test_an_export_job_as_at_a_snapshot(inline_jobs, make_client):
    create_snapshot("DSPT 2025-26 submission", actor="test", approved_by="DPO")
    client = make_client("auditor")
    started = client.post("/exports/jobs", data={"format": "ico", "as_at": "DSPT 2025-26 submission"})
    job_url = started.headers["Location"]
    job = db.session.get(Job, job_url.rsplit("/", 1)[1])
    assert job.status == "done" and job.result_path.endswith("ropa-register-as-at-dspt-2025-26-submission.xlsx")
    refused = client.post("/exports/jobs", data={"format": "ico", "as_at": "No such snapshot"}, follow_redirects=True)
    assert "There is no snapshot called" in refused.get_data(as_text=True)
    assert len(inline_jobs) == 1


def test_a_workbook_job_with_a_baseline_carries_the_changes_since_sheet(seeded, inline_jobs, make_client):
    from ropa.services.records import save_record

    create_snapshot("DSPT 2025-26 submission", actor="test", approved_by="DPO")
    save_record("activities", {"reference": "PA-001", "owner": "Head of Nursing"}, actor="test")
    client = make_client("auditor")
    page = client.get("/exports").get_data(as_text=True)
    assert 'name="since"' in page and "DSPT 2025-26 submission" in page
    started = client.post("/exports/jobs", data={"format": "ico", "since": "DSPT 2025-26 submission"})
    job = db.session.get(Job, started.headers["Location"].rsplit("/", 1)[1])
    assert job.status == "done", job.error
    book = openpyxl.load_workbook(_export_dir(seeded) / job.result_path)
    rows = list(book["Changes since"].iter_rows(values_only=True))
    assert rows[0][0] == "Changes since snapshot “DSPT 2025-26 submission” to the register now"
    assert any(r[1] == "PA-001" and r[4] == "owner" and r[6] == "Head of Nursing" for r in rows)
    assert "changes since DSPT 2025-26 submission" in client.get("/exports").get_data(as_text=True)
    for refused in ({"format": "dspt", "since": "DSPT 2025-26 submission"}, {"format": "ico", "since": "Nope"}):
        answer = client.post("/exports/jobs", data=refused, follow_redirects=True).get_data(as_text=True)
        assert "for the ICO workbook only" in answer or "There is no snapshot called “Nope”" in answer
    assert len(inline_jobs) == 1


def test_the_web_starts_a_real_worker_process_that_writes_the_workbook(seeded, make_client, database_url):
    """End to end: `ropa jobs run` in its own process against a SQLite file, polled until done."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the worker process is exercised once, against the SQLite file")
    seeded.config["WTF_CSRF_ENABLED"] = False
    client = make_client("auditor")
    job_url = client.post("/exports/jobs", data={"format": "ico"}).headers["Location"]
    job_id = job_url.rsplit("/", 1)[1]
    deadline, html = time.monotonic() + 120, ""
    while time.monotonic() < deadline:
        html = client.get(job_url).get_data(as_text=True)
        if "data-refresh-seconds" not in html:
            break
        assert "<progress" in html
        time.sleep(0.5)
    log = _export_dir(seeded) / "jobs" / job_id / "job.log"
    assert "Ready" in html, log.read_text() if log.exists() else html
    download = client.get(job_url + "/file")
    assert download.status_code == 200
    assert "Template" in _workbook_sheets(io.BytesIO(download.data))
    download.close()
    assert "done" in log.read_text()


def test_a_worker_that_cannot_start_fails_the_job_at_once(seeded, make_client, monkeypatch):
    def cannot(job_id, config):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(jobs, "launch", cannot)
    seeded.config["WTF_CSRF_ENABLED"] = False
    client = make_client("dpo")
    html = client.post("/exports/jobs", data={"format": "ico"}, follow_redirects=True).get_data(as_text=True)
    assert "The workbook was not written" in html and "could not be started (Permission denied)" in html


def test_the_heartbeat_records_the_exports_own_progress(seeded, monkeypatch):
    monkeypatch.setattr(jobs, "HEARTBEAT", 0.05)
    job = jobs.create_export_job("ico", None, actor="dpo@example.org")
    job.status, job.started_at = "running", utcnow()
    db.session.commit()
    beat = jobs._Heartbeat(seeded, job.id)
    beat.start("Starting")
    beat.report(0.5, "Writing data sharing: 2,000 of 30,000 rows")
    deadline, row = time.monotonic() + 20, None
    while time.monotonic() < deadline:
        db.session.commit()
        row = jobs.get_job(job.id)
        if row.progress == 50:
            break
        time.sleep(0.05)
    beat.stop()
    assert row.progress == 50  # 5% + 90% of the fraction reported
    assert re.fullmatch(r"Writing data sharing: 2,000 of 30,000 rows \(\d+ s so far\)", row.message)
    assert "heartbeat_at" in json.loads(row.params)


def test_a_job_passes_the_exports_progress_to_its_heartbeat(seeded, monkeypatch):
    seen = []

    def write(out, *, generated_by, as_at=None, since=None, progress=None):
        progress(0.25, "Writing the Template")
        seen.append(progress.__self__)
        Path(out).write_bytes(b"not really a workbook")
        return {}

    monkeypatch.setattr("ropa.ico.export.write_ico", write)
    job = jobs.create_export_job("ico", None, actor="dpo@example.org")
    ended = jobs.run_job(job.id, _export_dir(seeded))
    assert ended.status == "done" and seen and seen[0]._latest == (0.25, "Writing the Template")


# --- import jobs: a large upload previewed and imported outside the web request -----------------------------------

IMPORT_CSV = ("reference,name,service,our_role,data_categories,article_6,last_reviewed\n"
              + "".join(f"PA-97{i},Imported care {i},,controller,,,\n" for i in range(3)))


def _upload_for_job(app, tmp_path, owner: str):
    from ropa.services.imports import store_upload
    return store_upload(IMPORT_CSV.encode(), "big.csv", owner=owner, root=tmp_path / "uploads")


def test_an_import_job_previews_then_imports_the_upload(seeded, tmp_path):
    from ropa.models import ProcessingActivity

    upload = _upload_for_job(seeded, tmp_path, "dpo@example.org")
    for phase in ("preview", "confirm"):
        job = _queued_import(upload, phase)
        ended = jobs.run_job(job.id, _export_dir(seeded))
        assert ended.status == "done" and ended.progress == 100, ended.error
    assert upload.result("preview")["kinds"][0]["created"] == 3
    assert upload.result("applied")["ok"]
    assert db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == "PA-972"))
    assert "Done: the import is written" in ended.message


def _queued_import(upload, phase: str) -> Job:
    job = Job(id=f"import-{phase}-{upload.token[:8]}", kind=jobs.IMPORT_JOB, created_by=upload.owner,
              status="queued", params=json.dumps({"token": upload.token, "phase": phase,
                                                  "folder": str(upload.folder.parent)}))
    db.session.add(job)
    db.session.commit()
    return job


def test_an_import_job_for_someone_elses_upload_fails_with_the_reason(seeded, tmp_path):
    upload = _upload_for_job(seeded, tmp_path, "dpo@example.org")
    job = _queued_import(upload, "preview")
    job.created_by = "someone@example.org"
    db.session.commit()
    ended = jobs.run_job(job.id, _export_dir(seeded))
    assert ended.status == "failed" and "made by another user" in ended.error
    assert upload.result("preview") is None


def test_a_stale_import_job_says_to_start_the_import_again(seeded, tmp_path):
    job = _queued_import(_upload_for_job(seeded, tmp_path, "dpo@example.org"), "preview")
    job.created_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    state = jobs.state_of(job)
    assert state.status == "failed" and "Start the import again" in state.error


def test_the_web_starts_a_real_worker_process_that_imports(seeded, make_client, database_url, tmp_path):
    """End to end: `ropa jobs run` in its own process finds the upload through the job's params."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the worker process is exercised once, against the SQLite file")
    seeded.config.update(WTF_CSRF_ENABLED=False, ROPA_IMPORT_JOB_ROWS=1, ROPA_IMPORT_DIR=str(tmp_path / "uploads"))
    client = make_client("dpo")
    url = client.post("/imports", data={"file": (io.BytesIO(IMPORT_CSV.encode()), "big.csv")},
                      content_type="multipart/form-data").headers["Location"]
    deadline, html = time.monotonic() + 120, ""
    while time.monotonic() < deadline:
        html = client.get(url).get_data(as_text=True)
        if "data-refresh-seconds" not in html:
            break
        time.sleep(0.5)
    assert "Preview of big.csv" in html and "Confirm the import" in html, html
