"""The ICO workbook end to end: export from the register, import into an empty one, same register back."""

import json

from ropa.cli import cli
from ropa.services.exports import json_dump

CARRIED = ["reference", "name", "business_function", "purpose", "data_subjects", "data_categories", "recipients",
           "lawful_bases", "legitimate_interests", "lia_url", "consent_record_url", "source", "location",
           "automated_decision_making", "security_measures", "dpia_required", "dpia_progress", "dpia_url",
           "breach_occurred", "breach_url", "retention_policy_url", "retention_compliant",
           "retention_noncompliance_reason", "joint_controllers", "rights_override"]


def _carried(register: dict) -> dict[str, dict]:
    return {a["reference"]: {k: a[k] for k in CARRIED} for a in register["activities"]
            if a["our_role"] != "processor"}


def _destinations(register: dict) -> set[tuple]:
    return {(t["activity"], t["country"], t["destination"]) for t in register["transfers"]}


def test_export_then_import_into_an_empty_register_gives_the_same_activities(seeded, run_cli, tmp_path,
                                                                              make_empty_register):
    workbook = tmp_path / "ropa.xlsx"
    assert run_cli("export", str(workbook), "--format", "ico").exit_code == 0
    before = json.loads(json_dump())
    again = run_cli("import", str(workbook))
    assert again.exit_code == 0 and "no changes" in again.output  # re-importing our own workbook changes nothing
    with make_empty_register() as other:
        result = other.test_cli_runner().invoke(cli, ["import", str(workbook)])
        assert result.exit_code == 0, result.output
        after = json.loads(json_dump())
    was, now = _carried(before), _carried(after)
    differences = {(ref, k): (was[ref][k], now.get(ref, {}).get(k)) for ref in was for k in CARRIED
                   if was[ref][k] != now.get(ref, {}).get(k)}
    assert differences == {}
    assert _destinations(after) <= {(a, c, d) for a, c, d in _destinations(before)} | {
        (a, c, d) for a, c, d in _destinations(after)}
    assert {t["activity"] for t in after["transfers"]} == {t["activity"] for t in before["transfers"]}
    ours = [o for o in after["organisations"] if o["is_self"]]
    assert [o["name"] for o in ours] == ["HCRG Care Services Ltd"] and ours[0]["dpo_name"] == "Deborah Tonkin"


def test_the_template_csv_has_the_ico_headings_and_one_row_per_controlled_activity(seeded, run_cli, tmp_path):
    import csv
    out = tmp_path / "template.csv"
    assert run_cli("export", str(out), "--format", "ico-csv").exit_code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][1] == "Purpose of processing" and rows[0][29] == "Reasons for not adhering to policy document " \
                                                                    "(if applicable)"
    assert len(rows) - 1 == 26
    pearson = next(r for r in rows if r[30] == "PA-026")
    assert pearson[7] == "Outside the UK and EEA (country not stated)"


def test_reimporting_keeps_each_transfers_own_mechanism(seeded, run_cli, tmp_path):
    from ropa.services.records import save_record

    save_record("transfers", {"reference": "TR-IN", "activity": "PA-012", "country": "IN", "mechanism": "idta",
                              "tra_date": "2026-01-10"}, actor="dpo")
    save_record("transfers", {"reference": "TR-ZA", "activity": "PA-012", "country": "ZA",
                              "mechanism": "art49_exception", "safeguards": "Occasional; ICO informed"}, actor="dpo")
    workbook = tmp_path / "ropa.xlsx"
    assert run_cli("export", str(workbook), "--format", "ico").exit_code == 0
    again = run_cli("import", str(workbook))
    assert again.exit_code == 0 and "no changes" in again.output, again.output


def test_every_mechanism_and_a_region_survive_export_and_import_into_an_empty_register(
        seeded, run_cli, tmp_path, make_empty_register):
    from ropa.enums import TransferMechanism
    from ropa.services.records import save_record

    countries = ["IN", "ZA", "US", "JP", "CA", "AU", "BR", "MX", "SG", "AE", "NG", "KE", "PH", "TH", "EG", "AR",
                 "CN", "CL"]
    mechanisms = [m.value for m in TransferMechanism]
    for n, (code, mechanism) in enumerate(zip(countries, mechanisms, strict=False), start=1):
        save_record("transfers", {"reference": f"TR-M{n}", "activity": "PA-012", "country": code,
                                  "mechanism": mechanism, "safeguards": f"Safeguards {n}; see file"}, actor="dpo")
    save_record("transfers", {"reference": "TR-EEA", "activity": "PA-012", "region": "eea",
                              "mechanism": "adequacy"}, actor="dpo")
    before = {(t["country"], t["region"], t["mechanism"]) for t in json.loads(json_dump())["transfers"]
              if t["activity"] == "PA-012"}
    assert len(before) == len(mechanisms) + 1
    workbook = tmp_path / "ropa.xlsx"
    assert run_cli("export", str(workbook), "--format", "ico").exit_code == 0
    with make_empty_register() as other:
        result = other.test_cli_runner().invoke(cli, ["import", str(workbook)])
        assert result.exit_code == 0, result.output
        after = {(t["country"], t["region"], t["mechanism"]) for t in json.loads(json_dump())["transfers"]
                 if t["activity"] == "PA-012"}
    assert after == before
