"""Processors (P01-P07): Art. 28 contracts and the DSPT supplier evidence."""

from datetime import date

from tests.checks.helpers import check, fired, pairs, the, with_processor
from tests.registers.builder import (
    activity,
    engagement,
    make_register,
    organisation,
)

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


def test_p04_contract_ending_within_90_days_is_a_note_not_p03():
    for end in ("2026-06-01", "2026-08-30"):
        f = the(_ending(end), "P04", today=date(2026, 6, 1))
        assert (f.severity, f.entity_type, f.entity_ref) == ("info", "engagement", "PE-1")
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


def test_p06_processor_without_dspt_standards_met_is_a_note():
    register = with_processor("Local Ltd", "GB")
    register["organisations"][1]["dspt_status"] = "approaching_standards"
    f = the(register, "P06")
    assert (f.severity, f.entity_type, f.entity_ref) == ("info", "organisation", "Local Ltd")
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
