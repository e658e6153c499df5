"""Accounts: creating users and API tokens, audited like every other write."""

import hashlib
import re
import secrets

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from ropa.enums import Role
from ropa.extensions import db
from ropa.models import ApiToken, User
from ropa.services import audit

MIN_PASSWORD = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class AccountError(ValueError):
    """A request about accounts that cannot be met; the message says why."""


def create_user(email: str, role: Role, password: str, *, actor: str, name: str = "") -> User:
    """Add a user with a hashed password; the password itself is never stored or audited."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"'{email}' is not an email address")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters")
    if db.session.scalar(sa.select(User).where(User.email == email)):
        raise AccountError(f"a user with email {email} already exists")
    user = User(email=email, role=role, name=name, password_hash=generate_password_hash(password))
    db.session.add(user)
    audit.append([audit.Change(actor, "create", "user", email, {"role": [None, role.value], "name": [None, name]})])
    db.session.commit()
    return user


def create_token(email: str, name: str, *, actor: str) -> str:
    """Issue an API token for a user; returns the token, which is shown once and stored only as a hash."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise AccountError(f"no user with email {email}")
    token = "ropa_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name, token_hash=hashlib.sha256(token.encode()).hexdigest()))
    audit.append([audit.Change(actor, "create", "api token", f"{user.email} / {name}", {"name": [None, name]})])
    db.session.commit()
    return token


def generate_password() -> str:
    return secrets.token_urlsafe(15)
