"""`ropa review ...`: review campaigns from the command line (start, list, show, confirm, complete, reminders)."""

import json
from datetime import UTC, date, datetime

import click
from flask import current_app


def _today() -> date:
    return datetime.now(UTC).date()


def _fail(message: str) -> None:
    from ropa import cli  # the command line's one way of failing (imported late: cli imports this module)

    cli._fail(message)


def _campaign(name: str):
    from ropa.services.reviews import campaigns, find_campaign

    campaign = find_campaign(name)
    if campaign is None:
        names = ", ".join(repr(c.name) for c in campaigns()) or "none yet"
        _fail(f"no review campaign called {name!r} (campaigns: {names})")
    return campaign


@click.group("review")
def review_group() -> None:
    """Review campaigns: every owner confirms or updates their activities by a date (DSPT 1.1.2)."""


@review_group.command("start")
@click.argument("name")
@click.option("--due", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Due date, YYYY-MM-DD.")
@click.option("--service", "services", multiple=True, metavar="NAME",
              help="A service in scope (repeat for more); none: every service.")
def review_start(name: str, due: datetime, services: tuple[str, ...]) -> None:
    """Start the review NAME of every live activity in scope."""
    from ropa.cli import _actor
    from ropa.services.reviews import ReviewError, start_campaign

    try:
        campaign = start_campaign(name, due.date(), list(services), actor=_actor(), today=_today())
    except ReviewError as exc:
        _fail(str(exc))
    click.echo(f"Review {campaign.name!r} started: {len(campaign.items)} activities to review by "
               f"{campaign.due.isoformat()}.")


@review_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def review_list(fmt: str) -> None:
    """Every campaign with its progress."""
    from ropa.services.reviews import campaigns, progress

    rows = [progress(c, _today()) for c in campaigns()]
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in rows], ensure_ascii=False, indent=1))
        return
    for p in rows:
        t, c = p.total, p.campaign
        state = f"due {c.due.isoformat()}" + (", OVERDUE" if p.overdue else "") if c.is_open else \
            f"completed {c.completed_at:%Y-%m-%d}"
        click.echo(f"{c.name}: {t.done} of {t.total} reviewed ({t.percent}%), {state}")
    if not rows:
        click.echo("No review campaign yet: start one with `ropa review start NAME --due YYYY-MM-DD`.")


@review_group.command("show")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def review_show(name: str, fmt: str) -> None:
    """A campaign's progress by service and, after its due date, the reminders to send."""
    from ropa.services.reviews import progress, reminders

    campaign = _campaign(name)
    p, due = progress(campaign, _today()), reminders(campaign, _today())
    if fmt == "json":
        click.echo(json.dumps(p.as_dict() | {"reminders": [r.as_dict() for r in due]}, ensure_ascii=False, indent=1))
        return
    t = p.total
    click.echo(f"{campaign.name}: {t.done} of {t.total} reviewed ({t.confirmed} confirmed, {t.updated} updated), "
               f"due {campaign.due.isoformat()}" + ("" if campaign.is_open else f", completed by {campaign.completed_by}"))
    for row in p.by_service:
        click.echo(f"  {row.service}: {row.done}/{row.total} ({row.percent}%), {row.pending} to review")
    if due:
        click.echo(f"Reminders ({len(due)} overdue by {due[0].days_overdue} days):")
        for r in due:
            click.echo(f"  {r.reference} {r.name} [{r.service}] owner: {r.owner or 'not recorded'}; remind: "
                       f"{', '.join(r.editors) or 'the DPO'}")


@review_group.command("confirm")
@click.argument("name")
@click.argument("references", nargs=-1, required=True, metavar="REFERENCE...")
@click.option("--as", "email", required=True, help="The reviewer's email: they must be allowed to edit the activity.")
def review_confirm(name: str, references: tuple[str, ...], email: str) -> None:
    """Record the review of each REFERENCE by the user EMAIL ("updated" if it was edited since the campaign began)."""
    from ropa.exchange.problems import ImportFailed
    from ropa.services.reviews import NotYours, ReviewError, confirm
    from ropa.services.users import get_user

    campaign, user = _campaign(name), get_user(email)
    if user is None or not user.is_active:
        _fail(f"no active user {email!r}")
    for reference in references:
        try:
            outcome = confirm(campaign, reference, user, today=_today(),
                              months=current_app.config.get("ROPA_REVIEW_MONTHS", 12))
        except (LookupError, NotYours, ReviewError) as exc:
            _fail(str(exc.args[0]))
        except ImportFailed as exc:
            _fail("; ".join(p.reason for p in exc.problems))
        click.echo(f"{reference}: {outcome.value}")


@review_group.command("complete")
@click.argument("name")
@click.option("--snapshot", "snapshot_label", default="", help="Also freeze the register in this snapshot.")
@click.option("--signed-off-by", "approved_by", default="", help="Who approves the snapshot (name and role).")
@click.option("--allow-pending", is_flag=True, help="Complete with activities still to review (recorded).")
def review_complete(name: str, snapshot_label: str, approved_by: str, allow_pending: bool) -> None:
    """Close the campaign NAME, optionally with a signed-off snapshot of the reviewed register."""
    from ropa.cli import _actor
    from ropa.services.reviews import ReviewError, complete

    campaign = _campaign(name)
    try:
        complete(campaign, actor=_actor(), snapshot_label=snapshot_label, approved_by=approved_by,
                 allow_pending=allow_pending, today=_today())
    except ReviewError as exc:
        _fail(str(exc))
    click.echo(f"Review {campaign.name!r} completed" + (f"; snapshot {snapshot_label!r} taken, signed off by "
                                                        f"{approved_by}." if snapshot_label else "."))
