"""The checks' findings of the live register and its routes out of the UK, stored with the audit head they were
computed at (services/findings.py keeps them; every page, the API and the ICO workbook read them from here).

Running every check needs the whole register in memory; storing the result lets every worker and host read it by
indexed queries until the next write moves the audit head, and a refresher brings it up to date off the request path.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ropa.extensions import db


class StoredFinding(db.Model):
    """One open finding as the checks returned it; rows are kept in the checks' order (errors first) by id."""

    __tablename__ = "stored_findings"
    __table_args__ = (sa.Index("ix_stored_findings_entity", "entity_type", "entity_ref"),
                      sa.Index("ix_stored_findings_rule", "rule", "severity"),
                      sa.Index("ix_stored_findings_severity", "severity"))
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
    #: The audit log's entry count at that head: the writes since are the head's count less this.
    audit_count: Mapped[int] = mapped_column(default=0)
    #: The lease of the refresh under way, so that one runs at a time across workers and hosts: who holds it and
    #: until when (a holder that died lets it lapse).
    refresh_owner: Mapped[str] = mapped_column(sa.String(80), default="")
    refresh_until: Mapped[datetime | None] = mapped_column()


class StoredRoute(db.Model):
    """One route by which an activity's personal data leaves the UK (ropa.graph.routes.Route), in the routes' order
    by id; the tuples (categories, subjects, via) are JSON lists."""

    __tablename__ = "stored_routes"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity: Mapped[str] = mapped_column(sa.Text, index=True)
    activity_name: Mapped[str] = mapped_column(sa.Text)
    categories: Mapped[str] = mapped_column(sa.Text)
    special_categories: Mapped[str] = mapped_column(sa.Text)
    subjects: Mapped[str] = mapped_column(sa.Text)
    via: Mapped[str] = mapped_column(sa.Text)
    destination: Mapped[str] = mapped_column(sa.Text)
    destination_label: Mapped[str] = mapped_column(sa.Text)
    transfer_status: Mapped[str] = mapped_column(sa.Text)
    mechanism: Mapped[str] = mapped_column(sa.Text)
    tra_date: Mapped[str | None] = mapped_column(sa.Text)
    transfer: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(20))
    certification: Mapped[str] = mapped_column(sa.Text, default="")
