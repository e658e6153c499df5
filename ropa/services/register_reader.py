"""The ICO workbook's inputs read from the database in batches, in dump form, in the order the writer reads them.

Each record equals what ``register.dump_register`` gives for it (same fields, same order, lists sorted by key), but
is built from Core queries a batch at a time: references come from joins, lists from one query per list field per
batch. Nothing kept here grows with the register except the activities' ids in key order and the natural-order
rank of each row of the tables that lists name (8 bytes a row each), and the organisations one batch names.
"""

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache

import sqlalchemy as sa

from ropa.exchange.schema import BY_NAME, DATE, ENUM, REF, REFS, Entity
from ropa.exchange.values import sort_key
from ropa.extensions import db
from ropa.services.catalogue import MODELS

BATCH = 1000


def _table(entity_name: str) -> sa.Table:
    return MODELS[entity_name].__table__


def _key_column(entity_name: str, table: sa.FromClause | None = None) -> sa.ColumnElement:
    table = table if table is not None else _table(entity_name)
    return table.c[BY_NAME[entity_name].key[0]]


@cache
def _plan(entity_name: str) -> tuple[sa.Select, tuple[tuple[str, bool, int], ...], tuple[str, ...]]:
    """The query of an entity's rows (id, then every scalar field and every reference's key), how each field of a
    record is taken from its row or its lists, and the date fields."""
    entity = BY_NAME[entity_name]
    mapper = sa.inspect(MODELS[entity.name])
    table = _table(entity.name)
    columns: list[sa.ColumnElement] = [table.c.id]
    joined: sa.FromClause = table
    plan = []
    for field in entity.fields:
        if field.kind == REFS:
            plan.append((field.name, True, 0))
            continue
        if field.kind == REF:
            relation = mapper.relationships[field.name]
            (local, remote), = relation.local_remote_pairs
            target = relation.mapper.local_table.alias(f"ref_{field.name}")
            joined = joined.outerjoin(target, local == target.c[remote.name])
            columns.append(_key_column(field.target, target))
        elif field.kind in (DATE, ENUM):
            # As stored, without SQLAlchemy's conversion to date or enum and back: the dump form is the text
            # (PostgreSQL's driver still gives dates, turned to ISO text below).
            columns.append(sa.type_coerce(table.c[field.name], sa.String))
        else:
            columns.append(table.c[field.name])
        plan.append((field.name, False, len(columns) - 1))
    dates = tuple(f.name for f in entity.fields if f.kind == DATE)
    return sa.select(*columns).select_from(joined), tuple(plan), dates


class Ranks:
    """Rows of the tables that lists name, by their place in the dump's order (natural order of keys), made once per
    export: each list is sorted by these integers rather than by a sort key made for every name in every list (at
    100,000 activities the lists name 60,000 different things). One integer per row of those tables."""

    def __init__(self) -> None:
        self._by_entity: dict[str, array] = {}

    def of(self, entity_name: str) -> array:
        found = self._by_entity.get(entity_name)
        if found is None:
            ids = ordered_ids(entity_name)
            found = array("q", bytes(8 * (max(ids, default=0) + 1)))
            for place, id_ in enumerate(ids):
                found[id_] = place
            self._by_entity[entity_name] = found
        return found


def _lists(entity: Entity, field_name: str, ids: list[int], ranks: Ranks) -> dict[int, list[str]]:
    """One list field (keys of the rows it links to, sorted as the dump sorts them) for a batch of rows."""
    if entity.name == "activities" and field_name == "recipients":
        disclosures, recipients = _table("disclosures"), _table("recipients")
        query = (sa.select(disclosures.c.activity_id, recipients.c.id, recipients.c.name)
                 .join(recipients, recipients.c.id == disclosures.c.recipient_id)
                 .where(disclosures.c.activity_id.in_(ids)))
    else:
        relation = sa.inspect(MODELS[entity.name]).relationships[field_name]
        (_, parent), = relation.synchronize_pairs
        (target_id, child), = relation.secondary_synchronize_pairs
        target = relation.mapper.local_table
        query = (sa.select(parent, target.c.id, _key_column(entity.field(field_name).target, target))
                 .join(target, target.c[target_id.name] == child).where(parent.in_(ids)))
    rank = ranks.of(entity.field(field_name).target)
    found: dict[int, list] = defaultdict(list)
    for owner, target_row, key in db.session.execute(query).all():
        found[owner].append((rank[target_row], key))
    return {owner: [key for _, key in (sorted(pairs) if len(pairs) > 1 else pairs)]
            for owner, pairs in found.items()}


def _iso_dates(record: dict, dates: tuple[str, ...]) -> dict:
    for name in dates:
        value = record[name]
        if value is not None and not isinstance(value, str):
            record[name] = value.isoformat()
    return record


def records_of(entity_name: str, ids: list[int], ranks: Ranks | None = None) -> list[dict]:
    """The rows with these ids as dump-form records, in the order of ids."""
    ranks = ranks or Ranks()
    entity = BY_NAME[entity_name]
    query, plan, dates = _plan(entity_name)
    rows = {row[0]: row for row in db.session.execute(query.where(_table(entity_name).c.id.in_(ids))).all()}
    lists = {f.name: _lists(entity, f.name, ids, ranks) for f in entity.fields if f.kind == REFS}
    out = []
    for id_ in ids:
        row = rows[id_]
        out.append(_iso_dates({name: lists[name].get(id_) or [] if listed else row[position]
                               for name, listed, position in plan}, dates))
    return out


def ordered_ids(entity_name: str, where: sa.ColumnElement | None = None) -> Sequence[int]:
    """The ids of an entity's rows in the dump's order (natural order of their keys).

    The database sorts by key; that is the natural order whenever keys are numbered with the same width (PA-000001),
    which is checked key by key. Only when it is not are the keys sorted again here, all at once."""
    table = _table(entity_name)
    key = _key_column(entity_name)
    query = sa.select(table.c.id, key).order_by(key)
    if where is not None:
        query = query.where(where)
    ids, previous, natural = array("q"), None, True  # 8 bytes an id, not a Python int each
    for id_, text in db.session.execute(query):
        ids.append(id_)
        current = sort_key(text)
        natural = natural and (previous is None or previous <= current)
        previous = current
    if natural:
        return ids
    pairs = db.session.execute(query).all()
    return array("q", (id_ for id_, _ in sorted(pairs, key=lambda pair: sort_key(pair[1]))))


def stream(entity_name: str, ids: Sequence[int] | None = None, batch: int = BATCH,
           window: "Window | None" = None, ranks: Ranks | None = None) -> Iterator[dict]:
    """Every row (or the rows with these ids) as dump-form records in the dump's order, a batch at a time.

    With a window, the organisations each batch names are loaded into it before the batch is yielded."""
    ids = ordered_ids(entity_name) if ids is None else ids
    ranks = ranks or Ranks()
    for start in range(0, len(ids), batch):
        records = records_of(entity_name, list(ids[start:start + batch]), ranks)
        if window is not None:
            window.load(records)
        yield from records


class Window(Mapping):
    """Organisations by name, holding only those the current batch names (controllers, joint controllers,
    processors) and ourselves: a register's organisations grow with it (30,000 at 100,000 activities), but the
    writer reads an organisation only while writing a row that names it. A name not loaded is read on demand."""

    FIELDS = ("controller", "joint_controllers", "processor")

    def __init__(self) -> None:
        ours = ordered_ids("organisations", _table("organisations").c.is_self)
        self.ours = is_self(records_of("organisations", list(ours)))
        self.records: dict[str, dict] = {}

    def load(self, batch: list[dict]) -> None:
        names: set[str] = set()
        for record in batch:
            for field in self.FIELDS:
                value = record.get(field)
                names.update([value] if isinstance(value, str) else value or ())
        self.records = self._read(names)

    def _read(self, names: set[str]) -> dict[str, dict]:
        table = _table("organisations")
        ids = db.session.scalars(sa.select(table.c.id).where(table.c.name.in_(sorted(names)))).all() if names else []
        return {record["name"]: record for record in records_of("organisations", list(ids))}

    def __getitem__(self, name: str) -> dict:
        if name == self.ours.get("name"):
            return self.ours
        if name not in self.records:
            self.records.update(self._read({name}))
        return self.records[name]

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)


def disclosures_of(activity_ids: Sequence[int], batch: int = BATCH, ranks: Ranks | None = None
                   ) -> Iterator[dict]:
    """Data-sharing records, activity by activity in the given order, each activity's by its recipients' order
    (what the dump's order of whole keys, "PA-001 / Police", comes to within one activity)."""
    rank = (ranks or Ranks()).of("recipients")
    entity = BY_NAME["disclosures"]
    table, activities, recipients = _table("disclosures"), _table("activities"), _table("recipients")
    scalars = [sa.type_coerce(table.c[f.name], sa.String) if f.kind == DATE else table.c[f.name]
               for f in entity.fields if f.kind not in (REF, REFS)]
    names = [f.name for f in entity.fields]  # activity and recipient first, as selected
    dates = tuple(f.name for f in entity.fields if f.kind == DATE)
    for start in range(0, len(activity_ids), batch):
        chunk = list(activity_ids[start:start + batch])
        query = (sa.select(table.c.activity_id, table.c.recipient_id, activities.c.reference, recipients.c.name,
                           *scalars)
                 .join(activities, activities.c.id == table.c.activity_id)
                 .join(recipients, recipients.c.id == table.c.recipient_id)
                 .where(table.c.activity_id.in_(chunk)))
        grouped: dict[int, list] = defaultdict(list)
        for row in db.session.execute(query).all():
            grouped[row[0]].append(row)
        for id_ in chunk:
            rows = grouped.get(id_)
            if not rows:
                continue
            if len(rows) > 1:
                rows.sort(key=lambda r: rank[r[1]])
            for row in rows:
                yield _iso_dates(dict(zip(names, row[2:])), dates)


def keyed(entity_name: str, fields: tuple[str, ...] | None = None) -> dict[str, dict]:
    """A small table whole, by key (countries, lawful bases, retention rules, data categories); with `fields`,
    only those fields of each record, and only where they hold something."""
    key = BY_NAME[entity_name].key[0]
    if fields is None:
        return {record[key]: record for record in stream(entity_name)}
    return {record[key]: {f: record[f] for f in fields if record[f] not in (None, "", [])}
            for record in stream(entity_name)}


def count(entity_name: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(_table(entity_name))) or 0


def is_self(organisations: Iterable[dict]) -> dict:
    return next((o for o in organisations if o.get("is_self")), {})
