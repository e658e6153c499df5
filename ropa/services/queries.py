"""Read-side queries for the pages: paginated, relations loaded in bulk; the dashboard's lists kept per audit head.

The dashboard's reviews and contracts falling due scan the whole register (no index serves "overdue or never
reviewed"), yet change only when the register does or the day turns. So each process keeps the last answer with
the audit head and day it was computed at, and answers again from the database only when either has moved: every
write is audited, so a write moves the head and the next view sees it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import defer

from ropa.enums import ActivityStatus
from ropa.extensions import db
from ropa.models import (
    AuditHead,
    Organisation,
    ProcessingActivity,
    ProcessorEngagement,
    Recipient,
    Snapshot,
    Transfer,
)
from ropa.services.kept import kept


@dataclass
class Page:
    rows: list
    next_after: str | None
    previous: bool = False


def register_counts() -> dict[str, int]:
    """How many of each thing the register holds."""
    models = {"activities": ProcessingActivity, "organisations": Organisation, "recipients": Recipient,
              "processor engagements": ProcessorEngagement, "transfers": Transfer}
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for name, m in models.items()}


@dataclass(frozen=True)
class Reviewed:
    """An activity as the dashboard lists it."""

    reference: str
    name: str
    next_review_due: date | None


@dataclass(frozen=True)
class Named:
    name: str


@dataclass(frozen=True)
class Ending:
    """A processor contract as the dashboard lists it."""

    reference: str
    end_date: date
    processor: Named


@dataclass
class Due:
    overdue: list[Reviewed]
    overdue_count: int
    due_soon: list[Reviewed]
    due_soon_count: int


def _kept(name: str, today: date, compute: Callable, head: str | None):
    """compute()'s answer, kept by this app (so this database) until the audit head or the day moves. head: the
    audit head's hash if the caller has just read it (the dashboard has, with the findings), else it is read here."""
    if head is None:
        head = db.session.scalar(sa.select(AuditHead.last_hash).where(AuditHead.id == 1)) or ""
    return kept("ropa_kept_reads", name, (head, today), compute)


def reviews_due(today: date, within_days: int = 30, limit: int = 10, *, head: str | None = None) -> Due:
    """Live activities whose review is overdue (or never done), and those due within the next days."""
    return _kept(f"reviews_due {within_days} {limit}", today, lambda: _reviews_due(today, within_days, limit), head)


def _reviews_due(today: date, within_days: int, limit: int) -> Due:
    live = ProcessingActivity.status != ActivityStatus.RETIRED
    overdue = sa.and_(live, sa.or_(ProcessingActivity.next_review_due < today,
                                   ProcessingActivity.next_review_due.is_(None)))
    soon = sa.and_(live, ProcessingActivity.next_review_due.between(today, today + timedelta(days=within_days)))

    def rows(condition):
        A = ProcessingActivity
        return [Reviewed(*row) for row in db.session.execute(
            sa.select(A.reference, A.name, A.next_review_due).where(condition)
            .order_by(A.next_review_due.nulls_first(), A.reference).limit(limit))]

    def count(condition):
        return db.session.scalar(sa.select(sa.func.count()).select_from(ProcessingActivity).where(condition))

    return Due(rows(overdue), count(overdue), rows(soon), count(soon))


def contracts_ending(today: date, within_days: int = 90, limit: int = 10, *,
                     head: str | None = None) -> list[Ending]:
    """Processor contracts that have ended or end within the next days, soonest first."""
    return _kept(f"contracts_ending {within_days} {limit}", today,
                 lambda: _contracts_ending(today, within_days, limit), head)


def _contracts_ending(today: date, within_days: int, limit: int) -> list[Ending]:
    E = ProcessorEngagement
    query = (sa.select(E.reference, E.end_date, Organisation.name).join(E.processor)
             .where(E.end_date <= today + timedelta(days=within_days)).order_by(E.end_date).limit(limit))
    return [Ending(reference, end, Named(name)) for reference, end, name in db.session.execute(query)]


def last_signed_off() -> Snapshot | None:
    """The newest snapshot someone approved."""
    # Without its content: a snapshot of a large register is megabytes the dashboard does not show.
    return db.session.scalar(sa.select(Snapshot).options(defer(Snapshot.content))
                             .where(Snapshot.approved_by != "").order_by(Snapshot.created_at.desc()).limit(1))
