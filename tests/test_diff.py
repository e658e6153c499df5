"""What changed between two snapshots (page, CLI, workbook), and signed-off snapshots the database keeps unchanged."""

import html
import json
import re

import openpyxl
import pytest
import sqlalchemy as sa

from ropa.diff import compare_records
from ropa.extensions import db
from ropa.services.diff import diff_snapshots
from ropa.services.records import save_record
from ropa.services.snapshots import create_snapshot, register_as_at

BEFORE, AFTER = "DSPT 2025-26 submission", "After the review"
OLD_NAME = "Diagnosis, treatment and follow-up care"
NEW_NAME = "Diagnosis, treatment and follow-up"
#: The three fields edited on PA-001 (dump form), before and after, in the catalogue's order.
EDITED = {"name": (OLD_NAME, NEW_NAME), "dpia_required": (None, True), "owner": (None, "Jane Smith, Head of Nursing")}
ADDED = "PA-900"


@pytest.fixture
def two_snapshots(seeded):
    """A signed-off snapshot; three fields of PA-001 edited and one activity added; a second snapshot."""
    create_snapshot(BEFORE, actor="test", approved_by="Deborah Tonkin, DPO")
    save_record("activities", {"reference": "PA-001", "name": NEW_NAME, "owner": EDITED["owner"][1],
                               "dpia_required": "yes"}, actor="test")
    save_record("activities", {"reference": ADDED, "name": "Staff wellbeing survey",
                               "purpose": "To learn how staff are and what would help"}, actor="test")
    create_snapshot(AFTER, actor="test")
    return seeded


def _empty(value):
    return None if value in ("", []) else value


def test_the_diff_lists_exactly_the_changes_made(two_snapshots):
    result = diff_snapshots(BEFORE, AFTER)
    assert [(c.kind, c.key, c.action) for c in result.changes] == \
        [("activities", "PA-001", "changed"), ("activities", ADDED, "added")]
    edited = result.changes[0]
    assert edited.name == NEW_NAME
    assert {f.field: (_empty(f.before), f.after) for f in edited.fields} == EDITED
    assert result.changes[1].record["name"] == "Staff wellbeing survey"
    # The new activity has no lawful basis: that finding opens; nothing the edit did closes one.
    assert ("L01", ADDED) in {(f.rule, f.entity_ref) for f in result.opened}
    assert {f.entity_ref for f in result.opened} == {ADDED}
    assert result.closed == []
    assert (result.source_sha256, result.target_sha256) == (register_as_at(BEFORE)[1], register_as_at(AFTER)[1])


def test_the_cli_writes_the_diff_as_text_json_and_a_workbook(two_snapshots, run_cli, tmp_path):
    text = run_cli("diff", BEFORE, AFTER)
    assert text.exit_code == 0
    lines = text.output.splitlines()
    findings_from = next(i for i, line in enumerate(lines) if line.startswith("Findings opened"))
    records = [line for line in lines[:findings_from] if re.match(r"  [~+\-x^] ", line)]
    assert records == [f"  ~ PA-001  {NEW_NAME}", f"  + {ADDED}  Staff wellbeing survey (added)"]
    assert "Processing activities: 1 changed, 1 added" in lines
    assert f"      name: {OLD_NAME!r} → {NEW_NAME!r}" in lines
    assert "      owner: (empty) → 'Jane Smith, Head of Nursing'" in lines
    assert "      dpia_required: (empty) → yes" in lines
    assert any(line.startswith(f"  + L01 (error) activity {ADDED}:") for line in lines)

    dumped = json.loads(run_cli("diff", BEFORE, AFTER, "--format", "json").output)
    assert [(c["kind"], c["key"], c["action"]) for c in dumped["changes"]] == \
        [("activities", "PA-001", "changed"), ("activities", ADDED, "added")]
    assert {f["field"]: (_empty(f["before"]), f["after"]) for f in dumped["changes"][0]["fields"]} == EDITED
    assert dumped["from"]["label"] == BEFORE and dumped["to"]["label"] == AFTER
    assert dumped["counts"] == {"activities": {"changed": 1, "added": 1}}

    path = tmp_path / "changes.xlsx"
    written = run_cli("diff", BEFORE, AFTER, "--format", "xlsx", "--output", str(path))
    assert written.exit_code == 0 and f"Wrote {path}" in written.output
    assert _change_rows(openpyxl.load_workbook(path)["Changes since"]) == _expected_rows()


def _change_rows(sheet) -> list[tuple]:
    """The sheet's record rows (not the findings): what, key, change, field, before, after."""
    rows = list(sheet.iter_rows(values_only=True))
    heading = rows.index(("What", "Reference or name", "Name", "Change", "Field", "Before", "After"))
    return [(r[0], r[1], r[3], r[4], r[5], r[6]) for r in rows[heading + 1:]
            if r[0] and not r[0].startswith("Finding")]


def _expected_rows() -> list[tuple]:
    shown = {True: "Yes", None: None}
    return [("Processing activities", "PA-001", "changed", field, shown.get(before, before), shown.get(after, after))
            for field, (before, after) in EDITED.items()] + \
        [("Processing activities", ADDED, "added", None, None, None)]


def test_the_ico_workbook_as_at_a_snapshot_carries_the_changes_since_a_baseline(two_snapshots, run_cli, tmp_path):
    path = tmp_path / "ico.xlsx"
    result = run_cli("export", str(path), "--format", "ico", "--as-at", AFTER, "--since", BEFORE)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.index("Changes since") == book.sheetnames.index("Findings") + 1
    sheet = book["Changes since"]
    assert sheet["A1"].value == f"Changes since snapshot “{BEFORE}” to snapshot “{AFTER}”"
    assert _change_rows(sheet) == _expected_rows()
    opened = [r for r in sheet.iter_rows(values_only=True) if r[0] == "Finding L01 (error)"]
    assert [(r[1], r[3]) for r in opened] == [(f"activity {ADDED}", "opened")]
    plain = tmp_path / "plain.xlsx"
    assert run_cli("export", str(plain), "--format", "ico", "--as-at", AFTER).exit_code == 0
    assert "Changes since" not in openpyxl.load_workbook(plain, read_only=True).sheetnames
    refused = run_cli("export", "-", "--format", "json", "--since", BEFORE)
    assert refused.exit_code == 1 and "--format ico" in refused.output


def _cells(page: str) -> list[str]:
    """Each table row of the page as its text, tags stripped and spaces squeezed."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def test_the_page_shows_the_changes_grouped_and_linked(two_snapshots, make_client):
    client = make_client("auditor")
    listing = client.get("/snapshots").get_data(as_text=True)
    assert 'href="/snapshots/diff"' in listing
    response = client.get("/snapshots/diff", query_string={"from": BEFORE, "to": AFTER})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Processing activities: 1 changed, 1 added" in page
    assert 'href="/activities/PA-001"' in page and f'href="/activities/{ADDED}"' in page
    rows = [r for r in _cells(page) if r.startswith(("PA-", "Error", "Warning", "Note"))]
    edited = next(r for r in rows if r.startswith("PA-001"))
    assert f"Name {OLD_NAME} → {NEW_NAME}" in edited
    assert "Owner (empty) → Jane Smith, Head of Nursing" in edited and "DPIA required (empty) → Yes" in edited
    assert next(r for r in rows if r.startswith(ADDED)).startswith(f"{ADDED} Staff wellbeing survey Added")
    assert len([r for r in rows if r.startswith("PA-")]) == 2
    assert any(r.startswith("Error L01 activity PA-900") for r in rows)
    assert "Findings closed: 0" in page


def test_since_a_snapshot_to_now_and_a_removed_record_is_unlinked(two_snapshots, make_client, run_cli):
    save_record("activities", {"reference": "PA-002", "status": "retired"}, actor="test")
    result = diff_snapshots(AFTER)
    assert [(c.key, c.action, [f.field for f in c.fields]) for c in result.changes] == \
        [("PA-002", "retired", ["status"])]
    assert result.target == "now"
    assert "  x PA-002" in run_cli("diff", AFTER).output and "(retired)" in run_cli("diff", AFTER, "now").output
    # A recipient only the older register held: listed as removed, with no link to a page that is gone.
    gone = compare_records("recipients", [{"name": "Gone Ltd"}], [])
    assert [(c.key, c.action) for c in gone] == [("Gone Ltd", "removed")]
    page = make_client("editor").get("/snapshots/diff", query_string={"from": AFTER}).get_data(as_text=True)
    assert "Retired" in page and 'href="/activities/PA-002"' in page


def test_unknown_snapshots_are_named_and_nothing_is_compared(two_snapshots, make_client, run_cli):
    result = run_cli("diff", "Q9", AFTER)
    assert result.exit_code == 1 and "no snapshot called 'Q9'" in result.output and BEFORE in result.output
    assert run_cli("diff", BEFORE, "--format", "xlsx").exit_code == 1
    response = make_client("auditor").get("/snapshots/diff", query_string={"from": "Q9"})
    assert response.status_code == 422 and "No snapshot called" in response.get_data(as_text=True)


def test_the_diff_ignores_volatile_fields_and_empty_values():
    before = [{"reference": "PA-1", "name": "A", "id": 3, "version": 2, "owner": None, "systems": []}]
    after = [{"reference": "PA-1", "name": "A", "id": 9, "version": 5, "owner": "", "systems": None}]
    assert compare_records("activities", before, after) == []
    moved = compare_records("activities", before, [{**after[0], "systems": ["EHR", "Mail"]}])
    assert [(f.field, f.items_added) for f in moved[0].fields] == [("systems", ["EHR", "Mail"])]


# --- signed-off snapshots never change ----------------------------------------------------------------------------

def _refused(statement: str, label: str) -> str:
    with db.engine.connect() as connection, pytest.raises(sa.exc.IntegrityError) as refused:
        connection.execute(sa.text(statement), {"label": label})
        connection.commit()
    return str(refused.value.orig)


def test_the_database_refuses_to_change_or_delete_a_signed_off_snapshot(seeded):
    signed = create_snapshot("Signed", actor="test", approved_by="Deborah Tonkin, DPO")
    content, sha256 = signed.content, signed.sha256
    db.session.commit()
    message = _refused("UPDATE snapshots SET content = replace(content, 'Pearson', 'Someone') WHERE label = :label",
                       "Signed")
    assert "signed-off snapshot can never change" in message
    assert "signed-off snapshot" in _refused("UPDATE snapshots SET approved_by = '' WHERE label = :label", "Signed")
    assert "signed-off snapshot" in _refused("DELETE FROM snapshots WHERE label = :label", "Signed")
    db.session.expire_all()
    stored = db.session.execute(sa.text("SELECT content, sha256, approved_by FROM snapshots WHERE label = 'Signed'")).one()
    assert tuple(stored) == (content, sha256, "Deborah Tonkin, DPO")
    assert register_as_at("Signed")[1] == sha256
    if db.engine.dialect.name == "postgresql":
        db.session.commit()  # TRUNCATE waits for every other transaction on the table, this session's read included
        with db.engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
            connection.execute(sa.text("TRUNCATE snapshots"))
        assert db.session.scalar(sa.text("SELECT count(*) FROM snapshots")) == 1


def test_an_unsigned_snapshot_is_not_blocked(seeded):
    create_snapshot("Draft", actor="test")
    create_snapshot("Spare", actor="test")
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE snapshots SET approved_by = 'Deborah Tonkin, DPO' WHERE label = 'Draft'"))
        connection.execute(sa.text("DELETE FROM snapshots WHERE label = 'Spare'"))
    db.session.expire_all()
    assert db.session.scalars(sa.text("SELECT label FROM snapshots")).all() == ["Draft"]
    # Now signed off, it is frozen too.
    assert "signed-off snapshot" in _refused("DELETE FROM snapshots WHERE label = :label", "Draft")
