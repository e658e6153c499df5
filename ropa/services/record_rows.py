"""Records in dump form read with Core queries (columns, not ORM objects): what the API's list pages return.

The same records as catalogue.record_of over ORM rows, field for field, at a fraction of the cost: a page of 100
activities is one query for the columns and the single references (outer joins to each target's key) and one query
per list field (a link table joined to its target's key), instead of building some two thousand ORM objects; one
record is one query, its lists aggregated in it.
"""

import json
from enum import StrEnum
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ropa.exchange.schema import BY_NAME, DATE, ENUM, REF, REFS, Entity
from ropa.exchange.values import sort_key
from ropa.extensions import db
from ropa.services.catalogue import MODELS
from ropa.services.sql import ids_in


def records_after(entity_name: str, after: str, limit: int) -> list[dict]:
    """Up to limit records (dump form, display=False) with a key after `after`, in natural-key order. Not for
    disclosures, whose key spans two tables."""
    key = getattr(MODELS[entity_name], BY_NAME[entity_name].key[0])
    return [record for record, _ in _read(entity_name, [key > after] if after else [], limit)]


def record_with_version(entity_name: str, key: str) -> tuple[dict, int] | None:
    """One record (dump form) and its version, or None if there is none with this key. Not for disclosures."""
    found = _read(entity_name, [getattr(MODELS[entity_name], BY_NAME[entity_name].key[0]) == key], 1)
    return found[0] if found else None


def _read(entity_name: str, where: list, limit: int) -> list[tuple[dict, int]]:
    entity, model = BY_NAME[entity_name], MODELS[entity_name]
    key = getattr(model, entity.key[0])
    refs = [f for f in entity.fields if f.kind == REFS]
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    query = _select(entity_name, limit == 1, postgresql)
    rows = db.session.execute(query.where(*where).order_by(key).limit(limit)).all()
    if not rows:
        return []
    if limit == 1:
        row = rows[0]
        lists = {f.name: {row._id: _decoded(row._mapping[f"_list_{f.name}"], postgresql)} for f in refs}
    else:
        ids = [row._id for row in rows]
        lists = {f.name: _lists(model, f.name, f.target, ids) for f in refs}
    return [(_record(entity, row, lists), row._version) for row in rows]


@cache
def _select(entity_name: str, with_lists: bool, postgresql: bool) -> sa.Select:
    """The select of an entity's columns and single references (with_lists: and its lists aggregated), built once:
    building it (an alias per reference, each column adapted to it) was a tenth of the API's CPU under load.
    Statements are immutable, so every thread shares it."""
    entity, model = BY_NAME[entity_name], MODELS[entity_name]
    columns, joins = [model.__table__.c.id.label("_id"), model.__table__.c.version.label("_version")], []
    for field in entity.fields:
        if field.kind == REFS:
            continue
        if field.kind == REF:
            target = aliased(MODELS[field.target])
            joins.append(getattr(model, field.name).of_type(target))
            columns.append(getattr(target, BY_NAME[field.target].key[0]).label(field.name))
        else:
            columns.append(getattr(model, field.name).label(field.name))
    if with_lists:  # one record: its lists aggregated in the same query, one round trip instead of eight
        columns += [_aggregated(model, f.name, f.target, postgresql).label(f"_list_{f.name}")
                    for f in entity.fields if f.kind == REFS]
    query = sa.select(*columns).select_from(model)
    for join in joins:
        query = query.outerjoin(join)
    return query


def _aggregated(model, name: str, target_name: str, postgresql: bool):
    """The keys of the row's `name` list, aggregated in a correlated subquery: an array on PostgreSQL, a JSON array
    text on SQLite. For one row only: over a page's 100 rows PostgreSQL plans each list as a hash join repeated per
    row, slower than _lists' one query per list."""
    parent_column, link_join, target_key = link_of(model, name, target_name)
    aggregate = sa.func.array_agg(target_key) if postgresql else sa.func.json_group_array(target_key)
    return (sa.select(aggregate).select_from(link_join)
            .where(parent_column == model.__table__.c.id).scalar_subquery())


def _decoded(keys, postgresql: bool) -> list[str]:
    keys = (keys or []) if postgresql else json.loads(keys or "[]")
    return sorted(keys, key=sort_key)


@cache
def link_of(model, name: str, target_name: str):
    """For list field `name`: its link table's column naming the row, the link table joined to the target table,
    and the target's key column."""
    relation = sa.inspect(model).relationships[name]
    (_, parent_column), = relation.synchronize_pairs
    (target_column, link_target_column), = relation.secondary_synchronize_pairs
    target_key = MODELS[target_name].__table__.c[BY_NAME[target_name].key[0]]
    return parent_column, relation.secondary.join(target_column.table, target_column == link_target_column), target_key


def _lists(model, name: str, target_name: str, ids: list[int]) -> dict[int, list[str]]:
    """{row id: the sorted keys of its `name` list}, for these rows, in one query over the link table. The ids go
    as a list, not the page's query as a subquery: PostgreSQL plans `IN (subquery)` as a hash join over the whole
    link table, `IN (ids)` as lookups in its primary key (and one UNION ALL of the lists was slower still)."""
    parent_column, link_join, target_key = link_of(model, name, target_name)
    query = sa.select(parent_column, target_key).select_from(link_join).where(ids_in(parent_column, ids))
    found: dict[int, list[str]] = {}
    for parent, key in db.session.execute(query).all():  # all: one fetchall, not a fetchone per row
        found.setdefault(parent, []).append(key)
    return {parent: sorted(keys, key=sort_key) for parent, keys in found.items()}


def _record(entity: Entity, row, lists: dict[str, dict[int, list[str]]]) -> dict:
    # By position (the select's columns are _id, _version, then the fields that are not lists, in order): a page of
    # 100 activities is some 4,000 values, and looking each up by name was a fifth of the API list's time.
    record, values, row_id = {}, iter(row[2:]), row[0]
    for name, kind in _shape(entity.name):
        if kind == REFS:
            record[name] = lists[name].get(row_id, [])
            continue
        value = next(values)
        if kind is not None and value is not None:
            value = value.value if isinstance(value, StrEnum) else value.isoformat()
        record[name] = value
    return record


@cache
def _shape(entity_name: str) -> tuple[tuple[str, str | None], ...]:
    """(name, REFS / ENUM or DATE / None) for each field: how _record turns its value into the dump's. Keyed by
    name: hashing the frozen Entity hashes every one of its fields."""
    return tuple((f.name, f.kind if f.kind in (REFS, ENUM, DATE) else None) for f in BY_NAME[entity_name].fields)
