"""Read-side queries for the pages: paginated, relations loaded in bulk."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ropa.enums import ActivityStatus
from ropa.extensions import db
from ropa.models import Organisation, ProcessingActivity, ProcessorEngagement, Recipient, Snapshot, Transfer


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


@dataclass
class Due:
    overdue: list[ProcessingActivity]
    overdue_count: int
    due_soon: list[ProcessingActivity]
    due_soon_count: int


def reviews_due(today: date, within_days: int = 30, limit: int = 10) -> Due:
    """Live activities whose review is overdue (or never done), and those due within the next days."""
    live = ProcessingActivity.status != ActivityStatus.RETIRED
    overdue = sa.and_(live, sa.or_(ProcessingActivity.next_review_due < today,
                                   ProcessingActivity.next_review_due.is_(None)))
    soon = sa.and_(live, ProcessingActivity.next_review_due.between(today, today + timedelta(days=within_days)))

    def rows(condition):
        return db.session.scalars(sa.select(ProcessingActivity).where(condition)
                                  .order_by(ProcessingActivity.next_review_due.nulls_first(),
                                            ProcessingActivity.reference).limit(limit)).all()

    def count(condition):
        return db.session.scalar(sa.select(sa.func.count()).select_from(ProcessingActivity).where(condition))

    return Due(rows(overdue), count(overdue), rows(soon), count(soon))


def contracts_ending(today: date, within_days: int = 90, limit: int = 10) -> list[ProcessorEngagement]:
    """Processor contracts that have ended or end within the next days, soonest first."""
    query = (sa.select(ProcessorEngagement).where(ProcessorEngagement.end_date <= today + timedelta(days=within_days))
             .order_by(ProcessorEngagement.end_date).limit(limit)
             .options(selectinload(ProcessorEngagement.processor)))
    return db.session.scalars(query).all()


def last_signed_off() -> Snapshot | None:
    """The newest snapshot someone approved."""
    return db.session.scalar(sa.select(Snapshot).where(Snapshot.approved_by != "")
                             .order_by(Snapshot.created_at.desc()).limit(1))
