"""Fixtures: every database test runs on a real SQLite file and, when ROPA_TEST_DATABASE_URL is set, on PostgreSQL.

The schema is built once per backend by the Alembic migrations, with the reference data loaded; each test then gets
its own copy (a copied SQLite file, or a PostgreSQL database created from the template database).
"""

import itertools
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from ropa import create_app
from ropa.cli import cli, init_database
from ropa.extensions import db

# A page or API call that finds the stored findings stale refreshes them first, so that a test can assert findings right
# after a write (servers started by the tests inherit it); tests of the background refresher turn it off.
os.environ.setdefault("ROPA_FINDINGS_SYNC", "1")

PG_URL = os.environ.get("ROPA_TEST_DATABASE_URL", "")
REQUIRE_PG = os.environ.get("ROPA_REQUIRE_POSTGRES") == "1" or bool(os.environ.get("CI"))
BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()


def _pg_admin(url: str) -> tuple[str, str]:
    """The maintenance connection string and the template database's name."""
    base, name = url.rsplit("/", 1)
    return base.replace("postgresql+psycopg://", "postgresql://") + "/postgres", name


def _pg_execute(url: str, statement: str) -> None:
    admin, _ = _pg_admin(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(statement)


def _build_template(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        init_database(seed=False)
        db.engine.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> dict[str, str]:
    """One migrated database per backend, holding the reference data."""
    tmp = tmp_path_factory.mktemp("templates")
    sqlite_path = tmp / "template.db"
    _build_template(f"sqlite:///{sqlite_path}")
    made = {"sqlite": str(sqlite_path)}
    if PG_URL:
        _, name = _pg_admin(PG_URL)
        template = f"{name}_{os.getpid()}_tpl"
        _pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{template}"')
        _pg_execute(PG_URL, f'CREATE DATABASE "{template}"')
        _build_template(_pg_url(template))
        made["postgresql"] = template
    yield made
    if PG_URL:
        _pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{made["postgresql"]}"')


def _pg_url(name: str) -> str:
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(params=BACKENDS)
def database_url(request, templates, tmp_path) -> str:
    """A fresh database at schema head with reference data, on each backend."""
    if request.param == "postgresql":
        if not PG_URL:
            if REQUIRE_PG:
                pytest.fail("ROPA_TEST_DATABASE_URL is not set: the PostgreSQL half of the suite is required here")
            pytest.skip("set ROPA_TEST_DATABASE_URL to run on PostgreSQL")
        name = f"{templates['postgresql'][:-4]}_t{os.getpid()}_{next(_counter)}"
        _pg_execute(PG_URL, f'CREATE DATABASE "{name}" TEMPLATE "{templates["postgresql"]}"')
        yield _pg_url(name)
        _pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "ropa.db"
        shutil.copyfile(templates["sqlite"], path)
        yield f"sqlite:///{path}"


@pytest.fixture
def make_empty_register(templates, database_url, tmp_path):
    """A factory of second, empty registers on the same backend, each with its own app context."""
    @contextmanager
    def make():
        n = next(_counter)
        if database_url.startswith("sqlite"):
            path = tmp_path / f"empty{n}.db"
            shutil.copyfile(templates["sqlite"], path)
            url, drop = f"sqlite:///{path}", None
        else:
            drop = f"{templates['postgresql'][:-4]}_e{n}"
            _pg_execute(PG_URL, f'CREATE DATABASE "{drop}" TEMPLATE "{templates["postgresql"]}"')
            url = _pg_url(drop)
        other = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        try:
            with other.app_context():
                yield other
                db.session.remove()
                db.engine.dispose()
        finally:
            if drop:
                _pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')

    return make


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                      "ROPA_EXPORT_DIR": str(tmp_path / "exports")})
    app.test_client_class = OwnUserClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def run_cli(app):
    """Invoke the `ropa` command line in-process against the test database."""
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def seeded(app):
    """The register with the seed loaded from data/."""
    from ropa.services.imports import load_seed

    load_seed(actor="test")
    return app


def count_rows(table: str) -> int:
    return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))


@pytest.fixture
def make_user(app):
    """A factory of users: make_user("dpo") → the User, with services for editors."""
    from ropa.enums import Role
    from ropa.services.users import create_user

    def make(role: str, email: str | None = None, services: tuple[str, ...] = ()):
        user = create_user(email or f"{role}-{next(_counter)}@example.org", Role(role), "a long test password",
                           actor="test")
        if services:
            from ropa.models import Service
            user.services = list(db.session.scalars(sa.select(Service).where(Service.name.in_(services))))
            db.session.commit()
        return user

    return make


class OwnUserClient(FlaskClient):
    """A test client whose requests load their own session's user. The tests' app context outlives each request, so
    Flask-Login's user cached in `g` would otherwise carry one client's user (and role) into another's requests."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def make_client(app, make_user):
    """A test client signed in as a new user of the given role (through Flask-Login's session keys)."""
    def make(role: str, **kwargs):
        user = make_user(role, **kwargs)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return client

    return make
