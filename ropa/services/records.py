"""One record at a time, as forms and the API use them: load it with its version, save it validated like an import,
audited and version-checked, and say what changed when a save was refused as stale."""

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ropa.exchange.problems import ImportFailed, Problem, RawRecord
from ropa.exchange.schema import BY_NAME, REF, REFS
from ropa.exchange.values import BadValue, parse_value, sort_key
from ropa.extensions import db
from ropa.models import AuditEntry, Disclosure, ProcessingActivity, Recipient
from ropa.services.catalogue import MODELS, display_of, key_of, load_options, record_of
from ropa.services.queries import Page
from ropa.services.record_rows import record_with_version, records_after
from ropa.services.register import ImportSummary, apply_records


@dataclass
class Loaded:
    """A record in dump form, the version it was loaded at and the audit position then (for conflict reports)."""

    record: dict
    version: int
    audit_position: int
    row: object


@dataclass
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    fields: dict  # field -> [before, after]


class StaleRecord(ImportFailed):
    """A save from a page loaded before someone else saved the same record; nothing was written."""

    def __init__(self, entity_label: str, key: str, since: list[HistoryEntry]):
        self.since = since
        who = ", ".join(sorted({e.actor for e in since})) or "someone else"
        super().__init__([Problem("form", 1, "version", f"this {entity_label} was changed by {who} after you "
                                  "opened it. Your changes have not been saved: check what changed below, "
                                  "then make your change again")])


def find_row(entity_name: str, key: str):
    """The row with this natural key ("PA-001", an organisation's name, "PA-001 / NHS England"), or None."""
    entity, model = BY_NAME[entity_name], MODELS[entity_name]
    if entity_name == "disclosures":
        reference, _, recipient = key.partition(" / ")
        return db.session.scalar(sa.select(Disclosure).join(Disclosure.activity).join(Disclosure.recipient)
                                 .where(ProcessingActivity.reference == reference, Recipient.name == recipient))
    return db.session.scalar(sa.select(model).where(getattr(model, entity.key[0]) == key)
                             .options(*load_options(entity)))


def _version_of(entity_name: str, key: str) -> int | None:
    """The version of the row with this natural key, or None: one column, not the row with all it names."""
    if entity_name == "disclosures":
        row = find_row(entity_name, key)
        return row.version if row is not None else None
    model = MODELS[entity_name]
    return db.session.scalar(sa.select(model.version).where(getattr(model, BY_NAME[entity_name].key[0]) == key))


def record_page(entity_name: str, after: str = "", size: int = 100) -> Page:
    """Up to size records in dump form after the key `after`, in natural-key order, with the key of the next page
    (keyset rather than OFFSET, so page 200 of a 10k-activity register costs what page 1 does)."""
    entity, model = BY_NAME[entity_name], MODELS[entity_name]
    if entity_name != "disclosures":
        records = records_after(entity_name, after, size + 1)
        more = len(records) > size
        records = records[:size]
        return Page(records, records[-1][entity.key[0]] if more else None, bool(after))
    # Disclosures are keyed by two tables (activity reference, recipient name): read as ORM rows.
    columns = (ProcessingActivity.reference, Recipient.name)
    query = sa.select(model).options(*load_options(entity)).join(Disclosure.activity).join(Disclosure.recipient)
    if after:
        reference, _, recipient = after.partition(" / ")
        query = query.where(sa.tuple_(*columns) > sa.tuple_(sa.literal(reference), sa.literal(recipient)))
    rows = db.session.scalars(query.order_by(*columns).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    return Page([record_of(entity, r) for r in rows], key_of(entity, rows[-1]) if more else None, bool(after))


def load_record(entity_name: str, key: str, display: bool = False) -> Loaded | None:
    """One record in dump form with its version, or None if there is no such record."""
    row = find_row(entity_name, key)
    if row is None:
        return None
    return Loaded(record_of(BY_NAME[entity_name], row, display), row.version, audit_position(), row)


def read_record(entity_name: str, key: str) -> Loaded | None:
    """load_record for answering a read (the API's GET): the same record and version, read by Core queries, with
    no ORM row (row is None)."""
    if entity_name == "disclosures":
        return load_record(entity_name, key)
    found = record_with_version(entity_name, key)
    if found is None:
        return None
    return Loaded(found[0], found[1], audit_position(), None)


def audit_position() -> int:
    """The id of the newest audit entry (0 for none): changes after it happened after this moment."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def choices_for(target: str) -> list[tuple[str, str]]:
    """(key, label) options for a reference to target, in natural order."""
    entity, model = BY_NAME[target], MODELS[target]
    rows = db.session.scalars(sa.select(model)).all()
    if target == "countries":  # people look for the name, the register stores the code
        return sorted(((r.code, f"{r.name} ({r.code})") for r in rows), key=lambda kv: sort_key(kv[1]))
    return sorted(((key_of(entity, r), display_of(target, r)) for r in rows), key=lambda kv: sort_key(kv[0]))


def choices_for_entity(entity_name: str, exclude: tuple[str, ...] = ()) -> dict[str, list[tuple[str, str]]]:
    """The options every reference field of one entity needs (activities are typed, not chosen)."""
    targets = {f.target for f in BY_NAME[entity_name].fields
               if f.kind in (REF, REFS) and f.target != "activities" and f.name not in exclude}
    return {target: choices_for(target) for target in targets}


def history(entity_name: str, key: str, after: int = 0, limit: int = 200) -> list[HistoryEntry]:
    """The audit entries of one record, newest first (only those after an audit position, if given)."""
    label = BY_NAME[entity_name].label
    query = (sa.select(AuditEntry).where(AuditEntry.entity_type == label, AuditEntry.entity_key == key,
                                         AuditEntry.id > after)
             .order_by(AuditEntry.id.desc()).limit(limit))
    return [HistoryEntry(e.at, e.actor, e.action, json.loads(e.changes)) for e in db.session.scalars(query)]


def save_record(entity_name: str, values: dict, *, actor: str, expected_version: int | None = None,
                source: str = "form", loaded_at: int | None = None) -> ImportSummary:
    """Create or update one record from dump-form values; raise ImportFailed with field-level problems.

    With expected_version, an edit of a row someone else saved since it was loaded is refused, never merged: the
    StaleRecord raised lists what changed since loaded_at (an audit position).
    """
    entity = BY_NAME[entity_name]
    parsed, problems = {}, []
    for name, value in values.items():
        try:
            parsed[name] = parse_value(entity.field(name), value)
        except BadValue as exc:
            problems.append(Problem(source, 1, name, str(exc)))
    if problems:
        raise ImportFailed(problems)
    key = " / ".join(str(parsed.get(k, "")) for k in entity.key)
    if expected_version is not None:
        version = _version_of(entity_name, key)
        if version is not None and version != expected_version:
            raise StaleRecord(entity.label, key, history(entity_name, key, after=loaded_at or 0))
    record = RawRecord(entity_name, parsed, source, 1, {name: name for name in parsed})
    expected = {key: expected_version} if expected_version is not None else None
    try:
        return apply_records([record], actor=actor, expected_versions=expected)
    except ImportFailed as failed:
        if any("changed by someone else" in p.reason for p in failed.problems):
            raise StaleRecord(entity.label, key, history(entity_name, key, after=loaded_at or 0)) from None
        raise
