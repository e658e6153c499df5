"""The checks' findings of the live register, stored with the audit head they were computed at.

Running every check needs the whole register and its graph in memory (seconds and hundreds of MiB at 10,000
activities). ``refresh`` does that once and stores the findings, the register's SHA-256 and its counts, keyed by the
audit log's head hash; readers then stream the stored rows in constant memory. Any write moves the head, so stored
findings are known to be stale rather than silently wrong; so are findings from an earlier day, since reviews and
contracts fall due by date. A scheduled `ropa check --store` keeps them fresh.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ropa.checks import Finding, citation_of, run_checks
from ropa.exchange.jsonio import dump_text
from ropa.extensions import db
from ropa.models import AuditHead, FindingsState, StoredFinding
from ropa.models.base import utcnow
from ropa.services.analysis import counts_of
from ropa.services.register import dump_register
from ropa.services.snapshots import content_hash

FIELDS = ("rule", "severity", "title", "entity_type", "entity_ref", "entity_name", "message", "fix")
BATCH = 5000
STATE_ID = 1


@dataclass(frozen=True)
class State:
    """What the stored findings were computed from, and when."""

    audit_head_hash: str
    computed_at: datetime
    checked_for: date
    register_sha256: str
    counts: dict[str, int]

    def fresh(self, head: str, today: date) -> bool:
        """Computed at this audit head, for this (UTC) day."""
        return self.audit_head_hash == head and self.checked_for == today


def audit_head() -> str:
    """The audit log's head hash now ("" before the first write)."""
    return db.session.scalar(sa.select(AuditHead.last_hash)) or ""


def state() -> State | None:
    """The stored findings' state, or None if they were never computed."""
    row = db.session.get(FindingsState, STATE_ID, populate_existing=True)
    if row is None or row.computed_at is None or row.checked_for is None:
        return None
    return State(row.audit_head_hash, row.computed_at, row.checked_for, row.register_sha256,
                 json.loads(row.counts or "{}"))


def fresh_state(today: date | None = None) -> State | None:
    """The state if the stored findings are those of the register as it is now (this head, this day)."""
    found = state()
    today = today or utcnow().date()
    return found if found is not None and found.fresh(audit_head(), today) else None


def refresh(today: date | None = None) -> tuple[State, list[Finding]]:
    """Load the register once, run every check, and store the findings, SHA-256 and counts, in one transaction."""
    today = today or utcnow().date()
    # The head is read before the register: a write in between leaves the result keyed by the older head, so it is
    # seen as stale (and computed again) rather than taken as current.
    head = audit_head()
    register = dump_register()
    register.pop("snapshots", None)
    sha256, counts = content_hash(dump_text(register)), counts_of(register)
    found = run_checks(register, today=today)
    del register
    computed_at = utcnow()
    try:
        row = db.session.get(FindingsState, STATE_ID, with_for_update=True)  # one refresh at a time
        if row is None:
            row = FindingsState(id=STATE_ID)
            db.session.add(row)
        db.session.execute(sa.delete(StoredFinding))
        for start in range(0, len(found), BATCH):
            db.session.execute(sa.insert(StoredFinding), [
                {"id": index, **{name: getattr(f, name) or "" for name in FIELDS}}
                for index, f in enumerate(found[start:start + BATCH], start + 1)])
        row.audit_head_hash, row.computed_at, row.checked_for = head, computed_at, today
        row.register_sha256 = sha256
        row.counts = json.dumps(counts)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return State(head, computed_at, today, sha256, counts), found


def ensure_fresh(today: date | None = None) -> tuple[State, bool]:
    """The state of findings that are current, refreshing them first if they are not; True if it refreshed."""
    current = fresh_state(today)
    if current is not None:
        return current, False
    return refresh(today)[0], True


def stream(batch: int = BATCH) -> Iterator[dict]:
    """The stored findings in the checks' order (errors first), as dicts, read a batch at a time."""
    table = StoredFinding.__table__
    columns = [table.c[name] for name in FIELDS]
    last = 0
    while True:
        rows = db.session.execute(sa.select(table.c.id, *columns).where(table.c.id > last)
                                  .order_by(table.c.id).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            finding = {name: row[i] for i, name in enumerate(FIELDS, 1)}
            # The citation comes from the catalogue, so it is the rule's current one and needs no column.
            finding["citation"] = citation_of(finding["rule"])
            yield finding
        last = rows[-1][0]


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StoredFinding)) or 0
