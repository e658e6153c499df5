"""What changed between two snapshots, or a snapshot and the register now (ropa.diff does the comparing)."""

from datetime import date

import sqlalchemy as sa

from ropa.diff import RegisterDiff, compare_registers
from ropa.extensions import db
from ropa.services.catalogue import MODELS
from ropa.services.snapshots import SnapshotError, register_as_at

NOW = "now"
#: The kinds with a page of their own: kind → (endpoint, its argument, the model's key column).
PAGES = {"activities": ("activities.detail", "reference"), "organisations": ("organisations.detail", "name"),
         "engagements": ("engagements.detail", "reference"), "transfers": ("transfers.detail", "reference"),
         "recipients": ("recipients.detail", "name"), "services": ("services.detail", "name"),
         "systems": ("systems.detail", "name")}


def diff_snapshots(source: str, target: str | None = None, *, today: date | None = None) -> RegisterDiff:
    """The changes from snapshot `source` to snapshot `target` (None, "" or "now": the register as it is now)."""
    source = (source or "").strip()
    if not source or source == NOW:
        raise SnapshotError("name the snapshot to compare from (the register now can only be compared to)")
    target = (target or "").strip()
    target = "" if target == NOW else target
    before, before_sha = register_as_at(source)
    after, after_sha = register_as_at(target or None)
    result = compare_registers(before, after, today=today or date.today(), source=source, target=target or NOW)
    result.source_sha256, result.target_sha256 = before_sha, after_sha
    return result


def existing(result: RegisterDiff) -> set[tuple[str, str]]:
    """(kind, key) of the changed records that have a page and still exist now, so a page can link them."""
    wanted: dict[str, set[str]] = {}
    for change in result.changes:
        if change.kind in PAGES:
            wanted.setdefault(change.kind, set()).add(change.key)
        elif change.kind == "disclosures":  # a sharing's page is its recipient's
            wanted.setdefault("recipients", set()).add(change.key.split(" / ", 1)[-1])
    found = set()
    for kind, keys in wanted.items():
        column = getattr(MODELS[kind], PAGES[kind][1])
        keys = sorted(keys)
        for start in range(0, len(keys), 500):
            found |= {(kind, k) for k in db.session.scalars(sa.select(column).where(column.in_(keys[start:start + 500])))}
    return found
