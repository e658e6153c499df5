"""Background jobs: the ICO workbook of a large register is written by its own process, never inside a web request.

A web worker creates the job row and starts `ropa jobs run ID` in a new session; the worker process writes the file
under the export folder and keeps the row's progress current, so any web worker (on any host sharing the database and
the export folder) can show it. A process killed mid-way stops updating its row: a job with no update for
STALE_AFTER is shown as failed ("the worker stopped") rather than as running for ever.

The worker beats every HEARTBEAT seconds. The jobs table has no "updated at" column, so the time of the last beat is
kept in the job's params under "heartbeat_at".
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ropa.config import PROJECT_ROOT
from ropa.enums import Role
from ropa.extensions import db
from ropa.models import Job, ProcessingActivity
from ropa.models.base import utcnow

EXPORT_JOB = "export"
#: An uploaded file previewed (a dry run) or imported, too large for a web request; params: token, phase, folder.
IMPORT_JOB = "import"
IMPORT_PHASES = ("preview", "confirm")
#: Formats that go through a job (the others are small enough to download directly).
JOB_FORMATS = {"ico": ".xlsx", "dspt": ".zip"}
HEARTBEAT = 5.0
STALE_AFTER = timedelta(minutes=2)
#: Who may download any job's file; others only their own.
READ_ALL = (Role.ADMIN, Role.DPO, Role.AUDITOR)


class JobError(ValueError):
    """A job request that cannot be met; the message says why."""


@dataclass(frozen=True)
class JobState:
    """A job as a page shows it: the stored status, or "failed" when its worker went quiet."""

    job: Job
    status: str
    message: str
    error: str
    params: dict

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def file_name(self) -> str:
        return Path(self.job.result_path).name if self.job.result_path else ""


def file_name(fmt: str, as_at: str | None, today: date) -> str:
    """The download's name: ropa-register-2026-12-01.xlsx, or ropa-register-as-at-dspt-2025-26.xlsx."""
    stems = {"ico-csv": "ropa-ico-template", "dspt": "ropa-dspt-evidence-pack", "graphml": "ropa-graph", "graph-json": "ropa-graph"}
    stem = stems.get(fmt, "ropa-register")
    extension = {"ico": ".xlsx", "ico-csv": ".csv", "csv": ".csv", "json": ".json", "graphml": ".graphml",
                 "graph-json": ".json", "svg": ".svg", "dspt": ".zip"}[fmt]
    if as_at:
        slug = re.sub(r"[^a-z0-9]+", "-", as_at.lower()).strip("-")[:80] or "snapshot"
        return f"{stem}-as-at-{slug}{extension}"
    return f"{stem}-{today.isoformat()}{extension}"


def create_export_job(fmt: str, as_at: str | None, *, actor: str, since: str | None = None) -> Job:
    """Queue the export of one format (as at a snapshot, or now; the workbook with a "Changes since" sheet from the
    baseline snapshot since); the caller launches it."""
    if fmt not in JOB_FORMATS:
        raise JobError(f"{fmt!r} is not exported by a background job; download it directly")
    if since and fmt != "ico":
        raise JobError("a baseline (changes since) is for the ICO workbook only")
    job = Job(id=str(uuid.uuid4()), kind=EXPORT_JOB, created_by=actor, status="queued", progress=0,
              message="Waiting for the worker to start",
              params=json.dumps({"format": fmt, "as_at": as_at or None} | ({"since": since} if since else {})))
    db.session.add(job)
    db.session.commit()
    return job


def start_export_job(fmt: str, as_at: str | None, *, actor: str, config: Mapping, since: str | None = None) -> Job:
    """Queue an export and start its worker process; a worker that cannot be started fails the job at once."""
    job = create_export_job(fmt, as_at, actor=actor, since=since)
    _launch_or_fail(job, config)
    return job


def start_import_job(token: str, phase: str, folder: Path, *, actor: str, config: Mapping) -> Job:
    """Queue the preview or the confirm of an upload (kept in folder/token) and start its worker process."""
    if phase not in IMPORT_PHASES:
        raise JobError(f"an import job previews or confirms, not {phase!r}")
    job = Job(id=str(uuid.uuid4()), kind=IMPORT_JOB, created_by=actor, status="queued", progress=0,
              message="Waiting for the worker to start",
              params=json.dumps({"token": token, "phase": phase, "folder": str(folder)}))
    db.session.add(job)
    db.session.commit()
    _launch_or_fail(job, config)
    return job


def _launch_or_fail(job: Job, config: Mapping) -> None:
    try:
        launch(job.id, config)
    except OSError as exc:
        current_app.logger.exception("could not start the worker of job %s", job.id)
        _update(job, status="failed", finished_at=utcnow(), message="Failed",
                error=f"The worker process could not be started ({exc.strerror or exc}). Tell the administrator.")


def launch(job_id: str, config: Mapping) -> subprocess.Popen:
    """Start `ropa jobs run JOB_ID` in its own process and session, against this app's database and folders: a
    web worker's timeout, restart or exit then cannot kill the export."""
    export_dir = Path(config["ROPA_EXPORT_DIR"])
    log_dir = export_dir / "jobs" / job_id
    log_dir.mkdir(parents=True, exist_ok=True)
    url = config["SQLALCHEMY_DATABASE_URI"]
    if isinstance(url, sa.URL):  # str() of a URL hides its password
        url = url.render_as_string(hide_password=False)
    env = dict(os.environ)
    env.update({"ROPA_DATABASE_URL": url,
                "ROPA_EXPORT_DIR": str(export_dir), "ROPA_INSTANCE_DIR": current_app.instance_path})
    env.pop("FLASK_APP", None)
    with open(log_dir / "job.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "ropa", "jobs", "run", job_id], cwd=PROJECT_ROOT,
                                   env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    # Reaped by a thread of this worker, so a long-lived web worker collects no zombies; if the worker exits first,
    # the job carries on regardless (it is in its own session).
    threading.Thread(target=process.wait, name=f"reap job {job_id}", daemon=True).start()
    return process


def get_job(job_id: str) -> Job | None:
    """The job as its worker last wrote it (never a copy cached in this session)."""
    return db.session.get(Job, job_id, populate_existing=True)


def recent_jobs(actor: str, limit: int = 10, kind: str = EXPORT_JOB) -> list[Job]:
    """The newest jobs of one kind (exports, unless told) one user started."""
    return db.session.scalars(sa.select(Job).where(Job.created_by == actor, Job.kind == kind)
                              .order_by(Job.created_at.desc()).limit(limit)).all()


def may_read(job: Job, email: str, role: Role) -> bool:
    """The user who started a job, and those who may read every export, may see and download it."""
    return job.created_by == email or role in READ_ALL


def state_of(job: Job, now: datetime | None = None) -> JobState:
    """The job as it should be shown: a queued or running job whose worker has gone quiet is failed."""
    now = now or utcnow()
    params = _params(job)
    status, message, error = job.status, job.message, job.error
    if status in ("queued", "running"):
        beat = params.get("heartbeat_at")
        last = datetime.fromisoformat(beat) if beat else (job.started_at or job.created_at)
        if now - last > STALE_AFTER:
            minutes = max(1, int((now - last).total_seconds() // 60))
            status = "failed"
            work = "import" if job.kind == IMPORT_JOB else "export"
            error = (f"The worker stopped: no progress for {minutes} minute{'s' if minutes != 1 else ''}. "
                     f"Start the {work} again; if it keeps stopping, tell the administrator (the job log is "
                     f"jobs/{job.id}/job.log in the export folder)." if job.status == "running" else
                     f"The worker never started (queued {minutes} minute{'s' if minutes != 1 else ''} ago). "
                     f"Start the {work} again; if it keeps happening, tell the administrator.")
            message = "Stopped"
    return JobState(job, status, message, error, params)


def result_file(job: Job, export_dir: Path) -> Path | None:
    """The file a finished job wrote, if it is still there."""
    if job.status != "done" or not job.result_path:
        return None
    path = (export_dir / job.result_path).resolve()
    if export_dir.resolve() not in path.parents or not path.is_file():
        return None
    return path


def run_job(job_id: str, export_dir: Path, today: date | None = None) -> Job:
    """Do one queued job in this process: mark it running, write its file, mark it done or failed (with the
    error). Returns the job as it ended."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise JobError(f"no job {job_id!r}")
    if job.status != "queued":
        raise JobError(f"job {job_id} is {job.status}, not queued: each job runs once")
    params = _params(job)
    fmt, as_at = params.get("format", "ico"), params.get("as_at")
    today = today or utcnow().date()
    _update(job, status="running", started_at=utcnow(), progress=2, message="Starting")
    beat = _Heartbeat(current_app._get_current_object(), job_id)
    if job.kind == IMPORT_JOB:
        return _run_import_job(job, params, beat)
    try:
        if job.kind != EXPORT_JOB or fmt not in JOB_FORMATS:
            raise JobError(f"cannot run a {job.kind} job of format {fmt!r}")
        activities = db.session.scalar(sa.select(sa.func.count()).select_from(ProcessingActivity))
        relative = Path("jobs") / job_id / file_name(fmt, as_at, today)
        what = "the DSPT evidence pack" if fmt == "dspt" else "the workbook"
        _update(job, progress=5, message=f"Writing {what} of {activities:,} activities")
        beat.start(job.message)
        write = _write_pack if fmt == "dspt" else _write_workbook
        write(export_dir / relative, as_at, f"{job.created_by} (web)", beat.report, params.get("since"))
        beat.stop()
        _update(job, status="done", progress=100, finished_at=utcnow(), result_path=relative.as_posix(),
                message=f"Done: {what} is ready to download")
    except Exception as exc:  # noqa: BLE001 — whatever went wrong is the job's result, shown on its page
        beat.stop()
        db.session.rollback()
        for partial in (export_dir / "jobs" / job_id).glob("*.part"):  # half a workbook is no use to anyone
            partial.unlink(missing_ok=True)
        job = db.session.get(Job, job_id)
        reason = str(exc.args[0]) if isinstance(exc, (KeyError, ValueError)) and exc.args else str(exc)
        _update(job, status="failed", finished_at=utcnow(), message="Failed",
                error=reason or type(exc).__name__)
        current_app.logger.exception("job %s failed", job_id)
    return job


def _run_import_job(job: Job, params: dict, beat: "_Heartbeat") -> Job:
    """Preview or confirm an upload. Problems in the file are the import's result (shown on its page), not a
    failure of the job; the job fails only when the work itself could not be done."""
    from ropa.services.imports import confirm_upload, open_upload, preview_upload

    job_id, phase = job.id, params.get("phase")
    try:
        if phase not in IMPORT_PHASES:
            raise JobError(f"an import job previews or confirms, not {phase!r}")
        upload = open_upload(params.get("token", ""), owner=job.created_by, root=Path(params.get("folder", "")))
        _update(job, progress=5, message=f"Reading {upload.file_name}")
        beat.start(job.message)
        result = (preview_upload if phase == "preview" else confirm_upload)(upload, progress=beat.report)
        beat.stop()
        job = db.session.get(Job, job_id)
        done = ("Done: the preview is ready" if phase == "preview" else "Done: the import is written"
                if result["ok"] else "Done: nothing was written")
        _update(job, status="done", progress=100, finished_at=utcnow(), message=done)
    except Exception as exc:  # whatever went wrong is the job's result, shown on its page
        beat.stop()
        db.session.rollback()
        job = db.session.get(Job, job_id)
        reason = str(exc.args[0]) if isinstance(exc, (KeyError, ValueError, LookupError, PermissionError)) \
            and exc.args else str(exc)
        _update(job, status="failed", finished_at=utcnow(), message="Failed", error=reason or type(exc).__name__)
        current_app.logger.exception("job %s failed", job_id)
    return job


def _write_workbook(path: Path, as_at: str | None, generated_by: str, progress, since: str | None = None) -> None:
    """The workbook streamed to PATH.part, renamed when complete (a failed job's part file is removed)."""
    from ropa.ico.export import write_ico

    temporary = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_ico(str(temporary), generated_by=generated_by, as_at=as_at, since=since, progress=progress)
    temporary.replace(path)


def _write_pack(path: Path, as_at: str | None, generated_by: str, progress, since: None = None) -> None:
    """The DSPT evidence pack (a zip) written to PATH.part, renamed when complete."""
    from ropa.services.dspt import write_pack

    temporary = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_pack(str(temporary), as_at=as_at, generated_by=generated_by, progress=progress)
    temporary.replace(path)


def _params(job: Job) -> dict:
    try:
        return json.loads(job.params or "{}")
    except ValueError:
        return {}


def _update(job: Job, **values) -> None:
    params = _params(job) | {"heartbeat_at": utcnow().isoformat()}
    for name, value in values.items():
        setattr(job, name, value)
    job.params = json.dumps(params)
    db.session.commit()


class _Heartbeat:
    """Keeps a running job's row fresh from a second thread while the export works: every HEARTBEAT seconds it
    records the export's latest progress report (5-95%) and the time so far. The export reports through
    `report`, which only notes the figures: the export's own session is busy reading the register."""

    def __init__(self, app, job_id: str):
        self.app, self.job_id = app, job_id
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._latest: tuple[float, str] = (0.0, "")

    def start(self, message: str) -> None:
        self._latest = (0.0, message)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def report(self, fraction: float, message: str) -> None:
        """The export's progress callback: fraction done (0-1) and what it is doing."""
        self._latest = (fraction, message)  # one tuple assignment: the other thread never sees half of it

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        began = time.monotonic()
        with self.app.app_context():  # its own session: the export's session is busy in the other thread
            while not self._stop.wait(HEARTBEAT):
                fraction, message = self._latest
                try:
                    job = db.session.get(Job, self.job_id)
                    db.session.refresh(job)
                    if job.status != "running":
                        return
                    _update(job, progress=min(95, 5 + int(90 * fraction)),
                            message=f"{message} ({int(time.monotonic() - began)} s so far)")
                except Exception:  # noqa: BLE001 — a missed beat is retried; the export itself carries on
                    db.session.rollback()
                    self.app.logger.warning("job %s: heartbeat not recorded", self.job_id, exc_info=True)
