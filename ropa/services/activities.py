"""Processing activities for the pages: the list (searched, filtered, keyset-paginated) and one activity's detail."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ropa.extensions import db
from ropa.models import ProcessingActivity
from ropa.services.queries import Page


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
    return Page(rows, rows[-1].reference if more else None, bool(after))
