"""Housekeeping of background work (ropa sweep): dead jobs are stored as failed, old jobs and their files removed,
abandoned uploads swept — on SQLite and PostgreSQL."""

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from ropa.config import PROJECT_ROOT
from ropa.extensions import db
from ropa.models import Job
from ropa.models.base import utcnow
from ropa.services import job_sweep, jobs
from ropa.services.imports import store_upload, uploads_root


def _export_dir(app) -> Path:
    return Path(app.config["ROPA_EXPORT_DIR"])


def _job(status: str, created_days_ago: float = 0, **params) -> Job:
    created = utcnow() - timedelta(days=created_days_ago)
    job = Job(id=f"job-{status}-{created_days_ago}-{len(params)}", kind=jobs.EXPORT_JOB, created_by="dpo@example.org",
              status=status, created_at=created, started_at=created if status != "queued" else None,
              params=json.dumps({"format": "ico", **params}))
    db.session.add(job)
    db.session.commit()
    return job


def test_a_job_whose_worker_was_killed_is_stored_as_failed(seeded):
    """A real `ropa jobs run` process is killed (SIGKILL) before it can do anything: once it has been quiet for
    longer than STALE_AFTER the sweep stores the job as failed, with the reason, instead of leaving it queued."""
    job = jobs.create_export_job("ico", None, actor="dpo@example.org")
    env = {**os.environ, "ROPA_DATABASE_URL": str(seeded.config["SQLALCHEMY_DATABASE_URI"])}
    process = subprocess.Popen([sys.executable, "-m", "ropa", "jobs", "run", job.id], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    assert job_sweep.mark_dead_jobs() == []  # just killed: not yet quiet for long enough to be called dead
    later = utcnow() + jobs.STALE_AFTER + timedelta(minutes=1)
    assert job_sweep.mark_dead_jobs(later) == [job.id]
    stored = jobs.get_job(job.id)
    assert stored.status == "failed" and stored.finished_at == later
    assert "never started" in stored.error and "Start the export again" in stored.error


def test_a_running_job_that_stopped_beating_is_failed_and_a_live_one_is_left_alone(seeded):
    quiet = _job("running", heartbeat_at=(utcnow() - timedelta(minutes=10)).isoformat())
    alive = _job("queued", 0.0001)
    alive.params = json.dumps({"format": "ico", "heartbeat_at": utcnow().isoformat()})
    alive.status = "running"
    db.session.commit()
    assert job_sweep.mark_dead_jobs() == [quiet.id]
    assert "The worker stopped: no progress for 10 minutes" in jobs.get_job(quiet.id).error
    assert jobs.get_job(alive.id).status == "running"


def test_finished_jobs_older_than_the_retention_period_are_removed_with_their_files(seeded):
    export_dir = _export_dir(seeded)
    old, recent = _job("done", 40), _job("failed", 2)
    for job in (old, recent):
        folder = export_dir / "jobs" / job.id
        folder.mkdir(parents=True)
        (folder / "ropa-register.xlsx").write_bytes(b"workbook")
        job.result_path = f"jobs/{job.id}/ropa-register.xlsx"
    db.session.commit()

    assert job_sweep.remove_old_jobs(export_dir, days=30) == [old.id]
    assert jobs.get_job(old.id) is None and not (export_dir / "jobs" / old.id).exists()
    assert jobs.get_job(recent.id) is not None and (export_dir / "jobs" / recent.id / "ropa-register.xlsx").exists()


def test_ropa_sweep_reports_what_it_removed(seeded, run_cli, tmp_path):
    seeded.config["ROPA_IMPORT_DIR"] = str(tmp_path / "imports")
    old = _job("done", 400)
    stale_upload = store_upload(b"reference,name\n", "old.csv", owner="dpo@example.org")
    fresh_upload = store_upload(b"reference,name\n", "new.csv", owner="dpo@example.org")
    meta = json.loads((stale_upload.folder / "meta.json").read_text())
    meta["created_at"] = (utcnow() - timedelta(days=3)).isoformat()
    (stale_upload.folder / "meta.json").write_text(json.dumps(meta))

    result = run_cli("sweep")
    assert result.exit_code == 0, result.output
    assert "Removed 1 job(s) and their files older than the retention period." in result.output
    assert "Removed 1 upload(s) never confirmed in time." in result.output
    assert jobs.get_job(old.id) is None
    assert not stale_upload.folder.exists() and fresh_upload.folder.exists()
    assert fresh_upload.folder.parent == uploads_root()


def test_the_exports_page_stores_a_dead_job_as_failed(seeded, make_client):
    client = make_client("auditor")
    quiet = _job("running", heartbeat_at=(utcnow() - timedelta(minutes=10)).isoformat())
    assert client.get("/exports").status_code == 200
    assert jobs.get_job(quiet.id).status == "failed"
