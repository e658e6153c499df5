"""The checks' findings of the live register, stored with the audit head they were computed at.

Running every check needs the whole register in memory; storing the result lets the ICO workbook (and a scheduled
`ropa check --store`) reuse it until the next write moves the audit head.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ropa.extensions import db


class StoredFinding(db.Model):
    """One open finding as the checks returned it; rows are kept in the checks' order (errors first) by id."""

    __tablename__ = "stored_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(10))
    severity: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.Text)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_ref: Mapped[str] = mapped_column(sa.Text)
    entity_name: Mapped[str] = mapped_column(sa.Text)
    message: Mapped[str] = mapped_column(sa.Text)
    fix: Mapped[str] = mapped_column(sa.Text)


class FindingsState(db.Model):
    """A single row: when and at which audit head the stored findings were computed, and what of."""

    __tablename__ = "findings_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The audit log's head hash when the register was read; any write since makes the findings stale.
    audit_head_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    #: When they were computed (UTC).
    computed_at: Mapped[datetime | None] = mapped_column()
    #: The day the checks judged due dates by: reviews and contracts fall due by date, so findings for an earlier
    #: day are stale too.
    checked_for: Mapped[date | None] = mapped_column()
    #: SHA-256 of the register's dump text (snapshots left out), shown on the workbook's About sheet.
    register_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    #: JSON: how many of each thing the register held ({"activities": 10000, ...}).
    counts: Mapped[str] = mapped_column(sa.Text, default="{}")
