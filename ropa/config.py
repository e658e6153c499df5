"""Configuration from ROPA_* environment variables, with safe defaults kept in the instance folder."""

import os
import secrets
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"


def database_url(instance_path: str) -> str:
    """ROPA_DATABASE_URL, or a SQLite file in the instance folder; postgresql:// URLs use psycopg 3."""
    url = os.environ.get("ROPA_DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'ropa.db'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def secret_key(instance_path: str) -> str:
    """ROPA_SECRET_KEY, or a random key generated once and kept (mode 600) in the instance folder."""
    if key := os.environ.get("ROPA_SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        # Written whole under a temporary name, then linked into place: two processes starting at once both end up
        # reading the one key that won, and neither can read a key file that is still being written.
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def settings(instance_path: str) -> dict:
    # ROPA_HTTPS=1: the app is served over HTTPS (directly or behind a TLS-terminating proxy), so the session and
    # remember-me cookies are marked Secure and never sent over plain HTTP. Leave it unset for http://127.0.0.1.
    # ROPA_BEHIND_PROXY=1: one reverse proxy sits in front; trust its X-Forwarded-For (the address sign-in limits
    # count) and X-Forwarded-Proto. Without it those headers are ignored, as any client could send them.
    https = os.environ.get("ROPA_HTTPS") == "1"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SECRET_KEY": secret_key(instance_path),
        "ROPA_EXPORT_DIR": os.environ.get("ROPA_EXPORT_DIR", str(PROJECT_ROOT / "exports")),
        # Finished jobs and their files are removed by `ropa sweep` after this many days.
        "ROPA_JOB_RETENTION_DAYS": _int("ROPA_JOB_RETENTION_DAYS", 30),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "ROPA_BEHIND_PROXY": os.environ.get("ROPA_BEHIND_PROXY") == "1",
        # Pooled connections are pinged when they have sat idle (ropa/connections.py), not at every checkout.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # ROPA_FINDINGS_SYNC=1: a page or API call that finds the stored findings stale refreshes them before it
        # answers (the test suite; slow on a large register). Unset: a background refresher does it, and pages say
        # the findings are being brought up to date meanwhile.
        "ROPA_FINDINGS_SYNC": os.environ.get("ROPA_FINDINGS_SYNC") == "1",
        # Where the background refresh runs: "process" (a child `ropa refresh-findings`, the default: it holds
        # neither the worker's GIL nor, afterwards, its memory) or "thread" (in the worker itself).
        "ROPA_FINDINGS_REFRESH_IN": os.environ.get("ROPA_FINDINGS_REFRESH_IN", "process"),
        # Imports from the web app and the API: the largest upload, the most records one import may hold, and the
        # size above which preview and confirm run as a background job with progress.
        "ROPA_IMPORT_MAX_BYTES": _int("ROPA_IMPORT_MAX_BYTES", 50 * 2**20),
        "ROPA_IMPORT_MAX_RECORDS": _int("ROPA_IMPORT_MAX_RECORDS", 200_000),
        "ROPA_IMPORT_JOB_ROWS": _int("ROPA_IMPORT_JOB_ROWS", 2_000),
        "ROPA_IMPORT_JOB_BYTES": _int("ROPA_IMPORT_JOB_BYTES", 5 * 2**20),
        "MAX_CONTENT_LENGTH": _int("ROPA_IMPORT_MAX_BYTES", 50 * 2**20) + 2**20,  # the form's own bytes on top
        # Sign-in: roles whose local accounts must set up TOTP (comma-separated, e.g. "admin,dpo"), and OpenID
        # Connect single sign-on beside local passwords (on when ROPA_OIDC_ISSUER is set; README "Single sign-on").
        "ROPA_MFA_REQUIRED_ROLES": os.environ.get("ROPA_MFA_REQUIRED_ROLES", ""),
        "ROPA_OIDC_ISSUER": os.environ.get("ROPA_OIDC_ISSUER", ""),
        "ROPA_OIDC_CLIENT_ID": os.environ.get("ROPA_OIDC_CLIENT_ID", ""),
        "ROPA_OIDC_CLIENT_SECRET": os.environ.get("ROPA_OIDC_CLIENT_SECRET", ""),
        "ROPA_OIDC_ROLE_CLAIM": os.environ.get("ROPA_OIDC_ROLE_CLAIM", "roles"),
        "ROPA_OIDC_ROLE_MAP": os.environ.get("ROPA_OIDC_ROLE_MAP", ""),
        "ROPA_OIDC_NAME": os.environ.get("ROPA_OIDC_NAME", "Microsoft"),
        "ROPA_OIDC_LINK_BY_EMAIL": os.environ.get("ROPA_OIDC_LINK_BY_EMAIL") == "1",
    }


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() else default
