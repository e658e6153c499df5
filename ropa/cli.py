"""The `ropa` command line: Flask's FlaskGroup (so `ropa run`, `ropa shell`, `ropa routes` work) plus ours.

Exit status: 0 success, 1 a failure the user can fix (the reason is printed), 2 bad usage.
"""

import getpass
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from ropa import create_app
from ropa.enums import Role
from ropa.exchange.problems import ImportFailed

EXPORT_FORMATS = ["ico", "ico-csv", "csv", "json", "graphml", "graph-json", "svg", "notice", "dspt"]


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def cli() -> None:
    """ropa — the record of processing activities (UK GDPR Art. 30) and data-sharing register."""


def init_database(seed: bool) -> list[str]:
    """Bring the schema to head, load reference data, optionally the seed register; return summary lines."""
    from ropa.services.imports import load_reference_data, load_seed

    upgrade(directory=current_app.extensions["migrate"].directory)
    lines = load_reference_data(actor=_actor()).lines()
    if seed:
        lines = load_seed(actor=_actor()).lines()
    return lines


@cli.command("init-db")
@click.option("--seed", is_flag=True, help="Also load the seed register (data/*.csv, from the ECFWS privacy notice).")
def init_db(seed: bool) -> None:
    """Create or upgrade the database schema to the latest migration and load the reference data."""
    try:
        lines = init_database(seed)
    except ImportFailed as failed:
        _fail("the seed register did not load:\n" + "\n".join(str(p) for p in failed.problems))
    click.echo(f"Database ready: {current_app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    for line in lines:
        click.echo(f"  {line}")


@cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report what would change; write nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import our CSV (one file, or a folder of them) or JSON dump. All rows or none; rows match by reference."""
    from ropa.services.imports import import_path

    try:
        summary = import_path(path, actor=_actor(), dry_run=dry_run)
    except ImportFailed as failed:
        for problem in failed.problems:
            click.echo(str(problem), err=True)
        _fail(f"{len(failed.problems)} problem(s); nothing was imported")
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {path}: " + ("no changes" if not summary.changed else "changes below"))
    for line in summary.lines():
        click.echo(f"  {line}")
    for remark in summary.remarks:
        click.echo(f"  {remark}")
    click.echo(f"  audit entries: {summary.audit_entries}{' (not written)' if dry_run else ''}")


@cli.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="json", show_default=True,
              help="ico: the ICO-style workbook for auditors (.xlsx); ico-csv: its Template columns as CSV; "
                   "csv: the activity register (a folder PATH gets one CSV per entity); json: lossless dump; "
                   "graphml / graph-json: the data-flow graph; svg: its picture; notice: the privacy notice "
                   "from the register (.html or .md by PATH's extension; Markdown on '-'); dspt: the NHS DSPT evidence pack "
                   "(.zip: workbook, notice, CSVs and an index of the toolkit items each supports).")
@click.option("--service", help="svg: draw only this service.")
@click.option("--organisation", help="svg: draw only what depends on this organisation.")
@click.option("--transfers", is_flag=True, help="svg: draw only the routes out of the UK.")
@click.option("--as-at", "as_at", metavar="SNAPSHOT", help="Export the register as frozen in this snapshot.")
@click.option("--since", metavar="SNAPSHOT",
              help="ico: add a 'Changes since' sheet listing what changed from this snapshot (the baseline).")
def export_command(path: Path, fmt: str, service: str | None, organisation: str | None, transfers: bool,
                   as_at: str | None, since: str | None) -> None:
    """Write the register to PATH ('-' for standard output)."""
    from xlsxwriter.exceptions import FileCreateError

    from ropa.services import exports

    picture = {"service": service, "organisation": organisation, "transfers": transfers, "generated_by": _actor(),
               "since": since}
    try:
        if str(path) == "-":
            if fmt == "dspt":
                _fail("the evidence pack is a zip: give a file name ending .zip rather than '-'")
            if fmt == "ico":
                _fail("the workbook is binary: give a file name ending .xlsx rather than '-'")
            content = exports.render(fmt, as_at, **picture)
            click.echo(content.decode() if isinstance(content, bytes) else content, nl=False)
            return
        written = exports.export_path(path, fmt, as_at, **picture)
    except (KeyError, ValueError) as exc:
        _fail(str(exc.args[0]) if exc.args else str(exc))
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror}")
    except (RuntimeError, FileCreateError) as exc:  # the workbook's writer stopped (a full disk, say): its reason
        _fail(f"cannot write {path}: {exc}; nothing was written under that name")
    for file in written:
        click.echo(f"Wrote {file}")


@cli.command("check")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--severity", type=click.Choice(["error", "warning", "info"]), default="info", show_default=True,
              help="Show findings of this severity and worse.")
@click.option("--store", is_flag=True,
              help="Also store the findings with the audit head they are for (the ICO workbook reuses them).")
def check_command(fmt: str, severity: str, store: bool) -> None:
    """Run the compliance checks. Exit 1 if any error-level finding exists, else 0 (for scheduled checks)."""
    import json

    from ropa.checks import RANK, Severity
    from ropa.services.analysis import findings, severity_counts

    if store:
        from ropa.services.findings import refresh

        state, found = refresh()
        counts = state.counts
    else:
        counts, found = findings()
    shown = [f for f in found if RANK[Severity(f.severity)] <= RANK[Severity(severity)]]
    if fmt == "json":
        click.echo(json.dumps({"register": counts, "summary": severity_counts(found),
                               "findings": [f.as_dict() for f in shown]}, ensure_ascii=False, indent=1))
    else:
        for f in shown:
            click.echo(f"{'NOTE' if f.severity == 'info' else f.severity.upper():8}{f.rule}  {f.entity_type} {f.entity_ref}: {f.message}")
            click.echo(f"{'':8}Fix: {f.fix}")
            click.echo(f"{'':8}Law: {f.citation}")
        totals = severity_counts(found)
        click.echo(f"{totals['error']} error(s), {totals['warning']} warning(s), {totals['info']} note(s) "
                   f"across {counts['activities']} activities.")
    sys.exit(1 if any(f.severity == "error" for f in found) else 0)


@cli.command("refresh-findings")
@click.option("--no-wait", is_flag=True, help="Exit 3 at once if another refresh is under way, instead of waiting.")
@click.option("--lease", default="", hidden=True,
              help="The owner of a refresh lease taken for this run by the web worker that started it.")
def refresh_findings_command(no_wait: bool, lease: str) -> None:
    """Bring the stored findings up to date with the register now (the web app's refresher runs this itself after
    a write; run it after a bulk change made behind the app's back, or on a schedule for the new day's due dates)."""
    from ropa.services import findings

    if no_wait or lease:
        if findings.fresh_state() is None and findings.refresh(wait=False, keep=False, unless_fresh=True,
                                                               lease=lease) is None:
            sys.exit(3)
        return
    state = findings.refresh_now()
    click.echo(f"Findings up to date at audit entry {state.audit_count} ({findings.count()} findings).")


@cli.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="The person's name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of generating one.")
@click.option("--service", "services", multiple=True, metavar="NAME",
              help="Editors: a service whose activities they edit (repeat for more).")
def create_user_command(email: str, role: str, name: str, password_stdin: bool, services: tuple[str, ...]) -> None:
    """Add a user. Without --password-stdin a password is generated and printed once."""
    from ropa.services.users import AccountError, create_user, generate_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    try:
        create_user(email, Role(role), password, actor=_actor(), name=name, services=services)
    except AccountError as exc:
        _fail(str(exc))
    click.echo(f"Created {role} {email.strip().lower()}")
    if not password_stdin:
        click.echo(f"One-time password (shown once): {password}")


@cli.command("create-token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def create_token_command(email: str, name: str) -> None:
    """Issue an API bearer token for a user; it is printed once and stored only as a hash."""
    from ropa.services.users import AccountError, create_token

    try:
        token = create_token(email, name, actor=_actor())
    except AccountError as exc:
        _fail(str(exc))
    click.echo(token)


@cli.command("reset-mfa")
@click.argument("email")
def reset_mfa_command(email: str) -> None:
    """Turn off a user's multi-factor authentication (a lost phone, no recovery codes left). Audited; a role that
    must use MFA sets it up again at its next sign-in."""
    from ropa.services.mfa import disable
    from ropa.services.users import get_user

    user = get_user(email)
    if user is None:
        _fail(f"no user with email {email}")
    if disable(user, actor=_actor(), reason="reset by an administrator"):
        click.echo(f"Multi-factor authentication of {user.email} turned off.")
    else:
        click.echo(f"{user.email} did not have multi-factor authentication on.")


@cli.group("snapshot")
def snapshot_group() -> None:
    """Frozen, signed-off copies of the register (e.g. for a DSPT submission)."""


@snapshot_group.command("create")
@click.argument("label")
@click.option("--approved-by", default="", help="Who signed the register off (name and role).")
def snapshot_create(label: str, approved_by: str) -> None:
    """Freeze the register now under LABEL, with the SHA-256 of its content."""
    from ropa.services.snapshots import SnapshotError, create_snapshot

    try:
        snapshot = create_snapshot(label, actor=_actor(), approved_by=approved_by)
    except SnapshotError as exc:
        _fail(str(exc))
    click.echo(f"Snapshot {snapshot.label!r} taken: sha256 {snapshot.sha256}")


@cli.group("notice")
def notice_group() -> None:
    """The privacy notice: a published one checked against the register (write one with export --format notice)."""


@notice_group.command("check")
@click.argument("published", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as-at", "as_at", metavar="SNAPSHOT", help="Check against the register as frozen in this snapshot.")
def notice_check(published: Path, fmt: str, as_at: str | None) -> None:
    """List what a published notice (.txt or .html) omits or contradicts: processors, recipients, transfers and
    their countries and safeguards, retention periods, lawful bases.

    Exit status: 0 nothing missing, 1 gaps found (for scheduled checks), 2 the notice could not be read.
    """
    import json

    from ropa.notice.check import CATEGORIES
    from ropa.services.notice import NoticeUnreadable, check_published
    from ropa.services.snapshots import SnapshotError

    try:
        report = check_published(published.read_bytes(), published.name, as_at)
    except NoticeUnreadable as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except SnapshotError as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        for gap in report.gaps:
            click.echo(f"{gap.kind.upper():13}{CATEGORIES[gap.category]}, {gap.aspect}: {gap.entry}")
            click.echo(f"{'':13}{gap.message[:1].upper()}{gap.message[1:]}.")
            click.echo(f"{'':13}The notice: " + (f"\u201c{gap.notice_words}\u201d" if gap.notice_words
                                                 else "not mentioned"))
        click.echo(f"{len(report.gaps)} gap(s) in {published.name}" if report.gaps else
                   f"No gaps: {published.name} names everything checked")
        click.echo(f"({len(report.matched)} register entries found in the notice.)")
    sys.exit(1 if report.gaps else 0)


@cli.command("diff")
@click.argument("source", metavar="A")
@click.argument("target", metavar="[B]", required=False, default="now")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file (xlsx needs one).")
def diff_command(source: str, target: str, fmt: str, output: Path | None) -> None:
    """What changed from snapshot A to snapshot B (B "now" or left out: the register as it is now).

    Records added, removed, retired and changed field by field, per entity kind; findings opened and closed
    (both registers checked as on today).
    """
    import json

    from ropa.diff import text_lines
    from ropa.services.diff import diff_snapshots
    from ropa.services.snapshots import SnapshotError

    if fmt == "xlsx" and (output is None or str(output) == "-"):
        _fail("the workbook is binary: give --output FILE.xlsx")
    try:
        result = diff_snapshots(source, target)
    except SnapshotError as exc:
        _fail(str(exc))
    if fmt == "xlsx":
        from ropa.ico.changes import write_changes_workbook

        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = output.with_name(output.name + ".part")
        rows = write_changes_workbook(str(temporary), result)
        temporary.replace(output)
        click.echo(f"Wrote {output} ({rows} rows)")
        return
    text = json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n" if fmt == "json" \
        else "\n".join(text_lines(result)) + "\n"
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}")
    click.echo(f"Wrote {output}")


@cli.group("audit")
def audit_group() -> None:
    """The audit log of every change."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Recompute the audit log's hash chain; exit 1 naming the first entry that was altered."""
    from ropa.services.audit import verify_chain

    verdict = verify_chain()
    if not verdict.ok:
        where = f"entry {verdict.first_bad}" if verdict.first_bad else "the end of the log"
        _fail(f"audit log tampered at {where}: {verdict.reason} ({verdict.checked} entries verified before it)")
    click.echo(f"Audit log intact: {verdict.checked} entries verified.")


@cli.group("jobs", hidden=True)
def jobs_group() -> None:
    """Background work the web app starts (the ICO workbook of a large register); not needed by hand."""


@jobs_group.command("run")
@click.argument("job_id")
def jobs_run(job_id: str) -> None:
    """Run one queued job: write its file under the export folder, keeping its progress in the database."""
    from ropa.services.jobs import JobError, run_job

    try:
        job = run_job(job_id, Path(current_app.config["ROPA_EXPORT_DIR"]))
    except JobError as exc:
        _fail(str(exc))
    if job.status != "done":
        _fail(f"job {job_id} failed: {job.error}")
    click.echo(f"Job {job_id} done: wrote {job.result_path}")


@cli.command("sweep")
def sweep() -> None:
    """Housekeeping, for a daily schedule: mark jobs whose worker died as failed, remove jobs and their files older
    than ROPA_JOB_RETENTION_DAYS (default 30), and remove uploads never confirmed in time."""
    from ropa.services.job_sweep import sweep as run_sweep

    for line in run_sweep(current_app.config).lines():
        click.echo(line)


@cli.command("demo", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Start afresh: a new SQLite database (instance/demo.db) with the seed register, an admin user, and serve."""
    from ropa.services.users import create_user, generate_password

    base = create_app()
    path = Path(base.instance_path) / "demo.db"
    path.unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        try:
            lines = init_database(seed=True)
        except ImportFailed as failed:
            _fail("the seed register did not load:\n" + "\n".join(str(p) for p in failed.problems))
        for line in lines:
            click.echo(f"  {line}")
        password = generate_password()
        create_user("admin@ropa.local", Role.ADMIN, password, actor=_actor(), name="Demo administrator")
    click.echo(f"Demo register: {path}")
    click.echo(f"Sign in as admin@ropa.local with the one-time password: {password}")
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True)


@cli.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(min=1), envvar="ROPA_WORKERS", show_envvar=True,
              help="Worker processes [default: one per core, at least 2, at most 8].")
@click.option("--threads", type=click.IntRange(min=1), envvar="ROPA_THREADS", show_envvar=True,
              help="Threads per worker [default: 4].")
def serve_command(host: str, port: int, workers: int | None, threads: int | None) -> None:
    """Serve the app with gunicorn (production): the database from ROPA_DATABASE_URL, access log on standard output.

    Health endpoints: /healthz (the process answers) and /readyz (the database answers and is migrated to head).
    SIGTERM stops it gracefully: requests in flight get 30 seconds to finish.
    """
    from ropa.serving import serve

    serve(host, port, workers, threads)


from ropa.cli_reviews import review_group  # noqa: E402  (after cli, which it extends)

cli.add_command(review_group)


def main() -> None:
    cli(prog_name="ropa")
