"""Loading records into the register (imports, seed, restore) and reading it out whole (dump, CSV)."""

import logging
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ropa.enums import Region
from ropa.exchange.problems import ImportFailed, Problem, RawRecord, Remark
from ropa.exchange.schema import BASIS_COLUMNS, BY_NAME, ENTITIES, REF, REFS, Entity
from ropa.exchange.values import sort_key
from ropa.extensions import db
from ropa.gc_pause import paused_gc
from ropa.models import Snapshot
from ropa.services import audit
from ropa.services.catalogue import (
    MODELS, display_of, get_value, key_of, load_options, record_of, set_value,
)
from ropa.services.database_errors import DatabaseRefused, explain
from ropa.services.resolver import LARGE, Resolver

log = logging.getLogger("ropa")


@dataclass
class ImportSummary:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    audit_entries: int = 0
    dry_run: bool = False
    #: What the reader inferred or kept in notes, for a person to check (set by the caller that read the files).
    remarks: list[Remark] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        """One line per entity kind touched, for people."""
        out = []
        for name in [e.name for e in ENTITIES] + ["snapshots"]:
            if self.created[name] or self.updated[name] or self.unchanged[name]:
                out.append(f"{name}: {self.created[name]} created, {self.updated[name]} updated, "
                           f"{self.unchanged[name]} unchanged")
        return out


def apply_records(records: list[RawRecord], *, actor: str, dry_run: bool = False,
                  snapshots: list[dict] = (), only_create: bool = False,
                  expected_versions: dict[str, int] | None = None,
                  problems: list[Problem] | None = None) -> ImportSummary:
    """Create or update every record, all or nothing; raise ImportFailed naming each problem.

    expected_versions maps keys to the version an editor loaded: a row saved by someone else since is refused.
    """
    session = db.session
    summary, problems, changes = ImportSummary(dry_run=dry_run), list(problems or []), []
    resolver = Resolver()
    by_entity: dict[str, list[RawRecord]] = {}
    for record in records:
        by_entity.setdefault(record.entity, []).append(record)
    try:
        with session.no_autoflush, paused_gc():
            _preload(resolver, records)
            for entity in ENTITIES:
                seen: dict[str, RawRecord] = {}
                for record in by_entity.get(entity.name, []):
                    _apply(entity, record, resolver, seen, changes, problems, summary, actor, only_create,
                           expected_versions or {})
                # Activities, their transfers and sharing details go to the database in one flush, so a
                # recipient's row is inserted once with its details rather than inserted bare and then updated.
                if not problems and entity.name in by_entity and entity.name not in ("activities", "transfers"):
                    _flush(entity.label, problems)
            _apply_snapshots(snapshots, changes, summary, actor)
        if problems:
            raise ImportFailed(problems)
        _flush("processing activities, transfers or data sharing", problems)
        summary.audit_entries = audit.append([c for c in changes if c.changes])
        if dry_run:
            session.rollback()
        else:
            session.commit()
            _analyze_after_bulk(len(records))
    except sa.exc.DBAPIError as exc:
        session.rollback()
        if (reason := explain(exc)) is None:
            raise
        # The server refused the writes (read-only, out of disk) or went away: the transaction is rolled back
        # whole, so nothing of this import is in the register.
        raise DatabaseRefused([*problems, Problem("-", "-", "-", f"{reason} ({_first_line(exc)})")], exc) from None
    except BaseException:
        session.rollback()
        raise
    return summary


#: Records from which an import counts as bulk: PostgreSQL's planner statistics are refreshed after it.
BULK = 1000


def _analyze_after_bulk(count: int) -> None:
    """After a bulk import on PostgreSQL, ANALYZE: a server with autovacuum off (or not yet round to it) would go on
    planning the register's queries for the tables as they were before, e.g. a nested loop over 3,000 organisations
    for a list page (28 ms instead of 1). The import is committed already; a refused ANALYZE only leaves a warning."""
    session = db.session
    if count < BULK or session.get_bind().dialect.name != "postgresql":
        return
    try:
        session.execute(sa.text("ANALYZE"))
        session.commit()
    except sa.exc.DBAPIError as exc:
        session.rollback()
        log.warning("ANALYZE after the import was refused (%s); queries may be planned on old statistics",
                    _first_line(exc))


def _first_line(exc: sa.exc.DBAPIError) -> str:
    return str(exc.orig if exc.orig is not None else exc).strip().splitlines()[0]


def _preload(resolver: Resolver, records: list[RawRecord]) -> None:
    wanted: dict[str, set[str]] = {name: set() for name in LARGE}
    for record in records:
        entity = BY_NAME[record.entity]
        if entity.name in LARGE and entity.name != "disclosures":
            wanted[entity.name].add(record.values.get(entity.key[0]) or "")
        for f in entity.fields:
            if f.kind in (REF, REFS) and f.target in LARGE and f.name in record.values:
                value = record.values[f.name]
                wanted[f.target].update([value] if isinstance(value, str) else value or [])
    for keys in wanted.values():  # a NUL is reported by _unstorable; PostgreSQL would raise on it in a query
        keys.difference_update([k for k in keys if "\x00" in k])
    # Only the tables these records are rows of or name in their fields: a one-field edit of an activity then
    # loads no whole table (at 10k activities the reference tables are some 8,000 rows, a quarter of a second).
    needed = {record.entity for record in records} | {
        f.target for record in records for f in BY_NAME[record.entity].fields
        if f.kind in (REF, REFS) and f.name in record.values}
    for entity in ENTITIES:
        if entity.name != "disclosures" and (entity.name in needed or entity.name in LARGE):
            resolver.preload(entity.name, wanted.get(entity.name))
    activities = [resolver.get("activities", k) for k in wanted["activities"]]
    found = [a for a in activities if a is not None]
    if found:  # the lists these records set, in bulk rather than one query per activity
        fields = {name for record in records if record.entity == "activities" for name in record.values}
        options = load_options(BY_NAME["activities"], fields)
        if options:
            db.session.scalars(sa.select(MODELS["activities"]).where(MODELS["activities"].id.in_([a.id for a in found]))
                               .options(*options)).all()


def _apply(entity: Entity, record: RawRecord, resolver: Resolver, seen: dict, changes: list, problems: list,
           summary: ImportSummary, actor: str, only_create: bool = False, expected: dict | None = None) -> None:
    if _unstorable(entity, record, problems):
        return
    resolved, after = {}, {}
    for name, value in record.values.items():
        resolved[name], after[name] = _resolve(entity.field(name), value, record, resolver, problems)
    for f in entity.fields:
        empty = record.values.get(f.name) in (None, "", [])
        if f.required and empty and (f.name in record.values or f.name in entity.key):
            problems.append(record.problem(f.name, f"{f.name.replace('_', ' ')} is required"))
    key, obj = _find(entity, resolved, after, resolver)
    if key is None:
        return
    if key in seen:
        problems.append(record.problem(entity.key[-1], f"duplicate {entity.label} '{key}' (also at row {seen[key].row})"))
        return
    seen[key] = record
    if obj is None:
        missing = [f.name for f in entity.fields
                   if f.required and f.name not in record.values and f.name not in entity.key]
        problems += [record.problem(name, f"{name.replace('_', ' ')} is required") for name in missing]
        obj = _create(entity, resolved, resolver)
        problems += _contradictions(entity, obj, record)
        diff = {n: [None, v] for n, v in after.items() if v not in (None, "", [])}
        summary.created[entity.name] += 1
        changes.append(audit.Change(actor, "create", entity.label, key, diff))
        return
    if expected and key in expected and expected[key] != obj.version:
        problems.append(record.problem(entity.key[-1], f"this {entity.label} was changed by someone else after you "
                                       f"opened it (your version {expected[key]}, now {obj.version}); "
                                       "reload it and make your change again"))
        return
    if only_create:
        summary.unchanged[entity.name] += 1
        return
    before = {name: get_value(entity, obj, name) for name in after}  # only the fields the record carries
    diff = {n: [before[n], v] for n, v in after.items() if before[n] != v}
    if not diff:
        (summary.created if getattr(obj, "created_in_import", False) else summary.unchanged)[entity.name] += 1
        return
    for name in diff:
        set_value(entity, obj, name, resolved[name])
    problems += _contradictions(entity, obj, record)
    (summary.created if getattr(obj, "created_in_import", False) else summary.updated)[entity.name] += 1
    changes.append(audit.Change(actor, "update", entity.label, key, diff))


def _contradictions(entity: Entity, obj, record: RawRecord) -> list[Problem]:
    """Values that cannot all be true of one record once this one's are set on it (with the values it kept)."""
    if entity.name == "transfers" and obj.country is not None and obj.region not in (None, Region.NONE):
        field = "region" if "region" in record.values else "country"
        return [record.problem(field, f"a transfer goes to one country or to a region, not both: it names "
                                      f"{obj.country.name} and the {Region(obj.region).value.upper()}; keep the country, or "
                                      "clear it to record the region")]
    if entity.name == "engagements" and obj.start_date and obj.end_date and obj.end_date < obj.start_date:
        field = "end_date" if "end_date" in record.values else "start_date"
        return [record.problem(field, f"the end date ({obj.end_date.isoformat()}) is before the start date "
                                      f"({obj.start_date.isoformat()}): a contract cannot end before it starts")]
    return []


def _resolve(f, value, record: RawRecord, resolver: Resolver, problems: list) -> tuple:
    """The value to set and its dump form; a name that matches nothing is a problem."""
    if f.kind == REF:
        if value is None:
            return None, None
        row = resolver.get(f.target, value)
        if row is None:
            problems.append(record.problem(f.name, _unknown(f.target, value, record.file), value))
            return None, None
        return row, key_of(BY_NAME[f.target], row)
    if f.kind == REFS:
        rows = {}
        for text in value:
            row = resolver.get(f.target, text)
            if row is None:
                problems.append(record.problem(f.name, _unknown(f.target, text, record.file), text))
            else:
                rows[key_of(BY_NAME[f.target], row)] = row
        keys = sorted(rows, key=sort_key)
        return [rows[k] for k in keys], keys
    return value, value


def _unknown(target: str, text: str, source: str = "") -> str:
    if target == "countries":
        return f"unknown country code '{text}' (use an ISO 3166 code such as FR, or the country's name)"
    if target == "lawful_bases":
        return f"unknown lawful basis '{text}' (use a code such as 6(1)(e), 9(2)(h) or Sch1 para 2)"
    if source == "form":
        return f"there is no {BY_NAME[target].label} called '{text}' (check the spelling, or add it first)"
    return f"unknown {BY_NAME[target].label} '{text}' (add it first, or import it in the same run)"


def _find(entity: Entity, resolved: dict, after: dict, resolver: Resolver) -> tuple:
    if entity.name == "disclosures":
        activity, recipient = resolved.get("activity"), resolved.get("recipient")
        if activity is None or recipient is None:
            return None, None
        key = f"{activity.reference} / {recipient.name}"
        return key, next((d for d in activity.disclosures if d.recipient is recipient), None)
    key = after.get(entity.key[0])
    if not key:
        return None, None
    return key, resolver.get_exact(entity.name, key)


def _create(entity: Entity, resolved: dict, resolver: Resolver):
    obj = MODELS[entity.name]()
    for name, value in resolved.items():
        if entity.name == "disclosures" and name == "activity":
            continue
        set_value(entity, obj, name, value)
    if entity.name == "disclosures":
        resolved["activity"].disclosures.append(obj)
    else:
        db.session.add(obj)
        resolver.add(entity.name, obj)
    return obj


def text_limit(entity_name: str, name: str) -> int | None:
    """The most characters a text field's column holds (VARCHAR(n)), or None when unbounded (TEXT)."""
    column = MODELS[entity_name].__table__.c.get(name)
    return getattr(column.type, "length", None) if column is not None else None


def _unstorable(entity: Entity, record: RawRecord, problems: list) -> bool:
    """A problem for each value the database would refuse rather than store (PostgreSQL enforces VARCHAR lengths
    and refuses NUL characters; SQLite would keep both): found here, at the record's row and column, not as a
    database error. True if there was any."""
    found = []
    for name, value in record.values.items():
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            found.append(record.problem(name, f"{name.replace('_', ' ')} contains a NUL character (\\x00), which "
                                              "cannot be stored: remove it"))
        elif isinstance(value, str) and (limit := text_limit(entity.name, name)) and len(value) > limit:
            found.append(record.problem(name, f"too long for {name.replace('_', ' ')} ({len(value)} characters; "
                                              f"the limit is {limit})"))
    problems += found
    return bool(found)


def _flush(label: str, problems: list) -> None:
    try:
        db.session.flush()
    except IntegrityError as exc:
        reason = str(exc.orig).splitlines()[0]
        problems.append(Problem("-", "-", "-", f"the database refused the {label} rows: {reason}"))
        raise ImportFailed(problems) from None
    except StaleDataError:
        problems.append(Problem("-", "-", "-", f"a row ({label}) was changed by someone else while this was being "
                                               "saved; nothing was written, try again"))
        raise ImportFailed(problems) from None


def _apply_snapshots(snapshots: list[dict], changes: list, summary: ImportSummary, actor: str) -> None:
    from datetime import datetime
    for item in snapshots:
        existing = db.session.scalar(sa.select(Snapshot).where(Snapshot.label == item["label"]))
        if existing is not None:
            summary.unchanged["snapshots"] += 1
            continue
        parsed = {k: (datetime.fromisoformat(item[k]) if k.endswith("_at") and item[k] else item[k]) for k in item}
        db.session.add(Snapshot(**parsed))
        summary.created["snapshots"] += 1
        changes.append(audit.Change(actor, "create", "snapshot", item["label"], {"sha256": [None, item["sha256"]]}))


def dump_records(entity: Entity, display: bool = False) -> list[dict]:
    """Every row of one entity as dump-form records, sorted by key, loaded without a query per row."""
    model = MODELS[entity.name]
    rows = db.session.scalars(sa.select(model).options(*load_options(entity))).all()
    records = sorted(((key_of(entity, r), record_of(entity, r, display)) for r in rows),
                     key=lambda kr: sort_key(kr[0]))
    return [record for _, record in records]


def dump_register(*, snapshots: bool = True) -> dict[str, list[dict]]:
    """The whole register in dump form (not users, tokens or the audit log); snapshots=False leaves the snapshots out
    (each holds a whole register: the findings refresh has no use for them)."""
    from ropa.services.register_reader import Ranks, disclosures_of, ordered_ids, stream

    # Core queries a batch at a time (the ICO export's readers) give the same records as dump_records' ORM objects
    # at under half the cost: at 10k activities 1.3 s instead of 2.7 s, and every page's findings start from here.
    with paused_gc():
        ranks = Ranks()
        data = {entity.name: list(stream(entity.name, ranks=ranks)) for entity in ENTITIES
                if entity.name != "disclosures"}
        data["disclosures"] = list(disclosures_of(ordered_ids("activities"), ranks=ranks))
        data = {entity.name: data[entity.name] for entity in ENTITIES}
    if not snapshots:
        return data
    data["snapshots"] = [
        {"label": s.label, "created_at": s.created_at.isoformat(), "created_by": s.created_by,
         "approved_by": s.approved_by, "approved_at": s.approved_at.isoformat() if s.approved_at else None,
         "sha256": s.sha256, "content": s.content}
        for s in db.session.scalars(sa.select(Snapshot).order_by(Snapshot.label))]
    return data


def activity_csv_rows() -> list[dict]:
    """The activity register as CSV rows: lawful bases split into Art. 6, Art. 9 and Schedule 1 columns."""
    entity = BY_NAME["activities"]
    kinds = {display_of("lawful_bases", b): b.kind for b in db.session.scalars(sa.select(MODELS["lawful_bases"]))}
    rows = dump_records(entity, display=True)
    for row in rows:
        bases = row.pop("lawful_bases")
        for column, kind in BASIS_COLUMNS.items():
            row[column] = [b for b in bases if kinds.get(b) == kind]
    return rows
