"""`ropa demo` end to end: a fresh database with the seed register, an admin password printed once, served."""

import urllib.request

from tests.server import demo_server


def test_demo_serves_the_seed_register(tmp_path):
    with demo_server(tmp_path / "instance") as (base, password):
        with urllib.request.urlopen(base + "/") as response:
            page = response.read().decode()
        with urllib.request.urlopen(base + "/static/ropa.css") as response:
            assert response.status == 200
    assert password and len(password) >= 12
    assert "Processing activities" in page
    assert "Digital Conners4" in page or "Conners" in page
    assert "North-East London NHS Foundation Trust" in page
    assert "PA-001" in page
