"""Stored findings (services/stored_findings.py) and the ICO workbook's streamed inputs and progress.

The workbook of the live register is written from batched Core queries and from findings stored per audit head;
these tests hold both to what the whole-register path gives (dump_register, run_checks).
"""

import io
import json
from datetime import timedelta

import openpyxl
import sqlalchemy as sa

from bench.generate import generate
from ropa.checks import citation_of, run_checks
from ropa.exchange.jsonio import dump_text, read_dump
from ropa.extensions import db
from ropa.models import AuditHead, StoredFinding
from ropa.models.base import utcnow
from ropa.services import findings as stored_findings, register_reader
from ropa.ico.export import live_inputs, write_ico
from ropa.services.records import save_record
from ropa.services.register import apply_records, dump_register
from ropa.services.snapshots import content_hash

STREAMED = ("activities", "engagements", "transfers", "disclosures", "systems")


def _register() -> dict:
    register = dump_register()
    register.pop("snapshots", None)
    return register


def _findings_sheet(data: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Findings"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    return [dict(zip((*stored_findings.FIELDS, "citation"), (v or "" for v in row))) for row in rows]


def _load_synthetic(n: int) -> None:
    records, snapshots, problems = read_dump(dump_text(generate(n)).encode(), "synthetic.json")
    assert problems == []
    apply_records(records, actor="test", snapshots=snapshots)


# --- Stored findings ---------------------------------------------------------------------------------------------


def test_refresh_stores_the_checks_findings_at_the_audit_head(seeded):
    assert stored_findings.state() is None and stored_findings.fresh_state() is None
    state, found = stored_findings.refresh()
    register = _register()
    assert state.audit_head_hash == db.session.scalar(sa.select(AuditHead.last_hash)) != ""
    assert state.register_sha256 == content_hash(dump_text(register))
    assert state.counts["activities"] == len(register["activities"]) == 28
    assert list(stored_findings.stream(batch=7)) == [f.as_dict() for f in run_checks(register)] == \
        [f.as_dict() for f in found]
    assert stored_findings.fresh_state() == state


def test_a_later_write_or_a_new_day_makes_them_stale(seeded):
    state, _ = stored_findings.refresh()
    assert stored_findings.fresh_state(today=state.checked_for + timedelta(days=1)) is None
    save_record("activities", {"reference": "PA-001", "name": "Renamed"}, actor="dpo")
    assert stored_findings.fresh_state() is None
    assert stored_findings.state() == state  # still there, known to be stale


def test_a_second_refresh_replaces_the_first(seeded):
    stored_findings.refresh()
    save_record("activities", {"reference": "PA-026", "lawful_bases": ["6(1)(e)"]}, actor="dpo")
    _, found = stored_findings.refresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFinding)) == len(found)
    assert list(stored_findings.stream()) == [f.as_dict() for f in run_checks(_register())]


def test_the_export_refreshes_stale_findings_and_its_findings_sheet_equals_the_checks(seeded):
    stored_findings.refresh()
    save_record("activities", {"reference": "PA-001", "name": "=1+1 renamed"}, actor="dpo")
    out = io.BytesIO()
    write_ico(out, generated_by="test")
    assert stored_findings.fresh_state() is not None  # refreshed at the new head
    expected = [f.as_dict() for f in run_checks(_register())]
    assert _findings_sheet(out.getvalue()) == expected
    about = {row[0]: row[1] for row in openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True)["About"]
             .iter_rows(min_row=3, values_only=True)}
    assert about["SHA-256 of the register content"] == content_hash(dump_text(_register()))


def test_the_findings_sheet_has_a_citation_column_with_each_rules_provision(seeded):
    stored_findings.refresh()
    out = io.BytesIO()
    write_ico(out, generated_by="test")
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True)["Findings"]
    headings = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert headings[-1] == "Citation"
    pearson = next(f for f in _findings_sheet(out.getvalue()) if f["rule"] == "T01" and f["entity_ref"] == "TR-001")
    assert pearson["citation"] == citation_of("T01") and "UK GDPR Art. 44" in pearson["citation"]


def test_stored_findings_get_their_citation_from_the_catalogue(seeded):
    stored_findings.refresh()
    streamed = list(stored_findings.stream())
    assert streamed and all(f["citation"] == citation_of(f["rule"]) != "" for f in streamed)


def test_fresh_stored_findings_are_used_as_they_are(seeded):
    state, _ = stored_findings.refresh()
    db.session.execute(sa.update(StoredFinding).where(StoredFinding.id == 1).values(message="from the store"))
    db.session.commit()
    out = io.BytesIO()
    write_ico(out, generated_by="test")
    assert _findings_sheet(out.getvalue())[0]["message"] == "from the store"
    assert stored_findings.state().computed_at == state.computed_at  # not run again


def test_check_store_keeps_them_fresh_for_a_scheduled_job(seeded, run_cli):
    result = run_cli("check", "--store", "--format", "json")
    assert result.exit_code == 1  # the seed has error-level findings
    assert len(json.loads(result.output)["findings"]) == stored_findings.count() > 0
    assert stored_findings.fresh_state() is not None


# --- Streamed inputs ---------------------------------------------------------------------------------------------


def _streamed() -> dict[str, list[dict]]:
    inputs, totals = live_inputs()
    streamed = {name: list(inputs[name]) for name in STREAMED}
    assert {name: len(items) for name, items in streamed.items()} == totals
    return streamed


def test_the_streamed_inputs_equal_the_dump_records_on_the_seed(seeded):
    register = _register()
    assert _streamed() == {name: register[name] for name in STREAMED}
    for name in ("countries", "lawful_bases", "organisations"):
        assert register_reader.keyed(name) == {r[register_reader.BY_NAME[name].key[0]]: r for r in register[name]}


def test_the_streamed_inputs_equal_the_dump_records_on_a_synthetic_register_in_small_batches(app, monkeypatch):
    _load_synthetic(300)
    register = _register()
    monkeypatch.setattr(register_reader, "BATCH", 7)
    ids = register_reader.ordered_ids("activities")
    batches = [register_reader.records_of("activities", list(ids[start:start + 7])) for start in range(0, len(ids), 7)]
    assert [record for batch in batches for record in batch] == register["activities"]
    assert list(register_reader.disclosures_of(ids, batch=7)) == register["disclosures"]
    assert _streamed() == {name: register[name] for name in STREAMED}


def test_keys_the_database_sorts_differently_come_out_in_the_dumps_natural_order(seeded):
    for reference in ("PA-9", "PA-10", "pa-100", "PA-2b"):
        save_record("activities", {"reference": reference, "name": f"Activity {reference}"}, actor="dpo")
    assert [a["reference"] for a in register_reader.stream("activities")] == \
        [a["reference"] for a in _register()["activities"]]


def test_organisations_are_read_per_batch_and_on_demand(seeded):
    window = register_reader.Window()
    assert window.ours["name"] == "HCRG Care Services Ltd" and window.get(window.ours["name"]) is window.ours
    assert len(window) == 0
    nelft = "North-East London NHS Foundation Trust"
    window.load([{"controller": nelft, "joint_controllers": []}])
    assert list(window) == [nelft]
    assert window.get("Provide CIC")["name"] == "Provide CIC"  # not in the batch: read on demand
    assert window.get("No such organisation") is None


# --- Progress ------------------------------------------------------------------------------------------------


def test_progress_is_reported_at_each_sheet_and_rises_to_one(app, monkeypatch):
    from ropa.ico import export as ico

    _load_synthetic(300)
    monkeypatch.setattr(ico, "EVERY", 100)
    reports: list[tuple[float, str]] = []
    write_ico(io.BytesIO(), generated_by="test", progress=lambda fraction, message: reports.append((fraction, message)))
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert reports[0][1] == "Running the checks on the whole register"  # none stored yet
    messages = " ".join(m for _, m in reports)
    for step in ("Writing processors and contracts", "Writing the Template", "Writing data sharing",
                 "Writing information assets", "Writing findings"):
        assert step in messages
    assert "Writing data sharing: 100 of" in messages  # and every EVERY rows within a sheet

    reports.clear()
    write_ico(io.BytesIO(), generated_by="test", progress=lambda fraction, message: reports.append((fraction, message)))
    assert reports[0][0] == 0.0 and "Running the checks" not in reports[0][1]  # fresh: straight to the sheets


def test_an_export_as_at_a_snapshot_reports_progress_too(seeded):
    from ropa.services.snapshots import create_snapshot

    create_snapshot("Q1", actor="test")
    reports = []
    counts = write_ico(io.BytesIO(), generated_by="test", as_at="Q1", progress=lambda f, m: reports.append((f, m)))
    assert counts["Template"] == 26 and reports[-1][0] == 1.0 and "snapshot 'Q1'" in reports[0][1]
    assert stored_findings.state() is None  # a snapshot's findings are its own, never stored


def test_computed_at_is_recent(seeded):
    state, _ = stored_findings.refresh()
    assert abs(utcnow() - state.computed_at) < timedelta(minutes=5)
