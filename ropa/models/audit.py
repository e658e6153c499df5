"""The append-only, hash-chained audit log and signed-off snapshots."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ropa.extensions import db
from ropa.models.base import utcnow


class AuditEntry(db.Model):
    """One write: who, when, what, with field-level before/after; hash chained to the entry before."""

    __tablename__ = "audit_entries"
    #: Every detail page shows its record's history.
    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity_type", "entity_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(320))
    action: Mapped[str] = mapped_column(sa.String(40))
    entity_type: Mapped[str] = mapped_column(sa.String(60))
    #: The entity's natural key (reference or name), readable after it is deleted.
    entity_key: Mapped[str] = mapped_column(sa.String(400))
    #: JSON: {field: [before, after]}.
    changes: Mapped[str] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditHead(db.Model):
    """A single row locked by every append, so two writers cannot fork the chain."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
    count: Mapped[int] = mapped_column(default=0)


class Snapshot(db.Model):
    """A frozen, signed-off copy of the whole register, with the SHA-256 of its content."""

    __tablename__ = "snapshots"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(320))
    approved_by: Mapped[str] = mapped_column(sa.String(320), default="")
    approved_at: Mapped[datetime | None] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[str] = mapped_column(sa.Text)
