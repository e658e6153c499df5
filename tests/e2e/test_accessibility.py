"""Every page passes axe-core's automated WCAG 2.2 A/AA checks in a real browser (axe-core as shipped in the
axe-playwright-python package). Automated checks find only part of what WCAG asks; the rest is in the journeys
(labels, focus, error summaries) and in people reading the screenshots."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.roles import PUBLIC, all_routes
from tests.server import demo_server

pytestmark = pytest.mark.browser
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
        "resultTypes": ["violations"]}


PAGES = {"index", "detail", "new", "edit", "edit_sharing", "tokens"}  # not downloads, pictures or job files


def test_every_page_passes_the_automated_wcag_checks(page, tmp_path):
    axe = Axe()
    found = []

    def check(path: str) -> None:
        for violation in axe.run(page, options=WCAG).response["violations"]:
            found.append(f"{path}: {violation['id']} ({violation['impact']}) {violation['help']} — "
                         f"{violation['nodes'][0]['html'][:120]}")

    with demo_server(tmp_path / "instance") as (base, password):
        page.goto(base + "/login")
        check("/login")
        page.get_by_label("Email address").fill("admin@ropa.local")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        check("/login (with an error)")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        paths = sorted({path for endpoint, method, path, allowed in all_routes()
                        if method == "GET" and allowed != PUBLIC and endpoint.split(".")[1] in PAGES})
        paths += ["/activities/PA-026", "/users/admin@ropa.local/edit", "/users/admin@ropa.local/tokens",
                  "/graph", "/findings", "/audit", "/account/mfa", "/account/password"]
        for path in paths:
            response = page.goto(base + path)
            if response.status == 200:
                check(path)
        page.goto(base + "/organisations/new")
        page.get_by_role("button", name="Save").click()  # an empty form: the error summary and messages
        check("/organisations/new (with errors)")
    assert len(paths) > 35
    assert not found, "\n".join(found)
