"""The people of the browser journeys: users added with the command line as an administrator would, and signing
in through the login page (the `server` fixture, a fresh demo per test, is in conftest.py)."""

import os
import subprocess
import sys

from playwright.sync_api import expect

from tests.server import ROOT

PASSWORD = "a long journey password"


def add_user(instance, email: str, role: str, services: tuple[str, ...] = ()) -> None:
    """Create a user in the demo database with the command line, as an administrator would."""
    env = os.environ | {"ROPA_INSTANCE_DIR": str(instance),
                        "ROPA_DATABASE_URL": f"sqlite:///{instance / 'demo.db'}"}
    subprocess.run([sys.executable, "-m", "ropa", "create-user", email, "--role", role, "--password-stdin",
                    *(a for name in services for a in ("--service", name))],
                   input=PASSWORD, text=True, check=True, cwd=ROOT, env=env, capture_output=True)


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
