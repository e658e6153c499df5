"""Review campaigns: the DPO starts one (name, due date, every service or some); each owner confirms or updates
the activities of their services; progress by service and the overdue reminders; completing it offers a signed-off
snapshot. Every write is audited, and confirming an activity records its review on the activity itself (DSPT 1.1.2:
the register reviewed and approved within the last 12 months)."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ropa.auth import can_edit_activity
from ropa.enums import ActivityStatus, ReviewOutcome, Role
from ropa.extensions import db
from ropa.models import ProcessingActivity, ReviewCampaign, ReviewItem, Service, User
from ropa.models.base import utcnow
from ropa.services import audit
from ropa.services.activities import mark_reviewed
from ropa.services.snapshots import SnapshotError, create_snapshot

ENTITY = "review campaign"
NO_SERVICE = "(no service)"  # activities with no service: only the DPO and administrators can review them
MAX_ITEMS = 200  # a page of items; filter by service for more


class ReviewError(ValueError):
    """A campaign request that cannot be met; the message says why and what to do."""


class NotYours(PermissionError):
    """The activity belongs to a service the user does not look after."""


@dataclass
class ServiceProgress:
    service: str
    total: int = 0
    confirmed: int = 0
    updated: int = 0

    @property
    def done(self) -> int:
        return self.confirmed + self.updated

    @property
    def pending(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


@dataclass
class Progress:
    """A campaign's progress, overall and by service (services in name order, "(no service)" last)."""

    campaign: ReviewCampaign
    today: date
    by_service: list[ServiceProgress] = field(default_factory=list)

    @property
    def total(self) -> ServiceProgress:
        out = ServiceProgress("All services")
        for row in self.by_service:
            out.total, out.confirmed, out.updated = (out.total + row.total, out.confirmed + row.confirmed,
                                                     out.updated + row.updated)
        return out

    @property
    def overdue(self) -> bool:
        return self.campaign.is_open and self.today > self.campaign.due and self.total.pending > 0

    def as_dict(self) -> dict:
        c, total = self.campaign, self.total
        return {"id": c.id, "name": c.name, "due": c.due.isoformat(), "status": "open" if c.is_open else "completed",
                "scope": "all" if c.all_services else sorted(s.name for s in c.services),
                "created_by": c.created_by, "created_at": c.created_at.isoformat(timespec="seconds"),
                "completed_by": c.completed_by or None,
                "completed_at": c.completed_at.isoformat(timespec="seconds") if c.completed_at else None,
                "snapshot": c.snapshot_label or None, "overdue": self.overdue,
                "total": total.total, "confirmed": total.confirmed, "updated": total.updated,
                "pending": total.pending,
                "by_service": [{"service": r.service, "total": r.total, "confirmed": r.confirmed,
                                "updated": r.updated, "pending": r.pending} for r in self.by_service]}


@dataclass
class Reminder:
    """An activity still to review after the due date, and whom to ask."""

    reference: str
    name: str
    service: str
    owner: str
    editors: list[str]
    days_overdue: int

    def as_dict(self) -> dict:
        return {"reference": self.reference, "name": self.name, "service": self.service, "owner": self.owner,
                "editors": self.editors, "days_overdue": self.days_overdue}


# --- Starting, confirming, completing ---------------------------------------------------------------------------

def start_campaign(name: str, due: date, services: list[str] | None, *, actor: str, today: date) -> ReviewCampaign:
    """Start a review of every live activity in scope (services None or empty: every service, and the activities
    with none); each gets an item recording its version now."""
    name = (name or "").strip()
    if not name:
        raise ReviewError("a review campaign needs a name, e.g. 'Annual review 2026-27'")
    if len(name) > 300:
        raise ReviewError("a campaign's name is at most 300 characters")
    if db.session.scalar(sa.select(ReviewCampaign.id).where(ReviewCampaign.name == name)):
        raise ReviewError(f"a review campaign called {name!r} already exists; choose another name")
    if due < today:
        raise ReviewError(f"the due date {due.isoformat()} is in the past; choose today or a later day")
    wanted = sorted({s.strip() for s in services or [] if s and s.strip()})
    chosen = list(db.session.scalars(sa.select(Service).where(Service.name.in_(wanted)))) if wanted else []
    unknown = sorted(set(wanted) - {s.name for s in chosen})
    if unknown:
        raise ReviewError(f"no service called {', '.join(map(repr, unknown))} in the register")
    A = ProcessingActivity
    query = sa.select(A.id, A.version).where(A.status != ActivityStatus.RETIRED)
    if chosen:
        query = query.where(A.service_id.in_([s.id for s in chosen]))
    activities = db.session.execute(query.order_by(A.reference)).all()
    if not activities:
        raise ReviewError("no live activity is in scope: choose other services, or add activities first")
    campaign = ReviewCampaign(name=name, due=due, all_services=not chosen, services=chosen, created_by=actor)
    campaign.items = [ReviewItem(activity_id=a.id, start_version=a.version) for a in activities]
    db.session.add(campaign)
    audit.append([audit.Change(actor, "create", ENTITY, name, {
        "due": [None, due.isoformat()], "scope": [None, wanted or "all services"],
        "activities": [None, len(activities)]})])
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # someone started one of the same name a moment ago
        db.session.rollback()
        raise ReviewError(f"a review campaign called {name!r} already exists; choose another name") from None
    return campaign


def confirm(campaign: ReviewCampaign, reference: str, user: User, *, today: date, months: int = 12,
            expected_version: int | None = None, loaded_at: int | None = None) -> ReviewOutcome:
    """Record that user reviewed this activity for the campaign: "updated" if it was edited since the campaign
    began, else "confirmed". The activity's last review becomes today and its next one months on. A page loaded
    before someone else changed the activity is refused (StaleRecord), so nobody confirms what they did not see."""
    if not campaign.is_open:
        raise ReviewError(f"the campaign {campaign.name!r} was completed on "
                          f"{campaign.completed_at:%Y-%m-%d}; start a new one to review again")
    item = db.session.scalar(sa.select(ReviewItem).join(ReviewItem.activity).options(
        selectinload(ReviewItem.activity).selectinload(ProcessingActivity.service))
        .where(ReviewItem.campaign_id == campaign.id, ProcessingActivity.reference == reference))
    if item is None:
        raise LookupError(f"{reference} is not part of the campaign {campaign.name!r}")
    activity = item.activity
    if not can_edit_activity(user, activity.service.name if activity.service else None):
        raise NotYours(f"{reference} belongs to a service you do not look after")
    if item.outcome != ReviewOutcome.PENDING:
        raise ReviewError(f"{reference} was already reviewed for this campaign by {item.reviewed_by} on "
                          f"{item.reviewed_at:%Y-%m-%d}")
    outcome = _record_outcome(item, campaign, user)
    _mark_reviewed_with_items(reference, user, expected_version=expected_version, today=today, months=months,
                              loaded_at=loaded_at)
    return outcome


def mark_activity_reviewed(reference: str, user: User, *, today: date, months: int = 12,
                           expected_version: int | None = None, loaded_at: int | None = None) -> list[str]:
    """The activity page's "Mark reviewed today": the activity's review dates set as confirm() sets them, and the
    review recorded for every open campaign still waiting for it (so the campaign does not go on asking for a
    review that was done). The names of those campaigns, in name order."""
    items = sorted(pending_for(reference), key=lambda item: item.campaign.name)
    for item in items:
        _record_outcome(item, item.campaign, user)
    _mark_reviewed_with_items(reference, user, expected_version=expected_version, today=today, months=months,
                              loaded_at=loaded_at)
    return [item.campaign.name for item in items]


def _record_outcome(item: ReviewItem, campaign: ReviewCampaign, user: User) -> ReviewOutcome:
    """The item reviewed by user now: "updated" if its activity was edited since the campaign began (audited)."""
    outcome = ReviewOutcome.UPDATED if item.activity.version > item.start_version else ReviewOutcome.CONFIRMED
    item.outcome, item.reviewed_by, item.reviewed_at = outcome, user.email, utcnow()
    audit.append([audit.Change(user.email, "update", ENTITY, f"{campaign.name} / {item.activity.reference}",
                               {"outcome": [ReviewOutcome.PENDING.value, outcome.value]})])
    return outcome


def _mark_reviewed_with_items(reference: str, user: User, **review) -> None:
    # The activity's review dates go through the audited, version-checked save, which commits the items with them
    # (or rolls all back).
    try:
        mark_reviewed(reference, actor=user.email, **review)
    except BaseException:
        db.session.rollback()  # a stale page or a refused save: the items stay pending, nothing half-written
        raise


def complete(campaign: ReviewCampaign, *, actor: str, snapshot_label: str = "", approved_by: str = "",
             allow_pending: bool = False, today: date) -> ReviewCampaign:
    """Close the campaign; with a snapshot label, freeze the register signed off by approved_by in the same step.
    With activities still to review, allow_pending must say so (the audit entry records how many)."""
    if not campaign.is_open:
        raise ReviewError(f"the campaign {campaign.name!r} is already complete")
    pending = progress(campaign, today).total.pending
    if pending and not allow_pending:
        raise ReviewError(f"{pending} {'activity is' if pending == 1 else 'activities are'} still to review; "
                          "wait for them, or complete the campaign with them recorded as not reviewed")
    snapshot_label, approved_by = snapshot_label.strip(), approved_by.strip()
    if len(snapshot_label) > 300 or len(approved_by) > 320:
        raise ReviewError("a snapshot label is at most 300 characters, and who signs it off at most 320")
    if snapshot_label and not approved_by:
        raise ReviewError("a snapshot taken to close a review is signed off: say who approves the register "
                          "(name and role)")
    campaign.completed_by, campaign.completed_at, campaign.snapshot_label = actor, utcnow(), snapshot_label
    audit.append([audit.Change(actor, "update", ENTITY, campaign.name, {
        "status": ["open", "completed"], "not_reviewed": [None, pending],
        "snapshot": [None, snapshot_label or None]})])
    try:
        if snapshot_label:
            create_snapshot(snapshot_label, actor=actor, approved_by=approved_by)  # commits the completion too
        else:
            db.session.commit()
    except SnapshotError as exc:
        db.session.rollback()
        raise ReviewError(str(exc)) from None
    except BaseException:
        db.session.rollback()
        raise
    return campaign


# --- Reading ----------------------------------------------------------------------------------------------------

#: An activity retired during a campaign is no longer the owners' to review: it leaves the counts and the lists.
_LIVE = ProcessingActivity.status != ActivityStatus.RETIRED


def campaigns(open_only: bool = False) -> list[ReviewCampaign]:
    """Every campaign, open ones first, newest first."""
    query = sa.select(ReviewCampaign).options(selectinload(ReviewCampaign.services))
    if open_only:
        query = query.where(ReviewCampaign.completed_at.is_(None))
    return list(db.session.scalars(query.order_by(ReviewCampaign.completed_at.is_not(None),
                                                  ReviewCampaign.created_at.desc(), ReviewCampaign.id.desc())))


def find_campaign(key: int | str) -> ReviewCampaign | None:
    """A campaign by id (pages, API) or by name (command line)."""
    column = ReviewCampaign.id if isinstance(key, int) else ReviewCampaign.name
    return db.session.scalar(sa.select(ReviewCampaign).where(column == key)
                             .options(selectinload(ReviewCampaign.services)))


def progress(campaign: ReviewCampaign, today: date) -> Progress:
    """Counts by service and outcome, in one grouped query."""
    rows = db.session.execute(
        sa.select(Service.name, ReviewItem.outcome, sa.func.count())
        .select_from(ReviewItem).join(ProcessingActivity, ProcessingActivity.id == ReviewItem.activity_id)
        .outerjoin(Service, Service.id == ProcessingActivity.service_id)
        .where(ReviewItem.campaign_id == campaign.id, _LIVE).group_by(Service.name, ReviewItem.outcome)).all()
    by_name: dict[str, ServiceProgress] = {}
    for service, outcome, n in rows:
        row = by_name.setdefault(service or NO_SERVICE, ServiceProgress(service or NO_SERVICE))
        row.total += n
        if outcome == ReviewOutcome.CONFIRMED:
            row.confirmed += n
        elif outcome == ReviewOutcome.UPDATED:
            row.updated += n
    ordered = sorted(by_name.values(), key=lambda r: (r.service == NO_SERVICE, r.service.casefold()))
    return Progress(campaign, today, ordered)


def open_progress(today: date) -> list[Progress]:
    """The progress of every open campaign (the dashboard's panel)."""
    return [progress(c, today) for c in campaigns(open_only=True)]


def items(campaign: ReviewCampaign, user: User, *, service: str = "", outcome: str = "", mine: bool = False,
          limit: int = MAX_ITEMS) -> tuple[list[ReviewItem], int]:
    """The campaign's items (with their activities), filtered; mine: only those the user may review. Returns up to
    limit of them and how many match in all."""
    A = ProcessingActivity
    query = (sa.select(ReviewItem).join(A, A.id == ReviewItem.activity_id).outerjoin(Service, Service.id == A.service_id)
             .where(ReviewItem.campaign_id == campaign.id, _LIVE))
    if service == NO_SERVICE:
        query = query.where(A.service_id.is_(None))
    elif service:
        query = query.where(Service.name == service)
    if outcome in {o.value for o in ReviewOutcome}:
        query = query.where(ReviewItem.outcome == outcome)
    elif outcome == "done":
        query = query.where(ReviewItem.outcome != ReviewOutcome.PENDING)
    if mine and user.role == Role.EDITOR:
        query = query.where(A.service_id.in_([s.id for s in user.services] or [-1]))
    elif mine and user.role not in (Role.ADMIN, Role.DPO):
        return [], 0
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(selectinload(ReviewItem.activity).selectinload(A.service))
                              .order_by(A.reference).limit(limit)).all()
    return list(rows), total


def to_review_count(user: User) -> int:
    """How many activities in open campaigns wait for this user (an editor: their services; DPO/admin: all)."""
    if user.role not in (Role.ADMIN, Role.DPO, Role.EDITOR):
        return 0
    A = ProcessingActivity
    query = (sa.select(sa.func.count()).select_from(ReviewItem).join(A, A.id == ReviewItem.activity_id)
             .join(ReviewCampaign, ReviewCampaign.id == ReviewItem.campaign_id)
             .where(ReviewCampaign.completed_at.is_(None), ReviewItem.outcome == ReviewOutcome.PENDING, _LIVE))
    if user.role == Role.EDITOR:
        query = query.where(A.service_id.in_([s.id for s in user.services] or [-1]))
    return db.session.scalar(query)


def pending_for(reference: str) -> list[ReviewItem]:
    """The open campaigns' items still waiting for this activity's review (for its page)."""
    A = ProcessingActivity
    return list(db.session.scalars(
        sa.select(ReviewItem).join(A, A.id == ReviewItem.activity_id)
        .join(ReviewCampaign, ReviewCampaign.id == ReviewItem.campaign_id)
        .where(A.reference == reference, ReviewCampaign.completed_at.is_(None),
               ReviewItem.outcome == ReviewOutcome.PENDING)
        .options(selectinload(ReviewItem.campaign)).order_by(ReviewCampaign.due)))


def reminders(campaign: ReviewCampaign, today: date) -> list[Reminder]:
    """After the due date, every activity still to review, with the editors of its service to remind (none: the
    DPO reviews it) and its owner as recorded."""
    if not campaign.is_open or today <= campaign.due:
        return []
    A = ProcessingActivity
    rows = db.session.execute(
        sa.select(A.reference, A.name, A.owner, A.service_id, Service.name.label("service"))
        .select_from(ReviewItem).join(A, A.id == ReviewItem.activity_id)
        .outerjoin(Service, Service.id == A.service_id)
        .where(ReviewItem.campaign_id == campaign.id, ReviewItem.outcome == ReviewOutcome.PENDING, _LIVE)
        .order_by(Service.name, A.reference)).all()
    editors: dict[int, list[str]] = {}
    for user in db.session.scalars(sa.select(User).where(User.role == Role.EDITOR, User.active.is_(True))
                                   .options(selectinload(User.services))):
        for service in user.services:
            editors.setdefault(service.id, []).append(user.email)
    days = (today - campaign.due).days
    return [Reminder(r.reference, r.name, r.service or NO_SERVICE, r.owner, sorted(editors.get(r.service_id, [])),
                     days) for r in rows]


def reviewable_services() -> list[str]:
    """The services a campaign may be scoped to."""
    return list(db.session.scalars(sa.select(Service.name).order_by(Service.name)))
