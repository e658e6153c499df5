"""Retention, review, DPIA, roles, references, sharing and Art. 30 contents (R01, V01, D01, O01-O03, S01,
A01-A03)."""


import pytest

from tests.checks.helpers import check, fired, the, with_processor
from tests.registers.builder import (
    US,
    activity,
    disclosure,
    engagement,
    make_register,
    organisation,
    recipient,
    system,
)

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
def test_v01_review_overdue_is_a_note(fields, words):
    f = the(make_register([activity("PA-001", **fields)]), "V01")
    assert (f.severity, f.entity_type, f.entity_ref, f.message) == ("info", "activity", "PA-001", words)


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


def test_o01_processing_as_processor_with_no_controller_named_is_a_warning():
    f = the(make_register([activity("PA-001", our_role="processor")]), "O01")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "activity", "PA-001")
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


def test_a02_our_dpo_contact_not_recorded_is_a_warning():
    f = the(make_register(us={"dpo_contact": ""}), "A02")
    assert (f.severity, f.entity_type, f.entity_ref) == ("warning", "organisation", US)
    assert f.message == f"{US} has no DPO contact recorded."


def test_a03_our_ico_registration_not_recorded_is_a_note_not_a02():
    register = make_register(us={"ico_registration": ""})
    f = the(register, "A03")
    assert (f.severity, f.entity_ref, f.message) == ("info", US, f"{US} has no ICO registration number recorded.")
    assert fired(register, "A02") == []


def test_a02_no_organisation_marked_as_us_is_a_warning():
    register = make_register()
    register["organisations"][0]["is_self"] = False
    f = the(register, "A02")
    assert (f.entity_ref, f.message) == ("-", "No organisation is marked as the one keeping this register.")
