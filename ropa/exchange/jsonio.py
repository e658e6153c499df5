"""The JSON dump: the whole register (not users, tokens or the audit log), deterministic and lossless."""

import json
from datetime import datetime

from ropa.exchange.problems import ImportFailed, Problem, RawRecord
from ropa.exchange.schema import BY_NAME, DUMP_FORMAT, DUMP_VERSION, ENTITIES
from ropa.exchange.values import BadValue, parse_value

SNAPSHOT_FIELDS = ("label", "created_at", "created_by", "approved_by", "approved_at", "sha256", "content")


def dump_text(data: dict[str, list[dict]]) -> str:
    """The dump as text: entities in dependency order, records sorted by key, fields in catalogue order."""
    return json.dumps(dump_body(data), ensure_ascii=False, indent=1) + "\n"


def dump_body(data: dict[str, list[dict]]) -> dict:
    """What dump_text writes, before it is text."""
    body = {"format": DUMP_FORMAT, "format_version": DUMP_VERSION}
    for entity in ENTITIES:
        body[entity.name] = data.get(entity.name, [])
    body["snapshots"] = data.get("snapshots", [])
    return body


def read_dump(data: bytes, file: str) -> tuple[list[RawRecord], list[dict], list[Problem]]:
    """Parse a dump into raw records (in dependency order), snapshots and record-level problems.

    Raises ImportFailed when the file is not a dump at all.
    """
    try:
        body = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportFailed([Problem(file, 1, "-", f"the file is not UTF-8 text (offset {exc.start})")]) from None
    except json.JSONDecodeError as exc:
        raise ImportFailed([Problem(file, exc.lineno, f"col {exc.colno}", f"not valid JSON: {exc.msg}")]) from None
    if not isinstance(body, dict) or body.get("format") != DUMP_FORMAT:
        raise ImportFailed([Problem(file, 1, "format", f"not a ropa register dump (expected \"format\": "
                                                       f"\"{DUMP_FORMAT}\")")])
    if body.get("format_version") != DUMP_VERSION:
        raise ImportFailed([Problem(file, 1, "format_version",
                                    f"dump format version {body.get('format_version')!r} is not {DUMP_VERSION}")])
    problems: list[Problem] = []
    unknown = set(body) - set(BY_NAME) - {"format", "format_version", "snapshots"}
    problems += [Problem(file, 1, name, "unknown section") for name in sorted(unknown)]
    records: list[RawRecord] = []
    for entity in ENTITIES:
        items = body.get(entity.name, [])
        if not isinstance(items, list):
            problems.append(Problem(file, entity.name, "-", "expected a list of records"))
            continue
        for index, item in enumerate(items, start=1):
            record = _record(entity.name, item, file, f"{entity.name}[{index}]", problems)
            if record:
                records.append(record)
    snapshots = _snapshots(body.get("snapshots", []), file, problems)
    return records, snapshots, problems


def _record(name: str, item, file: str, where: str, problems: list[Problem]) -> RawRecord | None:
    entity = BY_NAME[name]
    if not isinstance(item, dict):
        problems.append(Problem(file, where, "-", "expected an object"))
        return None
    found = len(problems)
    values = {}
    for key, value in item.items():
        if key not in entity.field_names:
            problems.append(Problem(file, where, key, f"unknown field for a {entity.label}"))
            continue
        try:
            values[key] = parse_value(entity.field(key), value)
        except BadValue as exc:
            problems.append(Problem(file, where, key, str(exc)))
    if len(problems) > found:
        return None
    return RawRecord(name, values, file, where, {k: k for k in values})


def _snapshots(items, file: str, problems: list[Problem]) -> list[dict]:
    if not isinstance(items, list):
        problems.append(Problem(file, "snapshots", "-", "expected a list of snapshots"))
        return []
    good = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) != set(SNAPSHOT_FIELDS) or not all(
                isinstance(item[k], str | None) for k in SNAPSHOT_FIELDS):
            problems.append(Problem(file, f"snapshots[{index}]", "-",
                                    f"a snapshot needs exactly the text fields {', '.join(SNAPSHOT_FIELDS)}"))
            continue
        if reason := _snapshot_problem(item):
            problems.append(Problem(file, f"snapshots[{index}]", reason[0], reason[1]))
            continue
        good.append(item)
    return good


def _snapshot_problem(item: dict) -> tuple[str, str] | None:
    """(field, why) for the first value of a snapshot the register cannot hold, or None."""
    for name in SNAPSHOT_FIELDS:
        value = item[name]
        if value is not None and "\x00" in value:
            return name, "contains a NUL character (\\x00), which cannot be stored"
        if name in ("label", "created_by", "sha256", "content", "created_at") and not value:
            return name, "is required"
        if name == "approved_by" and value is None:
            return name, "must be text (empty when the snapshot was not approved)"
        if name in ("created_at", "approved_at") and value:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                return name, f"malformed date and time {value!r} (expected e.g. 2026-01-31T09:30:00)"
        limit = {"label": 300, "created_by": 320, "approved_by": 320, "sha256": 64}.get(name)
        if limit and value and len(value) > limit:
            return name, f"too long for {name.replace('_', ' ')} ({len(value)} characters; the limit is {limit})"
    return None
