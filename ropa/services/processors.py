"""Processor engagements (Art. 28) and international transfers (Chapter V) for the pages: keyset-paginated lists
with their relations loaded in bulk, the activities using a processor, and the next free reference."""

import re
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ropa.checks import EXPIRY_WARNING_DAYS
from ropa.extensions import db
from ropa.models import Organisation, ProcessingActivity, ProcessorEngagement, Transfer
from ropa.services.queries import Page


def engagement_page(after: str = "", size: int = 50, ending_by: date | None = None) -> Page:
    """Engagements ordered by reference; with ending_by, only contracts that end on or before that day (ended
    ones included)."""
    query = (sa.select(ProcessorEngagement).where(ProcessorEngagement.reference > after)
             .order_by(ProcessorEngagement.reference).limit(size + 1)
             .options(selectinload(ProcessorEngagement.processor).selectinload(Organisation.country),
                      selectinload(ProcessorEngagement.services), selectinload(ProcessorEngagement.countries)))
    if ending_by is not None:
        query = query.where(ProcessorEngagement.end_date <= ending_by)
    return _page(db.session.scalars(query).all(), size, after)


def ending_horizon(today: date) -> date:
    """The last day a contract may end on to count as "ending soon" (the P04 rule's 90 days)."""
    return today + timedelta(days=EXPIRY_WARNING_DAYS)


def transfer_page(after: str = "", size: int = 50) -> Page:
    """Recorded transfers ordered by reference."""
    query = (sa.select(Transfer).where(Transfer.reference > after).order_by(Transfer.reference).limit(size + 1)
             .options(selectinload(Transfer.activity), selectinload(Transfer.country),
                      selectinload(Transfer.organisation), selectinload(Transfer.system)))
    return _page(db.session.scalars(query).all(), size, after)


def activities_using(processor: str, limit: int = 100) -> tuple[list[ProcessingActivity], int]:
    """The first activities (by reference) that name this organisation as one of their processors, and how many
    there are in all (a processor behind a large service can serve thousands)."""
    using = (sa.select(ProcessingActivity).join(ProcessingActivity.processors)
             .where(Organisation.name == processor))
    rows = db.session.scalars(using.order_by(ProcessingActivity.reference).limit(limit)
                              .options(selectinload(ProcessingActivity.service))).all()
    total = len(rows) if len(rows) < limit else db.session.scalar(
        sa.select(sa.func.count()).select_from(using.subquery()))
    return rows, total


def activity_name(reference: str) -> str | None:
    """The name of the activity with this reference, or None if there is none."""
    return db.session.scalar(sa.select(ProcessingActivity.name).where(ProcessingActivity.reference == reference))


def next_reference(entity_name: str) -> str:
    """The next free reference: PE-002 after PE-001 for engagements, TR-002 after TR-001 for transfers."""
    model, prefix = {"engagements": (ProcessorEngagement, "PE"), "transfers": (Transfer, "TR")}[entity_name]
    numbers = [int(m.group(1)) for ref in db.session.scalars(sa.select(model.reference)
                                                            .where(model.reference.like(f"{prefix}-%")))
               if (m := re.fullmatch(rf"{prefix}-(\d+)", ref))]
    return f"{prefix}-{max(numbers, default=0) + 1:03d}"


def _page(rows: list, size: int, after: str) -> Page:
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, rows[-1].reference if more else None, bool(after))
