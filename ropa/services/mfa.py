"""TOTP multi-factor authentication: secrets (kept encrypted), codes (each accepted once), recovery codes (kept
hashed), and which roles must use it. Every change to whether a user has MFA is audited; the secret never is."""

import base64
import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

import pyotp
import qrcode
import qrcode.image.svg
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ropa.enums import Role
from ropa.extensions import db
from ropa.models import RecoveryCode, User
from ropa.models.base import utcnow
from ropa.services import audit

ISSUER = "ropa"
RECOVERY_CODES = 10
#: Codes of the time step before and after the current one are accepted too (clocks drift, people are slow).
DRIFT = 1
#: Recovery codes have about 50 bits of randomness, so a quick salted hash is enough (checking ten stays fast).
_RECOVERY_HASH = "pbkdf2:sha256:20000"


# --- secrets -----------------------------------------------------------------------------------------------------

def new_secret() -> str:
    return pyotp.random_base32()


def seal(secret: str) -> str:
    """The secret encrypted with a key derived from the app's secret key (so a copy of the database alone, or of
    the session cookie, does not give it away)."""
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str | None:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"ropa totp secret\0" + str(current_app.config["SECRET_KEY"]).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def provisioning_uri(email: str, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(text: str) -> str:
    """A QR code of text as an SVG element, drawn here (no image library, nothing fetched by the browser)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def matching_step(secret: str, code: str, at: datetime | None = None) -> int | None:
    """The time step whose code this is (within DRIFT of at, an aware time; default now), or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at or datetime.now(UTC))
    for step in range(current - DRIFT, current + DRIFT + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


# --- who must use it ---------------------------------------------------------------------------------------------

def required_roles() -> set[Role]:
    """The roles ROPA_MFA_REQUIRED_ROLES names (unknown names are refused when the app starts)."""
    return parse_roles(current_app.config.get("ROPA_MFA_REQUIRED_ROLES", ""))


def parse_roles(text: str) -> set[Role]:
    names = [n.strip().lower() for n in (text or "").split(",") if n.strip()]
    unknown = sorted(set(names) - {r.value for r in Role})
    if unknown:
        raise ValueError(f"ROPA_MFA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)} "
                         f"(the roles are {', '.join(r.value for r in Role)})")
    return {Role(n) for n in names}


def must_enrol(user: User) -> bool:
    """A local account of a role that must use MFA, without it yet. (Single sign-on users prove a second factor to
    their identity provider, which is where that policy belongs.)"""
    return not user.is_sso and not user.mfa_enabled and user.role in required_roles()


# --- codes -------------------------------------------------------------------------------------------------------

def accept_code(user: User, code: str, at: datetime | None = None) -> str | None:
    """Whether code is a current TOTP code of this user not used before ("totp"), or one of their unused recovery
    codes ("recovery", now used up); None otherwise. Either is consumed in the caller's transaction, conditionally,
    so two requests with the same code cannot both succeed."""
    secret = unseal(user.totp_secret) if user.totp_secret else None
    if secret is None:
        return None
    step = matching_step(secret, code, at)
    if step is not None:
        taken = db.session.execute(
            sa.update(User).where(User.id == user.id,
                                  sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
        return "totp" if taken else None
    typed = _normalise(code)
    if len(typed) != 12:
        return None
    for row in db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                                RecoveryCode.used_at.is_(None))):
        if check_password_hash(row.code_hash, typed):
            used = db.session.execute(sa.update(RecoveryCode).where(RecoveryCode.id == row.id,
                                                                    RecoveryCode.used_at.is_(None))
                                      .values(used_at=utcnow())).rowcount
            return "recovery" if used else None
    return None


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def _normalise(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def _new_recovery_codes() -> list[str]:
    """Ten codes like 'k3f9-x2m4-q8td' (12 characters of a 32-letter alphabet without look-alikes)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


# --- changing ----------------------------------------------------------------------------------------------------

class MfaError(ValueError):
    """A request about MFA that cannot be met; the message says why."""


def enrol(user: User, secret: str, code: str, *, actor: str) -> list[str]:
    """Turn MFA on with this secret once the user has typed a code from it; return the recovery codes (shown once:
    only their hashes are kept)."""
    if user.is_sso:
        raise MfaError("You sign in with single sign-on: multi-factor authentication is set by your organisation")
    if user.mfa_enabled:
        raise MfaError("Multi-factor authentication is already on. Turn it off first to set it up again")
    step = matching_step(secret, code)
    if step is None:
        raise MfaError("That code is not right. Type the 6-digit code your authenticator app shows now")
    user.totp_secret, user.totp_last_step, user.mfa_enabled_at = seal(secret), step, utcnow()
    codes = _new_recovery_codes()
    _replace_recovery_codes(user, codes)
    audit.append([audit.Change(actor, "update", "user", user.email,
                               {"mfa": ["off", "on"], "recovery_codes": [None, f"{len(codes)} issued"]})])
    db.session.commit()
    return codes


def disable(user: User, *, actor: str, reason: str) -> bool:
    """Turn MFA off (the user, having typed a current code; or an administrator resetting it); False if it was off.
    A role that requires MFA is sent to set it up again at the next request."""
    if not user.mfa_enabled:
        return False
    user.totp_secret, user.totp_last_step, user.mfa_enabled_at = None, None, None
    _replace_recovery_codes(user, ())
    audit.append([audit.Change(actor, "update", "user", user.email, {"mfa": ["on", f"off ({reason})"]})])
    db.session.commit()
    return True


def note_recovery_code_used(user: User) -> None:
    """Audit a recovery code standing in for a TOTP code (in the caller's transaction)."""
    audit.append([audit.Change(user.email, "update", "user", user.email,
                               {"recovery_codes": ["(one unused)", "one used to sign in"]})])


def _replace_recovery_codes(user: User, codes: Iterable[str]) -> None:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=generate_password_hash(_normalise(c),
                                                                                      method=_RECOVERY_HASH))
                       for c in codes)
