"""What changed between two registers in dump form: records added, removed, retired and changed field by field,
per entity kind (matched by the catalogue's natural keys), and the findings opened and closed.

Pure: dump-form registers in, a RegisterDiff out; no Flask, no database (ropa.services.diff reads the snapshots).
"""

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ropa.checks import run_checks
from ropa.exchange.schema import BY_NAME, Entity

#: The kinds compared, in the order people read them: what the register is about first, reference data last.
KINDS = ("activities", "organisations", "engagements", "transfers", "recipients", "disclosures", "services",
         "systems", "retention_rules", "legal_holds", "data_categories", "subject_categories", "countries",
         "lawful_bases")
#: Headings for each kind (the catalogue's labels are singular).
KIND_TITLES = {
    "activities": "Processing activities", "organisations": "Organisations", "engagements": "Processors",
    "transfers": "International transfers", "recipients": "Recipients", "disclosures": "Data sharing",
    "services": "Services", "systems": "Systems", "retention_rules": "Retention rules", "legal_holds": "Legal holds",
    "data_categories": "Data categories", "subject_categories": "Data subject categories",
    "countries": "Countries", "lawful_bases": "Lawful bases",
}
#: Fields that change without the register changing (older dumps, or a dump form that grows them later).
VOLATILE = frozenset({"id", "version", "created_at", "updated_at", "modified_at", "row_version"})
ADDED, REMOVED, CHANGED, RETIRED, REINSTATED = "added", "removed", "changed", "retired", "reinstated"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    @property
    def items_added(self) -> list:
        """For a list field: the items in `after` and not in `before`."""
        return [v for v in self.after or [] if v not in (self.before or [])] if self._lists else []

    @property
    def items_removed(self) -> list:
        return [v for v in self.before or [] if v not in (self.after or [])] if self._lists else []

    @property
    def _lists(self) -> bool:
        return isinstance(self.before, list | type(None)) and isinstance(self.after, list | type(None)) \
            and (isinstance(self.before, list) or isinstance(self.after, list))


@dataclass(frozen=True)
class EntityChange:
    kind: str  # the dump's entity name: activities, organisations, ...
    key: str  # its natural key (a disclosure's is "PA-001 / Recipient")
    action: str  # added | removed | changed | retired | reinstated
    name: str = ""  # an activity's name beside its reference
    fields: tuple[FieldChange, ...] = ()
    #: The whole record as it is after (added) or was before (removed).
    record: dict | None = None

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "key": self.key, "action": self.action, "name": self.name,
               "fields": [asdict(f) for f in self.fields]}
        if self.record is not None:
            out["record"] = self.record
        return out


@dataclass(frozen=True)
class FindingChange:
    rule: str
    severity: str
    title: str
    entity_type: str
    entity_ref: str
    entity_name: str
    message: str


@dataclass
class RegisterDiff:
    """The changes from `source` (a snapshot label) to `target` (a label, or "now")."""

    source: str
    target: str
    changes: list[EntityChange] = field(default_factory=list)
    opened: list[FindingChange] = field(default_factory=list)
    closed: list[FindingChange] = field(default_factory=list)
    source_sha256: str = ""
    target_sha256: str = ""
    today: date | None = None

    @property
    def empty(self) -> bool:
        return not (self.changes or self.opened or self.closed)

    def by_kind(self) -> list[tuple[str, list[EntityChange]]]:
        """(kind, its changes) for each kind with any, in KINDS order."""
        groups: dict[str, list[EntityChange]] = {}
        for change in self.changes:
            groups.setdefault(change.kind, []).append(change)
        return [(kind, groups[kind]) for kind in KINDS if kind in groups]

    def counts(self) -> dict[str, dict[str, int]]:
        """kind → action → how many."""
        out: dict[str, dict[str, int]] = {}
        for change in self.changes:
            out.setdefault(change.kind, {}).setdefault(change.action, 0)
            out[change.kind][change.action] += 1
        return out

    def as_dict(self) -> dict:
        return {"from": {"label": self.source, "sha256": self.source_sha256},
                "to": {"label": self.target, "sha256": self.target_sha256},
                "checks_run_on": self.today.isoformat() if self.today else None,
                "counts": self.counts(), "changes": [c.as_dict() for c in self.changes],
                "findings_opened": [asdict(f) for f in self.opened],
                "findings_closed": [asdict(f) for f in self.closed]}


def record_key(entity: Entity, record: dict) -> str:
    """A dump record's natural key as one text, as the audit log and the import name it."""
    return " / ".join(str(record.get(part) or "") for part in entity.key)


def compare_records(kind: str, before: list[dict], after: list[dict]) -> list[EntityChange]:
    """One kind's records added, removed, retired or changed (field by field), in key order of `after`."""
    entity = BY_NAME[kind]
    old = {record_key(entity, r): r for r in before}
    new = {record_key(entity, r): r for r in after}
    changes = []
    for key, record in new.items():
        if key not in old:
            changes.append(EntityChange(kind, key, ADDED, _name(kind, record, record), record=_stable(record)))
            continue
        fields = _field_changes(old[key], record)
        if fields:
            changes.append(EntityChange(kind, key, _action(kind, fields), _name(kind, old[key], record),
                                        tuple(fields)))
    for key, record in old.items():
        if key not in new:
            changes.append(EntityChange(kind, key, REMOVED, _name(kind, record, record), record=_stable(record)))
    return changes


def _stable(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in VOLATILE}


def _field_changes(before: dict, after: dict) -> list[FieldChange]:
    names = [*after, *(k for k in before if k not in after)]
    return [FieldChange(n, before.get(n), after.get(n)) for n in names
            if n not in VOLATILE and _value(before.get(n)) != _value(after.get(n))]


def _value(value: Any) -> Any:
    """Empty text, an empty list and None all mean "not recorded" (older dumps wrote some fields as null)."""
    return None if value in ("", []) else value


def _action(kind: str, fields: list[FieldChange]) -> str:
    status = next((f for f in fields if f.field == "status"), None) if kind == "activities" else None
    if status is not None and status.after == "retired":
        return RETIRED
    if status is not None and status.before == "retired":
        return REINSTATED
    return CHANGED


def _name(kind: str, before: dict, after: dict) -> str:
    return (after.get("name") or before.get("name") or "") if kind == "activities" else ""


def compare_findings(before: list, after: list) -> tuple[list[FindingChange], list[FindingChange]]:
    """Findings opened (in `after` only) and closed (in `before` only), matched by rule and entity."""
    def keyed(findings: list) -> dict[tuple, FindingChange]:
        out: dict[tuple, FindingChange] = {}
        for f in findings:
            out.setdefault((f.rule, f.entity_type, f.entity_ref),
                           FindingChange(f.rule, f.severity, f.title, f.entity_type, f.entity_ref, f.entity_name,
                                         f.message))
        return out

    old, new = keyed(before), keyed(after)
    return [f for k, f in new.items() if k not in old], [f for k, f in old.items() if k not in new]


def compare_registers(before: dict[str, list[dict]], after: dict[str, list[dict]], *, today: date,
                      source: str = "", target: str = "") -> RegisterDiff:
    """Every change from `before` to `after`; the checks run on both as on the same day, so a finding that only
    depends on the date (a review falling due) is neither opened nor closed by the comparison itself."""
    changes = [c for kind in KINDS for c in compare_records(kind, before.get(kind) or [], after.get(kind) or [])]
    opened, closed = compare_findings(run_checks(before, today=today), run_checks(after, today=today))
    return RegisterDiff(source, target, changes, opened, closed, today=today)


SIGNS = {ADDED: "+", REMOVED: "-", CHANGED: "~", RETIRED: "x", REINSTATED: "^"}


def text_lines(diff: RegisterDiff) -> list[str]:
    """The diff for a terminal: each kind's records with a sign (+ added, - removed, ~ changed, x retired,
    ^ reinstated), each changed field before → after, then the findings opened and closed."""
    lines = [f"Changes from snapshot {diff.source!r} (sha256 {diff.source_sha256[:12]}) to "
             + ("the register now" if diff.target == "now" else f"snapshot {diff.target!r}")
             + f" (sha256 {diff.target_sha256[:12]})"]
    for kind, changes in diff.by_kind():
        counts = diff.counts()[kind]
        lines.append(f"{KIND_TITLES.get(kind, kind)}: " + ", ".join(f"{n} {a}" for a, n in counts.items()))
        for change in changes:
            lines.append(f"  {SIGNS[change.action]} {change.key}" + (f"  {change.name}" if change.name else "")
                         + ("" if change.action == CHANGED else f" ({change.action})"))
            for f in change.fields:
                lines.append(f"      {f.field}: {_shown(f.before)} → {_shown(f.after)}")
    for label, found, sign in (("opened", diff.opened, "+"), ("closed", diff.closed, "-")):
        lines.append(f"Findings {label}: {len(found)}")
        lines += [f"  {sign} {f.rule} ({f.severity}) {f.entity_type} {f.entity_ref}: {f.message}" for f in found]
    if not diff.changes:
        lines.insert(1, "No record was added, removed or changed.")
    return lines


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "[" + "; ".join(str(v) for v in value) + "]"
    text = str(value).replace("\n", " ")
    return repr(text if len(text) <= 200 else text[:197] + "...")
