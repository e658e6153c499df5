"""Keyset pages of any catalogue entity, in natural-key order, for the API's list endpoints.

A read-side query like services/queries.py (the API has no service module of its own yet; move it there if one
grows). Keyset rather than OFFSET, so page 200 of a 10k-activity register costs what page 1 does.
"""

import sqlalchemy as sa

from ropa.exchange.schema import BY_NAME
from ropa.extensions import db
from ropa.models import Disclosure, ProcessingActivity, Recipient
from ropa.services.catalogue import MODELS, key_of, load_options, record_of
from ropa.services.queries import Page


def record_page(entity_name: str, after: str = "", size: int = 100) -> Page:
    """Up to size records in dump form after the key `after`, with the key to ask for the next page (or None)."""
    entity, model = BY_NAME[entity_name], MODELS[entity_name]
    query = sa.select(model).options(*load_options(entity))
    if entity_name == "disclosures":
        query = query.join(Disclosure.activity).join(Disclosure.recipient)
        columns = (ProcessingActivity.reference, Recipient.name)
        if after:
            reference, _, recipient = after.partition(" / ")
            query = query.where(sa.tuple_(*columns) > sa.tuple_(sa.literal(reference), sa.literal(recipient)))
    else:
        columns = (getattr(model, entity.key[0]),)
        if after:
            query = query.where(columns[0] > after)
    rows = db.session.scalars(query.order_by(*columns).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    return Page([record_of(entity, r) for r in rows], key_of(entity, rows[-1]) if more else None, bool(after))
