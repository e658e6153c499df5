"""Single sign-on with OpenID Connect against a real provider started in the tests (tests/oidc_provider.py): the
role comes from the ID token's claims; no mapped role, or a token that does not validate, is refused."""

import re
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
from flask import g

from ropa import create_app
from ropa.extensions import db
from ropa.models import AuditEntry, User
from tests.conftest import OwnUserClient
from tests.oidc_provider import OidcProvider


class FreshTokenClient(OwnUserClient):
    """Each client its own CSRF token too: Flask-WTF keeps the token of a request in `g`, which the tests' app
    context would otherwise carry from one client's page to another's."""

    def open(self, *args, **kwargs):
        g.pop("csrf_token", None)
        return super().open(*args, **kwargs)

ROLE_MAP = "ropa.admin=admin,ropa.dpo=dpo,ropa.editor=editor,ropa.auditor=auditor"


@pytest.fixture(scope="module")
def provider():
    with OidcProvider() as running:
        yield running


@pytest.fixture
def sso_app(database_url, provider):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                      "ROPA_OIDC_ISSUER": provider.url, "ROPA_OIDC_CLIENT_ID": provider.client_id,
                      "ROPA_OIDC_CLIENT_SECRET": provider.client_secret, "ROPA_OIDC_ROLE_MAP": ROLE_MAP,
                      "ROPA_OIDC_NAME": "Test IdP"})
    app.test_client_class = FreshTokenClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def sso_sign_in(client, provider):
    """Press "Sign in with Test IdP" (with the page's CSRF token), let the provider's /authorize answer over real
    HTTP, and bring its redirect back to ropa's callback; return ropa's answer to the callback."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    start = client.post("/login/sso", data={"csrf_token": token})
    assert start.status_code == 302 and start.location.startswith(f"{provider.url}/authorize?"), start.location
    back = requests.get(start.location, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/login/sso/callback"
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_as(client) -> str | None:
    page = client.get("/")
    if page.status_code != 200:
        return None
    return re.search(r"<span>(\S+ \(\w+\))</span>", page.get_data(as_text=True)).group(1)


def test_the_login_page_offers_single_sign_on_only_when_configured(sso_app, app):
    assert "Sign in with Test IdP" in text(sso_app.test_client().get("/login"))
    plain = app.test_client()
    assert "Sign in with" not in text(plain.get("/login"))
    app.config["WTF_CSRF_ENABLED"] = False
    assert plain.post("/login/sso").status_code == 404


def test_signing_in_gives_the_role_the_claims_map_to(sso_app, provider):
    provider.user("entra-object-1", "Dana.Poe@trust.nhs.uk", roles=["ropa.dpo"], name="Dana Poe")
    client = sso_app.test_client()
    done = sso_sign_in(client, provider)
    assert done.status_code == 302 and done.location == "/", text(done)
    assert signed_in_as(client) == "dana.poe@trust.nhs.uk (dpo)"
    user = db.session.scalar(sa.select(User).where(User.email == "dana.poe@trust.nhs.uk"))
    assert (user.oidc_issuer, user.oidc_subject, user.name, user.password_hash) == (
        provider.url, "entra-object-1", "Dana Poe", "")
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.entity_key == user.email)
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["create", "sign in"]

    # Next time the same subject comes back with another role and email: the same user, brought up to date.
    provider.user("entra-object-1", "dana.poe2@trust.nhs.uk", roles=["ropa.auditor", "unmapped.thing"],
                  name="Dana Poe")
    again = sso_app.test_client()
    assert sso_sign_in(again, provider).status_code == 302
    assert signed_in_as(again) == "dana.poe2@trust.nhs.uk (auditor)"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.oidc_subject.isnot(None))) == 1
    change = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "update")
                                .order_by(AuditEntry.id.desc())).first()
    assert '"role": ["dpo", "auditor"]' in change.changes


def test_several_mapped_roles_give_the_most_able(sso_app, provider):
    provider.user("s-2", "ed@trust.nhs.uk", roles=["ropa.auditor", "ropa.admin", "ropa.editor"])
    client = sso_app.test_client()
    sso_sign_in(client, provider)
    assert signed_in_as(client) == "ed@trust.nhs.uk (admin)"


@pytest.mark.parametrize("roles", [None, [], ["Some.Other.App"]], ids=["no claim", "empty", "unmapped"])
def test_no_mapped_role_is_refused_not_let_in_as_a_viewer(sso_app, provider, roles):
    provider.user("s-3", "nobody@trust.nhs.uk", roles=roles)
    client = sso_app.test_client()
    refused = sso_sign_in(client, provider)
    assert refused.status_code == 403 and "has no role in ropa, so you cannot sign in" in text(refused)
    assert "ropa.dpo" in text(refused)  # says which app roles would do
    assert signed_in_as(client) is None
    assert db.session.scalar(sa.select(User).where(User.email == "nobody@trust.nhs.uk")) is None


@pytest.mark.parametrize("tamper, why", [
    ({"aud": "another-client"}, "aud"),
    ({"aud": "another-client", "azp": "ropa-test"}, "aud"),
    ({"nonce": "not-the-nonce"}, "nonce"),
    ({"iss": "https://evil.example"}, "iss"),
    ({"exp": 1_000_000_000}, "expired"),
    ({"wrong_key": True}, "signature"),
], ids=["audience", "audience-with-azp", "nonce", "issuer", "expired", "signature"])
def test_an_id_token_that_does_not_validate_is_refused(sso_app, provider, tamper, why):
    provider.user("s-4", "mallory@trust.nhs.uk", roles=["ropa.admin"])
    provider.tamper = tamper
    client = sso_app.test_client()
    refused = sso_sign_in(client, provider)
    assert refused.status_code == 400 and "could not be accepted" in text(refused), text(refused)
    assert why in text(refused).lower(), text(refused)
    assert signed_in_as(client) is None
    assert db.session.scalar(sa.select(User).where(User.email == "mallory@trust.nhs.uk")) is None


def test_a_callback_without_its_own_state_is_refused(sso_app, provider):
    provider.user("s-5", "eve@trust.nhs.uk", roles=["ropa.admin"])
    victim, attacker = sso_app.test_client(), sso_app.test_client()
    page = attacker.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    start = attacker.post("/login/sso", data={"csrf_token": token})
    callback = urlsplit(requests.get(start.location, allow_redirects=False, timeout=10).headers["Location"])
    refused = victim.get(f"{callback.path}?{callback.query}")  # a link planted in someone else's browser
    assert refused.status_code == 400 and signed_in_as(victim) is None


def test_a_local_account_with_the_same_email_is_not_taken_over(sso_app, provider, make_user):
    local = make_user("auditor", email="local@trust.nhs.uk")
    provider.user("s-6", "local@trust.nhs.uk", roles=["ropa.admin"])
    client = sso_app.test_client()
    refused = sso_sign_in(client, provider)
    assert refused.status_code == 403 and "already exists in ropa and is not linked" in text(refused)
    db.session.expire_all()
    assert db.session.get(User, local.id).role.value == "auditor" and signed_in_as(client) is None


def test_a_deactivated_user_stays_out(sso_app, provider):
    provider.user("s-7", "gone@trust.nhs.uk", roles=["ropa.editor"])
    sso_sign_in(sso_app.test_client(), provider)
    user = db.session.scalar(sa.select(User).where(User.email == "gone@trust.nhs.uk"))
    user.active = False
    db.session.commit()
    client = sso_app.test_client()
    refused = sso_sign_in(client, provider)
    assert refused.status_code == 403 and "deactivated" in text(refused) and signed_in_as(client) is None


def test_a_single_sign_on_user_has_no_password_to_guess(sso_app, provider):
    provider.user("s-8", "sso@trust.nhs.uk", roles=["ropa.dpo"])
    sso_sign_in(sso_app.test_client(), provider)
    sso_app.config["WTF_CSRF_ENABLED"] = False
    client = sso_app.test_client()
    for guess in ("", "x", "a long test password"):
        assert client.post("/login", data={"email": "sso@trust.nhs.uk", "password": guess}).status_code == 422


def test_a_bad_role_map_stops_the_app_starting(database_url, provider):
    with pytest.raises(ValueError, match="ROPA_OIDC_ROLE_MAP entry 'ropa.x=viewer'"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "ROPA_OIDC_ISSUER": provider.url,
                    "ROPA_OIDC_CLIENT_ID": "x", "ROPA_OIDC_ROLE_MAP": "ropa.dpo=dpo,ropa.x=viewer"})


def test_single_sign_on_against_a_real_ropa_server(provider, tmp_path, monkeypatch):
    """The whole round trip over HTTP, as a browser makes it: ropa served by `ropa demo` in its own process, the
    provider in this one, redirects followed by requests."""
    from tests.server import demo_server

    for name, value in {"ROPA_OIDC_ISSUER": provider.url, "ROPA_OIDC_CLIENT_ID": provider.client_id,
                        "ROPA_OIDC_CLIENT_SECRET": provider.client_secret, "ROPA_OIDC_ROLE_MAP": ROLE_MAP,
                        "ROPA_OIDC_NAME": "Test IdP"}.items():
        monkeypatch.setenv(name, value)
    with demo_server(tmp_path / "instance") as (base, _):
        def press_the_button(browser: requests.Session) -> requests.Response:
            page = browser.get(f"{base}/login", timeout=10)
            assert "Sign in with Test IdP" in page.text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            return browser.post(f"{base}/login/sso", data={"csrf_token": token}, timeout=30)

        provider.user("real-1", "editor@trust.nhs.uk", roles=["ropa.editor"])
        browser = requests.Session()
        landed = press_the_button(browser)
        hops = [urlsplit(r.headers["Location"]).path for r in landed.history]
        assert hops == ["/authorize", "/login/sso/callback", "/"], hops
        assert landed.status_code == 200 and "editor@trust.nhs.uk (editor)" in landed.text

        provider.user("real-2", "outsider@trust.nhs.uk", roles=["Another.App.Role"])
        refused = press_the_button(requests.Session())
        assert refused.status_code == 403 and "has no role in ropa" in refused.text

        provider.user("real-3", "forged@trust.nhs.uk", roles=["ropa.admin"])
        provider.tamper = {"aud": "someone-else"}
        forger = requests.Session()
        refused = press_the_button(forger)
        assert refused.status_code == 400 and "could not be accepted" in refused.text
        assert forger.get(f"{base}/", timeout=10).url.startswith(f"{base}/login")  # not signed in
