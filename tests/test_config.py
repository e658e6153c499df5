"""Configuration: ROPA_* variables with safe defaults kept in the instance folder."""

import stat

from ropa.config import database_url, secret_key


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("ROPA_SECRET_KEY", raising=False)
    first = secret_key(str(tmp_path))
    assert len(first) >= 64 and secret_key(str(tmp_path)) == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert secret_key(str(tmp_path / "other")) != first


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("ROPA_SECRET_KEY", "from-env")
    assert secret_key(str(tmp_path)) == "from-env"


def test_database_url_defaults_to_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ROPA_DATABASE_URL", raising=False)
    assert database_url(str(tmp_path)) == f"sqlite:///{tmp_path / 'ropa.db'}"
    monkeypatch.setenv("ROPA_DATABASE_URL", "postgresql://u@h/db")
    assert database_url(str(tmp_path)) == "postgresql+psycopg://u@h/db"
