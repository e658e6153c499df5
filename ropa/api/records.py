"""Any record of the field catalogue over JSON: list (keyset pages), read (with its version), create and update.

Values are in dump form, as in the JSON export. Every save goes through services/records.save_record, so the API
refuses what the forms refuse, with the same messages; activities keep the same lawful-basis and service rules as
their pages. Nothing is deleted: the register retires records (status "retired"), it does not forget them.
"""

import re

from flask import abort, jsonify, request, url_for

from ropa.api import bp
from ropa.api.auth import api_user, token_required
from ropa.auth import can_edit_activity
from ropa.enums import Role
from ropa.exchange.problems import ImportFailed
from ropa.exchange.schema import BY_NAME, ENTITIES, INT, REFS, TEXT, Entity, Field
from ropa.exchange.values import BadValue, parse_value
from ropa.labels import LONG_TEXT, label
from ropa.services.activities import basis_problems
from ropa.services.catalogue import MODELS
from ropa.services.database_errors import DatabaseRefused
from ropa.services.records import (
    Loaded,
    StaleRecord,
    find_row,
    history,
    read_record,
    record_page,
    save_record,
)

WRITERS = (Role.ADMIN, Role.DPO)
ACTIVITY_WRITERS = (Role.ADMIN, Role.DPO, Role.EDITOR)  # editors: the activities of their own services only
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
OWN_SERVICES = "Choose one of the services you look after"


class Refused(Exception):
    """A save refused before or by the service: (field or None, message) pairs, answered as 422."""

    def __init__(self, errors: list[tuple[str | None, str]]):
        super().__init__(errors)
        self.errors = errors


@bp.errorhandler(Refused)
def _refused(refused: Refused):
    errors = [{"field": field, "message": _sentence(message)} for field, message in refused.errors]
    return jsonify(error="Nothing was saved: correct the fields named in errors and send it again",
                   errors=errors), 422


# --- reading ----------------------------------------------------------------------------------------------------

@bp.get("/<entity>")
@token_required()
def list_records(entity: str):
    """Records in natural-key order, a page at a time: ?after=<the previous page's next_after>&limit=N."""
    _entity(entity)
    sent = request.args.getlist("limit")  # strictly: Flask's type=int would take "?limit=x" as the default
    if len(sent) > 1 or (sent and not re.fullmatch(r"\d{1,9}", sent[0].strip())):
        abort(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    limit = int(sent[0]) if sent else DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        abort(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    page = record_page(entity, request.args.get("after", ""), limit)
    return jsonify(items=page.rows, next_after=page.next_after)


@bp.get("/<entity>/<path:key>")
@token_required()
def get_record(entity: str, key: str):
    """One record in dump form with its version (also the ETag): send it back when you change the record."""
    return _answer(entity, _loaded(entity, key))


# --- changing ---------------------------------------------------------------------------------------------------

@bp.post("/<entity>")
@token_required(*WRITERS)
def create_record(entity: str):
    """Add a record (any entity but activities, which editors may add too)."""
    return _create(entity)


@bp.post("/activities")
@token_required(*ACTIVITY_WRITERS)
def create_activity():
    """Add a processing activity; an editor only for one of their services."""
    return _create("activities")


@bp.put("/<entity>/<path:key>")
@token_required(*WRITERS)
def update_record(entity: str, key: str):
    """Change the fields given, refused if the record changed since the version sent (If-Match or "version")."""
    return _update(entity, key)


@bp.put("/activities/<path:reference>")
@token_required(*ACTIVITY_WRITERS)
def update_activity(reference: str):
    """Change an activity's fields; an editor only those of their own services."""
    return _update("activities", reference)


def _create(entity_name: str):
    entity = _entity(entity_name)
    values = _values(entity, _body(), creating=True)
    key = " / ".join(str(values.get(k) or "") for k in entity.key)
    if find_row(entity_name, key) is not None:
        abort(409, f"A {entity.label} '{key}' already exists: change it with PUT "
                   f"{url_for('api.get_record', entity=entity_name, key=key)}")
    if entity_name == "activities":
        _activity_rules(_defaults(entity) | values, None)
    _save(entity_name, values, expected_version=None, loaded_at=None)
    response = _answer(entity_name, read_record(entity_name, key), 201)
    response.headers["Location"] = url_for("api.get_record", entity=entity_name, key=key)
    return response


def _update(entity_name: str, key: str):
    entity = _entity(entity_name)
    loaded = _loaded(entity_name, key)
    if entity_name == "activities" and not can_edit_activity(api_user(), loaded.record["service"]):
        abort(403, f"{key} belongs to a service you do not look after: you may change only the activities of "
                   "your own services")
    body = _body()
    expected = _expected_version(body.pop("version", None))
    values = _values(entity, body, creating=False)
    fixed = [(k, f"The {label(k).lower()} cannot be changed: records are named by it everywhere")
             for k in entity.key if k in values and values[k] != loaded.record[k]]
    if fixed:
        raise Refused(fixed)
    values.update({k: loaded.record[k] for k in entity.key})
    if expected != loaded.version:
        return _stale(entity, key, loaded.version, expected)
    if entity_name == "activities":
        _activity_rules(loaded.record | values, loaded.record)
    try:
        _save(entity_name, values, expected_version=expected, loaded_at=loaded.audit_position)
    except StaleRecord as stale:  # saved by someone else between our read and our write
        return _conflict(stale, read_record(entity_name, key).version)
    return _answer(entity_name, read_record(entity_name, key))


def _save(entity_name: str, values: dict, *, expected_version: int | None, loaded_at: int | None) -> None:
    fields = set(BY_NAME[entity_name].field_names)
    try:
        save_record(entity_name, values, actor=api_user().email, expected_version=expected_version,
                    loaded_at=loaded_at)
    except StaleRecord:
        raise
    except DatabaseRefused as refused:
        raise refused.error from None  # not the client's fault: 503 in words (ropa/views/errors.py)
    except ImportFailed as failed:
        raise Refused([(p.column.split(":")[0] if p.column.split(":")[0] in fields else None, p.reason)
                       for p in failed.problems]) from None


def _activity_rules(after: dict, before: dict | None) -> None:
    """The activity pages' rules: an editor stays within their services; a save adds no lawful-basis gap."""
    if not can_edit_activity(api_user(), after.get("service")):
        raise Refused([("service", OWN_SERVICES)])
    if problems := basis_problems(after, before):
        raise Refused(problems)


# --- versions and conflicts ---------------------------------------------------------------------------------------

def _expected_version(in_body) -> int:
    """The version the client read: the If-Match header (the ETag it was given) or the body's "version"."""
    sent = request.headers.get("If-Match", "").strip()
    if sent:
        match = re.fullmatch(r'(?:W/)?"?(\d{1,9})"?', sent)
        if match is None:
            abort(400, "If-Match must be the ETag the record was read with, e.g. \"3\"")
        return int(match.group(1))
    if in_body is None:
        abort(428, "Send the version you read (the record's \"version\", or its ETag as If-Match), so a change "
                   "made by someone else since is not overwritten")
    if isinstance(in_body, float) and in_body.is_integer():  # JSON's 3.0 is the integer 3
        in_body = int(in_body)
    if isinstance(in_body, bool) or not isinstance(in_body, (int, str)) or not str(in_body).isdigit():
        abort(400, "version must be the whole number the record was read with")
    return int(in_body)


def _stale(entity: Entity, key: str, current: int, expected: int):
    # Each save of a record bumps its version once and writes one audit entry: the newest (current - expected)
    # entries are what the client has not seen.
    since = history(entity.name, key, limit=current - expected) if current > expected else []
    return _conflict(StaleRecord(entity.label, key, since), current)


def _conflict(stale: StaleRecord, current: int):
    changes = [{"at": e.at.isoformat(timespec="seconds"), "actor": e.actor, "action": e.action, "fields": e.fields}
               for e in stale.since]
    response = jsonify(error=_sentence(stale.problems[0].reason), version=current, changes=changes)
    response.status_code = 409
    response.headers["ETag"] = f'"{current}"'
    return response


# --- values -----------------------------------------------------------------------------------------------------

def _values(entity: Entity, body: dict, *, creating: bool) -> dict:
    """The body's values checked as the form checks them (required, lengths, numbers) and in dump form."""
    values, errors = {}, []
    for name, value in body.items():
        if name not in entity.field_names:
            errors.append((None, f"A {entity.label} has no field '{name}'. Its fields are: "
                                 f"{', '.join(entity.field_names)}"))
            continue
        f = entity.field(name)
        try:
            values[name] = parse_value(f, value)
        except BadValue as exc:
            errors.append((name, str(exc)))
            continue
        if problem := _form_rule(entity, f, values[name]):
            errors.append((name, problem))
    if creating:
        errors += [(f.name, _required(f)) for f in entity.fields if f.required and f.name not in body]
    if errors:
        raise Refused(errors)
    return values


def _form_rule(entity: Entity, f: Field, value) -> str | None:
    """The message the edit form gives for this value, or None (ropa/forms/catalogue.py's validators)."""
    if f.required and value in (None, "", []):
        return _required(f)
    if f.kind == TEXT and value:
        longest = 20000 if f.name in LONG_TEXT else 500
        if len(value) > longest:
            return f"Field cannot be longer than {longest} characters."
    if f.kind == INT and value is not None and value < 0:
        return "Enter a whole number, 0 or more"
    return None


def _required(f: Field) -> str:
    return f"Enter the {label(f.name).lower()}"


def _defaults(entity: Entity) -> dict:
    """A new record's values before the client's: empty, or the column's default (an activity starts active)."""
    table = MODELS[entity.name].__table__
    record = {}
    for f in entity.fields:
        column = table.c.get(f.name)
        default = column.default.arg if column is not None and column.default is not None else None
        record[f.name] = [] if f.kind == REFS else ("" if f.kind == TEXT else
                                                     getattr(default, "value", default) if not callable(default)
                                                     else None)
    return record


# --- helpers ----------------------------------------------------------------------------------------------------

def _entity(name: str) -> Entity:
    if name not in BY_NAME:
        abort(404, f"There is no '{name}' in the register. Use one of: {', '.join(e.name for e in ENTITIES)}")
    return BY_NAME[name]


def _loaded(entity_name: str, key: str) -> Loaded:
    entity = _entity(entity_name)
    loaded = read_record(entity_name, key)  # Core reads: the record as the client sees it, not ORM rows
    if loaded is None:
        abort(404, f"There is no {entity.label} '{key}'")
    return loaded


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Send a JSON object of field values, with Content-Type: application/json")
    return dict(body)


def _answer(entity_name: str, loaded: Loaded, status: int = 200):
    response = jsonify(loaded.record | {"version": loaded.version})
    response.status_code = status
    response.headers["ETag"] = f'"{loaded.version}"'
    return response


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
