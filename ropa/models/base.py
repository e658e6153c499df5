"""Column helpers shared by the models."""

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    """The current time in UTC (naive, as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_type(enum: type[StrEnum]) -> sa.Enum:
    """A text column with a CHECK constraint, so a buggy caller cannot store a value outside the vocabulary."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=40,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
        name=enum.__name__.lower(),
    )


def link_table(name: str, left: str, right: str, right_key: str = "id") -> sa.Table:
    """A many-to-many table whose rows go when either side is deleted."""
    from ropa.extensions import db

    left_table, right_table = left.split(".")[0], right.split(".")[0]
    return sa.Table(
        name,
        db.metadata,
        sa.Column(f"{left_table}_id", sa.ForeignKey(left, ondelete="CASCADE"), primary_key=True),
        sa.Column(f"{right_table}_{right_key}", sa.ForeignKey(right, ondelete="CASCADE"), primary_key=True),
    )


class Versioned:
    """An integer version for optimistic locking: a save from a stale page is refused, never merged."""

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}
