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


def _findings(run_cli, *severities: str) -> set[tuple[str, str]]:
    checked = run_cli("check", "--format", "json")
    return {(f["rule"], f["entity_ref"]) for f in json.loads(checked.output)["findings"]
            if not severities or f["severity"] in severities}


def _transfer_of(register: dict, activity: str) -> list[dict]:
    return [t for t in register["transfers"] if t["activity"] == activity]


def test_the_contact_block_is_the_controller_so_no_o01_or_a02(app, run_cli, tmp_path):
    from tests.test_ico_import import CONTACT

    contact = dict(CONTACT)
    path = tmp_path / "trust.xlsx"
    data = build(tmp_path, [CONSENT_SURVEY], contact=contact)
    import io

    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["Template"]["A6"], book["Template"]["B6"] = "ICO registration number", "Z1234567"
    book.save(path)
    assert run_cli("import", str(path)).exit_code == 0
    register = json.loads(json_dump())
    ours = [o for o in register["organisations"] if o["is_self"]]
    assert len(ours) == 1 and ours[0]["name"]
    rules = {rule for rule, _ in _findings(run_cli)}
    assert "O01" not in rules and "A02" not in rules


def test_an_eea_transfer_is_adequate_and_an_idta_without_tra_is_t02(app, run_cli, tmp_path):
    eea = dict(US_SMS, A="Payroll", B="Payroll bureau", H="EEA", I="")
    idta = dict(US_SMS, A="Research", B="Trial analysis", H="India", I="IDTA")
    path = tmp_path / "register.xlsx"
    path.write_bytes(build(tmp_path, [eea, idta]))
    result = run_cli("import", str(path))
    assert result.exit_code == 0, result.output
    register = json.loads(json_dump())
    by_purpose = {a["purpose"]: a["reference"] for a in register["activities"]}
    (to_eea,) = _transfer_of(register, by_purpose["Payroll bureau"])
    (to_india,) = _transfer_of(register, by_purpose["Trial analysis"])
    assert (to_eea["region"], to_eea["country"]) == ("eea", None) or (to_eea["region"], to_eea["country"]) == (
        "eea", "")
    assert to_india["mechanism"] == "idta"
    found = _findings(run_cli, "error", "warning")
    assert not {rule for rule, ref in found if ref == to_eea["reference"]}
    assert ("T02", to_india["reference"]) in found


def test_a_country_typo_is_refused_at_its_cell_with_a_suggestion_and_nothing_is_written(app, run_cli, tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(build(tmp_path, [CONSENT_SURVEY, dict(US_SMS, H="Germny")]))
    before = json_dump()
    result = run_cli("import", str(path))
    assert result.exit_code == 1
    assert "register.xlsx:Template!H11: 'Germny' is not a country ropa knows — did you mean Germany?" in result.output
    assert json_dump() == before


def test_remarks_say_what_was_inferred_or_kept_in_notes(app, tmp_path):
    from ropa.ico.importing import read_ico

    row = dict(US_SMS, G="https://contracts.example/sms-supplier", H="USA (Microsoft Azure, East US); worldwide",
               I="we asked them nicely")
    _records, _snapshots, problems, remarks = read_ico(build(tmp_path, [row]), "register.xlsx")
    assert problems == []
    shown = [str(r) for r in remarks]
    assert any(s.startswith("register.xlsx:Template!G10: kept in notes:") and "contracts.example" in s
               for s in shown)
    assert any(s.startswith("register.xlsx:Template!H10: kept in notes:") and "Microsoft Azure" in s for s in shown)
    assert any(s.startswith("register.xlsx:Template!H10: inferred:") and "worldwide" in s for s in shown)
    assert "register.xlsx:Template!I10: inferred: column I names no transfer mechanism ropa recognises: kept as " \
           "safeguards text" in shown


def test_a_register_kept_for_another_organisation_refuses_the_sheet_naming_both(app, run_cli, tmp_path):
    first = tmp_path / "first.xlsx"
    first.write_bytes(build(tmp_path, [CONSENT_SURVEY]))
    assert run_cli("import", str(first)).exit_code == 0
    ours = next(o["name"] for o in json.loads(json_dump())["organisations"] if o["is_self"])
    other = tmp_path / "other.xlsx"
    contact = {"Organisation name and contact details": ["Another Trust", "", "", ""]}
    other.write_bytes(build(tmp_path, [CONSENT_SURVEY], contact=contact))
    result = run_cli("import", str(other))
    assert result.exit_code == 1
    assert "other.xlsx:Template!B2:" in result.output and repr(ours) in result.output
    assert "'Another Trust'" in result.output
