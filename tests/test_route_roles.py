"""Every route declares who may use it, and the table in tests/roles/ says so too: a route missing from the table
fails, every role is tried on every row (the others must get 403), and anonymous visitors are sent to sign in."""

import pytest

from ropa.services.users import create_token
from tests.roles import EVERYONE, PUBLIC, all_routes

ROUTES = all_routes()
SKIP_METHODS = {"HEAD", "OPTIONS"}


def test_every_route_is_in_the_table(app):
    tabled = {(endpoint, method) for endpoint, method, _, _ in ROUTES}
    missing = sorted((rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules()
                     if rule.endpoint != "static" for method in rule.methods - SKIP_METHODS
                     if (rule.endpoint, method) not in tabled)
    assert not missing, f"routes with no row in tests/roles/: {missing}"
    stale = sorted(tabled - {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods})
    assert not stale, f"rows in tests/roles/ for routes that do not exist: {stale}"


def test_every_view_declares_its_roles(app):
    public = {endpoint for endpoint, _, _, allowed in ROUTES if allowed == PUBLIC}
    undeclared = sorted(name for name, view in app.view_functions.items()
                        if name != "static" and name not in public and not hasattr(view, "roles"))
    assert not undeclared, f"views without @role_required: {undeclared}"


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


@pytest.mark.parametrize("role", EVERYONE)
def test_each_role_gets_exactly_what_the_table_allows(seeded, make_client, make_user, role):
    seeded.config["WTF_CSRF_ENABLED"] = False  # the role check, not CSRF, is what is tested here
    client = make_client(role)
    # The API takes no session cookie: its rows are called with a bearer token of a user of the same role.
    token = create_token(make_user(role).email, "role table", actor="test")
    api = seeded.test_client(use_cookies=False)
    wrong = []
    for endpoint, method, path, allowed in ROUTES:
        if endpoint == "auth.logout":
            continue  # would end the session the rest of the table needs
        if _is_api(path):
            status = api.open(path, method=method, json={}, headers={"Authorization": f"Bearer {token}"}).status_code
        else:
            status = client.open(path, method=method, data={}).status_code
        if allowed == PUBLIC or role in allowed:
            if status in (401, 403) or status >= 500:
                wrong.append(f"{method} {path}: {status}, expected {role} to be let in")
        elif status != 403:
            wrong.append(f"{method} {path}: {status}, expected 403 for {role}")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_sign_in(seeded):
    seeded.config["WTF_CSRF_ENABLED"] = False
    client = seeded.test_client()
    wrong = []
    for endpoint, method, path, allowed in ROUTES:
        if allowed == PUBLIC:
            continue
        response = client.open(path, method=method, data={})
        if response.status_code not in (302, 401) or (response.status_code == 302 and "/login" not in response.location):
            wrong.append(f"{method} {path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_post_without_csrf_token_is_refused(seeded, make_client):
    client = make_client("dpo")
    refused = [path for endpoint, method, path, _ in ROUTES  # the API takes no cookies, so needs no CSRF token
               if method == "POST" and not _is_api(path) and client.post(path, data={}).status_code != 400]
    assert not refused, f"POSTs accepted without a CSRF token: {refused}"
