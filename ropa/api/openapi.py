"""The OpenAPI 3.1 document of the API, generated from the field catalogue so it cannot drift from what the API
accepts. Served without a token: it describes the register's shape, which is in the source anyway, never its data."""

from flask import jsonify

from ropa.api import bp
from ropa.api.openapi_reviews import SCHEMAS as REVIEW_SCHEMAS, review_paths
from ropa.api.records import MAX_LIMIT
from ropa.exchange.schema import BOOL, DATE, ENTITIES, ENUM, INT, REF, REFS, Entity, Field
from ropa.exchange.values import MAX_INT
from ropa.labels import LONG_TEXT, label
from ropa.services.register import text_limit

ERROR = {"$ref": "#/components/schemas/Error"}
TEXT = {"type": "string", "pattern": "^[^\\x00]*$"}  # any text but a NUL, which the API refuses (400)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document (public: no data in it)."""
    return jsonify(openapi_document())


def openapi_document() -> dict:
    """Every path, schema and response of the API."""
    paths = {}
    for entity in ENTITIES:
        paths[f"/{entity.name}"] = {"get": _list(entity), "post": _create(entity)}
        paths[f"/{entity.name}/{{key}}"] = {"parameters": [_key_parameter(entity)], "get": _read(entity),
                                            "put": _update(entity)}
    paths["/findings"] = {"get": _findings()}
    paths["/imports"] = {"post": _import()}
    paths |= review_paths()
    paths["/openapi.json"] = {"get": {"summary": "This document", "operationId": "openapi", "security": [],
                                      "responses": {"200": {"description": "The OpenAPI document",
                                                            "content": {"application/json": {}}}}}}
    schemas = {_schema_name(e): _schema(e) for e in ENTITIES} | REVIEW_SCHEMAS
    schemas |= {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
        "Problems": {"type": "object", "required": ["errors"], "properties": {
            "error": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": ["string", "null"], "description": "The field, or null for the whole record"},
                "message": {"type": "string", "description": "The message the edit form shows"}}}}}},
        "Conflict": {"type": "object", "required": ["error", "version", "changes"], "properties": {
            "error": {"type": "string"}, "version": {"type": "integer", "description": "The version now"},
            "changes": {"type": "array", "description": "The audit entries since the version you sent",
                        "items": {"type": "object", "properties": {
                            "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
                            "action": {"type": "string"},
                            "fields": {"type": "object", "description": "field: [before, after]"}}}}}},
        "Finding": {"type": "object", "properties": {name: {"type": "string"} for name in (
            "rule", "severity", "title", "entity_type", "entity_ref", "entity_name", "message", "fix", "citation")}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "ropa API", "version": "1",
                 "description": "The record of processing activities (UK GDPR Art. 30) as JSON. Values are in the "
                                "dump form of the JSON export; references are written as the key of the record "
                                "they name. Records are never deleted: retire an activity by setting its status."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer", "bearerFormat": "ropa_...",
            "description": "An API token: `ropa create-token EMAIL`, or the Users pages. The token's user's role "
                           "applies: auditors read, editors change the activities of their services, the DPO and "
                           "administrators change everything."}}},
    }


def _schema_name(entity: Entity) -> str:
    return entity.label.title().replace(" ", "")


def _schema(entity: Entity) -> dict:
    return {"type": "object", "description": f"A {entity.label}, keyed by {' / '.join(entity.key)}",
            "required": [f.name for f in entity.fields if f.required],
            "properties": {f.name: _field_schema(entity, f) for f in entity.fields}}


def _field_schema(entity: Entity, f: Field) -> dict:
    nullable = not f.required
    if f.kind == BOOL:
        schema = {"type": ["boolean", "null"]}
    elif f.kind == INT:
        schema = {"type": ["integer", "null"] if nullable else "integer", "minimum": 0, "maximum": MAX_INT}
    elif f.kind == DATE:
        schema = {"type": ["string", "null"] if nullable else "string", "format": "date"}
    elif f.kind == ENUM:
        values = [m.value for m in f.enum]
        schema = {"type": ["string", "null"], "enum": values + [None]} if nullable else {"type": "string",
                                                                                      "enum": values}
    elif f.kind == REF:
        schema = {"type": ["string", "null"] if nullable else "string", "pattern": TEXT["pattern"],
                  "description": f"The key of one of {f.target}"}
        if f.required:
            schema["minLength"] = 1
    elif f.kind == REFS:
        schema = {"type": "array", "items": TEXT, "description": f"Keys of {f.target}"}
    else:  # text: the edit form's length or the column's if shorter, and a required one not empty
        form = 20000 if f.name in LONG_TEXT else 500
        schema = TEXT | {"maxLength": min(form, text_limit(entity.name, f.name) or form)}
        if f.required:
            schema["minLength"] = 1
        else:  # the API takes null for an optional text as empty, as the form does (schemathesis found it)
            schema["type"] = ["string", "null"]
    return {"title": label(f.name)} | schema


def _ref(entity: Entity) -> dict:
    return {"$ref": f"#/components/schemas/{_schema_name(entity)}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: str) -> dict:
    text = {"400": "The request could not be read (or holds a NUL character)", "401": "No token, or a token that is unknown, revoked or "
            "belongs to a deactivated account", "403": "Your role does not allow this",
            "404": "No such record", "409": "Changed by someone else since the version you sent (or, for a "
            "create, it already exists)", "428": "No version sent"}
    out = {code: _json(ERROR, text[code]) for code in codes}
    if "409" in codes:
        # anyOf, not oneOf: a Conflict is also an Error (both have "error"), which oneOf would refuse.
        out["409"] = _json({"anyOf": [{"$ref": "#/components/schemas/Conflict"}, ERROR]}, text["409"])
    return out


def _with_version(entity: Entity) -> dict:
    return {"allOf": [_ref(entity), {"type": "object", "properties": {"version": {"type": "integer"}}}]}


def _etag() -> dict:
    return {"ETag": {"description": "The record's version, to send back as If-Match", "schema": {"type": "string"}}}


def _key_parameter(entity: Entity) -> dict:
    example = "PA-001 / NHS England" if entity.name == "disclosures" else None
    return {"name": "key", "in": "path", "required": True, "schema": TEXT,
            "description": f"The {' / '.join(entity.key)} of the {entity.label}, URL-encoded"
                           + (f", e.g. '{example}'" if example else "")}


def _list(entity: Entity) -> dict:
    return {"summary": f"List {entity.name}", "operationId": f"list_{entity.name}", "tags": [entity.name],
            "parameters": [
                {"name": "after", "in": "query", "schema": TEXT,
                 "description": "The next_after of the previous page"},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                           "default": 100}}],
            "responses": {"200": _json({"type": "object", "properties": {
                "items": {"type": "array", "items": _ref(entity)},
                "next_after": {"type": ["string", "null"], "description": "Pass as ?after= for the next page; null "
                                                                          "on the last"}}},
                f"{entity.name} in key order"), **_errors("400", "401", "404")}}


def _read(entity: Entity) -> dict:
    ok = _json(_with_version(entity), f"The {entity.label} and its version") | {"headers": _etag()}
    return {"summary": f"Read one {entity.label}", "operationId": f"get_{entity.name}", "tags": [entity.name],
            "responses": {"200": ok, **_errors("400", "401", "404")}}


def _create(entity: Entity) -> dict:
    who = "Editors may add activities of their own services; the DPO and administrators anything" \
        if entity.name == "activities" else "The DPO and administrators"
    created = _json(_with_version(entity), f"Created; Location names the new {entity.label}")
    created["headers"] = _etag() | {"Location": {"schema": {"type": "string"}}}
    if len(entity.key) == 1:  # what a client does next with the new record: read it, change it
        key = {"key": f"$response.body#/{entity.key[0]}"}
        created["links"] = {
            "read": {"operationId": f"get_{entity.name}", "parameters": key},
            "change": {"operationId": f"update_{entity.name}", "parameters": key | {
                "header.If-Match": "$response.header.ETag"}}}
    return {"summary": f"Add a {entity.label}", "description": who, "operationId": f"create_{entity.name}",
            "tags": [entity.name], "requestBody": {"required": True, "content": {"application/json": {
                "schema": _schema(entity) | {"additionalProperties": False}}}},  # other names: 422
            "responses": {"201": created, "422": _json({"$ref": "#/components/schemas/Problems"},
                                                       "Refused, with the message of each field; nothing written"),
                          **_errors("400", "401", "403", "409")}}


def _update(entity: Entity) -> dict:
    fields = {"type": "object", "description": "The fields to change (others stay), and the version you read",
              "properties": _schema(entity)["properties"] | {"version": {"type": "integer", "minimum": 0}},
              "additionalProperties": False}
    ok = _json(_with_version(entity), f"The {entity.label} as saved") | {"headers": _etag()}
    return {"summary": f"Change a {entity.label}", "operationId": f"update_{entity.name}", "tags": [entity.name],
            "parameters": [{"name": "If-Match", "in": "header",
                            "schema": {"type": "string", "pattern": r'^(W/)?"?[0-9]{1,9}"?$'},
                            "description": "The ETag you read (or send \"version\" in the body)"}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": fields}}},
            "responses": {"200": ok, "422": _json({"$ref": "#/components/schemas/Problems"},
                                                  "Refused, with the message of each field; nothing written"),
                          **_errors("400", "401", "403", "404", "409", "428")}}


def _findings() -> dict:
    params = [{"name": n, "in": "query", "schema": TEXT} for n in
              ("severity", "rule", "entity_type", "entity_ref")]
    # Not an enum: the API filters by exact value, so any other severity is answered (with no findings), not refused.
    params[0]["description"] = "error, warning or info (exact values; any other matches no finding)"
    body = {"type": "object", "properties": {
        "register": {"type": "object", "additionalProperties": {"type": "integer"},
                     "description": "How many of each thing the register holds"},
        "summary": {"type": "object", "additionalProperties": {"type": "integer"}},
        "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
        "fresh": {"type": "boolean", "description": "True when these are the findings of the register as it is now; "
                  "false while writes since are being taken into account"},
        "as_at": {"type": ["string", "null"], "format": "date-time",
                  "description": "When the findings were computed (UTC); null if never"},
        "changes_since": {"type": "integer", "description": "Writes since then that they do not reflect yet"},
        "checked_for": {"type": ["string", "null"], "format": "date",
                        "description": "The day due dates were judged by"}}}
    params.append({"name": "fresh", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]},
                   "description": "DPO and admin: bring the findings up to date before answering"})
    return {"summary": "The open findings of the checks", "operationId": "findings", "tags": ["findings"],
            "description": "The shape of `ropa check --format json`", "parameters": params,
            "responses": {"200": _json(body, "Findings, errors first"), **_errors("400", "401")}}


def _import() -> dict:
    """POST /imports: a register file read and imported as a dry run, or applied with ?confirm=1."""
    row = {"type": "object", "properties": {n: {"type": "string"} for n in ("file", "where", "reason", "text")}}
    remark = {"type": "object", "properties": {n: {"type": "string"} for n in ("file", "cell", "kind", "text", "line")}}
    counts = {"type": "object", "properties": {n: {"type": "integer"} for n in ("created", "updated", "unchanged")}}
    body = {"type": "object", "properties": {
        "file": {"type": "string"}, "dry_run": {"type": "boolean"}, "applied": {"type": "boolean"},
        "summary": {"type": "object", "additionalProperties": counts, "description": "By kind of record"},
        "lines": {"type": "array", "items": {"type": "string"}}, "audit_entries": {"type": "integer"},
        "problems": {"type": "array", "items": row, "description": "Each problem at its file, cell (or row and "
                                                                   "column) and why; nothing is written if any"},
        "remarks": {"type": "array", "items": remark, "description": "What was inferred or kept in notes, to check"},
        "error": {"type": "string"}}}
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"summary": "Import a register file", "operationId": "import_register", "tags": ["imports"],
            "description": "An ICO workbook (.xlsx), one of ropa's CSV files, a .zip of them, or a JSON dump, "
                           "recognised by its content. A dry run unless confirm=1: then applied all or nothing, as "
                           "one import in the audit log. The DPO and administrators only.",
            "parameters": [
                {"name": "filename", "in": "query", "schema": TEXT,
                 "description": "The file's name, when the body is the file itself"},
                {"name": "confirm", "in": "query", "schema": {"type": "string", "enum": ["0", "1"], "default": "0"},
                 "description": "1 to apply the import; otherwise nothing is written"}],
            "requestBody": {"required": True, "content": {
                "application/octet-stream": binary,
                "multipart/form-data": {"schema": {"type": "object", "properties": {
                    "file": {"type": "string", "format": "binary"}, "confirm": {"type": "string"}}}}}},
            "responses": {"200": _json(body, "What the import did (or would do)"),
                          "400": _json(body, "Not a register file, or no file sent; nothing written"),
                          "413": _json(ERROR, "The file is larger than the import limit"),
                          "422": _json(body, "Problems in the file, each located; nothing written"),
                          **_errors("401", "403")}}  # 400 is documented above, with the import's body
