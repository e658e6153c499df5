"""Multi-factor authentication (TOTP) for local accounts: setting it up, the two-step sign-in, codes used once,
recovery codes, wrong codes counted toward the lock-out like wrong passwords, roles that must use it, turning it off
(by its owner with a code, by an administrator, from the command line), and changing one's own password."""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from ropa import create_app
from ropa.extensions import db
from ropa.models import AuditEntry, RecoveryCode, User
from ropa.services.users import ACCOUNT_LIMIT

PASSWORD = "a long test password"  # what make_user gives everyone


@pytest.fixture
def app(app):
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF on every form is checked in tests/test_route_roles.py
    return app


def login(client, email, password=PASSWORD, address="127.0.0.1"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def code_step(client, code, address="127.0.0.1"):
    return client.post("/login/code", data={"code": code}, environ_base={"REMOTE_ADDR": address})


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def enrol(client) -> tuple[str, list[str]]:
    """Set up MFA through the pages as a person would: read the key, type the app's code; return (key, codes)."""
    page = client.get("/account/mfa")
    assert page.status_code == 200
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page.get_data(as_text=True)).group(1)
    done = client.post("/account/mfa", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "shown only this once" in text(done)
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))
    return secret, codes


def next_code(secret: str) -> str:
    """The code of the next 30-second step (accepted, as clocks drift): the current one was used to set up."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def time_passes(user: User) -> None:
    """As if the code last accepted were from long ago, so the current code may be used again."""
    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=1))
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def enrolled(app, make_user):
    """A DPO with MFA on, signed in on a client of their own: (user, client, key, recovery codes)."""
    user = make_user("dpo")
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    secret, codes = enrol(client)
    db.session.expire_all()
    return user, client, secret, codes


def test_setting_up_shows_a_qr_code_and_the_key_then_recovery_codes_once(app, make_user):
    user = make_user("editor")
    client = app.test_client()
    login(client, user.email)
    page = client.get("/account/mfa")
    body = page.get_data(as_text=True)
    assert '<svg' in body and 'aria-label="QR code' in body  # drawn on the server, inline
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', body).group(1)
    wrong = client.post("/account/mfa", data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert wrong.status_code == 422 and "That code is not right" in text(wrong)
    assert secret in wrong.get_data(as_text=True)  # the same key again, so the app need not be set up twice
    db.session.expire_all()
    assert not db.session.get(User, user.id).mfa_enabled

    done = client.post("/account/mfa", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.mfa_enabled and secret not in stored.totp_secret  # kept encrypted
    hashes = db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(hashes) == 10 and not any(c.replace("-", "") in h or c in h for c in codes for h in hashes)
    # Never shown again: setting up sends you back, the account page shows neither the key nor the codes.
    again = client.get("/account/mfa")
    assert again.status_code == 302 and again.location.endswith("/account")
    account = client.get("/account").get_data(as_text=True)
    assert secret not in account and codes[0] not in account and "10 unused recovery codes" in account
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_key == user.email)
                               .order_by(AuditEntry.id.desc())).first()
    assert '"mfa": ["off", "on"]' in entry.changes and secret not in entry.changes


def test_signing_in_takes_the_password_then_the_code(enrolled, app):
    user, _, secret, _ = enrolled
    client = app.test_client()
    first = login(client, user.email)
    assert first.status_code == 302 and first.location.endswith("/login/code")
    assert not signed_in(client)  # the password alone is not enough
    assert code_step(client, next_code(secret)).status_code == 302
    assert signed_in(client)


def test_a_code_is_accepted_only_once(enrolled, app):
    user, _, secret, _ = enrolled
    code = next_code(secret)
    client = app.test_client()
    login(client, user.email)
    assert code_step(client, code).status_code == 302
    replay = app.test_client()
    login(replay, user.email)
    refused = code_step(replay, code)
    assert refused.status_code == 422 and "That code is not right" in text(refused) and not signed_in(replay)


def test_wrong_codes_count_toward_the_lock_out_like_wrong_passwords(enrolled, app):
    user, _, secret, _ = enrolled
    client = app.test_client()
    login(client, user.email, "a wrong password")  # one wrong password ...
    login(client, user.email)
    wrong = code_step(client, "123456" if next_code(secret) != "123456" else "654321")  # ... and a wrong code
    assert wrong.status_code == 422 and f"2 of {ACCOUNT_LIMIT} failed attempts" in text(wrong)
    # The right password again does not wipe the count (or the code could be guessed without end).
    login(client, user.email)
    for n in range(3, ACCOUNT_LIMIT):
        assert f"{n} of {ACCOUNT_LIMIT}" in text(code_step(client, "000001"))
    locked = code_step(client, "000001")
    assert locked.status_code == 429 and "signing in is paused" in text(locked)
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None
    # Now even the right password and the right code are refused until the lock ends.
    assert login(client, user.email).status_code == 429 and not signed_in(client)


def test_the_right_code_resets_the_count(enrolled, app):
    user, _, secret, _ = enrolled
    client = app.test_client()
    login(client, user.email)
    code_step(client, "000002")
    assert code_step(client, next_code(secret)).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 0


def test_a_recovery_code_signs_in_once(enrolled, app):
    user, _, _, codes = enrolled
    client = app.test_client()
    login(client, user.email)
    used = code_step(client, codes[3].upper().replace("-", " "))  # typed loosely: case and separators do not matter
    assert used.status_code == 302
    assert "9 recovery codes left" in text(client.get("/"))  # told at once ...
    assert "9 unused recovery codes" in text(client.get("/account"))  # ... and on the account page
    again = app.test_client()
    login(again, user.email)
    assert code_step(again, codes[3]).status_code == 422 and not signed_in(again)


def test_the_code_step_needs_a_recent_right_password(app, enrolled):
    user, _, secret, _ = enrolled
    client = app.test_client()
    assert client.get("/login/code").location.endswith("/login")  # nobody is half signed in
    login(client, user.email)
    with client.session_transaction() as session:
        session["mfa_pending"]["at"] -= 3600
        session.modified = True
    assert code_step(client, next_code(secret)).location.endswith("/login") and not signed_in(client)


@pytest.fixture
def strict_app(app):
    """The same app and database, with admins and DPOs required to use MFA (the setting is read on each request)."""
    app.config.update(WTF_CSRF_ENABLED=False, ROPA_MFA_REQUIRED_ROLES="admin, dpo")
    yield app
    app.config["ROPA_MFA_REQUIRED_ROLES"] = ""


def test_a_role_that_must_use_mfa_can_do_nothing_else_until_it_is_set_up(strict_app, make_user):
    dpo, auditor = make_user("dpo"), make_user("auditor")
    with strict_app.app_context():
        client = strict_app.test_client()
        assert login(client, dpo.email).status_code == 302
        for path in ("/", "/activities", "/account", "/account/password", "/audit"):
            response = client.get(path)
            assert response.status_code == 302 and response.location.endswith("/account/mfa"), path
        assert client.post("/organisations/new", data={"name": "X"}).location.endswith("/account/mfa")
        page = client.get("/account/mfa")
        assert "Your role must use multi-factor authentication" in text(page)
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.get_data(as_text=True)).group(1)
        assert client.post("/account/mfa", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
        assert signed_in(client)
        other = strict_app.test_client()  # an auditor need not
        login(other, auditor.email)
        assert signed_in(other)


def test_an_unknown_role_in_the_setting_stops_the_app_starting(app):
    with pytest.raises(ValueError, match="unknown roles: dpos"):
        create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                    "ROPA_MFA_REQUIRED_ROLES": "admin,dpos"})


def test_its_owner_turns_it_off_with_a_current_code(enrolled):
    user, client, secret, _ = enrolled
    wrong = client.post("/account/mfa/disable", data={"code": "999999"})
    assert wrong.status_code == 422 and f"1 of {ACCOUNT_LIMIT} failed attempts" in text(wrong)
    db.session.expire_all()
    assert db.session.get(User, user.id).mfa_enabled
    assert client.post("/account/mfa/disable", data={"code": next_code(secret)}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, user.id).mfa_enabled
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id)) == 0
    assert login(client.application.test_client(), user.email).location.endswith("/")  # the password alone again


def test_an_administrator_resets_another_users_mfa_and_it_is_audited(enrolled, app, make_user):
    user = enrolled[0]
    admin = make_user("admin")
    client = app.test_client()
    login(client, admin.email)
    assert "Reset multi-factor authentication" in text(client.get(f"/users/{user.email}/edit"))
    assert client.post(f"/users/{user.email}/reset-mfa").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, user.id).mfa_enabled
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.actor == admin.email and entry.entity_key == user.email and "reset by an administrator" in entry.changes


def test_the_command_line_resets_mfa(enrolled, run_cli):
    user = enrolled[0]
    result = run_cli("reset-mfa", user.email)
    assert result.exit_code == 0 and "turned off" in result.output
    db.session.expire_all()
    assert not db.session.get(User, user.id).mfa_enabled
    assert run_cli("reset-mfa", user.email).output.strip().endswith("did not have multi-factor authentication on.")
    missing = run_cli("reset-mfa", "nobody@example.org")
    assert missing.exit_code == 1 and "no user with email" in missing.output


def test_changing_ones_own_password(app, make_user):
    user = make_user("editor")
    client, other = app.test_client(), app.test_client()
    login(client, user.email)
    login(other, user.email)
    new = "a brand new long password"
    cases = [({"current": "wrong", "password": new, "confirm": new}, "Your current password is not right"),
             ({"current": PASSWORD, "password": new, "confirm": new + "x"}, "The two new passwords are not the same"),
             ({"current": PASSWORD, "password": "short", "confirm": "short"}, "at least 12 characters"),
             ({"current": PASSWORD, "password": PASSWORD, "confirm": PASSWORD}, "the same as the current one")]
    for data, message in cases:
        refused = client.post("/account/password", data=data)
        assert refused.status_code == 422 and message in text(refused), message
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 1  # the wrong current password counted
    done = client.post("/account/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert done.status_code == 302 and signed_in(client)  # this session goes on ...
    assert not signed_in(other)  # ... the other one is signed out
    assert login(app.test_client(), user.email).status_code == 422
    assert login(app.test_client(), user.email, new).status_code == 302
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.actor == user.email and "changed by its owner" in entry.changes and new not in entry.changes
