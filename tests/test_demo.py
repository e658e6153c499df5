"""`ropa demo` end to end: a fresh database with the seed register, an admin password printed once, served."""

import urllib.request


import pytest

from tests.server import demo_server, sign_in


def test_demo_serves_the_seed_register_to_a_signed_in_user(tmp_path):
    with demo_server(tmp_path / "instance") as (base, password):
        with urllib.request.urlopen(base + "/") as response:
            assert "/login" in response.url  # the register is not public
        assert password and len(password) >= 12
        with pytest.raises(AssertionError):
            sign_in(base, "admin@ropa.local", "not-the-password")
        opener = sign_in(base, "admin@ropa.local", password)
        with opener.open(base + "/") as response:
            dashboard = response.read().decode()
        with opener.open(base + "/activities") as response:
            page = response.read().decode()
        with urllib.request.urlopen(base + "/static/ropa.css") as response:
            assert response.status == 200
    assert "Dashboard" in dashboard and "PA-026" in dashboard  # the Pearson transfer needs attention
    assert "Processing activities" in page
    assert "Digital Conners4" in page
    assert "North-East London NHS Foundation Trust" in page
    assert "PA-001" in page
