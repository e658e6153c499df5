"""Background jobs: long work (a large export) run outside a web request, with its progress kept in the database."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ropa.extensions import db
from ropa.models.base import utcnow


class Job(db.Model):
    """One piece of background work; any web worker can report its progress, since it lives here."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: JSON: what to do (format, as-at snapshot, ...).
    params: Mapped[str] = mapped_column(sa.Text, default="{}")
    #: queued, running, done or failed.
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")
    #: 0-100, with a line of text saying what it is doing.
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    #: The file written, relative to the export folder.
    result_path: Mapped[str] = mapped_column(sa.String(500), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")
