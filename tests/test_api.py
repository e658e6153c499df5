"""The JSON API: bearer tokens only, the pages' roles, the catalogue's records with versions, the forms' messages."""

import json
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from ropa.exchange.schema import ENTITIES
from ropa.extensions import db
from ropa.models import ApiToken
from ropa.services.records import history, load_record
from ropa.services.users import create_token, revoke_token, update_user
from ropa.enums import Role

ECFWS = "Essex Child and Family Wellbeing Services (ECFWS)"
CAMHS = "Southend, Essex and Thurrock Child, Adolescent and Mental Health Service (SET CAMHS)"


@pytest.fixture
def api(seeded, make_user):
    """api(role, services=()) → (client, user): a cookie-less client sending a new user's bearer token."""
    def make(role: str, services: tuple[str, ...] = ()):
        user = make_user(role, services=services)
        token = create_token(user.email, "tests", actor="test")
        client = seeded.test_client(use_cookies=False)
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client, user

    return make


def _url(entity: str, key: str = "") -> str:
    return f"/api/v1/{entity}" + (f"/{quote(key)}" if key else "")


# --- reading ----------------------------------------------------------------------------------------------------

def _walk(client, entity: str, size: int) -> list[dict]:
    items, after = [], ""
    while True:
        body = client.get(f"/api/v1/{entity}?limit={size}&after={quote(after)}").get_json()
        assert len(body["items"]) <= size
        items += body["items"]
        if body["next_after"] is None:
            return items
        after = body["next_after"]


def test_lists_every_activity_a_page_at_a_time(api):
    client, _ = api("auditor")
    seen = [item["reference"] for item in _walk(client, "activities", 10)]
    assert len(seen) == len(set(seen)) == 28 and "PA-026" in seen
    sharing = [(d["activity"], d["recipient"]) for d in _walk(client, "disclosures", 7)]
    everything = client.get("/api/v1/disclosures?limit=500").get_json()["items"]
    assert len(sharing) == len(set(sharing)) == len(everything) > 7
    first = client.get("/api/v1/activities?limit=1").get_json()["items"][0]
    assert first["reference"] == "PA-001" and first["service"] == ECFWS and isinstance(first["data_categories"], list)
    assert client.get("/api/v1/activities?limit=501").status_code == 400


def test_reads_one_record_with_its_version(api):
    client, _ = api("auditor")
    response = client.get(_url("activities", "PA-026"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"].startswith("Autism diagnostic assessment") and body["version"] >= 1
    assert response.headers["ETag"] == f'"{body["version"]}"'
    sharing = client.get("/api/v1/disclosures?limit=1").get_json()["items"][0]
    key = f"{sharing['activity']} / {sharing['recipient']}"
    assert client.get(_url("disclosures", key)).get_json()["recipient"] == sharing["recipient"]
    missing = client.get(_url("activities", "PA-999"))
    assert missing.status_code == 404 and "PA-999" in missing.get_json()["error"]
    assert client.get("/api/v1/widgets").status_code == 404


def test_findings_show_the_transfer_without_a_mechanism(api):
    client, _ = api("auditor")
    body = client.get("/api/v1/findings?rule=t01").get_json()
    assert body["register"]["activities"] == 28
    assert any(f["entity_ref"] == "TR-001" for f in body["findings"])
    assert {f["rule"] for f in body["findings"]} == {"T01"}
    only = client.get("/api/v1/findings?entity_type=transfer&entity_ref=TR-001").get_json()["findings"]
    assert only and all(f["entity_ref"] == "TR-001" for f in only) and "T01" in {f["rule"] for f in only}


def test_openapi_document_describes_every_entity(seeded):
    response = seeded.test_client().get("/api/v1/openapi.json")  # public: it holds the shape, not the data
    doc = json.loads(response.data)
    assert doc["openapi"].startswith("3.1") and doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for entity in ENTITIES:
        assert {"get", "post"} <= set(doc["paths"][f"/{entity.name}"])
        assert {"get", "put"} <= set(doc["paths"][f"/{entity.name}/{{key}}"])
    activity = doc["components"]["schemas"]["ProcessingActivity"]["properties"]
    assert activity["lawful_bases"]["type"] == "array" and activity["last_reviewed"]["format"] == "date"
    assert "retired" in activity["status"]["enum"] and activity["dpia_required"]["type"] == ["boolean", "null"]
    assert "/findings" in doc["paths"] and "422" in doc["paths"]["/activities/{key}"]["put"]["responses"]


# --- writing ----------------------------------------------------------------------------------------------------

def test_creates_an_activity_audited_under_the_token_user(api):
    client, user = api("dpo")
    response = client.post("/api/v1/activities", json={
        "reference": "PA-900", "name": "Text message reminders", "service": ECFWS, "status": "draft",
        "data_categories": ["Contact details"], "next_review_due": "2027-01-31"})
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith("/api/v1/activities/PA-900")
    assert response.get_json()["version"] == 1
    assert client.get(response.headers["Location"]).get_json()["next_review_due"] == "2027-01-31"
    [entry] = history("activities", "PA-900")
    assert entry.actor == user.email and entry.action == "create" and entry.fields["name"][1] == "Text message reminders"
    again = client.post("/api/v1/activities", json={"reference": "PA-900", "name": "Again"})
    assert again.status_code == 409 and "already exists" in again.get_json()["error"]


def test_updates_an_organisation_with_its_version(api):
    client, user = api("admin")
    url = _url("organisations", "NHS England")
    read = client.get(url)
    version = read.get_json()["version"]
    changed = client.put(url, json={"website": "https://www.england.nhs.uk"}, headers={"If-Match": read.headers["ETag"]})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["website"] == "https://www.england.nhs.uk" and changed.get_json()["version"] == version + 1
    entry = history("organisations", "NHS England")[0]
    assert entry.actor == user.email and entry.fields == {"website": ["", "https://www.england.nhs.uk"]}
    assert client.put(url, json={"name": "NHS E", "version": version + 1}).status_code == 422  # keys are fixed
    created = client.post("/api/v1/systems", json={"name": "Reminder SMS gateway", "supplier": "NHS England"})
    assert created.status_code == 201 and created.get_json()["supplier"] == "NHS England"


def test_bad_values_are_refused_with_the_forms_messages_and_nothing_written(api):
    client, _ = api("dpo")
    before = load_record("activities", "PA-004")
    audited = len(history("activities", "PA-004"))
    response = client.put(_url("activities", "PA-004"), json={
        "version": before.version, "lawful_bases": ["6(1)(z)"], "last_reviewed": "31/01/2026", "colour": "red"})
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert errors["last_reviewed"].startswith("Malformed date '31/01/2026' (expected YYYY-MM-DD")
    assert "no field 'colour'" in errors[None]
    unknown = client.put(_url("activities", "PA-004"), json={"version": before.version, "lawful_bases": ["6(1)(z)"]})
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"] == [{"field": "lawful_bases", "message": "Unknown lawful basis '6(1)(z)' "
                                             "(use a code such as 6(1)(e), 9(2)(h) or Sch1 para 2)"}]
    # The pages' lawful-basis rule: consent needs a consent record.
    consent = client.put(_url("activities", "PA-004"), json={"version": before.version, "lawful_bases": ["6(1)(a)"]})
    assert consent.status_code == 422
    assert [e["field"] for e in consent.get_json()["errors"]] == ["consent_record_url"]
    empty = client.post("/api/v1/organisations", json={"name": "", "country": "Atlantis"})
    assert empty.status_code == 422
    assert {e["field"]: e["message"] for e in empty.get_json()["errors"]}["name"] == "Enter the name"
    assert load_record("activities", "PA-004").version == before.version
    assert len(history("activities", "PA-004")) == audited


def test_a_stale_version_is_refused_with_what_changed(api):
    dpo, _ = api("dpo")
    admin, someone = api("admin")
    read = dpo.get(_url("activities", "PA-002")).get_json()
    assert admin.put(_url("activities", "PA-002"), json={"owner": "Head of IG", "version": read["version"]}).status_code == 200
    stale = dpo.put(_url("activities", "PA-002"), json={"owner": "Caldicott Guardian", "version": read["version"]})
    assert stale.status_code == 409
    body = stale.get_json()
    assert someone.email in body["error"] and "have not been saved" in body["error"]
    assert body["version"] == read["version"] + 1
    assert body["changes"][0]["actor"] == someone.email and body["changes"][0]["fields"]["owner"][1] == "Head of IG"
    assert load_record("activities", "PA-002").record["owner"] == "Head of IG"
    assert dpo.put(_url("activities", "PA-002"), json={"owner": "x"}).status_code == 428


# --- who may do what ---------------------------------------------------------------------------------------------

def test_an_auditor_reads_but_cannot_write(api):
    client, _ = api("auditor")
    version = client.get(_url("activities", "PA-001")).get_json()["version"]
    for response in (client.put(_url("activities", "PA-001"), json={"owner": "x", "version": version}),
                     client.post("/api/v1/activities", json={"reference": "PA-901", "name": "x"}),
                     client.put(_url("organisations", "NHS England"), json={"notes": "x", "version": 1}),
                     client.post("/api/v1/organisations", json={"name": "Acme"})):
        assert response.status_code == 403 and "role" in response.get_json()["error"]
    assert load_record("activities", "PA-901") is None and load_record("organisations", "Acme") is None


def test_an_editor_changes_only_the_activities_of_their_services(api):
    client, _ = api("editor", services=(ECFWS,))
    version = client.get(_url("activities", "PA-001")).get_json()["version"]
    assert client.put(_url("activities", "PA-001"), json={"owner": "ECFWS lead", "version": version}).status_code == 200
    theirs = client.get(_url("activities", "PA-027")).get_json()
    refused = client.put(_url("activities", "PA-027"), json={"owner": "x", "version": theirs["version"]})
    assert refused.status_code == 403 and "PA-027" in refused.get_json()["error"]
    moved = client.put(_url("activities", "PA-001"), json={"service": CAMHS, "version": version + 1})
    assert moved.status_code == 422
    assert moved.get_json()["errors"] == [{"field": "service", "message": "Choose one of the services you look after"}]
    assert client.post("/api/v1/activities", json={"reference": "PA-902", "name": "x", "service": CAMHS,
                                                   "status": "draft"}).status_code == 422
    assert client.post("/api/v1/activities", json={"reference": "PA-902", "name": "x", "service": ECFWS,
                                                   "status": "draft"}).status_code == 201
    assert client.put(_url("organisations", "NHS England"), json={"notes": "x", "version": 1}).status_code == 403


def test_only_a_live_token_of_an_active_user_is_accepted(seeded, api, make_user):
    client, user = api("dpo")
    assert client.get("/api/v1/activities?limit=1").status_code == 200
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.last_used_at is not None
    revoke_token(user.email, token.id, actor="test")
    refused = client.get("/api/v1/activities?limit=1")
    assert refused.status_code == 401 and "revoked" in refused.get_json()["error"]
    assert refused.headers["WWW-Authenticate"].lower().startswith("bearer")
    other, gone = api("auditor")
    update_user(gone.email, name="", role=Role.AUDITOR, services=(), active=False, actor="test")
    assert other.get("/api/v1/findings").status_code == 401
    anonymous = seeded.test_client()
    assert anonymous.get("/api/v1/activities").status_code == 401
    bogus = anonymous.get("/api/v1/activities", headers={"Authorization": "Bearer ropa_not-a-token"})
    assert bogus.status_code == 401


def test_a_signed_in_browser_session_cannot_use_the_api(seeded, make_client):
    client = make_client("dpo")  # a session cookie, as a page in another tab would send cross-site
    assert client.get("/activities").status_code == 200
    for response in (client.get("/api/v1/activities"),
                     client.post("/api/v1/organisations", json={"name": "Planted Ltd"})):
        assert response.status_code == 401 and "Bearer" in response.get_json()["error"]
    assert load_record("organisations", "Planted Ltd") is None


def test_unmatched_api_addresses_answer_in_json(api):
    client, _ = api("dpo")
    deleted = client.delete(_url("activities", "PA-001"))  # the register retires, it does not delete
    assert deleted.status_code == 405 and "error" in deleted.get_json()
    assert client.get("/api/v1/activities/PA-001/extra/bits").status_code == 404
    assert client.get("/api/v2/activities").status_code == 404
