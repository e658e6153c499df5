"""The organisations, services, systems and recipients pages: lists and detail pages show the seed register's facts
(roles, what depends on an organisation, sharing details and their findings), the forms create and edit through the
records service with an audit entry, refuse invalid and stale saves, keep auditors out, and escape user text."""

import html

from markupsafe import escape
import re

import pytest
import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import AuditEntry, Organisation
from ropa.services.records import save_record

NELFT = "North-East London NHS Foundation Trust"
PEARSON = "Pearson Clinical Assessments"
CAMHS = "Southend, Essex and Thurrock Child, Adolescent and Mental Health Service (SET CAMHS)"
ECFWS = "Essex Child and Family Wellbeing Services (ECFWS)"
POLICE = "Police and Judicial Services"
NASTY = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']


@pytest.fixture
def dpo(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    return make_client("dpo")


@pytest.fixture
def auditor(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    return make_client("auditor")


def text(response) -> str:
    return response.get_data(as_text=True)


def section(page: str, heading: str) -> str:
    """The part of a page from a heading to the next heading of the same level."""
    start = page.index(heading)
    level = start if heading.startswith("<h") else page.rfind("<h", 0, start)
    tag = page[level:level + 3]
    end = page.find(tag, start + len(heading))
    return page[start:end if end != -1 else len(page)]


def form_of(page: str) -> dict[str, list[str]]:
    """What a browser would submit from the page's edit form (inputs, selected options, textareas)."""
    form = page[page.index('<form method="post" novalidate'):]
    form = form[:form.index("</form>")]
    data: dict[str, list[str]] = {}
    for m in re.finditer(r"<input([^>]*)>", form):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))
        if "name" in attrs:
            data.setdefault(attrs["name"], []).append(html.unescape(attrs.get("value", "")))
    for m in re.finditer(r'<select([^>]*)name="([^"]+)"([^>]*)>(.*?)</select>', form, re.S):
        options = [(html.unescape(re.search(r'value="([^"]*)"', o).group(1)), " selected" in o)
                   for o in re.findall(r"<option[^>]*>", m.group(4))]
        chosen = [value for value, selected in options if selected]
        if not chosen and "multiple" not in m.group(1) + m.group(3) and options:
            chosen = [options[0][0]]  # a browser submits a single select's first option when none is selected
        data[m.group(2)] = chosen
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[m.group(1)] = [html.unescape(m.group(2).lstrip("\r\n"))]
    return data


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


# --- What the pages show --------------------------------------------------------------------------------------


def test_the_organisation_list_shows_the_seed_and_searches_by_name(dpo, auditor):
    page = text(dpo.get("/organisations"))
    assert "<h1>Organisations</h1>" in page
    for name in (NELFT, PEARSON, "Provide CIC", "NHS England"):
        assert escape(name) in page
    assert "Add an organisation" in page
    searched = text(dpo.get("/organisations?q=nhs"))
    assert NELFT in searched and "NHS England" in searched and PEARSON not in searched
    assert "No organisation&#39;s name contains" in text(dpo.get("/organisations?q=zzz")) or \
        "No organisation's name contains" in text(dpo.get("/organisations?q=zzz"))
    assert "Add an organisation" not in text(auditor.get("/organisations"))


def test_nelft_is_controller_of_the_set_camhs_activities_and_its_impact_names_them(dpo):
    page = text(dpo.get(f"/organisations/{NELFT}"))
    assert f"<h1>{NELFT}</h1>" in page
    roles = section(page, "Roles across the register")
    assert "Controller of 1 activity" in roles and 'href="/activities/PA-027"' in roles or "PA-027" in roles
    impact = section(page, "If this organisation had a breach or its contract ended")
    assert "PA-027" in impact and escape(CAMHS) in impact
    assert "Health information" in impact and "Special category" in impact
    details = section(page, "<h2>Details</h2>")
    assert "DSPT status" in details and "ICO registration number" in details


def test_pearsons_page_names_the_autism_assessment_and_its_findings(dpo):
    page = text(dpo.get(f"/organisations/{PEARSON}"))
    impact = section(page, "If this organisation had a breach or its contract ended")
    assert "PA-026" in impact and "Autism diagnostic assessment" in impact
    assert "supplier of Digital Conners4" in impact
    roles = section(page, "Roles across the register")
    assert "Processor for 1 activity" in roles and "PE-001" in roles
    assert "Supplier of 1 system" in roles and "Digital Conners4" in roles
    findings = section(page, "<h2>Findings</h2>")
    assert "P06" in findings and "P02" in findings  # its DSPT status, and its engagement's missing contract


def test_services_show_provider_activity_counts_activities_and_partners(dpo):
    listing = text(dpo.get("/services"))
    row = listing[listing.index(escape(ECFWS)):]
    row = row[:row.index("</tr>")]
    assert "HCRG Care Services Ltd" in row and re.search(r'class="num">(\d+)<', row).group(1) == "26"
    page = text(dpo.get(f"/services/{ECFWS}"))
    assert "PA-001" in section(page, "<h2>Activities</h2>") and "PA-026" in page
    assert "Barnardo&#39;s" in section(page, "<h2>Partners</h2>")
    assert "PE-001" in section(page, "<h2>Processors</h2>")


def test_a_service_with_many_activities_pages_them(dpo):
    for n in range(55):
        save_record("activities", {"reference": f"ZZ-{n:03d}", "name": f"Bulk {n}", "service": CAMHS}, actor="t")
    page = text(dpo.get(f"/services/{CAMHS}"))
    assert "56 processing activities" in page
    first = re.findall(r">(ZZ-\d+|PA-\d+)<", section(page, "<h2>Activities</h2>"))
    assert len(first) == 50
    after = html.unescape(re.search(r'href="([^"]+after=[^"]+)"', page).group(1))
    second = re.findall(r">(ZZ-\d+|PA-\d+)<", section(text(dpo.get(after)), "<h2>Activities</h2>"))
    assert len(second) == 6 and not set(first) & set(second)


def test_a_system_shows_the_activities_using_it_and_its_transfers(dpo):
    listing = text(dpo.get("/systems"))
    assert "Digital Conners4" in listing and PEARSON in listing
    page = text(dpo.get("/systems/Digital Conners4"))
    assert "PA-026" in section(page, "Activities using it")
    transfers = section(page, "Transfers through it")
    assert "TR-001" in transfers and "None recorded" in transfers
    assert "T01" in section(page, "<h2>Findings</h2>")


def test_a_recipient_shows_each_activity_sharing_with_it_and_the_missing_gateway(dpo, auditor):
    listing = text(dpo.get("/recipients"))
    assert POLICE in listing and "None recorded for 2" in listing
    page = text(dpo.get(f"/recipients/{POLICE}"))
    sharing = section(page, "Sharing, activity by activity")
    assert "PA-014" in sharing and "PA-020" in sharing and "None recorded" in sharing
    assert f'href="/recipients/{POLICE}/sharing/PA-014"'.replace(" ", "%20") in sharing
    assert "S01" in section(page, "<h2>Findings</h2>")
    assert "/sharing/PA-014" not in text(auditor.get(f"/recipients/{POLICE}"))
    assert "O03" in text(dpo.get("/recipients/Regulatory Bodies"))  # shared with by no activity


def test_the_dpo_records_a_legal_gateway_on_one_sharing_row(dpo):
    url = f"/recipients/{POLICE}/sharing/PA-020"
    form = text(dpo.get(url))
    assert 'name="activity"' not in form and 'name="recipient"' not in form  # the row's key is fixed
    data = form_of(form) | {"legal_gateway": ["DPA 2018 Sch. 2 para 2 (crime and taxation)"],
                            "agreement_reference": ["DSA-POL-7"], "agreement_review": ["2027-01-31"]}
    response = dpo.post(url, data=data)
    assert response.status_code == 302 and response.location.endswith(f"/recipients/{POLICE}".replace(" ", "%20"))
    page = text(dpo.get(f"/recipients/{POLICE}"))
    row = section(page, "Sharing, activity by activity")
    row = row[row.index("PA-020"):]
    row = row[:row.index("</tr>")]
    assert "DPA 2018 Sch. 2 para 2" in row and "DSA-POL-7" in row and "2027-01-31" in row
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_key == f"PA-020 / {POLICE}"))
    assert entry is not None and "legal_gateway" in entry.changes
    assert "authorised bodies such as the police" in text(dpo.get(f"/recipients/{POLICE}/sharing/PA-020"))  # its notes are kept


# --- Forms --------------------------------------------------------------------------------------------------------


def test_a_dpo_creates_an_organisation_and_it_appears_with_an_audit_entry(dpo):
    form = text(dpo.get("/organisations/new"))
    for legend in ("Identity", "Contact", "Data protection", "Notes"):
        assert f"<legend>{legend}</legend>" in form
    assert '<option selected value="unknown">Unknown' in form  # no reassuring DSPT status unless someone records it
    data = form_of(form) | {"name": ["Essex County Council"], "kind": ["local_authority"], "country": ["GB"],
                            "is_public_authority": ["yes"], "ico_registration": ["Z6470455"],
                            "email": ["dpo@essex.gov.uk"]}
    response = dpo.post("/organisations/new", data=data)
    assert response.status_code == 302
    assert response.location.endswith("/organisations/Essex%20County%20Council")
    page = text(dpo.get(response.location))
    assert "<h1>Essex County Council</h1>" in page and "Z6470455" in page and "United Kingdom" in page
    assert "create" in section(page, "Change history") and "dpo-" in section(page, "Change history")
    assert "Essex County Council" in text(dpo.get("/organisations"))
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_key == "Essex County Council"))
    assert entry.action == "create" and entry.entity_type == "organisation"
    assert db.session.scalar(sa.select(Organisation.dspt_status).where(Organisation.name == "Essex County Council")) == "unknown"


def test_an_organisation_without_a_name_is_refused_and_nothing_is_written(dpo):
    before, orgs = audit_count(), db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
    data = form_of(text(dpo.get("/organisations/new"))) | {"name": [""], "email": ["someone@example.org"]}
    response = dpo.post("/organisations/new", data=data)
    page = text(response)
    assert response.status_code == 422
    assert "There is a problem" in page and "Enter the name" in page
    assert 'value="someone@example.org"' in page  # what was typed is kept
    assert audit_count() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == orgs


def test_a_stale_edit_is_refused_with_the_first_save_shown(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    first, second = make_client("dpo", email="first@example.org"), make_client("dpo", email="second@example.org")
    url = f"/organisations/{NELFT}/edit"
    form_one, form_two = form_of(text(first.get(url))), form_of(text(second.get(url)))
    saved = first.post(url, data=form_one | {"telephone": ["0300 555 0101"]})
    assert saved.status_code == 302
    refused = second.post(url, data=form_two | {"email": ["ig@nelft.nhs.uk"]})
    page = text(refused)
    assert refused.status_code == 409
    assert "changed by first@example.org" in page and "0300 555 0101" in section(page, "Someone else changed")
    assert 'value="ig@nelft.nhs.uk"' in page  # the second editor's change is kept in the form, not saved
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == NELFT))
    db.session.refresh(org)
    assert org.telephone == "0300 555 0101" and org.email != "ig@nelft.nhs.uk"


def test_only_one_organisation_can_be_the_one_keeping_the_register(dpo):
    before = audit_count()
    url = f"/organisations/{NELFT}/edit"
    response = dpo.post(url, data=form_of(text(dpo.get(url))) | {"is_self": ["yes"]})
    assert response.status_code == 422
    assert "HCRG Care Services Ltd is already marked as the organisation keeping this register" in text(response)
    assert audit_count() == before


def test_systems_services_and_recipients_are_edited_through_their_forms(dpo):
    for url, change, shown in [
        ("/systems/Digital Conners4", {"hosting_country": ["US"], "owner": ["Head of Information Governance"]},
         ["United States (US)", "Head of Information Governance"]),
        ("/services/Essex Wellbeing Service (EWS)", {"partners": ["Provide CIC", "Barnardo's"]},
         ['href="/organisations/Provide%20CIC"']),
        ("/recipients/Local Authorities", {"description": ["Essex, Southend and Thurrock councils"]},
         ["Essex, Southend and Thurrock councils"]),
    ]:
        saved = dpo.post(url + "/edit", data=form_of(text(dpo.get(url + "/edit"))) | change)
        assert saved.status_code == 302, url
        page = text(dpo.get(url))
        assert all(s in section(page, "<h2>Details</h2>") for s in shown), url
        assert "update" in section(page, "Change history"), url


EDIT_URLS = ["/organisations/new", f"/organisations/{NELFT}/edit", "/services/new", f"/services/{CAMHS}/edit",
             "/systems/new", "/systems/Digital Conners4/edit", "/recipients/new", f"/recipients/{POLICE}/edit",
             f"/recipients/{POLICE}/sharing/PA-014"]


def test_an_auditor_can_read_but_not_reach_any_form(auditor):
    before = audit_count()
    for url in EDIT_URLS:
        assert auditor.get(url).status_code == 403, url
        assert auditor.post(url, data={"name": "Changed", "legal_gateway": "x"}).status_code == 403, url
    assert audit_count() == before
    for url in (f"/organisations/{NELFT}", f"/services/{CAMHS}", "/systems/Digital Conners4", f"/recipients/{POLICE}"):
        page = text(auditor.get(url))
        assert "Edit this" not in page and "/edit" not in page


# --- Escaping -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nasty", NASTY)
def test_user_text_in_names_is_escaped_on_lists_and_detail_pages(dpo, nasty):
    name = f"Acme {nasty} Ltd"
    save_record("organisations", {"name": name, "notes": nasty}, actor="t")
    save_record("services", {"name": name, "provider": name, "partners": [name]}, actor="t")
    save_record("systems", {"name": name, "supplier": name, "description": nasty}, actor="t")
    save_record("recipients", {"name": name, "organisation": name}, actor="t")
    save_record("activities", {"reference": "ZZ-1", "name": nasty, "service": name, "systems": [name],
                               "recipients": [name], "controller": name, "our_role": "processor"}, actor="t")
    for bp in ("organisations", "services", "systems", "recipients"):
        listing = text(dpo.get(f"/{bp}"))
        detail = dpo.get(f"/{bp}/{name}")
        assert detail.status_code == 200, bp
        assert dpo.get(f"/{bp}/{name}/edit").status_code == 200, bp  # a "/" in the name still finds its form
        for page in (listing, text(detail)):
            assert nasty not in page, bp
            assert "<script>alert" not in page and "<img src=x" not in page, bp
            assert escape(name) in page, bp
