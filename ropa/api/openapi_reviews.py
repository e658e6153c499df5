"""The review campaign paths and schemas of the OpenAPI document (ropa/api/reviews.py)."""

ERROR = {"$ref": "#/components/schemas/Error"}
TEXT = {"type": "string", "pattern": "^[^\\x00]*$"}
TAGS = ["reviews"]
CAMPAIGN_ID = {"name": "campaign_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}
ERRORS = {"400": "The request could not be read (or holds a NUL character)",
          "401": "No token, or a token that is unknown, revoked or belongs to a deactivated account",
          "403": "Your role does not allow this (an editor: not an activity of your services)",
          "404": "No such campaign, or the activity is not part of it", "422": "Refused: the error says why",
          "428": "No version sent"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: str) -> dict:
    return {code: _json(ERROR, ERRORS[code]) for code in codes}


def _counts() -> dict:
    return {n: {"type": "integer", "minimum": 0} for n in ("total", "confirmed", "updated", "pending")}


CAMPAIGN = {"type": "object", "required": ["id", "name", "due", "status", "by_service"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "due": {"type": "string", "format": "date"},
    "status": {"type": "string", "enum": ["open", "completed"]},
    "scope": {"description": "\"all\" (every service) or the names of the services in scope",
              "anyOf": [{"type": "string", "enum": ["all"]}, {"type": "array", "items": {"type": "string"}}]},
    "created_by": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "completed_by": {"type": ["string", "null"]}, "completed_at": {"type": ["string", "null"], "format": "date-time"},
    "snapshot": {"type": ["string", "null"], "description": "The signed-off snapshot taken on completion"},
    "overdue": {"type": "boolean", "description": "Open, past its due date, with activities still to review"},
    **_counts(),
    "by_service": {"type": "array", "items": {"type": "object", "properties": {
        "service": {"type": "string"}, **_counts()}}}}}
REMINDER = {"type": "object", "properties": {
    "reference": {"type": "string"}, "name": {"type": "string"}, "service": {"type": "string"},
    "owner": {"type": "string"}, "editors": {"type": "array", "items": {"type": "string"}},
    "days_overdue": {"type": "integer"}}}
ITEM = {"type": "object", "properties": {
    "reference": {"type": "string"}, "name": {"type": "string"}, "service": {"type": ["string", "null"]},
    "owner": {"type": "string"}, "version": {"type": "integer"},
    "outcome": {"type": "string", "enum": ["pending", "confirmed", "updated"]},
    "edited_since_start": {"type": "boolean"}, "reviewed_by": {"type": ["string", "null"]},
    "reviewed_at": {"type": ["string", "null"], "format": "date-time"}}}
SCHEMAS = {"ReviewCampaign": CAMPAIGN, "ReviewReminder": REMINDER, "ReviewItem": ITEM}
REF = {"$ref": "#/components/schemas/ReviewCampaign"}


def review_paths() -> dict:
    detail = {"allOf": [REF, {"type": "object", "properties": {
        "reminders": {"type": "array", "items": {"$ref": "#/components/schemas/ReviewReminder"}},
        "activities": {"type": "array", "items": {"$ref": "#/components/schemas/ReviewItem"}},
        "matching": {"type": "integer", "description": "How many activities match the filters (at most 200 shown)"}}}]}
    start = {"type": "object", "required": ["name", "due"], "additionalProperties": False, "properties": {
        "name": TEXT | {"maxLength": 300}, "due": {"type": "string", "format": "date"},
        "services": {"type": ["array", "null"], "items": TEXT, "description": "None or empty: every service"}}}
    complete = {"type": "object", "additionalProperties": False, "properties": {
        "snapshot": {"type": ["string", "null"], "pattern": TEXT["pattern"], "maxLength": 300},
        "approved_by": {"type": ["string", "null"], "pattern": TEXT["pattern"], "maxLength": 320},
        "allow_pending": {"type": "boolean"}}}
    # The version is required here so a schema-valid call is never a 428; If-Match works as well (described).
    confirm = {"type": "object", "required": ["version"], "additionalProperties": False, "properties": {
        "version": {"type": "integer", "minimum": 0, "description": "The activity's version as read"}}}
    return {
        "/reviews": {
            "get": {"summary": "Review campaigns with their progress", "operationId": "list_reviews", "tags": TAGS,
                    "responses": {"200": _json({"type": "object", "properties": {
                        "campaigns": {"type": "array", "items": REF}}}, "Open campaigns first"),
                        **_errors("401")}},
            "post": {"summary": "Start a review campaign", "operationId": "start_review", "tags": TAGS,
                     "description": "Every live activity in scope is to be confirmed or updated by the due date. "
                                    "The DPO and administrators only.",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": start}}},
                     "responses": {"201": _json(REF, "Started"), **_errors("400", "401", "403", "422")}}},
        "/reviews/{campaign_id}": {
            "parameters": [CAMPAIGN_ID],
            "get": {"summary": "One review campaign", "operationId": "get_review", "tags": TAGS,
                    "parameters": [
                        {"name": "service", "in": "query", "schema": TEXT},
                        {"name": "outcome", "in": "query", "schema": {
                            "type": "string", "enum": ["", "pending", "done", "confirmed", "updated"]}},
                        {"name": "mine", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}}],
                    "responses": {"200": _json(detail, "Progress by service, reminders, activities"),
                                  **_errors("400", "401", "404")}}},
        "/reviews/{campaign_id}/activities/{reference}/confirm": {
            "parameters": [CAMPAIGN_ID, {"name": "reference", "in": "path", "required": True, "schema": TEXT}],
            "post": {"summary": "Confirm an activity as reviewed", "operationId": "confirm_review", "tags": TAGS,
                     "description": "\"updated\" if the activity was edited since the campaign began, else "
                                    "\"confirmed\". Send the activity's version (body or If-Match).",
                     "parameters": [{"name": "If-Match", "in": "header",
                                     "schema": {"type": "string", "pattern": r'^(W/)?"?[0-9]{1,9}"?$'}}],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": confirm}}},
                     "responses": {"200": _json({"type": "object", "properties": {
                         "reference": {"type": "string"},
                         "outcome": {"type": "string", "enum": ["confirmed", "updated"]}}}, "Reviewed"),
                         "409": _json({"anyOf": [{"$ref": "#/components/schemas/Conflict"}, ERROR]},
                                      "The activity changed since the version you sent"),
                         **_errors("400", "401", "403", "404", "422", "428")}}},
        "/reviews/{campaign_id}/complete": {
            "parameters": [CAMPAIGN_ID],
            "post": {"summary": "Complete a review campaign", "operationId": "complete_review", "tags": TAGS,
                     "description": "Optionally with a signed-off snapshot of the reviewed register. The DPO and "
                                    "administrators only.",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": complete}}},
                     "responses": {"200": _json(REF, "Completed"), **_errors("400", "401", "403", "404", "422")}}},
    }
