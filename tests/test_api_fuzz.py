"""schemathesis against the live API: a real `ropa serve` (gunicorn) on a throwaway copy of the seed register, the
OpenAPI document loaded from that server, and a bounded, derandomized batch of generated requests for every
operation. Each response must not be a 500 and must match the document: a documented status code, the documented
content type, a body matching the schema, the headers it promises.

The database is the suite's own throwaway (PostgreSQL when ROPA_TEST_DATABASE_URL is set, as in CI; otherwise a
SQLite file under pytest's tmp_path), loaded with the seed register; never the seed's files or a real register."""

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

from ropa import create_app
from ropa.api.openapi import openapi_document
from ropa.enums import Role
from ropa.extensions import db
from ropa.services.imports import load_seed
from ropa.services.users import create_token, create_user, generate_password
from tests.conftest import PG_URL, _pg_execute, _pg_url
from tests.test_serving import ropa_serve

EXAMPLES = 12  # per operation and phase; with ~60 operations the file takes about a minute on 2 cores


@pytest.fixture(scope="module")
def live_api(templates, tmp_path_factory):
    """(base URL, token): `ropa serve` on a fresh seeded database, and an administrator's API token."""
    tmp = tmp_path_factory.mktemp("fuzz")
    drop = None
    if PG_URL:
        drop = f"{templates['postgresql'][:-4]}_fuzz"
        _pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')
        _pg_execute(PG_URL, f'CREATE DATABASE "{drop}" TEMPLATE "{templates["postgresql"]}"')
        url = _pg_url(drop)
    else:
        shutil.copyfile(templates["sqlite"], tmp / "fuzz.db")
        url = f"sqlite:///{tmp / 'fuzz.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        load_seed(actor="test")
        create_user("fuzz@example.nhs.uk", Role.ADMIN, generate_password(), actor="test", name="Fuzz")
        token = create_token("fuzz@example.nhs.uk", "fuzz", actor="test")
        db.session.remove()
        db.engine.dispose()
    try:
        with ropa_serve(tmp, url) as (base, _out):
            yield base, token
    finally:
        if drop:
            _pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')


# What a schema-valid request may still be refused with, beyond schemathesis's default (2xx, 3xx, 401, 403, 404,
# 409, 429), where the document cannot say more: a write naming a record that does not exist, or breaking a rule of
# the register (an activity's lawful basis), is 422; a change sent without any version is 428 (the version may come
# in the body or as If-Match, an either-or OpenAPI cannot state); an import of a file that is not a register is 400
# and one with problems in it 422. Reads keep the default: any such refusal of a valid read fails the test.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]
REFUSALS = [
    {"include-method": "POST", "exclude-path": "/imports", "statuses": ["422"]},
    {"include-method": "PUT", "statuses": ["422", "428"]},
    {"include-path": "/imports", "statuses": ["400", "422"]},
]


@pytest.fixture(scope="module")
def api_schema(live_api):
    """The OpenAPI document as the live server serves it, requests going to that server with the token."""
    base, token = live_api
    config = SchemathesisConfig.from_dict({"operations": [
        {k: v for k, v in rule.items() if k != "statuses"}
        | {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED + rule["statuses"]}}}
        for rule in REFUSALS]})
    schema = schemathesis.openapi.from_url(base + "/api/v1/openapi.json", config=config)
    schema.config.update(base_url=base + "/api/v1", headers={"Authorization": f"Bearer {token}"})
    return schema


# The operations, named from the same document in-process (so each is its own test); the test itself fuzzes the
# document the server serves. (schemathesis.pytest.from_fixture would do this, but it reads a pytest attribute that
# pytest 9 no longer has.)
OPERATIONS = [f"{method.upper()} {path}" for path, item in openapi_document()["paths"].items()
              for method in item if method != "parameters"]


@pytest.mark.parametrize("mode", list(GenerationMode))
@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_answers_as_documented(api_schema, label, mode):
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(case):
        case.call_and_validate()

    try:
        fuzz()
    except Unsatisfiable:  # negative mode, and nothing in the operation can be made invalid (e.g. GET /x/{key})
        assert mode is GenerationMode.NEGATIVE
