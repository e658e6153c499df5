"""SQL helpers the read paths share."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from ropa.extensions import db


def ids_in(column, ids: list[int]):
    """`column IN ids`; on PostgreSQL `column = ANY(array)`, one parameter whatever the number of ids, so the
    statement's text is the same for every page and psycopg prepares it once instead of parsing a new one each time."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, ids, type_=ARRAY(sa.Integer)))
    return column.in_(ids)
