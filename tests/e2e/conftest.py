"""Browser tests: Playwright driving Debian's Chromium against a real server.

Opt-in locally (skipped when Chromium is missing); required where ROPA_REQUIRE_BROWSER=1, as in .ci/run.
"""

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("ROPA_REQUIRE_BROWSER") == "1":
            pytest.fail("ROPA_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
        pytest.skip("Chromium is not installed; browser tests are opt-in locally")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def server(tmp_path):
    """A fresh `ropa demo` server on its own instance folder: (base URL, instance folder)."""
    from tests.server import demo_server

    instance = tmp_path / "instance"
    with demo_server(instance) as (base, _password):
        yield base, instance
