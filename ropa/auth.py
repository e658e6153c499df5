"""Sign-in plumbing: loading the user for Flask-Login, declaring the roles a route needs, and who may edit what."""

import hashlib
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, session
from flask_login import current_user, login_required, login_user

from ropa.enums import Role
from ropa.extensions import db, login_manager
from ropa.models import User

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see the register."

#: The session key holding a fingerprint of the password a session was opened with.
STAMP = "password_stamp"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user, checked on every request: a deactivated user, or a session opened before the password
    was reset, is signed out at once rather than when the session ends."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.is_active:
        return None
    if STAMP in session and session[STAMP] != password_stamp(user):
        return None
    return user


def password_stamp(user: User) -> str:
    """A fingerprint of the user's password hash (not reversible to it), kept in the session."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def start_session(user: User) -> None:
    """Sign a user in on a fresh session, so nothing set before sign-in (a planted session id) carries over."""
    session.clear()
    login_user(user)
    session[STAMP] = password_stamp(user)


def safe_next(target: str | None) -> str | None:
    """target if it is a path on this site (so a crafted link cannot send someone elsewhere after sign-in)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def can_edit_activity(user, service_name: str | None) -> bool:
    """Whether user may edit an activity of this service: admin and DPO always, an editor only for their own
    services (never an activity with no service), an auditor never."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role in (Role.ADMIN, Role.DPO):
        return True
    if user.role == Role.EDITOR and service_name:
        return any(s.name == service_name for s in user.services)
    return False


def role_required(*roles: Role) -> Callable:
    """Sign-in required; with roles, only those roles (others get 403). No roles: any signed-in user."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapped.roles = roles
        return wrapped
    return decorator
