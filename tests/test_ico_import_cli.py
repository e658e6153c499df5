"""A hand-filled ICO workbook through `ropa import` and `ropa check`: the activities and findings a DPO expects;
a malformed one is refused with cell-level messages and the register unchanged."""

import json

from ropa.services.exports import json_dump
from tests.test_ico_import import build

US_SMS = {
    "A": "Patient communications", "B": "Appointment reminders by text message",
    "D": "Patients", "E": "Name\nMobile number\nHealth information", "F": "Text message supplier",
    "H": "United States of America", "K": "Encryption in transit", "L": "Public task",
    "M": "Art 9(2)(h) health or social care", "Z": "Schedule 1 para 2",
}
CONSENT_SURVEY = {
    "A": "Quality", "B": "Patient experience survey", "D": "Patients", "E": "Name; Feedback",
    "H": "N/A", "K": "Role-based access", "L": "6(1)(a) Consent",
}


def test_a_hand_filled_workbook_imports_with_the_findings_a_dpo_expects(app, run_cli, tmp_path):
    path = tmp_path / "federation.xlsx"
    path.write_bytes(build(tmp_path, [US_SMS, None, CONSENT_SURVEY], heading_row=10))
    result = run_cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "activities: 2 created" in result.output
    register = json.loads(json_dump())
    sms = next(a for a in register["activities"] if a["purpose"].startswith("Appointment reminders"))
    assert sms["lawful_bases"] == ["6(1)(e)", "9(2)(h)", "Sch1 para 2"]
    assert [(t["activity"], t["country"]) for t in register["transfers"]] == [(sms["reference"], "US")]
    checked = run_cli("check", "--format", "json")
    found = {(f["rule"], f["entity_ref"]) for f in json.loads(checked.output)["findings"]}
    survey = next(a["reference"] for a in register["activities"] if a["purpose"].startswith("Patient experience"))
    transfer = register["transfers"][0]["reference"]
    assert {("T04", transfer), ("L06", survey)} <= found
    assert ("L01", sms["reference"]) not in found and ("L02", sms["reference"]) not in found
    assert checked.exit_code == 1
    again = run_cli("import", str(path))
    assert "no changes" in again.output


def test_a_malformed_workbook_is_refused_cell_by_cell_and_nothing_changes(app, run_cli, tmp_path):
    bad = dict(US_SMS, U="maybe", L="6(1)(z) Made up", H="Atlantis")
    path = tmp_path / "register.xlsx"
    path.write_bytes(build(tmp_path, [CONSENT_SURVEY, bad]))
    before = json_dump()
    result = run_cli("import", str(path))
    assert result.exit_code == 1
    assert "register.xlsx:Template!U11:" in result.output
    assert "register.xlsx:Template!L11: unknown lawful basis" in result.output
    assert "nothing was imported" in result.output
    assert json_dump() == before
