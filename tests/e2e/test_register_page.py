"""A person opens the register in a browser and sees the seed activities."""

import pytest

from tests.server import demo_server

pytestmark = pytest.mark.browser


def test_the_register_page_lists_the_seed_activities(page, artifacts, tmp_path):
    with demo_server(tmp_path / "instance") as (base, _password):
        page.goto(base + "/")
        assert page.title().startswith("Processing activities")
        assert page.get_by_role("heading", name="Processing activities").is_visible()
        rows = page.locator("table tbody tr")
        assert rows.count() >= 25
        assert page.get_by_role("cell", name="PA-001", exact=True).is_visible()
        page.keyboard.press("Tab")  # the skip link is the first thing a keyboard user reaches
        assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
        page.screenshot(path=str(artifacts / "register.png"), full_page=True)
