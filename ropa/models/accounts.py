"""People who use the register and their API tokens."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ropa.extensions import db
from ropa.models.base import Versioned, enum_type, link_table, utcnow
from ropa.enums import Role
from ropa.models.parties import Service

user_services = link_table("user_services", "users.id", "services.id")


class User(UserMixin, Versioned, db.Model):
    __tablename__ = "users"
    #: A user who signs in with single sign-on is known by their identity provider's issuer and subject.
    __table_args__ = (sa.UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300), default="")
    role: Mapped[Role] = mapped_column(enum_type(Role))
    password_hash: Mapped[str] = mapped_column(sa.String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)
    #: Services an editor may edit.
    services: Mapped[list[Service]] = relationship(secondary=user_services)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The TOTP secret, encrypted (Fernet, keyed from the app's secret key); None until MFA is set up.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(300))
    #: The last TOTP time step accepted, so the same code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    mfa_enabled_at: Mapped[datetime | None] = mapped_column()
    #: Single sign-on: the OpenID Connect issuer and subject this user signs in as (None for local accounts).
    oidc_issuer: Mapped[str | None] = mapped_column(sa.String(500))
    oidc_subject: Mapped[str | None] = mapped_column(sa.String(255))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def mfa_enabled(self) -> bool:
        return self.totp_secret is not None

    @property
    def is_sso(self) -> bool:
        return self.oidc_subject is not None


class RecoveryCode(db.Model):
    """A one-time code that stands in for a TOTP code (a lost phone); only a salted hash is stored."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(200))
    used_at: Mapped[datetime | None] = mapped_column()


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    user: Mapped[User] = relationship()
    name: Mapped[str] = mapped_column(sa.String(200))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class LoginAttempt(db.Model):
    """A failed sign-in, kept to rate-limit guessing per account and per address."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), index=True)
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
