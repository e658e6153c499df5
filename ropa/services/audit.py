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


HASHED = ("at", "actor", "action", "entity_type", "entity_key", "changes", "prev_hash")


def entry_hash(entry: AuditEntry | dict) -> str:
    """SHA-256 over the entry's content and its predecessor's hash."""
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    values = [get(name) for name in HASHED]
    values[0] = values[0].isoformat(timespec="microseconds")
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()


def append(changes: list[Change]) -> int:
    """Chain the entries and insert them in the caller's transaction (it commits them with the change they describe);
    return how many were written."""
    if not changes:
        return 0
    session = db.session
    # Taking the row lock first means a concurrent writer waits here instead of forking the chain.
    locked = session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(count=AuditHead.count)).rowcount
    if not locked:
        session.execute(sa.insert(AuditHead).values(id=1, last_hash=GENESIS, count=0))
    head = session.execute(sa.select(AuditHead.last_hash, AuditHead.count).where(AuditHead.id == 1)).one()
    at, prev, rows = utcnow(), head.last_hash, []
    for change in changes:
        row = {"at": at, "actor": change.actor, "action": change.action, "entity_type": change.entity_type,
               "entity_key": change.entity_key, "prev_hash": prev,
               "changes": json.dumps(change.changes, ensure_ascii=False, sort_keys=True)}
        row["hash"] = prev = entry_hash(row)
        rows.append(row)
    # A plain executemany: audit rows need no keys back, so thousands insert in one batch.
    for start in range(0, len(rows), 5000):
        session.execute(sa.insert(AuditEntry), rows[start:start + 5000])
    session.execute(sa.update(AuditHead).where(AuditHead.id == 1)
                    .values(last_hash=prev, count=head.count + len(rows)))
    session.info["audit_moved"] = True  # once committed, the findings refresher is woken (services/findings.py)
    return len(rows)


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
