from tests.roles import ADMIN, DPO, EDITOR, EVERYONE, PUBLIC, WRITERS

# Called with a bearer token for each role (tests/test_route_roles.py), never a session cookie. The role table's
# editor looks after no service, so may add an activity (refused on its fields: 422) but change none (403).
ROUTES = [
    ("api.list_records", "GET", "/api/v1/activities?limit=5", EVERYONE),
    ("api.list_records", "GET", "/api/v1/disclosures", EVERYONE),
    ("api.get_record", "GET", "/api/v1/activities/PA-001", EVERYONE),
    ("api.get_record", "GET", "/api/v1/organisations/NHS%20England", EVERYONE),
    ("api.create_record", "POST", "/api/v1/organisations", WRITERS),
    ("api.create_record", "POST", "/api/v1/transfers", WRITERS),
    ("api.update_record", "PUT", "/api/v1/organisations/NHS%20England", WRITERS),
    ("api.create_activity", "POST", "/api/v1/activities", (ADMIN, DPO, EDITOR)),
    ("api.update_activity", "PUT", "/api/v1/activities/PA-001", WRITERS),
    ("api.findings", "GET", "/api/v1/findings?severity=error", EVERYONE),
    ("api.openapi", "GET", "/api/v1/openapi.json", PUBLIC),
]
