"""The compliance checks (ropa.checks): each rule fires where it should, and not in the close case.

Each test starts from the clean register of ``tests.registers.builder`` (no findings at all) and changes one thing.
The last test reads this file: a rule added to the catalogue without a test here fails the suite.
"""

import ast
from datetime import date
from pathlib import Path

import pytest

from ropa.checks import ART46, CATALOGUE, Finding, Severity, run_checks
from ropa.graph import build_graph, transfers_out_of_uk
from tests.registers.builder import (
    TODAY, US, activity, disclosure, engagement, make_register, organisation, recipient, system, transfer,
)

TRANSFER_ERRORS = {"T01", "T02", "T03", "T04"}


def check(register: dict, today: date = TODAY) -> list[Finding]:
    return run_checks(register, today=today)


def fired(register: dict, rule_id: str, today: date = TODAY) -> list[Finding]:
    return [f for f in check(register, today) if f.rule == rule_id]


def the(register: dict, rule_id: str, today: date = TODAY) -> Finding:
    """The one finding of this rule; fails if there are none or several."""
    found = fired(register, rule_id, today)
    assert len(found) == 1, f"expected one {rule_id}, got {found}"
    return found[0]


def pairs(register: dict, rule_ids: set[str] | None = None, today: date = TODAY) -> set[tuple[str, str]]:
    return {(f.rule, f.entity_ref) for f in check(register, today) if rule_ids is None or f.rule in rule_ids}


def with_processor(name: str, country: str, *activity_fields, transfers=(), sub_processors=(), **fields) -> dict:
    """PA-001 (health data about patients) using one processor that processes in `country`."""
    return make_register(
        [activity("PA-001", processors=[name], **fields)],
        organisations=[organisation(name, country)],
        engagements=[engagement("PE-1", name, [country], sub_processors=list(sub_processors))],
        transfers=list(transfers))


# --- The baseline and the catalogue ---------------------------------------------------------------------------


def test_the_clean_register_has_no_findings():
    assert check(make_register()) == []


def test_findings_come_errors_first_then_warnings_then_notes():
    register = make_register([activity("PA-001", lawful_bases=[], last_reviewed=None)],
                             organisations=[organisation("Lonely Ltd")])
    severities = [f.severity for f in check(register)]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    assert {"error", "warning", "info"} == set(severities)


def test_every_rule_has_a_unique_id_a_severity_a_title_a_fix_and_a_test_here():
    ids = [r.id for r in CATALOGUE]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for r in CATALOGUE:
        assert isinstance(r.severity, Severity), r.id
        assert r.title.strip() and r.fix.strip(), r.id
    source = Path(__file__).read_text(encoding="utf-8")
    lines = source.splitlines()
    bodies = ["\n".join(lines[n.lineno - 1:n.end_lineno]) for n in ast.parse(source).body
              if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
              and n.name != "test_every_rule_has_a_unique_id_a_severity_a_title_a_fix_and_a_test_here"]
    mentioned = {rule_id for rule_id in ids for body in bodies if f'"{rule_id}"' in body}
    assert set(ids) - mentioned == set(), "rules with no test in tests/test_checks.py"


# --- Transfers: false-positive guards -------------------------------------------------------------------------


def test_an_eea_processor_raises_no_transfer_error():
    register = with_processor("Paris Santé SA", "FR")
    assert [r.transfer_status for r in transfers_out_of_uk(build_graph(register))] == ["eea"]
    assert pairs(register, TRANSFER_ERRORS) == set()


def test_a_us_processor_under_the_data_bridge_with_its_certification_raises_no_transfer_error():
    register = with_processor("Cloud US Inc", "US", transfers=[transfer(
        "TR-1", "PA-001", "US", organisation="Cloud US Inc", mechanism="uk_us_data_bridge",
        certification="UK Extension to the EU-US DPF: active", certification_checked="2026-04-01")])
    assert pairs(register, TRANSFER_ERRORS) == set()


def test_an_indian_processor_under_an_idta_with_a_tra_raises_no_transfer_error():
    register = with_processor("Scribe India Pvt", "IN", transfers=[transfer(
        "TR-1", "PA-001", "IN", organisation="Scribe India Pvt", mechanism="idta", tra_date="2026-01-10",
        tra_outcome="data protection test met")])
    assert pairs(register, TRANSFER_ERRORS) == set()


def test_a_transfer_to_the_processors_country_covers_its_route_even_without_naming_it():
    register = with_processor("Scribe India Pvt", "IN", transfers=[transfer(
        "TR-1", "PA-001", "IN", mechanism="idta", tra_date="2026-01-10")])
    assert pairs(register, TRANSFER_ERRORS) == set()


def test_t01_a_transfer_through_one_processor_does_not_cover_another_processor_in_the_same_country():
    register = make_register(
        [activity("PA-001", processors=["A Pvt", "B Pvt"])],
        organisations=[organisation("A Pvt", "IN"), organisation("B Pvt", "IN")],
        engagements=[engagement("PE-1", "A Pvt", ["IN"]), engagement("PE-2", "B Pvt", ["IN"])],
        transfers=[transfer("TR-1", "PA-001", "IN", organisation="A Pvt", mechanism="idta", tra_date="2026-01-10")])
    f = the(register, "T01")
    assert f.entity_ref == "PA-001" and "through B Pvt to India; no transfer is recorded for it" in f.message


# --- T01 .. T07 -----------------------------------------------------------------------------------------------


def test_t01_third_country_processor_with_no_transfer_recorded_is_an_error():
    f = the(with_processor("Scribe India Pvt", "IN"), "T01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "activity", "PA-001")
    assert f.message == ("Special category data (Health information) about patients goes from PA-001 Activity PA-001 "
                         "through Scribe India Pvt to India; no transfer is recorded for it.")


def test_t01_recorded_transfer_with_no_mechanism_names_the_transfer():
    register = with_processor("Scribe India Pvt", "IN", transfers=[transfer(
        "TR-1", "PA-001", "IN", organisation="Scribe India Pvt")])
    f = the(register, "T01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "transfer", "TR-1")
    assert "no transfer mechanism and no transfer risk assessment are recorded" in f.message


def test_t01_personal_data_only_is_worded_as_personal_data():
    register = with_processor("Scribe India Pvt", "IN", data_categories=["Name"], lawful_bases=["6(1)(e)"])
    assert the(register, "T01").message.startswith("Personal data about patients goes from PA-001")


def test_t01_subprocessor_two_levels_down_in_a_third_country_is_found():
    register = make_register(
        [activity("PA-001", processors=["Tier One Ltd"])],
        organisations=[organisation("Tier One Ltd"), organisation("Tier Two Ltd"),
                       organisation("Scribe India Pvt", "IN")],
        engagements=[engagement("PE-1", "Tier One Ltd", ["GB"], sub_processors=["Tier Two Ltd"]),
                     engagement("PE-2", "Tier Two Ltd", ["GB"], sub_processors=["Scribe India Pvt"])])
    f = the(register, "T01")
    assert f.entity_ref == "PA-001" and "through Tier One Ltd → Scribe India Pvt to India" in f.message


def test_t01_t04_t05_a_ring_of_sub_processors_across_countries_gives_one_finding_per_activity_and_destination():
    ring = [("A Pvt", "IN"), ("B Pvt", "IN"), ("C Inc", "US"), ("D Ltd", "GB")]  # each engages the next, D engages A
    register = make_register(
        [activity("PA-001", processors=["A Pvt"]), activity("PA-002", processors=["C Inc"])],
        organisations=[organisation(name, country) for name, country in ring],
        engagements=[engagement(f"PE-{i}", name, [country], sub_processors=[ring[(i + 1) % len(ring)][0]])
                     for i, (name, country) in enumerate(ring)])

    messages: dict[tuple[str, str], list[str]] = {}
    for f in check(register):
        messages.setdefault((f.rule, f.entity_ref), []).append(f.message)

    assert {key: len(found) for key, found in messages.items() if key[0] in ("T01", "T04", "T05")} == {
        ("T01", "PA-001"): 1, ("T01", "PA-002"): 1, ("T04", "PA-001"): 1, ("T04", "PA-002"): 1,
        ("T05", "PA-001"): 2, ("T05", "PA-002"): 2}
    assert all(" to India" in m for m in messages["T01", "PA-001"] + messages["T01", "PA-002"])
    assert all(" to United States" in m for m in messages["T04", "PA-001"] + messages["T04", "PA-002"])
    t01 = {ref: found[0] for (rule, ref), found in messages.items() if rule == "T01"}
    assert "through A Pvt to India" in t01["PA-001"]  # the processor itself is nearest
    assert "through C Inc → A Pvt to India" in t01["PA-002"]  # then its sub-processors, in name order


@pytest.mark.parametrize("mechanism", ["adequacy", "uk_us_data_bridge"])
def test_t01_a_mechanism_that_does_not_exist_for_the_destination_is_no_mechanism(mechanism):
    register = make_register(transfers=[transfer("TR-1", "PA-001", "IN", mechanism=mechanism,
                                                 certification="claimed")])
    f = the(register, "T01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "transfer", "TR-1")
    assert "to India" in f.message


@pytest.mark.parametrize("mechanism", sorted(ART46))
def test_t02_art46_safeguard_without_a_tra_is_an_error(mechanism):
    register = make_register(transfers=[transfer("TR-1", "PA-001", "IN", mechanism=mechanism)])
    f = the(register, "T02")
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "transfer", "TR-1")
    assert f.message == f"PA-001 Activity PA-001 to India relies on {mechanism} with no TRA on record."
    assert pairs(register, TRANSFER_ERRORS) == {("T02", "TR-1")}


def test_t02_an_art46_safeguard_with_a_tra_date_is_enough():
    register = make_register(transfers=[transfer("TR-1", "PA-001", "IN", mechanism="uk_addendum",
                                                 tra_date="2026-02-01")])
    assert pairs(register, TRANSFER_ERRORS) == set()


def test_t03_legacy_sccs_alone_are_an_error():
    register = with_processor("Scribe India Pvt", "IN", transfers=[transfer(
        "TR-1", "PA-001", "IN", organisation="Scribe India Pvt", mechanism="legacy_sccs", tra_date="2023-01-01")])
    f = the(register, "T03")
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "transfer", "TR-1")
    assert "relies on legacy EU SCCs" in f.message and "Scribe India Pvt" in f.message
    assert pairs(register, TRANSFER_ERRORS) == {("T03", "TR-1")}


def test_t03_the_uk_addendum_to_the_sccs_is_not_legacy():
    register = make_register(transfers=[transfer("TR-1", "PA-001", "IN", mechanism="uk_addendum",
                                                 tra_date="2026-02-01")])
    assert fired(register, "T03") == []


def test_t04_us_processor_with_no_transfer_recorded_is_an_error_not_t01():
    f = the(with_processor("Cloud US Inc", "US"), "T04")
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "activity", "PA-001")
    assert "through Cloud US Inc to United States" in f.message and "no certification or safeguard" in f.message
    assert fired(with_processor("Cloud US Inc", "US"), "T01") == []


@pytest.mark.parametrize("mechanism, certification", [
    ("none_recorded", ""), ("uk_us_data_bridge", ""), ("adequacy", "")])
def test_t04_us_transfer_without_mechanism_or_certification_is_an_error(mechanism, certification):
    register = with_processor("Cloud US Inc", "US", transfers=[transfer(
        "TR-1", "PA-001", "US", organisation="Cloud US Inc", mechanism=mechanism, certification=certification)])
    f = the(register, "T04")
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "transfer", "TR-1")
    assert pairs(register, TRANSFER_ERRORS) == {("T04", "TR-1")}


@pytest.mark.parametrize("fields", [
    {"mechanism": "idta", "tra_date": "2026-01-10"},
    {"mechanism": "uk_addendum", "tra_date": "2026-01-10"},
    {"mechanism": "art49_exception", "safeguards": "Explicit consent of each patient, recorded in the EPR"},
])
def test_t04_a_us_transfer_under_a_safeguard_or_exception_is_not_flagged(fields):
    register = with_processor("Cloud US Inc", "US", transfers=[transfer(
        "TR-1", "PA-001", "US", organisation="Cloud US Inc", **fields)])
    assert pairs(register, TRANSFER_ERRORS) == set()


def test_t04_a_us_hosted_system_is_a_route_too():
    register = make_register([activity("PA-001", systems=["SMS gateway"])],
                             organisations=[organisation("Textco Inc", "US")],
                             systems=[system("SMS gateway", "Textco Inc", "US")])
    f = the(register, "T04")
    assert f.entity_ref == "PA-001" and "through SMS gateway to United States" in f.message


def test_t05_special_category_data_to_an_adequate_country_is_listed_for_attention():
    f = the(with_processor("Zurich Labs AG", "CH"), "T05")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "activity", "PA-001")
    assert f.message == ("Health information goes from PA-001 Activity PA-001 through Zurich Labs AG "
                         "to Switzerland (adequate).")
    assert pairs(with_processor("Zurich Labs AG", "CH"), TRANSFER_ERRORS) == set()


def test_t05_personal_data_only_abroad_is_not_listed():
    register = with_processor("Zurich Labs AG", "CH", data_categories=["Name"], lawful_bases=["6(1)(e)"])
    assert fired(register, "T05") == []


def test_t05_criminal_offence_data_abroad_is_listed():
    register = with_processor("Scribe India Pvt", "IN", transfers=[transfer(
        "TR-1", "PA-001", "IN", organisation="Scribe India Pvt", mechanism="idta", tra_date="2026-01-10")],
        data_categories=["Criminal offence data"], lawful_bases=["6(1)(c)", "Sch1 para 18"],
        policy_document_url="https://example.org/apd")
    f = the(register, "T05")
    assert f.entity_ref == "TR-1" and f.message.startswith("Criminal offence data goes from PA-001")


def test_t06_a_destination_named_only_in_words_is_a_warning():
    register = make_register(transfers=[transfer("TR-1", "PA-001", None, destination="Outside the UK and EEA",
                                                 mechanism="idta", tra_date="2026-01-10")])
    f = the(register, "T06")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "transfer", "TR-1")
    assert f.message == "PA-001 Activity PA-001 to Outside the UK and EEA: the country is not recorded."


def test_t06_a_processors_location_in_words_only_is_flagged_on_the_activity():
    register = make_register([activity("PA-001", processors=["Vague Ltd"])],
                             organisations=[organisation("Vague Ltd")],
                             engagements=[engagement("PE-1", "Vague Ltd", processing_location="Somewhere in Asia")])
    f = the(register, "T06")
    assert f.entity_ref == "PA-001" and "through Vague Ltd to Somewhere in Asia" in f.message


def test_t06_a_named_country_is_not_flagged():
    register = make_register(transfers=[transfer("TR-1", "PA-001", "IN", mechanism="idta", tra_date="2026-01-10")])
    assert fired(register, "T06") == []


def test_t07_art49_exception_without_safeguards_is_a_warning():
    register = make_register(transfers=[transfer("TR-1", "PA-001", "IN", mechanism="art49_exception")])
    f = the(register, "T07")
    assert (f.severity, f.entity_type, f.entity_ref, f.entity_name) == ("warning", "transfer", "TR-1", "IN")
    assert f.message == "Transfer TR-1 of PA-001 relies on an Art. 49 exception with nothing documented."


def test_t07_art49_exception_with_documented_safeguards_is_not_flagged():
    register = make_register(transfers=[transfer("TR-1", "PA-001", "IN", mechanism="art49_exception",
                                                 safeguards="Art. 49(1)(f): vital interests; ICO informed")])
    assert fired(register, "T07") == [] and pairs(register, TRANSFER_ERRORS) == set()


# --- Lawful basis ---------------------------------------------------------------------------------------------


def test_l01_no_article_6_basis_is_an_error():
    register = make_register([activity("PA-001", lawful_bases=["9(2)(h)", "Sch1 para 2"])])
    f = the(register, "L01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "activity", "PA-001")
    assert f.message == "PA-001 Activity PA-001 has no Art. 6 lawful basis recorded."


def test_l01_any_article_6_basis_is_enough():
    register = make_register([activity("PA-001", lawful_bases=["6(1)(c)", "9(2)(h)", "Sch1 para 2"])])
    assert fired(register, "L01") == []


def test_l02_special_category_data_without_an_article_9_condition_is_an_error():
    register = make_register([activity("PA-001", data_categories=["Name", "Health information", "Ethnicity"],
                                       lawful_bases=["6(1)(e)"])])
    f = the(register, "L02")
    assert (f.severity, f.entity_ref) == ("error", "PA-001")
    assert "processes special category data (Health information, Ethnicity) with no Art. 9 condition" in f.message


def test_l02_personal_or_criminal_data_needs_no_article_9_condition():
    register = make_register([activity("PA-001", data_categories=["Name", "Criminal offence data"],
                                       lawful_bases=["6(1)(c)", "Sch1 para 18"],
                                       policy_document_url="https://example.org/apd")])
    assert fired(register, "L02") == [] and fired(register, "L04") == []


def test_l03_article_9_2_h_without_a_schedule_1_condition_is_an_error():
    register = make_register([activity("PA-001", lawful_bases=["6(1)(e)", "9(2)(h)"])])
    f = the(register, "L03")
    assert (f.severity, f.entity_ref) == ("error", "PA-001")
    assert f.message == "PA-001 relies on 9(2)(h) but records no Schedule 1 condition."


def test_l03_explicit_consent_needs_no_schedule_1_condition():
    register = make_register([activity("PA-001", lawful_bases=["6(1)(a)", "9(2)(a)"],
                                       consent_record_url="https://example.org/consent")])
    assert fired(register, "L03") == []


def test_l04_criminal_offence_data_without_a_schedule_1_condition_is_an_error():
    register = make_register([activity("PA-001", data_categories=["Name", "Criminal offence data"],
                                       lawful_bases=["6(1)(c)"])])
    f = the(register, "L04")
    assert (f.severity, f.entity_ref) == ("error", "PA-001")
    assert "processes criminal offence data with no Schedule 1 condition" in f.message


def test_l05_schedule_1_condition_needing_a_policy_document_without_one_is_an_error():
    register = make_register([activity("PA-001", lawful_bases=["6(1)(e)", "9(2)(g)", "Sch1 para 18"])])
    f = the(register, "L05")
    assert (f.severity, f.entity_ref) == ("error", "PA-001")
    assert f.message == "PA-001 relies on Sch1 para 18 with no appropriate policy document linked."


def test_l05_a_linked_policy_document_or_a_condition_not_needing_one_is_fine():
    linked = make_register([activity("PA-001", lawful_bases=["6(1)(e)", "9(2)(g)", "Sch1 para 18"],
                                     policy_document_url="https://example.org/apd")])
    assert fired(linked, "L05") == []
    assert fired(make_register(), "L05") == []  # Sch1 para 2 (health or social care) needs no APD


def test_l06_consent_without_a_consent_record_is_an_error():
    register = make_register([activity("PA-001", lawful_bases=["6(1)(a)", "9(2)(a)"])])
    f = the(register, "L06")
    assert (f.severity, f.entity_ref) == ("error", "PA-001")
    assert f.message == "PA-001 relies on consent (6(1)(a), 9(2)(a)) with no record of consent linked."


def test_l06_consent_with_a_linked_record_is_fine():
    register = make_register([activity("PA-001", lawful_bases=["6(1)(a)", "9(2)(a)"],
                                       consent_record_url="https://example.org/consent")])
    assert fired(register, "L06") == []


def test_l07_legitimate_interests_without_an_lia_is_an_error():
    register = make_register([activity("PA-001", data_categories=["Name"], lawful_bases=["6(1)(f)"])])
    f = the(register, "L07")
    assert (f.severity, f.entity_ref) == ("error", "PA-001")
    assert "relies on legitimate interests with no LIA linked" in f.message


def test_l07_legitimate_interests_with_an_lia_is_fine():
    register = make_register([activity("PA-001", data_categories=["Name"], lawful_bases=["6(1)(f)"],
                                       lia_url="https://example.org/lia")])
    assert fired(register, "L07") == []


def test_l08_a_public_authority_relying_on_legitimate_interests_is_warned():
    register = make_register([activity("PA-001", data_categories=["Name"], lawful_bases=["6(1)(f)"],
                                       lia_url="https://example.org/lia")], us={"is_public_authority": True})
    f = the(register, "L08")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "activity", "PA-001")
    assert f.message == f"{US} is a public authority and PA-001 relies on legitimate interests."


def test_l08_a_private_provider_may_rely_on_legitimate_interests():
    register = make_register([activity("PA-001", data_categories=["Name"], lawful_bases=["6(1)(f)"],
                                       lia_url="https://example.org/lia")], us={"is_public_authority": False})
    assert check(register) == []


# --- Processors -----------------------------------------------------------------------------------------------


def test_p01_processor_without_an_engagement_is_an_error():
    register = make_register([activity("PA-001", processors=["Ghost Ltd"])],
                             organisations=[organisation("Ghost Ltd")])
    f = the(register, "P01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "activity", "PA-001")
    assert f.message == "PA-001 uses Ghost Ltd as processor but no engagement is recorded."


def test_p01_a_recorded_engagement_is_enough():
    assert fired(with_processor("Local Ltd", "GB"), "P01") == []
    assert check(with_processor("Local Ltd", "GB")) == []


def test_p02_engagement_without_a_contract_is_an_error():
    register = with_processor("Local Ltd", "GB")
    register["engagements"][0]["contract_reference"] = ""
    f = the(register, "P02")
    assert (f.severity, f.entity_type, f.entity_ref, f.entity_name) == ("error", "engagement", "PE-1", "Local Ltd")
    assert f.message == "No contract is recorded with Local Ltd."


def test_p02_a_contract_link_alone_is_enough():
    register = with_processor("Local Ltd", "GB")
    register["engagements"][0] |= {"contract_reference": "", "contract_url": "https://example.org/contract.pdf"}
    assert fired(register, "P02") == []


def _ending(end_date: str) -> dict:
    register = with_processor("Local Ltd", "GB")
    register["engagements"][0]["end_date"] = end_date
    return register


def test_p03_contract_ended_before_today_is_an_error():
    f = the(_ending("2026-05-31"), "P03", today=date(2026, 6, 1))
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "engagement", "PE-1")
    assert f.message == "The contract with Local Ltd ended on 2026-05-31."
    assert fired(_ending("2026-05-31"), "P04", today=date(2026, 6, 1)) == []


def test_p04_contract_ending_within_90_days_is_a_warning_not_p03():
    for end in ("2026-06-01", "2026-08-30"):
        f = the(_ending(end), "P04", today=date(2026, 6, 1))
        assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "engagement", "PE-1")
        assert f.message == f"The contract with Local Ltd ends on {end}."
        assert fired(_ending(end), "P03", today=date(2026, 6, 1)) == []


def test_p03_p04_a_contract_ending_later_raises_neither():
    assert pairs(_ending("2026-08-31"), {"P03", "P04"}, today=date(2026, 6, 1)) == set()
    assert pairs(_ending("2027-03-31"), {"P03", "P04"}, today=date(2026, 6, 1)) == set()


def test_p05_art28_terms_not_confirmed_is_a_warning():
    register = with_processor("Local Ltd", "GB")
    register["engagements"][0]["art28_confirmed"] = None
    f = the(register, "P05")
    assert (f.severity, f.entity_ref) == ("warning", "PE-1")
    assert "Art. 28 terms of the contract with Local Ltd are not confirmed" in f.message
    register["engagements"][0]["art28_confirmed"] = True
    assert fired(register, "P05") == []


def test_p06_processor_without_dspt_standards_met_is_a_warning():
    register = with_processor("Local Ltd", "GB")
    register["organisations"][1]["dspt_status"] = "approaching_standards"
    f = the(register, "P06")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "organisation", "Local Ltd")
    assert f.message == "The DSPT status of Local Ltd is approaching standards."


def test_p06_standards_exceeded_is_fine():
    register = with_processor("Local Ltd", "GB")
    register["organisations"][1]["dspt_status"] = "standards_exceeded"
    assert fired(register, "P06") == []


def test_p07_processor_with_no_country_anywhere_is_a_warning():
    register = make_register([activity("PA-001", processors=["Nowhere Ltd"])],
                             organisations=[organisation("Nowhere Ltd", None)],
                             engagements=[engagement("PE-1", "Nowhere Ltd")])
    f = the(register, "P07")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "engagement", "PE-1")
    assert f.message == "No country is recorded for where Nowhere Ltd processes the data."


def test_p07_a_registered_country_is_enough():
    register = make_register([activity("PA-001", processors=["Local Ltd"])],
                             organisations=[organisation("Local Ltd")],
                             engagements=[engagement("PE-1", "Local Ltd")])
    assert fired(register, "P07") == []


# --- Retention, review, DPIA ----------------------------------------------------------------------------------


def test_r01_no_retention_rule_is_a_warning():
    f = the(make_register([activity("PA-001", retention_rule=None)]), "R01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "activity", "PA-001")
    assert f.message == "PA-001 Activity PA-001 has no retention rule."


@pytest.mark.parametrize("fields, words", [
    ({"last_reviewed": None}, "PA-001 has never been reviewed."),
    ({"last_reviewed": "2025-05-31"}, "PA-001 was last reviewed on 2025-05-31."),
    ({"last_reviewed": "2026-01-01", "next_review_due": "2026-05-31"}, "PA-001 was last reviewed on 2026-01-01."),
])
def test_v01_review_overdue_is_a_warning(fields, words):
    f = the(make_register([activity("PA-001", **fields)]), "V01")
    assert (f.severity, f.entity_type, f.entity_ref, f.message) == ("warning", "activity", "PA-001", words)


def test_v01_reviewed_within_the_last_12_months_is_fine():
    register = make_register([activity("PA-001", last_reviewed="2025-06-01", next_review_due="2026-06-01")])
    assert fired(register, "V01") == []


def test_d01_special_category_data_about_children_without_a_dpia_is_a_warning():
    register = make_register([activity("PA-001", data_subjects=["Children and young people"])])
    f = the(register, "D01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "activity", "PA-001")
    assert f.message == "PA-001 involves special category data about children and no DPIA is linked."


def test_d01_automated_decisions_and_third_country_transfers_are_reasons_too():
    register = with_processor("Scribe India Pvt", "IN", automated_decision_making="Yes: triage score sets priority")
    assert "involves automated decision-making and transfer outside the UK" in the(register, "D01").message


@pytest.mark.parametrize("fields", [
    {"data_subjects": ["Children and young people"], "dpia_url": "https://example.org/dpia"},
    {"data_subjects": ["Children and young people"], "dpia_required": False},
    {"data_subjects": ["Children and young people"], "data_categories": ["Name"], "lawful_bases": ["6(1)(e)"]},
    {"data_subjects": ["Parents and carers"]},
    {"automated_decision_making": "No"},
])
def test_d01_not_raised_with_a_dpia_a_recorded_no_or_no_reason(fields):
    assert fired(make_register([activity("PA-001", **fields)]), "D01") == []


# --- Roles, references, sharing, completeness -----------------------------------------------------------------


def test_o01_processing_as_processor_with_no_controller_named_is_an_error():
    f = the(make_register([activity("PA-001", our_role="processor")]), "O01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("error", "activity", "PA-001")
    assert f.message == "PA-001: we are processor but no controller is named."


def test_o01_not_raised_when_the_controller_is_named():
    register = make_register([activity("PA-001", our_role="processor", controller="Northshire ICB")],
                             organisations=[organisation("Northshire ICB", kind="nhs_body")])
    assert fired(register, "O01") == [] and fired(register, "O02") == []


def test_o02_an_organisation_both_controller_and_processor_is_a_warning():
    register = make_register([activity("PA-001", controller="Acme Ltd", processors=["Acme Ltd"])],
                             organisations=[organisation("Acme Ltd")], engagements=[engagement("PE-1", "Acme Ltd")])
    f = the(register, "O02")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "activity", "PA-001")
    assert f.message == "Acme Ltd is recorded as both controller and processor of PA-001."


def test_o02_a_controller_using_a_different_processor_is_fine():
    register = make_register([activity("PA-001", controller="Acme Ltd", processors=["Local Ltd"])],
                             organisations=[organisation("Acme Ltd"), organisation("Local Ltd")],
                             engagements=[engagement("PE-1", "Local Ltd")])
    assert check(register) == []


@pytest.mark.parametrize("extra, entity_type, name, what", [
    ({"organisations": [organisation("Lonely Ltd")]}, "organisation", "Lonely Ltd", "The organisation"),
    ({"systems": [system("Old fax server")]}, "system", "Old fax server", "The system"),
    ({"recipients": [recipient("Police")]}, "recipient", "Police", "The recipient"),
])
def test_o03_something_referenced_nowhere_is_a_note(extra, entity_type, name, what):
    f = the(make_register(**extra), "O03")
    assert (f.severity, f.entity_type, f.entity_ref) == ("info", entity_type, name)
    assert f.message == f"{what} {name} is not linked to any activity."


def test_o03_the_regulator_and_linked_organisations_are_not_orphans():
    register = make_register(organisations=[organisation("Information Commissioner's Office", kind="regulator")])
    assert fired(register, "O03") == []
    assert fired(with_processor("Local Ltd", "GB"), "O03") == []


def test_s01_disclosure_without_a_legal_gateway_is_a_warning():
    register = make_register([activity("PA-001", recipients=["Police", "GP practices"])],
                             recipients=[recipient("Police"), recipient("GP practices")],
                             disclosures=[disclosure("PA-001", "Police", legal_gateway=""),
                                          disclosure("PA-001", "GP practices")])
    f = the(register, "S01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "activity", "PA-001")
    assert f.message == "PA-001 shares with Police with no legal gateway recorded."


def test_s01_a_recorded_gateway_is_fine():
    register = make_register([activity("PA-001", recipients=["Police"])], recipients=[recipient("Police")],
                             disclosures=[disclosure("PA-001", "Police", legal_gateway="DPA 2018 Sch. 2 para 2")])
    assert check(register) == []


def test_a01_missing_art30_contents_is_a_warning():
    register = make_register([activity("PA-001", purpose="", security_measures="", data_subjects=[])])
    f = the(register, "A01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "activity", "PA-001")
    assert f.message == "PA-001 Activity PA-001 has no purpose, data subjects, security measures recorded."


def test_a01_a_processor_record_needs_only_the_categories_of_processing_and_security():
    register = make_register([activity("PA-001", our_role="processor", controller="Northshire ICB",
                                       data_subjects=[], data_categories=[])],
                             organisations=[organisation("Northshire ICB", kind="nhs_body")])
    assert fired(register, "A01") == []
    register["activities"][0]["purpose"] = ""
    assert "has no categories of processing recorded" in the(register, "A01").message


def test_a02_our_ico_registration_not_recorded_is_a_warning():
    f = the(make_register(us={"ico_registration": ""}), "A02")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "organisation", US)
    assert f.message == f"{US} has no ICO registration number recorded."
    assert "has no DPO contact recorded" in the(make_register(us={"dpo_contact": ""}), "A02").message


def test_a02_no_organisation_marked_as_us_is_a_warning():
    register = make_register()
    register["organisations"][0]["is_self"] = False
    f = the(register, "A02")
    assert (f.entity_ref, f.message) == ("-", "No organisation is marked as the one keeping this register.")


# --- Roles and status: what must stay quiet -------------------------------------------------------------------


def test_processor_activities_get_no_lawful_basis_retention_or_dpia_findings():
    as_processor = activity("PA-001", our_role="processor", controller="Northshire ICB", lawful_bases=[],
                            retention_rule=None, data_subjects=["Children and young people"])
    register = make_register([as_processor], organisations=[organisation("Northshire ICB", kind="nhs_body")])
    assert pairs(register) == set()
    register["activities"][0] |= {"our_role": "controller", "controller": None}
    assert {rule for rule, _ in pairs(register)} >= {"L01", "L02", "R01", "D01"}


def test_retired_activities_raise_no_activity_findings():
    retired = activity("PA-009", status="retired", purpose="", lawful_bases=["6(1)(a)"], retention_rule=None,
                       last_reviewed=None, data_subjects=["Children and young people"], processors=["Ghost Ltd"],
                       recipients=["Police"])
    register = make_register([activity("PA-001"), retired], organisations=[organisation("Ghost Ltd")],
                             recipients=[recipient("Police")], disclosures=[disclosure("PA-009", "Police",
                                                                                       legal_gateway="")])
    assert pairs(register) == set()
    register["activities"][1]["status"] = "active"
    assert {rule for rule, ref in pairs(register) if ref == "PA-009"} >= {"L02", "L06", "P01", "R01", "V01", "D01",
                                                                         "S01", "A01"}


def test_retired_activities_raise_no_transfer_findings():
    retired = activity("PA-009", status="retired", processors=["Cloud US Inc"])
    register = make_register([activity("PA-001"), retired], organisations=[organisation("Cloud US Inc", "US")],
                             engagements=[engagement("PE-1", "Cloud US Inc", ["US"])],
                             transfers=[transfer("TR-9", "PA-009", "IN"),
                                        transfer("TR-8", "PA-009", "IN", mechanism="art49_exception")])
    assert pairs(register) == set()
    register["activities"][1]["status"] = "active"
    assert pairs(register, {"T01", "T04", "T07"}) == {("T01", "TR-9"), ("T04", "PA-009"), ("T07", "TR-8")}
