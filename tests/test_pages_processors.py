"""The processor engagement and transfer pages: what the seed shows, recording an IDTA and TRA on the Pearson
transfer through the form, refused saves (bad input, stale edits, wrong role) and escaping."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ropa.exchange.schema import BOOL, BY_NAME, REFS
from ropa.extensions import db
from ropa.models import AuditEntry, ProcessorEngagement, Transfer
from ropa.services.records import load_record, save_record
from tests.conftest import count_rows


@pytest.fixture
def forms(seeded):
    seeded.config["WTF_CSRF_ENABLED"] = False
    return seeded


def form_data(entity_name: str, key: str, **changes) -> dict:
    """What the edit form of one record posts when opened now and changed as given (version included)."""
    loaded = load_record(entity_name, key)
    data = {"version": str(loaded.version), "loaded_audit": str(loaded.audit_position)}
    for f in BY_NAME[entity_name].fields:
        value = changes.get(f.name, loaded.record[f.name])
        if f.kind == BOOL and not isinstance(value, str):
            value = "" if value is None else ("yes" if value else "no")
        data[f.name] = list(value or []) if f.kind == REFS else ("" if value is None else value)
    return data


def text_of(response) -> str:
    """The page's visible words, tags stripped and spaces collapsed."""
    html = response.get_data(as_text=True).split("<main", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def findings_of(response) -> list[str]:
    """The rule IDs in the findings tables of a page."""
    return re.findall(r"<td>([A-Z]\d\d)</td>", response.get_data(as_text=True))


def test_the_seed_transfer_shows_its_facts_and_findings(seeded, make_client):
    client = make_client("auditor")
    listing = client.get("/transfers")
    assert listing.status_code == 200
    words = text_of(listing)
    assert "TR-001" in words and "Pearson Clinical Assessments" in words
    assert "Outside the UK and EEA (country not stated) not stated" in words  # no country: status not stated
    assert "Record a transfer" not in words  # an auditor gets no write buttons
    page = client.get("/transfers/TR-001")
    assert page.status_code == 200
    words = text_of(page)
    assert "<h1>Transfer TR-001: Autism diagnostic assessment scoring (Digital Conners4)</h1>" in page.get_data(as_text=True)
    assert "No transfer mechanism is recorded." in words
    assert {"T01", "T06"} <= set(findings_of(page))
    assert "Change this transfer" not in words


def test_the_seed_engagement_shows_in_the_list_with_its_findings(seeded, make_client):
    client = make_client("editor")
    words = text_of(client.get("/processors"))
    assert "PE-001" in words and "Pearson Clinical Assessments" in words
    assert "Essex Child and Family Wellbeing Services (ECFWS)" in words
    page = client.get("/processors/PE-001")
    assert page.status_code == 200
    rules = findings_of(page)
    assert {"P02", "P05", "P07"} <= set(rules)  # about the engagement
    assert "P06" in rules  # about its processor: DSPT status unknown
    assert "PA-026" in text_of(page)  # the activity using Pearson
    assert client.get("/processors/PE-404").status_code == 404


def test_a_dpo_records_an_idta_and_tra_and_the_t01_finding_goes(forms, make_client):
    client = make_client("dpo", email="dpo@example.org")
    form = client.get("/transfers/TR-001/edit")
    assert form.status_code == 200 and "needs a transfer risk assessment" in text_of(form)
    data = form_data("transfers", "TR-001", mechanism="idta", tra_date="2026-01-15",
                     tra_outcome="Protection not materially lower than in the UK", country="US")
    saved = client.post("/transfers/TR-001/edit", data=data)
    assert saved.status_code == 302 and saved.location.endswith("/transfers/TR-001")
    page = client.get("/transfers/TR-001")
    assert "T01" not in findings_of(page)
    words = text_of(page)
    assert "International data transfer agreement (IDTA)" in words and "2026-01-15" in words
    assert "dpo@example.org" in words  # the change history on the page
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == "transfer",
                                                           AuditEntry.entity_key == "TR-001")
                               .order_by(AuditEntry.id.desc())).first()
    changes = json.loads(entry.changes)
    assert entry.actor == "dpo@example.org"
    assert changes["mechanism"] == ["none_recorded", "idta"] and changes["tra_date"] == [None, "2026-01-15"]
    assert changes["country"] == [None, "US"]


def test_an_ended_contract_shows_ended_and_its_p03_finding(forms, make_client):
    client = make_client("admin")
    assert 'value="PE-002"' in client.get("/processors/new").get_data(as_text=True)  # the next free reference
    data = form_data("engagements", "PE-001", reference="PE-002", contract_reference="C-2019-7",
                     start_date="2019-04-01", end_date="2024-03-31", art28_confirmed="yes", countries=["FR"])
    saved = client.post("/processors/new", data=data | {"version": ""})
    assert saved.status_code == 302 and saved.location.endswith("/processors/PE-002")
    listing = text_of(client.get("/processors?contracts=ending"))
    assert "PE-002" in listing and "ended" in listing and "PE-001" not in listing
    page = client.get("/processors/PE-002")
    assert "P03" in findings_of(page) and "ended" in text_of(page)


def test_a_contract_ending_soon_says_in_how_many_days(forms, make_client):
    client = make_client("dpo")
    end = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    client.post("/processors/PE-001/edit", data=form_data("engagements", "PE-001", end_date=end))
    assert "ends in 30 days" in text_of(client.get("/processors"))
    assert "P04" in findings_of(client.get("/processors/PE-001"))


def test_an_end_date_before_the_start_is_refused_on_the_field(forms, make_client):
    client = make_client("dpo")
    data = form_data("engagements", "PE-001", start_date="2025-06-01", end_date="2025-05-31")
    refused = client.post("/processors/PE-001/edit", data=data)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "The end date must be on or after the start date (2025-06-01)" in html
    assert 'href="#end_date"' in html  # the error summary links to the field
    assert db.session.scalar(sa.select(ProcessorEngagement.start_date)) is None  # nothing written


def test_an_unknown_activity_on_a_transfer_is_refused_on_the_field(forms, make_client):
    client = make_client("dpo")
    data = form_data("transfers", "TR-001", reference="TR-002", activity="PA-999", mechanism="idta")
    refused = client.post("/transfers/new", data=data | {"version": ""})
    assert refused.status_code == 422
    assert re.search(r'error-message[^>]*>.*There is no processing activity called &#39;PA-999&#39; \(check the spelling',
                     refused.get_data(as_text=True))
    assert count_rows("transfers") == 1


def test_a_transfer_to_a_country_and_a_region_at_once_is_refused_on_the_field(forms, make_client):
    client = make_client("dpo")
    before = load_record("transfers", "TR-001").record
    refused = client.post("/transfers/TR-001/edit", data=form_data("transfers", "TR-001", country="FR", region="eea"))
    assert refused.status_code == 422
    assert "A transfer goes to one country or to a region, not both: it names France and the EEA" in text_of(refused)
    assert load_record("transfers", "TR-001").record == before  # nothing written
    saved = client.post("/transfers/TR-001/edit", data=form_data("transfers", "TR-001", country="", region="eea"))
    assert saved.status_code == 302
    assert (load_record("transfers", "TR-001").record["region"], load_record("transfers", "TR-001").record["country"]
            ) == ("eea", None)


def test_a_stale_edit_is_refused_with_what_changed(forms, make_client):
    first, second = make_client("dpo", email="first@example.org"), make_client("dpo", email="second@example.org")
    opened = form_data("transfers", "TR-001", mechanism="uk_addendum")  # the second DPO opens the form
    first.post("/transfers/TR-001/edit", data=form_data("transfers", "TR-001", tra_outcome="Done by the first"))
    refused = second.post("/transfers/TR-001/edit", data=opened)
    assert refused.status_code == 409
    words = text_of(refused)
    assert "changed by first@example.org" in words and "Done by the first" in words
    assert db.session.scalar(sa.select(Transfer.mechanism)).value == "none_recorded"


@pytest.mark.parametrize("role", ["auditor", "editor"])
def test_readers_cannot_open_or_post_the_forms(forms, make_client, role):
    client = make_client(role)
    for path in ("/transfers/new", "/transfers/TR-001/edit", "/processors/new", "/processors/PE-001/edit"):
        assert client.get(path).status_code == 403
        assert client.post(path, data=form_data("transfers", "TR-001", mechanism="idta")).status_code == 403
    assert db.session.scalar(sa.select(Transfer.mechanism)).value == "none_recorded"


def test_the_new_transfer_form_is_filled_in_from_the_link(forms, make_client):
    client = make_client("dpo")
    html = client.get("/transfers/new?activity=PA-026&organisation=Pearson+Clinical+Assessments&country=US"
                      ).get_data(as_text=True)
    assert 'value="TR-002"' in html and 'value="PA-026"' in html
    assert '<option selected value="Pearson Clinical Assessments">' in html
    assert '<option selected value="US">United States' in html


def test_a_route_without_a_transfer_links_to_the_form(forms, make_client):
    system = load_record("systems", "SMS text message reminder service").record | {"hosting_country": "US",
                                                                                   "supplier": "Provide CIC"}
    save_record("systems", system, actor="test")  # PA-004's reminders now go through a US-hosted system
    client = make_client("dpo")
    html = client.get("/transfers").get_data(as_text=True)
    assert "Record this transfer" in html
    assert ("/transfers/new?activity=PA-004&amp;system=SMS+text+message+reminder+service&amp;organisation=Provide+CIC"
            "&amp;country=US") in html
    assert "Adequate (with a scope)" not in text_of(client.get("/transfers"))  # the status is in words
    assert "partly adequate" in text_of(client.get("/transfers"))


def test_script_in_notes_is_shown_as_text(forms, make_client):
    client = make_client("dpo")
    script = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    client.post("/transfers/TR-001/edit", data=form_data("transfers", "TR-001", notes=script))
    client.post("/processors/PE-001/edit", data=form_data("engagements", "PE-001", notes=script))
    for path in ("/transfers/TR-001", "/processors/PE-001"):
        html = client.get(path).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert" not in html and "<img src=x" not in html


def test_a_transfer_page_shows_the_activitys_uncovered_routes(forms, make_client):
    system = load_record("systems", "SMS text message reminder service").record | {"hosting_country": "US"}
    save_record("systems", system, actor="test")
    save_record("transfers", {"reference": "TR-002", "activity": "PA-004", "country": "FR", "mechanism": "adequacy"},
                actor="test")
    page = make_client("auditor").get("/transfers/TR-002")
    words = text_of(page)
    assert "Other transfer findings for PA-004" in words
    assert "T04" in findings_of(page)  # the US-hosted system's route, reported on the activity
    assert "France" in words and "EEA: no restriction" in words


def test_a_transfer_to_the_eea_is_shown_as_a_region_with_no_restriction_and_no_finding(forms, make_client):
    client = make_client("dpo")
    data = form_data("transfers", "TR-001", reference="TR-002", destination="", region="eea", mechanism="adequacy")
    saved = client.post("/transfers/new", data=data | {"version": ""})
    assert saved.status_code == 302 and saved.location.endswith("/transfers/TR-002")
    page = client.get("/transfers/TR-002")
    words = text_of(page)
    assert "sends personal data to Pearson Clinical Assessments through Digital Conners4 to the EEA." in words
    assert "A region: EEA" in words and "EEA: no restriction" in words
    assert not {"T01", "T02", "T06"} & set(findings_of(page))
    assert "EEA EEA: no restriction" in text_of(client.get("/transfers"))
