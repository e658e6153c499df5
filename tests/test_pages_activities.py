"""The activities pages: the list with its filters, one activity, create / edit with the lawful-basis rules and
stale-edit refusal, mark reviewed, retire, and editors kept to their own services."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from ropa.exchange.problems import RawRecord
from ropa.extensions import db
from ropa.models import AuditEntry, ProcessingActivity
from ropa.services.register import apply_records

ECFWS = "Essex Child and Family Wellbeing Services (ECFWS)"


@pytest.fixture
def dpo(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    return make_client("dpo")


def form_of(html: str) -> dict:
    """The values a browser would submit for the first form with a Save button (inputs, selects, textareas)."""
    form = html[html.index('<form method="post" novalidate'):]
    form = form[:form.index("</form>")]
    data: dict[str, list[str]] = {}
    for m in re.finditer(r'<input([^>]*)>', form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(1)))
        if attrs.get("type") == "checkbox" and " checked" not in m.group(1):
            continue
        if "name" in attrs:
            data.setdefault(attrs["name"], []).append(_unescape(attrs.get("value", "")))
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        options = re.findall(r'<option([^>]*)>', m.group(2))
        data[m.group(1)] = [_unescape(re.search(r'value="([^"]*)"', o).group(1)) for o in options if "selected" in o]
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[m.group(1)] = [_unescape(m.group(2).lstrip("\r\n"))]
    return data


def _unescape(text: str) -> str:
    import html
    return html.unescape(text)


def test_the_list_shows_the_seed_register_and_filters_it(dpo):
    page = dpo.get("/activities").get_data(as_text=True)
    assert "Processing activities" in page and "PA-001" in page and "PA-028" in page
    special = dpo.get("/activities?special=yes").get_data(as_text=True)
    assert ">PA-026<" in special and ">PA-004<" not in special  # appointment reminders: contact details only
    abroad = dpo.get("/activities?transfers=abroad").get_data(as_text=True)
    assert "PA-026" in abroad and "PA-001<" not in abroad
    assert re.findall(r">PA-\d+<", abroad) == [">PA-026<"]
    found = dpo.get("/activities?q=Conners4").get_data(as_text=True)
    assert re.findall(r">PA-\d+<", found) == [">PA-026<"]
    consent = dpo.get("/activities?basis=6(1)(a)").get_data(as_text=True)
    assert ">PA-009<" in consent and ">PA-001<" not in consent
    nothing = dpo.get("/activities?q=no-such-activity").get_data(as_text=True)
    assert "No activity matches these filters" in nothing


def test_the_list_is_paged_by_keyset_in_the_chosen_order(dpo):
    records = [RawRecord("activities", {"reference": f"ZZ-{n:03d}", "name": f"Bulk activity {n:03d}",
                                        "status": "active"}, "t", n, {}) for n in range(60)]
    apply_records(records, actor="test")
    first = dpo.get("/activities?sort=name").get_data(as_text=True)
    names = re.findall(r"<td>(Bulk activity \d+|[A-Z][^<]*)", first)
    assert "Next page" in first
    after = re.search(r'href="(/activities\?after=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = dpo.get(after).get_data(as_text=True)
    first_refs, second_refs = re.findall(r">([A-Z]{2}-\d+)<", first), re.findall(r">([A-Z]{2}-\d+)<", second)
    assert len(first_refs) == 50 and not set(first_refs) & set(second_refs)
    assert len(first_refs) + len(second_refs) == 88 and names


def test_the_detail_page_shows_every_part_with_findings_and_their_fixes(dpo):
    page = dpo.get("/activities/PA-026").get_data(as_text=True)
    assert "Autism diagnostic assessment scoring" in page
    assert "T01" in page and "Record the mechanism" in page  # the finding and its fix
    assert "Outside the UK and EEA" in page and "Pearson Clinical Assessments" in page
    assert "Change history" in page and "create" in page
    assert dpo.get("/activities/PA-999").status_code == 404


def test_an_auditor_sees_no_edit_buttons(seeded, make_client):
    page = make_client("auditor").get("/activities/PA-026").get_data(as_text=True)
    assert "Edit this activity" not in page and "Mark reviewed" not in page and "Retire" not in page


def test_a_dpo_creates_an_activity_and_it_is_audited(dpo):
    form = dpo.get("/activities/new").get_data(as_text=True)
    assert 'value="PA-029"' in form  # the next free reference is proposed
    response = dpo.post("/activities/new", data={
        "reference": "PA-029", "name": "Staff wellbeing survey", "status": "active", "our_role": "controller",
        "lawful_bases": ["6(1)(e)"], "data_categories": ["Name"], "purpose": "To ask staff how they are."})
    assert response.status_code == 302 and response.location.endswith("/activities/PA-029")
    assert db.session.scalar(sa.select(ProcessingActivity.name).where(ProcessingActivity.reference == "PA-029")) \
        == "Staff wellbeing survey"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_key == "PA-029")).one()
    assert entry.action == "create" and entry.actor.startswith("dpo-")


def test_the_lawful_basis_rules_stop_a_save_and_write_nothing(dpo):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = dpo.post("/activities/new", data={
        "reference": "PA-030", "name": "Newsletter", "status": "active", "our_role": "controller",
        "lawful_bases": ["6(1)(a)"], "data_categories": ["Health information"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "no Art. 9 condition recorded" in page and "record of consent" in page
    assert db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == "PA-030")) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
    # A draft may be saved incomplete.
    draft = dpo.post("/activities/new", data={"reference": "PA-030", "name": "Newsletter", "status": "draft",
                                              "our_role": "controller",
                                              "lawful_bases": ["6(1)(a)"], "data_categories": ["Health information"]})
    assert draft.status_code == 302


def test_an_existing_gap_does_not_block_an_unrelated_edit_but_a_new_one_does(dpo):
    data = form_of(dpo.get("/activities/PA-026/edit").get_data(as_text=True))  # PA-026 has no Art. 6 basis
    data["owner"] = ["Head of Autism Services"]
    assert dpo.post("/activities/PA-026/edit", data=data).status_code == 302
    data = form_of(dpo.get("/activities/PA-026/edit").get_data(as_text=True))
    data["lawful_bases"] = data["lawful_bases"] + ["6(1)(a)"]
    refused = dpo.post("/activities/PA-026/edit", data=data)
    assert refused.status_code == 422 and "consent" in refused.get_data(as_text=True).lower()


def test_a_stale_edit_is_refused_with_what_changed(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    first, second = make_client("dpo", email="first@example.org"), make_client("dpo", email="second@example.org")
    form_one = form_of(first.get("/activities/PA-004/edit").get_data(as_text=True))
    form_two = form_of(second.get("/activities/PA-004/edit").get_data(as_text=True))
    form_one["owner"] = ["Appointments team lead"]
    assert first.post("/activities/PA-004/edit", data=form_one).status_code == 302
    form_two["owner"] = ["Someone else entirely"]
    refused = second.post("/activities/PA-004/edit", data=form_two)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "first@example.org" in page and "Appointments team lead" in page  # what the other editor did
    assert "Someone else entirely" in page  # what this editor typed is kept in the form
    owner = db.session.scalar(sa.select(ProcessingActivity.owner).where(ProcessingActivity.reference == "PA-004"))
    assert owner == "Appointments team lead"


def test_mark_reviewed_sets_the_next_review_twelve_months_on(dpo):
    page = dpo.get("/activities/PA-005").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = dpo.post("/activities/PA-005/reviewed", data={"version": version})
    assert response.status_code == 302
    a = db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == "PA-005"))
    db.session.refresh(a)
    assert a.last_reviewed is not None and (a.next_review_due - a.last_reviewed).days in (365, 366)
    stale = dpo.post("/activities/PA-005/reviewed", data={"version": version}, follow_redirects=True)
    assert "changed by" in stale.get_data(as_text=True)


def test_retire_keeps_the_activity_and_stops_its_findings(dpo):
    page = dpo.get("/activities/PA-026").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    dpo.post("/activities/PA-026/retire", data={"version": version})
    page = dpo.get("/activities/PA-026").get_data(as_text=True)
    assert "Retired" in page and "T01" not in page


def test_an_editor_edits_only_their_own_services(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    editor = make_client("editor", services=(ECFWS,))
    assert editor.get("/activities/PA-001/edit").status_code == 200
    assert editor.get("/activities/PA-027/edit").status_code == 403  # SET CAMHS, not theirs
    assert "Edit this activity" not in editor.get("/activities/PA-027").get_data(as_text=True)
    data = form_of(editor.get("/activities/PA-001/edit").get_data(as_text=True))
    data["service"] = ["Southend, Essex and Thurrock Child, Adolescent and Mental Health Service (SET CAMHS)"]
    moved = editor.post("/activities/PA-001/edit", data=data)
    assert moved.status_code == 422 and "services you look after" in moved.get_data(as_text=True)


def test_user_text_is_escaped_everywhere(dpo):
    nasty = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'
    apply_records([RawRecord("activities", {"reference": "PA-666", "name": nasty, "purpose": nasty,
                                            "status": "draft"}, "t", 1, {})], actor="test")
    for path in ("/activities", "/activities/PA-666", "/activities/PA-666/edit"):
        page = dpo.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
