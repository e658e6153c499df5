"""Lawful basis (L01-L09): Arts. 6, 9, 10 and DPA 2018 Schedule 1."""


import pytest

from tests.checks.helpers import check, fired, the
from tests.registers.builder import (
    US,
    activity,
    make_register,
)

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


@pytest.mark.parametrize("code, condition", [("9(2)(h)", "Sch. 1 para 2, health or social care purposes"),
                                              ("9(2)(i)", "Sch. 1 para 3, public health"),
                                              ("9(2)(j)", "Sch. 1 para 4, archiving, research and statistics")])
def test_l03_health_public_health_or_research_without_its_schedule_1_condition_is_a_warning_naming_it(code, condition):
    register = make_register([activity("PA-001", lawful_bases=["6(1)(e)", code])])
    f = the(register, "L03")
    assert (f.severity, f.entity_ref) == ("warning", "PA-001")
    assert f.message.startswith(f"PA-001 relies on {code} but records no Schedule 1 condition (by law: {code} → "
                                f"{condition}")
    assert "Sch. 1 para 2, health or social care purposes" in f.fix and "DPA 2018 s.10(2)" in f.citation
    assert fired(register, "L09") == []


@pytest.mark.parametrize("code", ["9(2)(b)", "9(2)(g)"])
def test_l09_employment_or_substantial_public_interest_without_a_schedule_1_condition_is_an_error(code):
    register = make_register([activity("PA-001", lawful_bases=["6(1)(e)", code])])
    f = the(register, "L09")
    assert (f.severity, f.entity_ref) == ("error", "PA-001")
    assert f.message == f"PA-001 relies on {code} but records no Schedule 1 condition."
    assert "appropriate policy document" in f.fix and "Sch. 1 paras 1, 5 and 41" in f.citation
    assert fired(register, "L03") == []


def test_l03_l09_any_schedule_1_condition_recorded_satisfies_both():
    register = make_register([activity("PA-001", lawful_bases=["6(1)(e)", "9(2)(g)", "9(2)(h)", "Sch1 para 18"],
                                       policy_document_url="https://example.org/apd")])
    assert fired(register, "L03") == [] and fired(register, "L09") == []


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


def test_l06_consent_without_a_consent_record_is_a_warning():
    register = make_register([activity("PA-001", lawful_bases=["6(1)(a)", "9(2)(a)"])])
    f = the(register, "L06")
    assert (f.severity, f.entity_ref) == ("warning", "PA-001")
    assert f.message == "PA-001 relies on consent (6(1)(a), 9(2)(a)) with no record of consent linked."


def test_l06_consent_with_a_linked_record_is_fine():
    register = make_register([activity("PA-001", lawful_bases=["6(1)(a)", "9(2)(a)"],
                                       consent_record_url="https://example.org/consent")])
    assert fired(register, "L06") == []


def test_l07_legitimate_interests_without_an_lia_is_a_warning():
    register = make_register([activity("PA-001", data_categories=["Name"], lawful_bases=["6(1)(f)"])])
    f = the(register, "L07")
    assert (f.severity, f.entity_ref) == ("warning", "PA-001")
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
