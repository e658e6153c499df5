"""Accounts: signing in (with lock-out), users and API tokens; every change audited like any other write.

Passwords and tokens never reach the audit log: an entry says that a password was reset or a token issued, not what.
"""

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from ropa.enums import Role
from ropa.extensions import db
from ropa.models import ApiToken, AuditEntry, LoginAttempt, Service, User
from ropa.models.base import utcnow
from ropa.services import audit
from ropa.services.queries import Page
from ropa.services.records import HistoryEntry

MIN_PASSWORD = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

#: Lock-out: this many failed sign-ins within WINDOW lock an account (known or not) for LOCK_FOR ...
ACCOUNT_LIMIT, WINDOW, LOCK_FOR = 5, timedelta(minutes=15), timedelta(minutes=15)
#: ... and this many from one network address within WINDOW pause sign-in from there, whatever the account.
ADDRESS_LIMIT = 20
#: Failed sign-ins older than this are deleted: they no longer count towards any limit.
KEEP_ATTEMPTS = timedelta(days=1)


class AccountError(ValueError):
    """A request about accounts that cannot be met; the message says why, field which form field it is about."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class StaleUser(AccountError):
    """A save from a user page loaded before someone else changed that user; nothing was written."""

    def __init__(self, email: str, since: list[HistoryEntry]):
        self.since = since
        who = ", ".join(sorted({e.actor for e in since})) or "someone else"
        super().__init__(f"{email} was changed by {who} after you opened this page. Your changes have not been "
                         "saved: check what changed below, then make your change again")


# --- signing in -------------------------------------------------------------------------------------------------

@dataclass
class SignIn:
    """The outcome of a sign-in: the user, or the message to show (and until when sign-in is paused)."""

    user: User | None = None
    message: str = ""
    locked_until: datetime | None = None
    #: The password was right and the account has MFA: the sign-in is not complete until a code is given.
    needs_code: bool = False
    #: Failed attempts now counting towards the account's lock-out (told only to whoever knew the password).
    failures: int = 0
    #: A recovery code was used: the user is told how many are left.
    used_recovery: bool = False


WRONG = "The email address or password is not right"
WRONG_CODE = "That code is not right"
DEACTIVATED = "This account has been deactivated. Ask an administrator if you still need access"
_dummy_hash: list[str] = []


def sign_in(email: str, password: str, address: str, *, now: datetime | None = None) -> SignIn:
    """Check a sign-in against the lock-outs and the password; record a failure, reset the count on success.

    Unknown addresses are locked by the same rule as real accounts (from the failed attempts alone), so neither the
    message nor the lock-out says whether an account exists."""
    now, email, address = now or utcnow(), email.strip().lower(), (address or "unknown")[:64]
    if paused := _address_paused_until(address, now):
        return SignIn(message=_paused(paused, now, "from your network address"), locked_until=paused)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    locked = user.locked_until if user is not None else _lock_end(_failures(email, now))
    if locked is not None and locked > now:
        _record_failure(email, address, now)
        db.session.commit()
        return SignIn(message=_paused(locked, now), locked_until=locked)
    if not _dummy_hash:
        _dummy_hash.append(generate_password_hash(secrets.token_hex(8)))
    # An unknown email costs the same hashing time as a real one, so timing does not tell them apart either.
    right = check_password_hash(user.password_hash if user is not None else _dummy_hash[0], password)
    if user is not None and right:
        if not user.active:
            return SignIn(message=DEACTIVATED)
        # With MFA the password alone is half a sign-in: the failure count stands until the code is right too, so
        # someone who has the password cannot reset it between guesses of the code.
        return _signed_in(user, password, complete=not user.mfa_enabled)
    _record_failure(email, address, now)
    locked = _count_failure(user, now) if user is not None else _lock_end(_failures(email, now))
    paused = _address_paused_until(address, now)
    db.session.commit()
    if locked is not None and locked > now:
        return SignIn(message=_paused(locked, now), locked_until=locked)
    if paused:
        return SignIn(message=_paused(paused, now, "from your network address"), locked_until=paused)
    return SignIn(message=WRONG)


def _signed_in(user: User, password: str, complete: bool = True) -> SignIn:
    values: dict = {}
    if complete and (user.failed_logins or user.locked_until):
        values.update(failed_logins=0, locked_until=None)
    if not user.password_hash.startswith("scrypt:"):  # an older hash: upgrade it now the password is known
        values["password_hash"] = generate_password_hash(password)
    if values:
        _set_quietly(user, **values)
    db.session.commit()
    return SignIn(user=user, needs_code=not complete, failures=user.failed_logins)


def sign_in_code(user_id: int, code: str, address: str, *, now: datetime | None = None) -> SignIn:
    """The second step of a sign-in with MFA: a TOTP code (each accepted once) or an unused recovery code (then used
    up). A wrong code counts towards the same lock-outs as a wrong password."""
    from ropa.services import mfa

    now, address = now or utcnow(), (address or "unknown")[:64]
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.mfa_enabled:
        return SignIn(message="Sign in again: your sign-in could not be completed")
    if paused := _address_paused_until(address, now):
        return SignIn(message=_paused(paused, now, "from your network address"), locked_until=paused)
    if user.locked_until is not None and user.locked_until > now:
        _record_failure(user.email, address, now)
        db.session.commit()
        return SignIn(message=_paused(user.locked_until, now), locked_until=user.locked_until)
    kind = mfa.accept_code(user, code)
    if kind is not None:
        if user.failed_logins or user.locked_until:
            _set_quietly(user, failed_logins=0, locked_until=None)
        if kind == "recovery":
            mfa.note_recovery_code_used(user)
        db.session.commit()
        return SignIn(user=user, used_recovery=kind == "recovery")
    _record_failure(user.email, address, now)
    locked = _count_failure(user, now)
    paused = _address_paused_until(address, now)
    db.session.commit()
    if locked is not None and locked > now:
        return SignIn(message=_paused(locked, now), locked_until=locked, failures=user.failed_logins)
    if paused:
        return SignIn(message=_paused(paused, now, "from your network address"), locked_until=paused)
    return SignIn(message=WRONG_CODE, failures=user.failed_logins)


def change_password(user: User, current: str, new: str, address: str, *, now: datetime | None = None) -> None:
    """A user changes their own password: the current one must be right (a wrong one counts towards the lock-out,
    so an unattended session cannot be used to guess it), the new one must follow the rules. Audited; the user's
    other sessions end (their password stamp no longer matches)."""
    now = now or utcnow()
    if user.is_sso:
        raise AccountError("You sign in with single sign-on, so there is no ropa password to change")
    if not check_password_hash(user.password_hash, current):
        _record_failure(user.email, (address or "unknown")[:64], now)
        _count_failure(user, now)
        db.session.commit()
        raise AccountError("Your current password is not right", "current")
    _check_password(new)
    if check_password_hash(user.password_hash, new):
        raise AccountError("the new password is the same as the current one: choose a different one", "password")
    user.password_hash = generate_password_hash(new)
    audit.append([audit.Change(user.email, "update", "user", user.email,
                               {"password": ["(previous)", "(changed by its owner)"]})])
    db.session.commit()


def _set_quietly(user: User, **values) -> None:
    """Sign-in bookkeeping, written without bumping the user's version: it is not an edit an admin could clash with."""
    db.session.execute(sa.update(User).where(User.id == user.id).values(**values)
                       .execution_options(synchronize_session=False))
    for name, value in values.items():
        set_committed_value(user, name, value)


def _record_failure(email: str, address: str, now: datetime) -> None:
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_ATTEMPTS))
    db.session.add(LoginAttempt(email=email[:320], address=address, at=now))
    db.session.flush()


def _count_failure(user: User, now: datetime) -> datetime | None:
    """Count a failed sign-in against the account; lock it at the limit. Failures before the last lock ended, before
    the last successful sign-in (failed_logins was reset) or outside the window do not count."""
    since = max(now - WINDOW, user.locked_until or datetime.min)
    recent = db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)
                               .where(LoginAttempt.email == user.email, LoginAttempt.at > since))
    failed = min(user.failed_logins + 1, recent)
    locked = now + LOCK_FOR if failed >= ACCOUNT_LIMIT else user.locked_until
    _set_quietly(user, failed_logins=failed, locked_until=locked)
    return locked


def _failures(email: str, now: datetime) -> list[datetime]:
    query = (sa.select(LoginAttempt.at).where(LoginAttempt.email == email, LoginAttempt.at > now - 4 * WINDOW)
             .order_by(LoginAttempt.at.desc()).limit(500))
    return sorted(db.session.scalars(query))


def _lock_end(failures: Sequence[datetime]) -> datetime | None:
    """The end of the lock the account rule gives for these failures (oldest first), replayed as _count_failure
    would have applied them: what an account that does not exist looks like from outside."""
    end, counted = None, []
    for at in failures:
        if end is not None and at < end:
            continue  # attempts while locked do not count
        counted = [t for t in counted if t > at - WINDOW] + [at]
        if len(counted) >= ACCOUNT_LIMIT:
            end, counted = at + LOCK_FOR, []
    return end


def _address_paused_until(address: str, now: datetime) -> datetime | None:
    """While ADDRESS_LIMIT failures from this address fall within the window: when the oldest of them leaves it."""
    query = (sa.select(LoginAttempt.at).where(LoginAttempt.address == address, LoginAttempt.at > now - WINDOW)
             .order_by(LoginAttempt.at.desc()).offset(ADDRESS_LIMIT - 1).limit(1))
    oldest = db.session.scalar(query)
    return oldest + WINDOW if oldest is not None else None


def _paused(until: datetime, now: datetime, whence: str = "") -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    when = f"Try again after {until:%H:%M} UTC (in {minutes} minute{'s' if minutes != 1 else ''})"
    if whence:  # an administrator cannot lift a pause on an address, so do not send people to one
        return f"There have been too many failed sign-ins {whence}, so signing in from it is paused. {when}"
    return f"There have been too many failed sign-ins, so signing in is paused. {when}, or ask an administrator"


# --- reading ----------------------------------------------------------------------------------------------------

def user_page(after: str = "", size: int = 50) -> Page:
    """Users in email order, a page at a time (keyset on email), with their services loaded."""
    query = sa.select(User).options(selectinload(User.services)).order_by(User.email).limit(size + 1)
    if after:
        query = query.where(User.email > after)
    rows = list(db.session.scalars(query))
    return Page(rows[:size], rows[size - 1].email if len(rows) > size else None, bool(after))


def get_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower())
                             .options(selectinload(User.services)))


def service_names() -> list[str]:
    """Every service's name, for choosing an editor's services."""
    return list(db.session.scalars(sa.select(Service.name).order_by(Service.name)))


def user_tokens(user: User) -> list[ApiToken]:
    """A user's API tokens, newest first (revoked ones too: they are part of the record)."""
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def user_history(email: str, after: int = 0, limit: int = 50) -> list[HistoryEntry]:
    """The audit entries about a user (and their tokens), newest first."""
    query = (sa.select(AuditEntry).where(sa.or_(
                sa.and_(AuditEntry.entity_type == "user", AuditEntry.entity_key == email),
                sa.and_(AuditEntry.entity_type == "api token", AuditEntry.entity_key.startswith(f"{email} / "))),
             AuditEntry.id > after).order_by(AuditEntry.id.desc()).limit(limit))
    return [HistoryEntry(e.at, e.actor, e.action, json.loads(e.changes)) for e in db.session.scalars(query)]


# --- changing ---------------------------------------------------------------------------------------------------

def create_user(email: str, role: Role, password: str, *, actor: str, name: str = "",
                services: Iterable[str] = ()) -> User:
    """Add a user with a hashed password; the password itself is never stored or audited."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"'{email}' is not an email address", "email")
    _check_password(password)
    if db.session.scalar(sa.select(User).where(User.email == email)):
        raise AccountError(f"a user with email {email} already exists", "email")
    chosen = _services(services) if role == Role.EDITOR else []
    user = User(email=email, role=role, name=name.strip(), password_hash=generate_password_hash(password),
                services=chosen)
    db.session.add(user)
    changes = {"role": [None, role.value], "name": [None, user.name]}
    if chosen:
        changes["services"] = [None, [s.name for s in chosen]]
    audit.append([audit.Change(actor, "create", "user", email, changes)])
    db.session.commit()
    return user


def update_user(email: str, *, name: str, role: Role, services: Iterable[str], active: bool, actor: str,
                expected_version: int | None = None, loaded_at: int = 0) -> dict:
    """Change a user's name, role, services or whether they may sign in; return the changes (field: [before, after]).

    An admin cannot demote or deactivate themselves, so the register always keeps an admin who can undo mistakes.
    Deactivating also revokes the user's API tokens."""
    user = _user(email)
    if expected_version is not None and user.version != expected_version:
        raise StaleUser(user.email, user_history(user.email, after=loaded_at))
    if user.email == actor and role != user.role:
        raise AccountError("You cannot change your own role: ask another administrator", "role")
    if user.email == actor and not active:
        raise AccountError("You cannot deactivate your own account: ask another administrator", "active")
    chosen = _services(services) if role == Role.EDITOR else []
    before = {"name": user.name, "role": user.role.value, "services": sorted(s.name for s in user.services),
              "active": user.active}
    after = {"name": name.strip(), "role": role.value, "services": sorted(s.name for s in chosen), "active": active}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return {}
    user.name, user.role, user.services, user.active = after["name"], role, chosen, active
    entries = [audit.Change(actor, "update", "user", user.email, changes)]
    if not active:
        entries += _revoke_all(user, actor)
    audit.append(entries)
    db.session.commit()
    return changes


def reset_password(email: str, *, actor: str) -> str:
    """Give a user a new generated password (returned to be shown once) and lift any lock-out."""
    user = _user(email)
    password = generate_password()
    user.password_hash = generate_password_hash(password)
    changes = {"password": ["(previous)", "(reset: a new one was generated)"]}
    if user.failed_logins or user.locked_until:
        changes["locked_until"] = [_iso(user.locked_until), None]
        user.failed_logins, user.locked_until = 0, None
    audit.append([audit.Change(actor, "update", "user", user.email, changes)])
    db.session.commit()
    return password


def unlock_user(email: str, *, actor: str) -> bool:
    """Lift a lock-out early (say, once the owner has confirmed it was them); False when there was none."""
    user = _user(email)
    if not user.locked_until and not user.failed_logins:
        return False
    audit.append([audit.Change(actor, "update", "user", user.email,
                               {"locked_until": [_iso(user.locked_until), None],
                                "failed_logins": [user.failed_logins, 0]})])
    user.failed_logins, user.locked_until = 0, None
    db.session.commit()
    return True


def create_token(email: str, name: str, *, actor: str) -> str:
    """Issue an API token for a user; returns the token, which is shown once and stored only as its SHA-256."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise AccountError(f"no user with email {email}")
    name = name.strip()
    if not name or len(name) > 200:
        raise AccountError("give the token a name of up to 200 characters saying what it is for", "name")
    if not user.active:
        raise AccountError(f"{user.email} is deactivated: reactivate the account before issuing a token")
    token = "ropa_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name, token_hash=hash_token(token)))
    audit.append([audit.Change(actor, "create", "api token", f"{user.email} / {name}", {"name": [None, name]})])
    db.session.commit()
    return token


def revoke_token(email: str, token_id: int, *, actor: str) -> ApiToken:
    """Stop a token working from now on; the row stays, so the record shows it existed and when it stopped."""
    user = _user(email)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None:
        raise LookupError(f"{user.email} has no token {token_id}")
    if token.revoked_at is None:
        audit.append(_revoke_all(user, actor, [token]))
        db.session.commit()
    return token


def _revoke_all(user: User, actor: str, tokens: list[ApiToken] | None = None) -> list[audit.Change]:
    now, changes = utcnow(), []
    for token in tokens if tokens is not None else user_tokens(user):
        if token.revoked_at is None:
            token.revoked_at = now
            changes.append(audit.Change(actor, "update", "api token", f"{user.email} / {token.name}",
                                        {"revoked_at": [None, _iso(now)]}))
    return changes


def touch_token(token: str, *, now: datetime | None = None) -> User | None:
    """The active user a bearer token belongs to (None if unknown, revoked or the user is deactivated), noting when
    the token was last used. That note is bookkeeping, not an edit: no audit entry, at most one write a minute."""
    now = now or utcnow()
    found = db.session.execute(sa.select(ApiToken.id, ApiToken.last_used_at, User)
                               .join(User, ApiToken.user_id == User.id)
                               .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))).first()
    if found is None or not found.User.active:
        return None
    if found.last_used_at is None or found.last_used_at < now - timedelta(minutes=1):
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == found.id).values(last_used_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
    return found.User


def hash_token(token: str) -> str:
    """The SHA-256 a token is stored (and looked up) as."""
    return hashlib.sha256(token.encode()).hexdigest()


def generate_password() -> str:
    """A random password of 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters", "password")


def _user(email: str) -> User:
    user = get_user(email)
    if user is None:
        raise LookupError(f"no user with email {email}")
    return user


def _services(names: Iterable[str]) -> list[Service]:
    names = sorted(set(names))
    found = list(db.session.scalars(sa.select(Service).where(Service.name.in_(names)).order_by(Service.name)))
    if missing := sorted(set(names) - {s.name for s in found}):
        raise AccountError(f"no service named {', '.join(missing)}", "services")
    return found


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None

