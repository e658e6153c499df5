"""A person signs in and sees the seed register in a browser."""

import pytest

from tests.server import demo_server

pytestmark = pytest.mark.browser


def test_sign_in_and_see_the_seed_activities(page, artifacts, tmp_path):
    with demo_server(tmp_path / "instance") as (base, password):
        page.goto(base + "/")
        assert "/login" in page.url
        page.get_by_label("Email address").fill("admin@ropa.local")
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("alert").is_visible()
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("heading", name="Dashboard").is_visible()
        page.get_by_role("link", name="Activities", exact=True).click()
        assert page.get_by_role("heading", name="Processing activities").is_visible()
        assert page.locator("table tbody tr").count() >= 25
        assert page.get_by_role("cell", name="PA-001", exact=True).is_visible()
        page.keyboard.press("Tab")  # the skip link is the first thing a keyboard user reaches
        assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
        page.screenshot(path=str(artifacts / "register.png"), full_page=True)
        page.get_by_role("button", name="Sign out").click()
        assert "/login" in page.url
