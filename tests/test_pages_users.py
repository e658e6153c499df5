"""The users screens as an administrator uses them: add, edit, deactivate, reset passwords, unlock, API tokens —
every change audited without secrets, and nobody but an administrator let in."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ropa.enums import Role
from ropa.extensions import db
from ropa.models import ApiToken, AuditEntry, Service, User
from ropa.models.base import utcnow
from ropa.services.users import update_user

PASSWORD = "a long test password"


@pytest.fixture
def admin(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    return make_client("admin", email="boss@example.org")


@pytest.fixture
def a_service(seeded) -> str:
    return db.session.scalars(sa.select(Service.name).order_by(Service.name)).first()


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def can_sign_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def entries(entity_type: str, key: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == entity_type,
                                                                AuditEntry.entity_key.startswith(key))
                                   .order_by(AuditEntry.id)))


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_the_list_shows_each_user_with_role_services_and_status(seeded, admin, make_user, a_service):
    make_user("editor", email="ed@example.org", services=(a_service,))
    locked = make_user("auditor", email="locked@example.org")
    locked.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    response = admin.get("/users")
    body = page_text(response)
    assert response.status_code == 200 and "<h1>Users</h1>" in response.get_data(as_text=True)
    assert "ed@example.org" in body and a_service in body and "Editor" in body
    assert "Locked out" in body and locked.locked_until.strftime("%Y-%m-%d %H:%M") in body
    assert "boss@example.org" in body and "Add a user" in body


def test_the_admin_adds_an_editor_with_a_service_and_a_typed_password(seeded, admin, a_service):
    response = admin.post("/users/new", data={
        "email": "New.Editor@example.org", "name": "New Editor", "role": "editor", "services": [a_service],
        "password_choice": "type", "password": "typed password 123", "confirm": "typed password 123"})
    assert response.status_code == 302
    created = user("new.editor@example.org")
    assert created.role == Role.EDITOR and [s.name for s in created.services] == [a_service]
    assert can_sign_in(seeded, "new.editor@example.org", "typed password 123")
    (entry,) = entries("user", "new.editor@example.org")
    assert entry.actor == "boss@example.org" and json.loads(entry.changes)["services"] == [None, [a_service]]
    assert "typed password" not in entry.changes and "scrypt" not in entry.changes


def test_a_generated_password_is_shown_once_and_works(seeded, admin):
    response = admin.post("/users/new", data={"email": "aud@example.org", "role": "auditor",
                                              "password_choice": "generate"})
    assert response.status_code == 200 and "shown only this once" in page_text(response)
    password = re.search(r'id="secret" type="text" readonly value="([^"]+)"', response.get_data(as_text=True))[1]
    assert can_sign_in(seeded, "aud@example.org", password)
    assert password not in admin.get("/users").get_data(as_text=True)
    assert password not in admin.get("/users/aud@example.org/edit").get_data(as_text=True)
    assert password not in "".join(e.changes for e in entries("user", "aud@example.org"))


def test_the_add_form_says_what_is_wrong_next_to_each_field(seeded, admin, make_user):
    response = admin.post("/users/new", data={"email": "not an address", "role": "editor",
                                              "password_choice": "type", "password": "short", "confirm": "other"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "There is a problem" in html
    for field, words in (("email", "Enter an email address like"), ("services", "Choose at least one service"),
                         ("password", "at least 12 characters")):
        assert re.search(rf'<a href="#{field}">[^<]*{words}', html), field
    make_user("dpo", email="taken@example.org")
    response = admin.post("/users/new", data={"email": "taken@example.org", "role": "auditor",
                                              "password_choice": "type", "password": PASSWORD, "confirm": "typo"})
    html = response.get_data(as_text=True)
    assert '<a href="#confirm">The two passwords are not the same' in html
    response = admin.post("/users/new", data={"email": "taken@example.org", "role": "auditor",
                                              "password_choice": "generate"})
    assert response.status_code == 422
    assert '<a href="#email">A user with email taken@example.org already exists' in response.get_data(as_text=True)


def test_reset_password_the_new_one_works_and_the_old_one_does_not(seeded, admin, make_user):
    target = make_user("dpo", email="forgot@example.org")
    old_session = seeded.test_client()
    old_session.post("/login", data={"email": "forgot@example.org", "password": PASSWORD})
    assert old_session.get("/").status_code == 200
    target.failed_logins, target.locked_until = 5, utcnow() + timedelta(minutes=10)
    db.session.commit()

    response = admin.post("/users/forgot@example.org/reset-password")
    assert response.status_code == 200 and "Password reset" in page_text(response)
    password = re.search(r'id="secret" type="text" readonly value="([^"]+)"', response.get_data(as_text=True))[1]
    assert user("forgot@example.org").locked_until is None  # the reset lifts the lock-out
    assert can_sign_in(seeded, "forgot@example.org", password)
    assert not can_sign_in(seeded, "forgot@example.org", PASSWORD)
    assert old_session.get("/").status_code == 302  # the session opened with the old password has ended
    audit = "".join(e.changes for e in entries("user", "forgot@example.org"))
    assert password not in audit and "reset" in audit


def test_an_admin_resetting_their_own_password_stays_signed_in(seeded, admin, make_user):
    make_user("admin", email="self@example.org")
    client = seeded.test_client()
    client.post("/login", data={"email": "self@example.org", "password": PASSWORD})
    assert client.post("/users/self@example.org/reset-password").status_code == 200
    assert client.get("/users").status_code == 200


def test_unlock_lifts_a_lock_out(seeded, admin, make_user):
    target = make_user("auditor", email="stuck@example.org")
    target.failed_logins, target.locked_until = 5, utcnow() + timedelta(minutes=10)
    db.session.commit()
    assert admin.post("/users/stuck@example.org/unlock").status_code == 302
    assert user("stuck@example.org").locked_until is None
    assert can_sign_in(seeded, "stuck@example.org", PASSWORD)
    assert entries("user", "stuck@example.org")[-1].action == "update"


def _edit_data(admin, email: str, **changes) -> dict:
    html = admin.get(f"/users/{email}/edit").get_data(as_text=True)
    hidden = dict(re.findall(r'id="(version|loaded_audit)" name="\1" type="hidden" value="(\d*)"', html))
    target = user(email)
    data = {"name": target.name, "role": target.role.value, "services": [s.name for s in target.services],
            "active": "y" if target.active else ""} | hidden
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", None)}


def test_deactivating_a_user_signs_them_out_and_revokes_their_tokens(seeded, admin, make_user):
    make_user("dpo", email="leaver@example.org")
    client = seeded.test_client()
    client.post("/login", data={"email": "leaver@example.org", "password": PASSWORD})
    admin.post("/users/leaver@example.org/tokens", data={"name": "script"})
    response = admin.post("/users/leaver@example.org/edit", data=_edit_data(admin, "leaver@example.org", active=""))
    assert response.status_code == 302
    assert user("leaver@example.org").active is False
    assert client.get("/").status_code == 302  # signed out on the next request
    assert not can_sign_in(seeded, "leaver@example.org", PASSWORD)
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None
    assert "Deactivated" in page_text(admin.get("/users"))


def test_an_admin_cannot_demote_or_deactivate_themselves(seeded, admin):
    for change, words in (({"role": "dpo"}, "You cannot change your own role"),
                          ({"active": ""}, "You cannot deactivate your own account")):
        response = admin.post("/users/boss@example.org/edit", data=_edit_data(admin, "boss@example.org", **change))
        assert response.status_code == 422 and words in page_text(response)
    me = user("boss@example.org")
    assert me.role == Role.ADMIN and me.active


def test_a_stale_edit_is_refused_with_what_changed(seeded, admin, make_user, a_service):
    make_user("auditor", email="both@example.org")
    stale = _edit_data(admin, "both@example.org", name="From the stale page")
    update_user("both@example.org", name="Changed meanwhile", role=Role.AUDITOR, services=(), active=True,
                actor="other-admin@example.org")
    response = admin.post("/users/both@example.org/edit", data=stale)
    body = page_text(response)
    assert response.status_code == 409 and "was changed by other-admin@example.org" in body
    assert "Changed meanwhile" in body  # what they changed, from the audit log
    assert user("both@example.org").name == "Changed meanwhile"
    fresh = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', response.get_data(as_text=True))[1]
    assert admin.post("/users/both@example.org/edit", data=stale | {"version": fresh}).status_code == 302
    assert user("both@example.org").name == "From the stale page"


def test_role_and_services_change_through_the_edit_form(seeded, admin, make_user, a_service):
    make_user("auditor", email="promote@example.org")
    data = _edit_data(admin, "promote@example.org", role="editor", services=[a_service])
    assert admin.post("/users/promote@example.org/edit", data=data).status_code == 302
    changed = user("promote@example.org")
    assert changed.role == Role.EDITOR and [s.name for s in changed.services] == [a_service]
    last = json.loads(entries("user", "promote@example.org")[-1].changes)
    assert last["role"] == ["auditor", "editor"] and last["services"] == [[], [a_service]]


def test_a_token_is_shown_once_stored_as_its_hash_and_can_be_revoked(seeded, admin, make_user):
    make_user("auditor", email="robot@example.org")
    response = admin.post("/users/robot@example.org/tokens", data={"name": "nightly export"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "shown only this once" in page_text(response)
    token = re.search(r'id="secret" type="text" readonly value="(ropa_[^"]+)"', html)[1]
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and stored.name == "nightly export"
    assert token not in "".join(e.changes + e.entity_key for e in db.session.scalars(sa.select(AuditEntry)))
    listing = admin.get("/users/robot@example.org/tokens")
    assert token not in listing.get_data(as_text=True) and "nightly export" in page_text(listing)

    assert admin.post(f"/users/robot@example.org/tokens/{stored.id}/revoke").status_code == 302
    db.session.refresh(stored)
    assert stored.revoked_at is not None
    assert "Revoked" in page_text(admin.get("/users/robot@example.org/tokens"))
    assert entries("api token", "robot@example.org / nightly export")[-1].action == "update"


def test_a_token_needs_a_name(seeded, admin, make_user):
    make_user("auditor", email="robot@example.org")
    response = admin.post("/users/robot@example.org/tokens", data={"name": ""})
    assert response.status_code == 422 and '<a href="#name">Say what the token is for' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_names_are_escaped(seeded, admin, make_user):
    target = make_user("auditor", email="x@example.org")
    target.name = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    db.session.commit()
    for path in ("/users", "/users/x@example.org/edit"):
        html = admin.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("role", ["dpo", "editor", "auditor"])
def test_nobody_but_an_admin_reaches_any_users_route(seeded, make_client, make_user, role):
    seeded.config["WTF_CSRF_ENABLED"] = False
    make_user("auditor", email="victim@example.org")
    client = make_client(role)
    base = "/users/victim@example.org"
    for method, path in [("GET", "/users"), ("GET", "/users/new"), ("POST", "/users/new"),
                         ("GET", f"{base}/edit"), ("POST", f"{base}/edit"), ("POST", f"{base}/reset-password"),
                         ("POST", f"{base}/unlock"), ("GET", f"{base}/tokens"), ("POST", f"{base}/tokens"),
                         ("POST", f"{base}/tokens/1/revoke")]:
        response = client.open(path, method=method, data={"name": "x", "role": "admin", "active": "y"})
        assert response.status_code == 403, f"{method} {path}"
    assert user("victim@example.org").role == Role.AUDITOR
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
    assert "/users" not in client.get("/").get_data(as_text=True)  # not in their navigation either
