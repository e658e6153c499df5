"""Meta-tests: the layers stay apart, the migrations match the models, every command documents itself."""

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ropa.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PURE_MODULES = ["ropa.exchange.schema", "ropa.exchange.csvio", "ropa.exchange.jsonio", "ropa.exchange.values",
                "ropa.enums", "ropa.graph", "ropa.graph.build", "ropa.graph.routes", "ropa.graph.index", "ropa.checks",
                "ropa.graph.formats", "ropa.graph.picture",
                "ropa.ico.columns", "ropa.ico.writer", "ropa.ico.writer_process",
                "ropa.ico.reader", "ropa.ico.writer", "ropa.diff", "ropa.ico.changes"]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_do_not_import_flask(module):
    code = f"import sys, {module}; assert 'flask' not in sys.modules, sorted(m for m in sys.modules if 'flask' in m)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_views_do_not_touch_the_session():
    for path in [*(ROOT / "ropa" / "views").glob("*.py"), *(ROOT / "ropa" / "api").glob("*.py")]:
        assert "db.session" not in path.read_text(), f"{path.name} writes or queries directly; call a service"


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == [], "the models changed without a migration: run `ropa db migrate -m '...'`"


COMMANDS = [["init-db"], ["demo"], ["serve"], ["import"], ["export"], ["create-user"], ["create-token"],
            ["audit", "verify"], ["diff"], ["review", "start"], ["review", "confirm"]]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_explains_itself(command):
    result = subprocess.run([sys.executable, "-m", "ropa", *command, "--help"], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "Usage: ropa" in result.stdout and len(result.stdout.splitlines()) > 4
