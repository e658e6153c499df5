"""Housekeeping of background work: jobs whose worker died are marked failed, old jobs and their files are removed,
and uploads nobody confirmed are swept.

Job files live in one shared folder (ROPA_EXPORT_DIR), not in the database: an ICO workbook of 100,000 activities is
tens of megabytes, and a folder every host mounts (NFS, an Azure file share) serves it as a plain file download
without growing the database or its backups. `ropa sweep` runs all three steps; `ropa serve` runs it at start-up,
and the Exports page marks dead jobs whenever it lists them.
"""

import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import Job
from ropa.models.base import utcnow
from ropa.services import jobs
from ropa.services.imports import remove_expired_uploads, uploads_root

#: Jobs (and their files) are kept this many days unless ROPA_JOB_RETENTION_DAYS says otherwise.
DEFAULT_RETENTION_DAYS = 30


@dataclass
class Swept:
    """What one sweep did."""

    marked_failed: list[str] = field(default_factory=list)  # ids of jobs whose worker had died
    removed_jobs: list[str] = field(default_factory=list)  # ids of jobs older than the retention period
    removed_uploads: int = 0

    def lines(self) -> list[str]:
        return [f"Marked {len(self.marked_failed)} job(s) failed: their worker had stopped.",
                f"Removed {len(self.removed_jobs)} job(s) and their files older than the retention period.",
                f"Removed {self.removed_uploads} upload(s) never confirmed in time."]


def mark_dead_jobs(now: datetime | None = None) -> list[str]:
    """Store as failed every queued or running job whose worker has gone quiet (no heartbeat for STALE_AFTER), with
    the reason; the ids marked. Pages already showed them as failed; this makes the database say so too."""
    now = now or utcnow()
    marked = []
    for job in db.session.scalars(sa.select(Job).where(Job.status.in_(("queued", "running")))).all():
        state = jobs.state_of(job, now)
        if state.status == "failed":
            job.status, job.message, job.error, job.finished_at = "failed", state.message, state.error, now
            marked.append(job.id)
    db.session.commit()
    return marked


def remove_old_jobs(export_dir: Path, days: int, now: datetime | None = None) -> list[str]:
    """Delete finished jobs created more than `days` ago, with their folder under the export folder; the ids."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    old = db.session.scalars(sa.select(Job).where(Job.status.in_(("done", "failed")), Job.created_at < cutoff)).all()
    removed = []
    for job in old:
        folder = (export_dir / "jobs" / job.id).resolve()
        if export_dir.resolve() in folder.parents:
            shutil.rmtree(folder, ignore_errors=True)
        db.session.delete(job)
        removed.append(job.id)
    db.session.commit()
    return removed


def sweep(config, now: datetime | None = None) -> Swept:
    """All of the housekeeping, with the app's settings (inside its app context)."""
    days = int(config.get("ROPA_JOB_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)
    export_dir = Path(config["ROPA_EXPORT_DIR"])
    return Swept(mark_dead_jobs(now), remove_old_jobs(export_dir, days, now), remove_expired_uploads(uploads_root(), now))
