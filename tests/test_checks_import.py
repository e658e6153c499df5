"""The checks on registers that came in through the front door: a hand-written CSV register, and the seed.

A GP federation's register, written as another team would write our CSV files (only the columns they use, blanks
where they did not know), is imported with `ropa import` and checked with `ropa check --format json`: the findings
are the ones its DPO would expect, and fixing one row in a second import clears exactly that finding.
"""

import json
import textwrap
from pathlib import Path

import pytest

from ropa.graph import impact_of
from ropa.services.analysis import findings, load_graph

TRANSFER_ERRORS = {"T01", "T02", "T03", "T04"}

FEDERATION = {
    "organisations.csv": """\
        name,kind,is_self,is_public_authority,country,ico_registration,dspt_status,dpo_name,dpo_contact
        Northfield GP Federation Ltd,company,yes,no,GB,ZA765432,standards_met,Priya Shah,dpo@northfield-fed.example
        TextReach Inc,company,no,no,US,,not_published,,
        Datenhafen Backup GmbH,company,no,no,DE,,not_published,,
        Mumbai Clinical Scribes Pvt Ltd,company,no,no,IN,,not_published,,
        """,
    "data_categories.csv": """\
        name,kind,description
        Name,personal,
        Contact details,personal,Telephone number and email address
        NHS number,personal,
        Health information,special,Consultation notes and clinical letters
        """,
    "subject_categories.csv": """\
        name,description
        Patients,Patients registered with a member practice
        """,
    "services.csv": """\
        name,description,provider,partners,notes
        Extended Access Hubs,Evening and weekend GP appointments,Northfield GP Federation Ltd,,
        """,
    "systems.csv": """\
        name,description,supplier,hosting_country,location
        TextReach SMS,Appointment reminder texts,TextReach Inc,US,TextReach cloud (US)
        Offsite backup vault,Nightly encrypted backups of the hub clinical system,Datenhafen Backup GmbH,DE,Frankfurt
        """,
    "engagements.csv": """\
        reference,processor,services,contract_reference,art28_confirmed,start_date,end_date,countries
        NGF-E1,TextReach Inc,Extended Access Hubs,TR-2024-17,yes,2024-04-01,,US
        NGF-E2,Datenhafen Backup GmbH,Extended Access Hubs,DH-889,yes,2023-09-01,,DE
        NGF-E3,Mumbai Clinical Scribes Pvt Ltd,Extended Access Hubs,MCS-12,yes,2025-10-01,,IN
        """,
    "register.csv": """\
        reference,name,service,our_role,controller,purpose,data_subjects,data_categories,article_6,article_9,schedule_1,consent_record_url,systems,processors,retention_rule,security_measures,last_reviewed,status
        NGF-01,Appointment reminders by text,Extended Access Hubs,controller,,Remind patients of hub appointments,Patients,Name; Contact details,6(1)(e),,,,TextReach SMS,TextReach Inc,,TLS; role-based access,2026-02-01,active
        NGF-02,Extended access consultations,Extended Access Hubs,controller,,Evening and weekend GP consultations,Patients,Name; NHS number; Health information,6(1)(e) Public task,,,,Offsite backup vault,Datenhafen Backup GmbH,,Smartcards; audit trail,2026-02-01,active
        NGF-03,Transcription of clinical letters,Extended Access Hubs,controller,,Typing dictated clinical letters,Patients,Name; NHS number; Health information,6(1)(e),9(2)(h),Sch1 para 2,,,Mumbai Clinical Scribes Pvt Ltd,,Encrypted upload; no local copies,2026-02-01,active
        NGF-04,Patient experience survey,Extended Access Hubs,controller,,Ask patients about their hub visit,Patients,Name; Contact details,6(1)(a) Consent,,,,,,,Survey tool access limited to the quality lead,2026-02-01,active
        """,
    "transfers.csv": """\
        reference,activity,country,destination,organisation,system,mechanism,safeguards,certification,certification_checked,tra_date,tra_outcome,tra_url,notes
        NGF-T1,NGF-01,US,,TextReach Inc,TextReach SMS,,,,,,,,Supplier hosts in the US; nothing on file yet
        NGF-T2,NGF-03,IN,,Mumbai Clinical Scribes Pvt Ltd,,idta,,,,2025-11-03,Data protection test met,https://intranet.example/tra/mcs,
        """,
}

CORRECTED_TRANSFER = """\
    reference,activity,country,destination,organisation,system,mechanism,safeguards,certification,certification_checked,tra_date,tra_outcome,tra_url,notes
    NGF-T1,NGF-01,US,,TextReach Inc,TextReach SMS,uk_us_data_bridge,,UK Extension to the EU-US Data Privacy Framework: TextReach Inc (active),2026-05-20,,,,Certification checked on the DPF list
    """


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def check_json(run_cli) -> tuple[int, list[dict]]:
    result = run_cli("check", "--format", "json")
    return result.exit_code, json.loads(result.stdout)["findings"]


def transfer_and_basis_pairs(found: list[dict]) -> set[tuple[str, str]]:
    return {(f["rule"], f["entity_ref"]) for f in found if f["rule"][0] in "TL"}


@pytest.fixture
def federation(app, run_cli, tmp_path):
    """The GP federation's register, imported from its CSV folder."""
    result = run_cli("import", str(write_folder(tmp_path / "federation", FEDERATION)))
    assert result.exit_code == 0, result.output
    return app


def test_a_hand_written_register_gets_the_findings_its_dpo_expects(federation, run_cli):
    exit_code, found = check_json(run_cli)

    assert exit_code == 1
    assert transfer_and_basis_pairs(found) == {
        ("T04", "NGF-T1"),  # US SMS supplier: no data bridge certification, no IDTA
        ("L02", "NGF-02"),  # health data with no Art. 9 condition
        ("L06", "NGF-04"),  # consent with no record of consent
        ("T05", "NGF-T2"),  # health data to India: listed for the DPO's attention, not an error
        ("T05", "NGF-02"),  # health data backed up in Germany: listed too, though the EEA is adequate
    }
    by_pair = {(f["rule"], f["entity_ref"]): f for f in found}
    assert by_pair[("T04", "NGF-T1")]["severity"] == "error"
    assert "United States" in by_pair[("T04", "NGF-T1")]["message"]
    assert "(Health information)" in by_pair[("L02", "NGF-02")]["message"]
    assert "6(1)(a)" in by_pair[("L06", "NGF-04")]["message"]
    assert by_pair[("T05", "NGF-T2")]["severity"] == "info"  # a note (was a warning): the law asks nothing more to be recorded


def test_ropa_check_prints_the_provision_under_each_finding(federation, run_cli):
    text = run_cli("check").output
    assert "Law: UK GDPR Art. 45; Data Protection (Adequacy) (United States of America) Regulations 2023" in text
    _, found = check_json(run_cli)
    assert all(f["citation"] for f in found)
    assert {f["citation"] for f in found if f["rule"] == "L02"} == {"UK GDPR Art. 9(1)-(2)"}


def test_the_german_backup_and_the_indian_transcription_raise_no_transfer_error(federation, run_cli):
    _, found = check_json(run_cli)
    transfer_errors = [f for f in found if f["rule"] in TRANSFER_ERRORS]
    assert [f["entity_ref"] for f in transfer_errors] == ["NGF-T1"]
    assert not [f for f in transfer_errors if "Germany" in f["message"] or "India" in f["message"]]


def test_recording_the_data_bridge_certification_clears_only_that_finding(federation, run_cli, tmp_path):
    _, before = check_json(run_cli)
    fix = write_folder(tmp_path / "fix", {"transfers.csv": CORRECTED_TRANSFER})

    result = run_cli("import", str(fix))
    assert result.exit_code == 0, result.output
    exit_code, after = check_json(run_cli)

    assert transfer_and_basis_pairs(after) == transfer_and_basis_pairs(before) - {("T04", "NGF-T1")}
    assert transfer_and_basis_pairs(after) == {("L02", "NGF-02"), ("L06", "NGF-04"), ("T05", "NGF-T2"),
                                               ("T05", "NGF-02")}
    assert exit_code == 1  # the lawful-basis errors are still open
    assert {(f["rule"], f["entity_ref"]) for f in before} - {(f["rule"], f["entity_ref"]) for f in after} == {
        ("T04", "NGF-T1")}


# --- The seed register (ECFWS privacy notice) -----------------------------------------------------------------


def test_the_seed_pearson_transfer_is_an_open_t01_about_childrens_special_category_data(seeded, run_cli):
    exit_code, found = check_json(run_cli)

    assert exit_code == 1
    [pearson] = [f for f in found if f["rule"] == "T01" and f["entity_ref"] == "TR-001"]
    assert (pearson["severity"], pearson["entity_type"]) == ("error", "transfer")
    assert pearson["message"].startswith("Special category data (")
    assert "about children and young people" in pearson["message"]
    assert "PA-026" in pearson["message"] and "Pearson Clinical Assessments" in pearson["message"]


def test_impact_of_pearson_names_the_autism_assessment_its_children_and_their_health_data(seeded):
    _, graph = load_graph()
    impact = impact_of(graph, "Pearson Clinical Assessments")
    assert impact.activities == ["PA-026"]
    assert impact.data_subjects == ["Children and young people"]
    assert "Health information" in impact.data_categories and "Health information" in impact.special_categories


def test_impact_of_nelft_names_the_set_camhs_activity(seeded):
    _, graph = load_graph()
    impact = impact_of(graph, "North-East London NHS Foundation Trust")
    assert impact.activities == ["PA-027"]
    assert impact.roles == {"PA-027": ["controller"]}


def test_the_seed_raises_nothing_about_the_roles_of_nelft_provide_or_barnardos(seeded):
    _, found = findings()
    assert [f for f in found if f.rule in {"O01", "O02"}] == []
    assert not [f for f in found if f.entity_ref in {"PA-027", "PA-028"} and f.rule.startswith(("O", "L", "R", "D"))]
    partners = ("North-East London NHS Foundation Trust", "Provide CIC", "Barnardo's")
    assert not [f for f in found if f.entity_type == "organisation" and f.entity_ref in partners]
