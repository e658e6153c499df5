"""Column I as DPOs write it: each phrase mapped to the register's transfer mechanisms."""

from datetime import date

import pytest

from ropa.enums import TransferMechanism
from ropa.ico.mechanisms import read_mechanism
from ropa.ico.text import MECHANISMS


@pytest.mark.parametrize("cell, expected", [
    ("Adequacy", "adequacy"), ("adequacy regulations", "adequacy"), ("Adequate", "adequacy"),
    ("UK-US data bridge", "uk_us_data_bridge"), ("Data Privacy Framework", "uk_us_data_bridge"),
    ("DPF", "uk_us_data_bridge"), ("IDTA", "idta"), ("International Data Transfer Agreement", "idta"),
    ("UK Addendum", "uk_addendum"), ("Addendum to the EU SCCs", "uk_addendum"), ("IDTA Addendum", "uk_addendum"),
    ("SCCs + UK Addendum", "uk_addendum"), ("SCCs", "legacy_sccs"), ("standard contractual clauses", "legacy_sccs"),
    ("model clauses", "legacy_sccs"), ("BCR", "bcr"), ("binding corporate rules", "bcr"),
    ("Art 49(1)(a)", "art49_explicit_consent"), ("49.1.b", "art49_contract_with_subject"),
    ("Article 49(1)(c)", "art49_contract_for_subject"), ("explicit consent", "art49_explicit_consent"),
    ("performance of a contract", "art49_contract_with_subject"),
    ("important reasons of public interest", "art49_public_interest"), ("legal claims", "art49_legal_claims"),
    ("vital interests", "art49_vital_interests"), ("public register", "art49_public_register"),
    ("compelling legitimate interests", "art49_compelling_interests"), ("Art 49", "art49_exception"),
    ("derogation", "art49_exception"), ("", "none_recorded"),
])
def test_each_phrase_maps_to_its_mechanism(cell, expected):
    assert read_mechanism(cell).value == expected


def test_text_naming_no_mechanism_is_none_recorded_and_not_recognised():
    found = read_mechanism("Supplier assured us it is safe")
    assert (found.value, found.recognised) == ("none_recorded", False)


def test_a_tra_date_is_read_when_clear_and_kept_as_text_otherwise():
    assert read_mechanism("IDTA; TRA completed 14/03/2025").tra_date == date(2025, 3, 14)
    unclear = read_mechanism("IDTA; TRA done 01/02/2025, reviewed 01/03/2025")
    assert unclear.tra_date is None and unclear.tra_text


@pytest.mark.parametrize("value", [m.value for m in TransferMechanism])
def test_ropas_own_words_read_back_to_the_same_mechanism(value):
    assert read_mechanism(MECHANISMS[value]).value == value
    assert read_mechanism(f"{MECHANISMS[value]} — kept safe").safeguards == "kept safe"
