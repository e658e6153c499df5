"""The seed register holds every fact the ECFWS privacy notice states, and nothing it does not."""

import json
import re

import pytest

from ropa.services.exports import json_dump


@pytest.fixture
def register(seeded) -> dict:
    return json.loads(json_dump())


def _by(records: list[dict], key: str) -> dict[str, dict]:
    return {r[key]: r for r in records}


def _activity(register: dict, pattern: str) -> dict:
    found = [a for a in register["activities"] if re.search(pattern, a["name"] + " " + a["purpose"], re.I)]
    assert found, f"no activity matches {pattern!r}"
    return found[0]


ACTIVITIES = [
    r"diagnosis, treatment", r"preventative care", r"social care", r"appointment reminders", r"health.related updates",
    r"service.related surveys", r"training and education", r"medical research", r"organisational research",
    r"statistics on NHS performance", r"complaints", r"fraud", r"coroner", r"quality improvement",
    r"reflective practice", r"automation", r"media and promotion", r"friends and family test", r"CCTV",
    r"call recordings", r"safeguarding", r"subject access", r"contract end", r"autism", r"SET CAMHS",
    r"Essex Wellbeing Service",
]


@pytest.mark.parametrize("pattern", ACTIVITIES)
def test_every_activity_the_notice_names_is_recorded(register, pattern):
    assert _activity(register, pattern)["status"] == "active"


def test_hcrg_is_us_with_its_registered_details_and_dpo(register):
    hcrg = _by(register["organisations"], "name")["HCRG Care Services Ltd"]
    assert hcrg["is_self"] is True and hcrg["registration_number"] == "07557877"
    assert "WA7 4QX" in hcrg["address"] and hcrg["dpo_name"] == "Deborah Tonkin"
    assert "Ask.IG@hcrgcaregroup.com" in hcrg["dpo_contact"]


def test_we_are_processor_for_nelft_and_provide(register):
    camhs, ews = _activity(register, "SET CAMHS"), _activity(register, "Essex Wellbeing Service")
    assert (camhs["our_role"], camhs["controller"]) == ("processor", "North-East London NHS Foundation Trust")
    assert (ews["our_role"], ews["controller"]) == ("processor", "Provide CIC")
    assert all(a["our_role"] == "controller" for a in register["activities"] if a not in (camhs, ews))


def test_the_organisations_the_notice_names(register):
    organisations = _by(register["organisations"], "name")
    for name in ["Barnardo's", "Pearson Clinical Assessments", "Information Commissioner's Office", "NHS England",
                 "Provide CIC", "North-East London NHS Foundation Trust"]:
        assert name in organisations
    assert organisations["Barnardo's"]["privacy_notice_url"] == "https://www.barnardos.org.uk/privacy-notice"
    assert organisations["Pearson Clinical Assessments"]["country"] is None  # the notice does not say
    assert organisations["Information Commissioner's Office"]["telephone"] == "0303 123 1113"


def test_all_eighteen_recipient_bullets_are_recipients(register):
    names = {r["name"].replace("’", "'") for r in register["recipients"]}
    bullets = ["NHS England and NHS Digital", "Integrated Care Boards", "Other health service providers",
               "Local Authorities", "Regulatory Bodies", "Police and Judicial Services", "Trusted providers",
               "corporate teams", "Translation and interpretation", "Other HCRG Care Group services", "Barnardo's",
               "Provide CIC", "Care Homes", "Mental Health Trusts", "Child Health Information Service",
               "Multi Agency Safeguarding Hubs", "Education Services", "Third Parties providing contracted services"]
    for bullet in bullets:
        assert any(bullet.lower() in n.lower() for n in names), bullet


def test_the_pearson_transfer_is_recorded_without_a_country_mechanism_or_tra(register):
    autism = _activity(register, "autism")
    assert autism["processors"] == ["Pearson Clinical Assessments"]
    [transfer] = [t for t in register["transfers"] if t["activity"] == autism["reference"]]
    assert transfer["organisation"] == "Pearson Clinical Assessments"
    assert transfer["country"] is None and transfer["mechanism"] == "none_recorded"
    assert transfer["tra_date"] is None and "outside the uk and eea" in transfer["destination"].lower()
    [engagement] = register["engagements"]
    assert engagement["processor"] == "Pearson Clinical Assessments" and engagement["countries"] == []


def test_lawful_bases_only_where_the_notice_ties_them(register):
    assert _activity(register, "medical research")["lawful_bases"][0] == "6(1)(a)"
    assert "6(1)(c)" in _activity(register, "coroner")["lawful_bases"]
    assert "6(1)(a)" in _activity(register, "media and promotion")["lawful_bases"]
    # The notice lists public task, legal obligation, legitimate interests and consent for the whole service
    # without saying which applies to, say, CCTV: the register must not guess.
    assert not [b for b in _activity(register, "CCTV")["lawful_bases"] if b.startswith("6(")]
    assert all(not b.startswith("Sch1") for a in register["activities"] for b in a["lawful_bases"])


def test_retention_cctv_calls_and_the_legal_hold(register):
    rules = {r["name"]: r for r in register["retention_rules"]}
    cctv = rules[_activity(register, "CCTV")["retention_rule"]]
    assert (cctv["period_value"], cctv["period_unit"]) == (30, "days") and "crime" in cctv["exceptions"]
    calls = rules[_activity(register, "call recordings")["retention_rule"]]
    assert (calls["period_value"], calls["period_unit"]) == (1, "years")
    health = rules[_activity(register, "diagnosis, treatment")["retention_rule"]]
    hold = _by(register["legal_holds"], "name")[health["legal_hold"]]
    for inquiry in ["Covid", "Infected Blood", "Child Sexual Abuse"]:
        assert inquiry in hold["reason"]
    assert hold["imposed_by"] == "NHS England"


def test_facts_specific_to_single_activities(register):
    assert "opt" in _activity(register, "appointment reminders")["notes"].lower()
    fft = _activity(register, "friends and family test")
    assert "NHS England and NHS Digital" in fft["recipients"]
    assert "Police and Judicial Services" in _activity(register, "CCTV")["recipients"]
    assert "Multi Agency Safeguarding Hubs" in _activity(register, "safeguarding")["recipients"]
    assert "no decisions" in _activity(register, "automation")["automated_decision_making"].lower()
    sar = _activity(register, "subject access")
    assert "accesstorecordsteam@hcrgcaregroup.com" in json.dumps(sar)


def test_nothing_is_invented(register):
    # No dates, contracts, DPIAs or gateways appear in the notice, so none are in the register.
    assert all(a["last_reviewed"] is None and a["dpia_url"] == "" for a in register["activities"])
    assert all(d["legal_gateway"] == "" and d["agreement_reference"] == "" for d in register["disclosures"])
    assert all(e["contract_reference"] == "" and e["start_date"] is None for e in register["engagements"])
