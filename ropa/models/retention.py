"""Retention rules and legal holds (Art. 30(1)(f); NHS Records Management Code)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ropa.extensions import db
from ropa.models.base import Versioned, enum_type
from ropa.enums import PeriodUnit
from ropa.models.parties import Organisation


class LegalHold(Versioned, db.Model):
    """A pause on destruction, e.g. NHS England's hold for statutory public inquiries."""

    __tablename__ = "legal_holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    imposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    imposed_by: Mapped[Organisation | None] = relationship()
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    since: Mapped[date | None] = mapped_column()
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class RetentionRule(Versioned, db.Model):
    """How long records are kept: a period after a trigger event, with exceptions and any legal hold."""

    __tablename__ = "retention_rules"
    __table_args__ = (
        sa.CheckConstraint("period_value IS NULL OR period_value >= 0", name="period_not_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    #: Art. 30(1)(f): the envisaged time limit; empty when the rule is stated only in words.
    period_value: Mapped[int | None] = mapped_column()
    period_unit: Mapped[PeriodUnit | None] = mapped_column(enum_type(PeriodUnit))
    #: The event the period runs from (e.g. "footage taken", "25th birthday").
    trigger: Mapped[str] = mapped_column(sa.Text, default="")
    exceptions: Mapped[str] = mapped_column(sa.Text, default="")
    #: Where the rule comes from (e.g. NHS Records Management Code of Practice 2021).
    source: Mapped[str] = mapped_column(sa.Text, default="")
    legal_hold_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_holds.id", ondelete="RESTRICT"))
    legal_hold: Mapped[LegalHold | None] = relationship()
    notes: Mapped[str] = mapped_column(sa.Text, default="")
