"""Sign-in plumbing: loading the user for Flask-Login and declaring the roles a route needs."""

from collections.abc import Callable
from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required
from werkzeug.security import check_password_hash

from ropa.enums import Role
from ropa.extensions import db, login_manager
from ropa.models import User

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see the register."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


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
