"""POST /api/v1/imports: the import page's reading and all-or-nothing import over the API, a dry run unless
?confirm=1, refused in words (400/413/422) and never a 500; the DPO and administrators only."""

import io
import json

import pytest
import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import AuditEntry, ProcessingActivity
from ropa.services.users import create_token

HEADER = "reference,name,service,our_role,data_categories,article_6,last_reviewed\n"
GOOD = HEADER + "PA-900,Home visits by text,,controller,,6(1)(e) Public task,2026-01-15\n"


@pytest.fixture
def api(seeded, make_user):
    def make(role: str):
        token = create_token(make_user(role).email, "tests", actor="test")
        client = seeded.test_client(use_cookies=False)
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client

    return make


def exists(reference: str) -> bool:
    return db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == reference)) is not None


def test_a_dry_run_by_default_then_applied_with_confirm(api):
    client = api("dpo")
    preview = client.post("/api/v1/imports?filename=register.csv", data=GOOD)
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["dry_run"] and not body["applied"] and body["summary"]["activities"]["created"] == 1
    assert not exists("PA-900")
    applied = client.post("/api/v1/imports?filename=register.csv&confirm=1", data=GOOD)
    assert applied.status_code == 200 and applied.get_json()["applied"]
    assert exists("PA-900")
    actors = set(db.session.scalars(sa.select(AuditEntry.actor).where(AuditEntry.entity_key == "PA-900")))
    assert len(actors) == 1 and next(iter(actors)).endswith("(API import of register.csv)")


def test_a_multipart_upload_works_too(api):
    response = api("admin").post("/api/v1/imports", data={"file": (io.BytesIO(GOOD.encode()), "register.csv"),
                                                          "confirm": "1"}, content_type="multipart/form-data")
    assert response.status_code == 200 and exists("PA-900")


def test_problems_are_listed_and_nothing_is_written(api):
    response = api("dpo").post("/api/v1/imports?filename=register.csv&confirm=1",
                               data=GOOD + "PA-901,Care,,controller,,6(1)(z),\n")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"].startswith("Nothing was written") and not body["applied"]
    assert body["problems"][0]["where"] == "row 3, article_6" and "6(1)(z)" in body["problems"][0]["reason"]
    assert not exists("PA-900")


def test_a_file_that_is_not_what_it_claims_is_refused_in_words(api):
    client = api("dpo")
    response = client.post("/api/v1/imports?filename=register.xlsx", data=GOOD)
    assert response.status_code == 400 and "this is a text file" in response.get_json()["error"]
    assert client.post("/api/v1/imports", data=b"").status_code == 400
    assert "?filename=" in client.post("/api/v1/imports", data=b"x").get_json()["error"]


def test_an_oversized_file_is_413(api, seeded):
    seeded.config["ROPA_IMPORT_MAX_BYTES"] = 100
    response = api("dpo").post("/api/v1/imports?filename=register.csv", data=GOOD * 3)
    assert response.status_code == 413 and "the limit is 100" in response.get_json()["error"]


@pytest.mark.parametrize("role", ["auditor", "editor"])
def test_only_the_dpo_and_administrators_import(api, role):
    response = api(role).post("/api/v1/imports?filename=register.csv&confirm=1", data=GOOD)
    assert response.status_code == 403 and not exists("PA-900")


def test_the_openapi_document_describes_the_import(seeded):
    doc = json.loads(seeded.test_client().get("/api/v1/openapi.json").data)
    operation = doc["paths"]["/imports"]["post"]
    assert operation["operationId"] == "import_register" and {"200", "400", "413", "422"} <= set(operation["responses"])
