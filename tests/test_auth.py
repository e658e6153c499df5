"""Signing in: lock-outs per account and per address that do not reveal which accounts exist, deactivated users
kept out, safe redirects, a fresh session on sign-in, and the cookie flags."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ropa import create_app
from ropa.auth import can_edit_activity, safe_next
from ropa.extensions import db
from ropa.models import LoginAttempt, Service
from ropa.models.base import utcnow
from ropa.services.users import ACCOUNT_LIMIT, ADDRESS_LIMIT, WINDOW, sign_in
from tests.conftest import OwnUserClient

PASSWORD = "a long test password"  # what make_user gives everyone


@pytest.fixture
def app(app):
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def make_app(app):
    """Another app on the same database, built after the environment is set (its engine closed afterwards)."""
    made = []

    def make():
        made.append(create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                                "WTF_CSRF_ENABLED": False}))
        made[-1].test_client_class = OwnUserClient
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def login(client, email, password, address="127.0.0.1", next_url=""):
    return client.post("/login" + (f"?next={next_url}" if next_url else ""),
                       data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def text(response) -> str:
    """The page's words, times replaced, so two refusals can be compared."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\d\d:\d\d UTC \(in \d+ minutes?\)", "TIME", " ".join(words.split()))


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_passwords_are_hashed_with_scrypt(make_user):
    user = make_user("dpo")
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash


def test_the_right_password_signs_in_and_the_wrong_one_does_not(app, make_user):
    user = make_user("dpo")
    client = app.test_client()
    wrong = login(client, user.email, "not the password")
    assert wrong.status_code == 422 and "The email address or password is not right" in text(wrong)
    assert not signed_in(client)
    assert login(client, user.email.upper(), PASSWORD).status_code == 302  # the address in any case
    assert signed_in(client)


def test_five_wrong_passwords_lock_the_account_until_the_lock_ends(app, make_user):
    user = make_user("dpo")
    client = app.test_client()
    for _ in range(ACCOUNT_LIMIT - 1):
        assert login(client, user.email, "guess").status_code == 422
    locked = login(client, user.email, "guess")
    assert locked.status_code == 429 and "Try again after" in text(locked)
    db.session.refresh(user)
    assert user.locked_until > utcnow() + timedelta(minutes=14)

    right = login(client, user.email, PASSWORD)  # the right password is refused while locked
    assert right.status_code == 429 and "signing in is paused" in text(right) and not signed_in(client)

    user.locked_until = utcnow() - timedelta(seconds=1)  # the lock ends
    db.session.commit()
    assert login(client, user.email, PASSWORD).status_code == 302 and signed_in(client)
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_a_successful_sign_in_resets_the_count(app, make_user):
    user = make_user("dpo")
    client = app.test_client()
    for _ in range(ACCOUNT_LIMIT - 1):
        login(client, user.email, "guess")
    assert login(client, user.email, PASSWORD).status_code == 302
    client = app.test_client()
    for _ in range(ACCOUNT_LIMIT - 1):  # four more failures: not five since the success
        assert login(client, user.email, "guess").status_code == 422
    assert login(client, user.email, PASSWORD).status_code == 302


def test_failures_outside_the_window_do_not_count(app, make_user):
    user = make_user("dpo")
    start = utcnow() - 2 * WINDOW
    for i in range(ACCOUNT_LIMIT - 1):
        assert sign_in(user.email, "guess", "10.1.1.1", now=start + timedelta(seconds=i)).locked_until is None
    outcome = sign_in(user.email, "guess", "10.1.1.1")  # the fifth, but the first four are too old
    assert outcome.locked_until is None and outcome.message.startswith("The email address or password")


def test_sign_in_bookkeeping_does_not_make_an_admins_open_edit_stale(app, make_user):
    user = make_user("editor")
    version = user.version
    sign_in(user.email, "guess", "10.1.1.2")
    sign_in(user.email, PASSWORD, "10.1.1.2")
    db.session.refresh(user)
    assert user.version == version


def test_an_unknown_email_looks_exactly_like_a_real_one(app, make_user):
    user = make_user("dpo")
    client = app.test_client()
    real = [login(client, user.email, "guess", address="10.0.0.1") for _ in range(ACCOUNT_LIMIT + 1)]
    ghost = [login(client, "nobody@example.org", "guess", address="10.0.0.2") for _ in range(ACCOUNT_LIMIT + 1)]
    for known, unknown in zip(real, ghost):
        assert known.status_code == unknown.status_code
        assert text(known).replace(user.email, "") == text(unknown).replace("nobody@example.org", "")
    assert real[-1].status_code == 429  # both are locked out, with the same words
    assert user.email not in text(real[-1]) and "nobody" not in text(ghost[-1])


def test_too_many_failures_from_one_address_pause_it_for_every_account(app, make_user):
    user = make_user("dpo")
    client = app.test_client()
    for n in range(ADDRESS_LIMIT):  # spread over many accounts, so no single account locks
        login(client, f"guess{n % 5}@example.org", "guess", address="192.0.2.7")
    refused = login(client, user.email, PASSWORD, address="192.0.2.7")
    assert refused.status_code == 429 and "from your network address" in text(refused)
    assert "Try again after" in text(refused) and not signed_in(client)
    assert login(client, user.email, PASSWORD, address="192.0.2.8").status_code == 302  # elsewhere: fine


def test_a_deactivated_user_cannot_sign_in(app, make_user):
    user = make_user("dpo")
    user.active = False
    db.session.commit()
    client = app.test_client()
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 422 and "deactivated" in text(response) and not signed_in(client)
    assert "deactivated" not in text(login(client, user.email, "guess"))  # only the password holder is told


def test_a_signed_in_user_who_is_deactivated_is_signed_out_on_the_next_request(app, make_user):
    user = make_user("dpo")
    client = app.test_client()
    login(client, user.email, PASSWORD)
    assert signed_in(client)
    user.active = False
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("target, lands", [
    ("/activities", "/activities"),
    ("//evil.example/x", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_sign_in_returns_only_to_a_page_of_this_site(app, make_user, target, lands):
    user = make_user("dpo")
    response = login(app.test_client(), user.email, PASSWORD, next_url=target)
    assert response.status_code == 302 and response.location == lands


def test_safe_next():
    assert safe_next("/activities?service=X") == "/activities?service=X"
    for bad in (None, "", "//evil", "https://evil/", "/\\evil", "/ok\r\nSet-Cookie: x", "evil"):
        assert safe_next(bad) is None


def test_the_session_is_fresh_after_sign_in(app, make_user):
    user = make_user("dpo")
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user.email, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"] == str(user.id)


def test_sign_out_ends_the_session(app, make_user):
    user = make_user("dpo")
    client = app.test_client()
    login(client, user.email, PASSWORD)
    assert client.post("/logout").status_code == 302
    assert not signed_in(client)


def _session_cookie(app, make_user) -> str:
    user = make_user("dpo")
    response = login(app.test_client(), user.email, PASSWORD)
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_the_session_cookie_is_httponly_and_samesite_lax(app, make_user):
    cookie = _session_cookie(app, make_user)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain http locally


def test_the_session_cookie_is_secure_with_ropa_https(make_app, make_user, monkeypatch):
    monkeypatch.setenv("ROPA_HTTPS", "1")
    https = make_app()
    assert https.config["REMEMBER_COOKIE_SECURE"] is True
    cookie = _session_cookie(https, make_user)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("behind_proxy, recorded", [("1", "203.0.113.5"), ("", "127.0.0.1")])
def test_forwarded_headers_count_only_behind_a_proxy(make_app, monkeypatch, behind_proxy, recorded):
    monkeypatch.setenv("ROPA_BEHIND_PROXY", behind_proxy)
    proxied = make_app()
    proxied.test_client().post("/login", data={"email": "x@example.org", "password": "guess"},
                               headers={"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"})
    assert db.session.scalars(sa.select(LoginAttempt.address)).all() == [recorded]


def test_who_may_edit_an_activity(app, make_user):
    seeded_service = "ECFWS 0-19"
    db.session.add_all([Service(name=seeded_service), Service(name="Other")])
    db.session.commit()
    editor = make_user("editor", services=(seeded_service,))
    assert can_edit_activity(editor, seeded_service)
    assert not can_edit_activity(editor, "Other") and not can_edit_activity(editor, None)
    for role in ("admin", "dpo"):
        assert can_edit_activity(make_user(role), "Other") and can_edit_activity(make_user(role), None)
    assert not can_edit_activity(make_user("auditor"), seeded_service)
    editor.active = False
    assert not can_edit_activity(editor, seeded_service)
