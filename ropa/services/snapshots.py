"""Snapshots: a frozen, signed-off copy of the whole register, and reading the register "as at" one."""

import hashlib
import json

import sqlalchemy as sa

from ropa.exchange.jsonio import dump_text
from ropa.extensions import db
from ropa.models import Snapshot
from ropa.models.base import utcnow
from ropa.services import audit
from ropa.services.register import dump_register


class SnapshotError(ValueError):
    """A snapshot request that cannot be met; the message says why."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create_snapshot(label: str, *, actor: str, approved_by: str = "") -> Snapshot:
    """Freeze the register as it is now (everything the JSON dump holds, less older snapshots), with its SHA-256."""
    label = label.strip()
    if not label:
        raise SnapshotError("a snapshot needs a label, e.g. 'DSPT 2025-26 submission'")
    if db.session.scalar(sa.select(Snapshot.id).where(Snapshot.label == label)):
        raise SnapshotError(f"a snapshot called {label!r} already exists; snapshots are never overwritten")
    register = dump_register()
    register.pop("snapshots", None)
    content = dump_text(register)
    snapshot = Snapshot(label=label, created_by=actor, approved_by=approved_by,
                        approved_at=utcnow() if approved_by else None, sha256=content_hash(content), content=content)
    db.session.add(snapshot)
    audit.append([audit.Change(actor, "create", "snapshot", label,
                               {"sha256": [None, snapshot.sha256], "approved_by": [None, approved_by]})])
    db.session.commit()
    return snapshot


def register_as_at(label: str | None) -> tuple[dict, str]:
    """The register in dump form now (label None) or as frozen in a snapshot, with the SHA-256 of its content."""
    if not label:
        register = dump_register()
        register.pop("snapshots", None)
        return register, content_hash(dump_text(register))
    snapshot = db.session.scalar(sa.select(Snapshot).where(Snapshot.label == label))
    if snapshot is None:
        labels = ", ".join(db.session.scalars(sa.select(Snapshot.label).order_by(Snapshot.created_at))) or "none yet"
        raise SnapshotError(f"no snapshot called {label!r} (snapshots: {labels})")
    if content_hash(snapshot.content) != snapshot.sha256:
        raise SnapshotError(f"snapshot {label!r} does not match its SHA-256: it was altered after it was taken")
    return json.loads(snapshot.content), snapshot.sha256
