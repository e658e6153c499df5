"""`ropa serve` as a real gunicorn process on a free port, and the health endpoints a load balancer polls."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from ropa import create_app
from ropa.cli import cli
from ropa.config import PROJECT_ROOT
from ropa.extensions import db
from tests.server import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
HEAD = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/ropa"  # nothing listens on port 1: refused at once


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@contextmanager
def ropa_serve(tmp_path: Path, database_url: str):
    """`ropa serve` (one worker, two threads) in its own process group; yield (base URL, its stdout file).

    Always stopped: SIGTERM to the group (gunicorn's graceful stop), SIGKILL if it is still there after 10 s."""
    port = free_port()
    env = os.environ | {"ROPA_DATABASE_URL": database_url, "ROPA_INSTANCE_DIR": str(tmp_path / "instance"),
                        "PYTHONUNBUFFERED": "1"}
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "ropa", "serve", "--port", str(port), "--workers", "1",
                                    "--threads", "2"], cwd=ROOT, env=env, stdout=stdout, stderr=stderr,
                                   start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(process, base + "/healthz", 20, lambda: f"ropa serve did not start:\n{err.read_text()}")
        yield base, out
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass


def test_serve_is_healthy_and_ready_on_a_database_built_by_init_db(templates, tmp_path):
    path = tmp_path / "ropa.db"
    shutil.copyfile(templates["sqlite"], path)  # built by init_database, as `ropa init-db` builds it
    with ropa_serve(tmp_path, f"sqlite:///{path}") as (base, out):
        assert _get(base + "/healthz") == (200, {"status": "ok"})
        assert _get(base + "/readyz") == (200, {"status": "ready", "revision": HEAD})
    assert '"GET /readyz HTTP/1.1" 200' in out.read_text()  # the access log, on standard output


def test_serve_is_up_but_not_ready_when_the_database_is_unreachable(tmp_path):
    with ropa_serve(tmp_path, UNREACHABLE) as (base, _out):
        assert _get(base + "/healthz") == (200, {"status": "ok"})  # touches no database
        status, body = _get(base + "/readyz")
    assert status == 503 and body["status"] == "not ready"
    assert body["reason"].startswith("database unreachable: ") and "refused" in body["reason"]


def test_readyz_is_503_when_the_database_is_behind_the_code(app):
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0004'"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "not at head" in response.json["reason"]
    assert f"database at 0004, code at {HEAD}" in response.json["reason"]
    assert "ropa init-db" in response.json["reason"] and response.json["revision"] == "0004"


def test_readyz_is_503_when_the_database_is_ahead_of_the_code(app):
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and "not at head" in response.json["reason"]
    assert "does not know" in response.json["reason"]


def test_readyz_is_503_on_a_database_never_migrated(app):
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE alembic_version"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and "run `ropa init-db`" in response.json["reason"]


def test_readyz_does_not_create_a_missing_sqlite_file(tmp_path):
    path = tmp_path / "missing.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and "unreachable" in response.json["reason"]
    assert not path.exists()


def test_probes_need_no_sign_in_and_no_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.head("/healthz").status_code == 200


@pytest.mark.parametrize(("cores", "workers"), [(1, 2), (2, 2), (4, 4), (8, 8), (64, 8)])
def test_default_workers_follow_the_cores_within_bounds(cores, workers):
    from ropa.serving import default_workers

    assert default_workers(cores) == workers
    assert workers <= 2 * cores + 1


def test_serve_options_come_from_flags_then_environment(monkeypatch):
    import ropa.serving

    calls = []
    monkeypatch.setattr(ropa.serving, "serve", lambda *args: calls.append(args))
    from click.testing import CliRunner

    runner = CliRunner()
    assert runner.invoke(cli, ["serve"], env={"ROPA_WORKERS": "3", "ROPA_THREADS": "5"}).exit_code == 0
    assert runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "6"],
                         env={"ROPA_WORKERS": "3", "ROPA_THREADS": None}).exit_code == 0
    assert runner.invoke(cli, ["serve", "--workers", "0"]).exit_code == 2
    assert calls == [("127.0.0.1", 8000, 3, 5), ("0.0.0.0", 9000, 6, None)]


def test_gunicorn_settings():
    from ropa.serving import RopaServer, options

    settings = options("::1", 8001, None, None)
    assert settings["bind"] == "[::1]:8001" and settings["threads"] == 4 and settings["accesslog"] == "-"
    server = RopaServer(settings)
    assert server.cfg.worker_class_str == "gthread" and server.cfg.graceful_timeout == 30
    assert server.cfg.bind == ["[::1]:8001"]


def test_readyz_gives_up_on_a_database_server_that_never_answers(monkeypatch):
    """A PostgreSQL address that takes the connection but never speaks (a host dropping packets behaves alike):
    /readyz answers 503 after ROPA_DB_CONNECT_TIMEOUT seconds instead of hanging until the proxy gives up."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog; nothing ever answers them
    monkeypatch.setenv("ROPA_DB_CONNECT_TIMEOUT", "2")
    try:
        url = f"postgresql://postgres@127.0.0.1:{silent.getsockname()[1]}/ropa"
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg{url[len('postgresql'):]}", "TESTING": True})
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"connect_timeout": 2}
        started = time.monotonic()
        response = app.test_client().get("/readyz")
        assert response.status_code == 503 and "unreachable" in response.json["reason"]
        assert time.monotonic() - started < 15
    finally:
        silent.close()
