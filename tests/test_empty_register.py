"""Every page works on an empty register (a new installation) and says what to do, rather than failing."""

import re

from tests.roles import all_routes


def test_every_list_page_has_an_empty_state(app, make_client):
    client = make_client("admin")
    broken = []
    for endpoint, method, path, _ in all_routes():
        if method != "GET" or endpoint in ("auth.login",) or path.startswith("/api/"):  # pages only
            continue
        response = client.get(path)
        if response.status_code >= 500 or response.status_code not in (200, 302, 404):
            broken.append(f"{path}: {response.status_code}")
        elif endpoint.endswith(".index") and response.status_code == 200:
            page = response.get_data(as_text=True)
            if not re.search(r'<h1', page):
                broken.append(f"{path}: no heading")
    assert not broken, "\n".join(broken)


def test_the_empty_activity_list_says_how_to_begin(app, make_client):
    page = make_client("dpo").get("/activities").get_data(as_text=True)
    assert "The register is empty" in page and "Add the first processing activity" in page
    dashboard = make_client("auditor").get("/").get_data(as_text=True)
    assert "No snapshot has been signed off yet" in dashboard
