"""Readiness: whether this process can serve the register — the database answers, and its schema is the code's.

`ropa init-db` builds every database through the Alembic migrations (the SQLite default included), so a database the
app can use always has an alembic_version row equal to the head of migrations/.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from flask import current_app

from ropa.extensions import db


@dataclass(frozen=True)
class Readiness:
    ready: bool
    revision: str | None = None  # the database's revision when it has one
    reason: str = ""  # why not, in words, with what to do


@lru_cache(maxsize=4)
def code_heads(directory: str) -> tuple[str, ...]:
    """The head revision(s) of the migrations/ script directory (read once per process: the code cannot change)."""
    return tuple(sorted(ScriptDirectory(directory).get_heads()))


def readiness() -> Readiness:
    """SELECT 1 on the database, then its alembic_version against the code's migration head."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not url.database.startswith("file:") and not Path(url.database).exists():
        # Connecting would create an empty file; say what is missing instead.
        return Readiness(False, reason=f"database unreachable: no SQLite file at {url.database}; run `ropa init-db`")
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            database = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    except sa.exc.SQLAlchemyError as exc:
        return Readiness(False, reason=f"database unreachable: {_first_line(exc)}")
    code = code_heads(current_app.extensions["migrate"].directory)
    at = ", ".join(database)
    if database == code:
        return Readiness(True, revision=at)
    if not database:
        return Readiness(False, reason="migrations not applied: the database has no alembic_version "
                                       f"(code at {', '.join(code)}); run `ropa init-db`")
    known = ScriptDirectory(current_app.extensions["migrate"].directory)
    unknown = [rev for rev in database if _unknown(known, rev)]
    if unknown:
        return Readiness(False, revision=at, reason=f"migrations not at head: database at {at}, which this code does "
                                                    f"not know (code at {', '.join(code)}); deploy the release that "
                                                    "migrated it")
    return Readiness(False, revision=at, reason=f"migrations not at head: database at {at}, code at "
                                                f"{', '.join(code)}; run `ropa init-db` (or `ropa db upgrade`)")


def _unknown(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is None
    except (CommandError, RevisionError):  # alembic's words for a revision it has no file for
        return True


def _first_line(exc: BaseException) -> str:
    """The driver's own words (psycopg's, sqlite3's), without SQLAlchemy's statement echo and help link."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip() or type(cause).__name__
    return text.splitlines()[0].strip()
