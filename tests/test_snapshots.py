"""Snapshots: the register frozen and signed off, exported "as at" later, tampering detected."""

import json

import sqlalchemy as sa

from ropa.extensions import db
from ropa.services.records import save_record


def test_a_snapshot_freezes_the_register_for_later_exports(seeded, run_cli, tmp_path):
    result = run_cli("snapshot", "create", "DSPT 2025-26 submission", "--approved-by", "Deborah Tonkin, DPO")
    assert result.exit_code == 0 and "sha256" in result.output
    save_record("activities", {"reference": "PA-001", "name": "Renamed after the snapshot"}, actor="dpo")
    then = json.loads(run_cli("export", "-", "--format", "json", "--as-at", "DSPT 2025-26 submission").output)
    now = json.loads(run_cli("export", "-", "--format", "json").output)
    names = {a["reference"]: a["name"] for a in then["activities"]}
    assert names["PA-001"] == "Diagnosis, treatment and follow-up care"
    assert {a["reference"]: a["name"] for a in now["activities"]}["PA-001"] == "Renamed after the snapshot"
    assert [s["label"] for s in now["snapshots"]] == ["DSPT 2025-26 submission"]
    svg = tmp_path / "then.svg"
    assert run_cli("export", str(svg), "--format", "svg", "--as-at", "DSPT 2025-26 submission").exit_code == 0
    assert "Diagnosis, treatment" in svg.read_text()


def test_snapshots_are_never_overwritten_and_unknown_ones_are_named(seeded, run_cli):
    assert run_cli("snapshot", "create", "Q1").exit_code == 0
    again = run_cli("snapshot", "create", "Q1")
    assert again.exit_code == 1 and "already exists" in again.output
    missing = run_cli("export", "-", "--format", "json", "--as-at", "Q9")
    assert missing.exit_code == 1 and "no snapshot called 'Q9'" in missing.output and "Q1" in missing.output


def test_an_altered_snapshot_is_refused(seeded, run_cli):
    run_cli("snapshot", "create", "Q1")
    db.session.execute(sa.text("UPDATE snapshots SET content = replace(content, 'Deborah', 'Someone')"))
    db.session.commit()
    result = run_cli("export", "-", "--format", "json", "--as-at", "Q1")
    assert result.exit_code == 1 and "altered" in result.output
