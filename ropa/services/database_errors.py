"""What a database error means for the person who met it: the server unreachable, refusing writes, or out of disk.

The pages and the API answer these with 503 and a sentence (ropa/views/errors.py); an import that meets one fails
whole and says why (ropa/services/register.py). Any other database error is a bug and stays a 500.
"""

import sqlalchemy as sa

from ropa.exchange.problems import ImportFailed

UNAVAILABLE = "The database is unavailable; try again shortly"
READ_ONLY = "The database refused writes: it is read-only at the moment (for maintenance or a failover); " \
            "nothing was saved, try again later"
DISK_FULL = "The database refused writes: its server has run out of disk space; nothing was saved, " \
            "tell the administrator"

#: PostgreSQL SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html) by what they mean.
_READ_ONLY_STATES = {"25006"}  # read_only_sql_transaction
_DISK_FULL_STATES = {"53100"}  # disk_full


class DatabaseRefused(ImportFailed):
    """An import or a save the database refused or could not take (rolled back whole); .error is the driver's."""

    def __init__(self, problems: list, error: sa.exc.DBAPIError):
        super().__init__(problems)
        self.error = error


_UNAVAILABLE_STATES = {"57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006", "08P01"}


def explain(error: BaseException) -> str | None:
    """The sentence for a database error that is not the app's fault, or None for any other error."""
    if not isinstance(error, sa.exc.DBAPIError):
        return None
    original = error.orig
    state = getattr(original, "sqlstate", None) or getattr(getattr(original, "diag", None), "sqlstate", None)
    if state in _READ_ONLY_STATES:
        return READ_ONLY
    if state in _DISK_FULL_STATES:
        return DISK_FULL
    if state in _UNAVAILABLE_STATES or error.connection_invalidated:
        return UNAVAILABLE
    text = str(original).lower()
    if "readonly database" in text or "read-only file system" in text:  # SQLite
        return READ_ONLY
    if "database or disk is full" in text or "no space left on device" in text:
        return DISK_FULL
    if isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError)) and state is None:
        # No SQLSTATE: the driver lost or never had a connection (server stopped, restarted, unreachable).
        return UNAVAILABLE
    return None
