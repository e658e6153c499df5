"""How requests use PostgreSQL connections (ropa/connections.py): a GET reads outside a transaction, its first write
moves it into one (so what it writes is still all or nothing), and a pooled connection that sat idle and died is
replaced before a request sees it. Each request runs in its own thread and app context, as under a server: the test's
own app context would otherwise lend every request its session."""

import threading
import time

import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from ropa import connections
from ropa.extensions import db
from ropa.models import Organisation


@pytest.fixture
def pg_app(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("reads outside a transaction are for PostgreSQL; SQLite keeps its transactions")
    return app


def in_request(app, method: str, work):
    """work() in a request of its own (a new thread, a new app context, so a new session); its result or error."""
    outcome = {}

    def run():
        with app.test_request_context("/", method=method):
            try:
                outcome["value"] = work()
            except Exception as error:  # noqa: BLE001 (handed back to the test to assert on)
                outcome["error"] = error
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def transaction_status() -> TransactionStatus:
    """Whether the session's connection has a transaction open on the server right now (psycopg's own view)."""
    return db.session.connection().connection.dbapi_connection.info.transaction_status


def count(name: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation).where(Organisation.name == name))


def test_a_get_reads_with_no_transaction_open_and_any_other_method_in_one(pg_app):
    def read():
        db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
        return transaction_status()

    assert in_request(pg_app, "GET", read) == TransactionStatus.IDLE
    assert in_request(pg_app, "HEAD", read) == TransactionStatus.IDLE
    assert in_request(pg_app, "POST", read) == TransactionStatus.INTRANS


def test_a_get_that_writes_does_so_in_a_transaction_all_or_nothing(pg_app):
    def write_two_then_fail():
        db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))  # a read first, outside
        db.session.add(Organisation(name="Written in a GET, first"))
        db.session.flush()
        db.session.execute(sa.insert(Organisation).values(name="Written in a GET, second", version=1))
        status = transaction_status()
        db.session.rollback()  # what the request's end does when the handler fails before it commits
        return status

    assert in_request(pg_app, "GET", write_two_then_fail) == TransactionStatus.INTRANS
    assert count("Written in a GET, first") == 0 and count("Written in a GET, second") == 0

    def write_and_commit():
        db.session.execute(sa.insert(Organisation).values(name="Written in a GET, kept", version=1))
        db.session.commit()

    in_request(pg_app, "GET", write_and_commit)
    assert count("Written in a GET, kept") == 1


def test_a_select_for_update_in_a_get_holds_its_lock_in_a_transaction(pg_app):
    def lock():
        db.session.scalar(sa.select(Organisation.id).limit(1).with_for_update())
        return transaction_status()

    assert in_request(pg_app, "GET", lock) == TransactionStatus.INTRANS


def _kill_server_connections(app) -> None:
    """End, from another connection, every server process serving this database but that one."""
    with sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool).connect() as admin:
        killed = admin.scalar(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    assert killed, "no pooled connection to kill: the test would prove nothing"


def _read_one():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))


def test_an_idle_pooled_connection_the_server_dropped_is_replaced_before_a_request_sees_it(pg_app, monkeypatch):
    monkeypatch.setattr(connections, "PING_AFTER_IDLE", 0.2)
    db.session.remove()  # the test's own session gives its connection back to the pool too
    in_request(pg_app, "GET", _read_one)
    _kill_server_connections(pg_app)
    time.sleep(0.4)  # idle longer than PING_AFTER_IDLE: pinged, found dead, replaced
    assert in_request(pg_app, "GET", _read_one) >= 0


def test_a_connection_dropped_while_in_use_fails_one_request_then_the_pool_recovers(pg_app, monkeypatch):
    """Without the ping (a connection used a moment ago), the request that meets the dead connection fails (the
    page answers 503, tests/test_faults.py), and the pool replaces every connection it holds for the next one."""
    monkeypatch.setattr(connections, "PING_AFTER_IDLE", 3600)
    db.session.remove()
    in_request(pg_app, "GET", _read_one)
    _kill_server_connections(pg_app)
    with pytest.raises(sa.exc.OperationalError):
        in_request(pg_app, "GET", _read_one)
    assert in_request(pg_app, "GET", _read_one) >= 0
