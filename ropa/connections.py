"""How the app uses its PostgreSQL connections: a GET reads outside a transaction, and a pooled connection is pinged
only after it has sat idle.

A transaction costs two round trips of its own (psycopg sends BEGIN before the first statement, and every request
ends with a ROLLBACK), and pinging every connection as it leaves the pool (SQLAlchemy's pool_pre_ping) a third: for
a page of five or six queries that was a third of its round trips, and measured under load a fifth of the server's
reads per second. Neither buys a GET anything:

- Under READ COMMITTED (PostgreSQL's default, and ropa's) every statement takes its own snapshot, in a transaction or
  not, so a GET's reads see exactly what they would see in one. The first write of such a request (an ORM flush, any
  statement that is not a plain SELECT, a SELECT ... FOR UPDATE) moves the session onto a transactional connection
  for the rest of the request, so what a GET writes (a token's last use, a stale findings refresh) stays atomic.
  Other methods, and sessions outside a request (the refresher, the job runner, the command line), are unchanged.
- A connection in use a moment ago is alive unless the server went away meanwhile, and then the request fails with
  the usual 503 and SQLAlchemy replaces every connection the pool holds. One that sat idle longer than
  PING_AFTER_IDLE seconds (a proxy or firewall may have cut it, the server may have restarted unseen) is pinged as it
  leaves the pool, and replaced if it does not answer, as pool_pre_ping would.
"""

import time
import weakref

import sqlalchemy as sa
from flask import has_request_context, request
from flask_sqlalchemy.session import Session

READING = "ropa: reads outside a transaction"  # the session.info key: True, False, or absent (not decided yet)
SAFE_METHODS = ("GET", "HEAD")
PING_AFTER_IDLE = 1.0  # seconds

_autocommit_of: "weakref.WeakKeyDictionary[sa.Engine, sa.Engine]" = weakref.WeakKeyDictionary()


class RegisterSession(Session):
    """Flask-SQLAlchemy's session, bound to an autocommit view of the engine while a GET on PostgreSQL only reads."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if bind is not None or not isinstance(engine, sa.Engine):
            return engine
        reading = self.info.get(READING)
        if reading is None:  # decided once per session, by the first statement: never two connections to start
            reading = self.info[READING] = (engine.dialect.name == "postgresql" and has_request_context()
                                            and request.method in SAFE_METHODS)
        return _autocommit(engine) if reading else engine


def _autocommit(engine: sa.Engine) -> sa.Engine:
    found = _autocommit_of.get(engine)
    if found is None:  # two threads may both make one: equivalent views of the same pool
        found = _autocommit_of[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found


@sa.event.listens_for(RegisterSession, "do_orm_execute")
def _writes_in_a_transaction(state) -> None:
    if not state.is_select or _locks(state.statement):  # also before the first statement has decided
        state.session.info[READING] = False


@sa.event.listens_for(RegisterSession, "before_flush")
def _flushes_in_a_transaction(session, _flush_context, _instances) -> None:
    session.info[READING] = False


def _locks(statement) -> bool:
    return getattr(statement, "_for_update_arg", None) is not None


def ping_when_idle(engine: sa.Engine) -> None:
    """Ping a pooled connection as it is checked out only if it sat idle in the pool over PING_AFTER_IDLE seconds;
    one that does not answer is replaced (the pool tries again with a new connection)."""

    @sa.event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _taken(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at <= PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # whatever the driver raises for a dead connection: replace it
            raise sa.exc.DisconnectionError(f"a pooled connection idle for a while did not answer: {error}") from error
