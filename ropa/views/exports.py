"""The exports page: the register's downloads, now or as at a snapshot. The ICO workbook is written by a background
job (a large register takes longer than a web worker may hold a request), its progress shown until the file is ready."""

from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ropa.auth import role_required
from ropa.services import job_sweep, jobs
from ropa.services.audit_log import snapshot_labels
from ropa.services.exports import render

bp = Blueprint("exports", __name__)

#: Formats small enough to write inside a request: (what it is, MIME type).
DIRECT = {"csv": ("The activity register as CSV", "text/csv"),
          "ico-csv": ("The ICO Template's columns as CSV", "text/csv"),
          "json": ("The JSON dump of the whole register", "application/json"),
          "graphml": ("The data-flow graph as GraphML", "application/graphml+xml")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _as_at() -> str:
    return (request.values.get("as_at") or "").strip()


@bp.get("/exports")
@role_required()
def index():
    """What can be downloaded, as at now or a chosen snapshot, and the user's recent workbooks."""
    labels = snapshot_labels()
    as_at = _as_at()
    if as_at and as_at not in labels:
        flash(f"There is no snapshot called “{as_at}”: showing the register as it is now.", "error")
        as_at = ""
    job_sweep.mark_dead_jobs()  # a job whose worker died is stored as failed, for every page and host
    recent = [jobs.state_of(j) for j in jobs.recent_jobs(current_user.email)]
    return render_template("exports/index.html", labels=labels, as_at=as_at, direct=DIRECT, recent=recent)


@bp.get("/exports/download/<any(csv, 'ico-csv', json, graphml):fmt>")
@role_required()
def download(fmt: str):
    """A small export, written in the request and sent as an attachment."""
    as_at = _as_at() or None
    try:
        content = render(fmt, as_at)
    except ValueError as exc:  # an unknown or altered snapshot, or CSV as at a snapshot
        flash(f"Not downloaded: {exc.args[0] if exc.args else exc}.", "error")
        return redirect(url_for("exports.index", as_at=as_at or None))
    name = jobs.file_name(fmt, as_at, datetime.now(UTC).date())
    return Response(content, mimetype=DIRECT[fmt][1], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/exports/jobs")
@role_required()
def start():
    """Queue the ICO workbook (with a "Changes since" sheet when a baseline snapshot is chosen) or the DSPT evidence
    pack and start its worker process; show its progress."""
    fmt, as_at = request.form.get("format", ""), _as_at() or None
    if fmt not in jobs.JOB_FORMATS:
        flash("Choose the export to prepare.", "error")
        return redirect(url_for("exports.index"))
    since = (request.form.get("since") or "").strip() or None
    for label in (as_at, since):
        if label and label not in snapshot_labels():
            flash(f"There is no snapshot called “{label}”.", "error")
            return redirect(url_for("exports.index"))
    if since and fmt != "ico":
        flash("A baseline (changes since) is for the ICO workbook only.", "error")
        return redirect(url_for("exports.index", as_at=as_at))
    job = jobs.start_export_job(fmt, as_at, actor=current_user.email, config=current_app.config, since=since)
    return redirect(url_for("exports.job", job_id=job.id), code=303)


def _readable_job(job_id: str):
    job = jobs.get_job(job_id)
    if job is None:
        abort(404)
    if not jobs.may_read(job, current_user.email, current_user.role):
        abort(403)
    return job


@bp.get("/exports/jobs/<job_id>")
@role_required()
def job(job_id: str):
    """A job's status and progress (the page reloads itself while it runs), then its download."""
    state = jobs.state_of(_readable_job(job_id))
    return render_template("exports/job.html", state=state, job=state.job)


@bp.get("/exports/jobs/<job_id>/file")
@role_required()
def job_file(job_id: str):
    """The file a finished job wrote, as an attachment."""
    found = _readable_job(job_id)
    path = jobs.result_file(found, Path(current_app.config["ROPA_EXPORT_DIR"]))
    if path is None:
        abort(404)
    return send_file(path, mimetype=XLSX if path.suffix == ".xlsx" else None, as_attachment=True,
                     download_name=path.name, max_age=0)
