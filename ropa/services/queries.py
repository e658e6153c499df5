"""Read-side queries for the pages: paginated, relations loaded in bulk."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ropa.extensions import db
from ropa.models import Organisation, ProcessingActivity, ProcessorEngagement, Recipient, Transfer


@dataclass
class Page:
    rows: list
    next_after: str | None


def activity_page(after: str = "", size: int = 50) -> Page:
    """Activities ordered by reference, keyset-paginated (no OFFSET, so deep pages stay fast)."""
    query = (sa.select(ProcessingActivity).where(ProcessingActivity.reference > after)
             .order_by(ProcessingActivity.reference).limit(size + 1)
             .options(selectinload(ProcessingActivity.service), selectinload(ProcessingActivity.controller),
                      selectinload(ProcessingActivity.lawful_bases),
                      selectinload(ProcessingActivity.data_categories)))
    rows = db.session.scalars(query).all()
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, rows[-1].reference if more else None)


def register_counts() -> dict[str, int]:
    """How many of each thing the register holds."""
    models = {"activities": ProcessingActivity, "organisations": Organisation, "recipients": Recipient,
              "processor engagements": ProcessorEngagement, "transfers": Transfer}
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for name, m in models.items()}
