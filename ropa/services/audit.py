"""The audit log: append-only, each entry carrying the SHA-256 of its content and of the entry before it."""

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import AuditEntry, AuditHead
from ropa.models.base import utcnow

GENESIS = "0" * 64


@dataclass(frozen=True)
class Change:
    """One audited write, before it is chained."""

    actor: str
    action: str  # create | update | delete
    entity_type: str
    entity_key: str
    changes: dict  # field -> [before, after], values in dump form


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's content and its predecessor's hash."""
    content = json.dumps([entry.at.isoformat(timespec="microseconds"), entry.actor, entry.action, entry.entity_type,
                          entry.entity_key, entry.changes, entry.prev_hash], ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()


def append(changes: list[Change]) -> list[AuditEntry]:
    """Chain and add entries to the session (the caller commits them with the change they describe)."""
    if not changes:
        return []
    session = db.session
    # Taking the row lock first means a concurrent writer waits here instead of forking the chain.
    locked = session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(count=AuditHead.count)).rowcount
    if not locked:
        session.add(AuditHead(id=1, last_hash=GENESIS, count=0))
        session.flush()
    head = session.get(AuditHead, 1, populate_existing=True)
    at, prev, entries = utcnow(), head.last_hash, []
    for change in changes:
        entry = AuditEntry(at=at, actor=change.actor, action=change.action, entity_type=change.entity_type,
                           entity_key=change.entity_key, prev_hash=prev,
                           changes=json.dumps(change.changes, ensure_ascii=False, sort_keys=True))
        entry.hash = prev = entry_hash(entry)
        entries.append(entry)
    session.add_all(entries)
    head.last_hash, head.count = prev, head.count + len(entries)
    return entries


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    first_bad: int | None = None
    reason: str = ""


def verify_chain() -> Verdict:
    """Recompute every hash in order; name the first entry whose content or link does not match."""
    prev, checked = GENESIS, 0
    query = sa.select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=2000)
    entries = db.session.scalars(query)
    try:
        for entry in entries:
            if entry.prev_hash != prev:
                return Verdict(False, checked, entry.id, "its link to the entry before does not match")
            if entry_hash(entry) != entry.hash:
                return Verdict(False, checked, entry.id, "its content does not match its hash")
            prev, checked = entry.hash, checked + 1
    finally:
        entries.close()
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.last_hash != prev or head.count != checked):
        return Verdict(False, checked, None, "entries were removed from the end of the log")
    return Verdict(True, checked)
