"""The `ropa` command line: exit status 0 / 1 (fixable, with the reason) / 2 (bad usage)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import ApiToken, User

ROOT = Path(__file__).resolve().parent.parent


def test_create_user_with_password_from_stdin(app, run_cli):
    result = run_cli("create-user", "DPO@Example.org", "--role", "dpo", "--password-stdin",
                     input="a long enough password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert (user.email, user.role.value) == ("dpo@example.org", "dpo")
    assert "a long enough password" not in user.password_hash
    again = run_cli("create-user", "dpo@example.org", "--role", "dpo", "--password-stdin", input="another password!\n")
    assert again.exit_code == 1 and "already exists" in again.output


def test_create_user_generates_a_password_shown_once(app, run_cli):
    result = run_cli("create-user", "auditor@example.org", "--role", "auditor")
    assert result.exit_code == 0 and "One-time password" in result.output


def test_a_short_password_is_refused(app, run_cli):
    result = run_cli("create-user", "a@example.org", "--role", "editor", "--password-stdin", input="short\n")
    assert result.exit_code == 1 and "at least 12 characters" in result.output


def test_bad_usage_exits_2(app, run_cli):
    assert run_cli("create-user", "a@example.org", "--role", "overlord").exit_code == 2
    assert run_cli("export", "x", "--format", "pdf").exit_code == 2
    assert run_cli("import").exit_code == 2


def test_create_token_stores_only_a_hash(app, run_cli):
    run_cli("create-user", "api@example.org", "--role", "auditor")
    result = run_cli("create-token", "api@example.org")
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("ropa_")
    stored = db.session.scalar(sa.select(ApiToken))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert run_cli("create-token", "nobody@example.org").exit_code == 1


def test_import_of_a_missing_file_says_so(app, run_cli, tmp_path):
    result = run_cli("import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "no such file or folder" in result.output


def test_export_json_to_stdout_and_csv_to_a_folder(seeded, run_cli, tmp_path):
    result = run_cli("export", "-", "--format", "json")
    assert json.loads(result.output)["format"] == "ropa-register"
    folder = tmp_path / "out"
    folder.mkdir()
    result = run_cli("export", str(folder), "--format", "csv")
    assert result.exit_code == 0
    assert {p.name for p in folder.iterdir()} >= {"activities.csv", "organisations.csv", "transfers.csv"}


def test_init_db_from_the_installed_command(tmp_path):
    env = {"ROPA_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}", "ROPA_INSTANCE_DIR": str(tmp_path / "i"),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "ropa", "init-db", "--seed"], env=env, cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert re.search(r"activities: [1-9]\d* created", result.stdout)
    verify = subprocess.run([sys.executable, "-m", "ropa", "audit", "verify"], env=env, cwd=ROOT,
                            capture_output=True, text=True)
    assert verify.returncode == 0 and "intact" in verify.stdout
