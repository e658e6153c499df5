"""A builder of minimal, valid dump-form registers (the shape of `ropa export --format json`).

``make_register()`` with no arguments is a clean register: one controller activity with every Art. 30 item, the
right lawful bases and a recent review, run by an organisation that records its ICO number and DPO. The checks
find nothing in it on ``TODAY``, so a test adds or changes one thing and sees exactly what that one thing causes.
"""

from datetime import date

TODAY = date(2026, 6, 1)
US = "Riverside Community Health CIC"
SERVICE = "Community Nursing"
RETENTION = "Adult health records"

COUNTRIES = [
    {"code": "GB", "name": "United Kingdom", "transfer_status": "uk", "adequacy_scope": ""},
    {"code": "FR", "name": "France", "transfer_status": "eea", "adequacy_scope": ""},
    {"code": "DE", "name": "Germany", "transfer_status": "eea", "adequacy_scope": ""},
    {"code": "US", "name": "United States", "transfer_status": "adequate_partial",
     "adequacy_scope": "Only recipients certified to the UK Extension of the EU-US Data Privacy Framework"},
    {"code": "IN", "name": "India", "transfer_status": "third_country", "adequacy_scope": ""},
    {"code": "CH", "name": "Switzerland", "transfer_status": "adequate", "adequacy_scope": ""},
]

# code: (kind, needs_schedule_1, needs_policy_document)
BASES = {
    "6(1)(a)": ("article_6", False, False), "6(1)(c)": ("article_6", False, False),
    "6(1)(e)": ("article_6", False, False), "6(1)(f)": ("article_6", False, False),
    "9(2)(a)": ("article_9", False, False), "9(2)(b)": ("article_9", True, False),
    "9(2)(f)": ("article_9", False, False), "9(2)(g)": ("article_9", True, False),
    "9(2)(h)": ("article_9", True, False), "9(2)(i)": ("article_9", True, False),
    "9(2)(j)": ("article_9", True, False),
    "Sch1 para 1": ("schedule_1", False, True), "Sch1 para 2": ("schedule_1", False, False),
    "Sch1 para 18": ("schedule_1", False, True), "Sch1 para 29": ("schedule_1", False, False),
}

DATA_CATEGORIES = [
    {"name": "Name", "kind": "personal"}, {"name": "Contact details", "kind": "personal"},
    {"name": "Health information", "kind": "special"}, {"name": "Ethnicity", "kind": "special"},
    {"name": "Criminal offence data", "kind": "criminal"},
]
SUBJECTS = ["Patients", "Children and young people", "Parents and carers", "Staff"]
DIRECT_CARE = ["6(1)(e)", "9(2)(h)", "Sch1 para 2"]


def organisation(name: str, country: str | None = "GB", **fields) -> dict:
    """An organisation with DSPT standards met (so it raises no processor warning of its own)."""
    return {"name": name, "kind": "company", "is_self": False, "is_public_authority": False, "country": country,
            "dspt_status": "standards_met", "ico_registration": "", "dpo_contact": ""} | fields


def activity(reference: str, **fields) -> dict:
    """A controller activity for direct care with every Art. 30 item recorded."""
    return {"reference": reference, "name": f"Activity {reference}", "service": SERVICE,
            "purpose": "Direct care of patients", "our_role": "controller", "controller": None,
            "joint_controllers": [], "data_subjects": ["Patients"], "data_categories": ["Name", "Health information"],
            "lawful_bases": list(DIRECT_CARE), "legitimate_interests": "", "lia_url": "", "consent_record_url": "",
            "policy_document_url": "", "automated_decision_making": "", "systems": [], "recipients": [],
            "processors": [], "retention_rule": RETENTION, "security_measures": "Encryption, role-based access",
            "dpia_required": None, "dpia_url": "", "status": "active", "last_reviewed": "2026-03-01",
            "next_review_due": None} | fields


def engagement(reference: str, processor: str, countries: list[str] | tuple[str, ...] = (), **fields) -> dict:
    """A processor engagement with a contract and confirmed Art. 28 terms."""
    return {"reference": reference, "processor": processor, "services": [], "contract_reference": f"C-{reference}",
            "contract_url": "", "art28_confirmed": True, "start_date": "2025-01-01", "end_date": None,
            "sub_processors": [], "countries": list(countries), "processing_location": ""} | fields


def system(name: str, supplier: str | None = None, hosting_country: str | None = "GB", **fields) -> dict:
    return {"name": name, "supplier": supplier, "hosting_country": hosting_country, "location": ""} | fields


def transfer(reference: str, activity: str, country: str | None, **fields) -> dict:
    return {"reference": reference, "activity": activity, "country": country, "region": "none", "destination": "",
            "organisation": None, "system": None, "mechanism": "none_recorded", "safeguards": "",
            "certification": "", "certification_checked": None, "tra_date": None, "tra_outcome": "",
            "tra_url": ""} | fields


def recipient(name: str, organisation: str | None = None, **fields) -> dict:
    return {"name": name, "kind": "organisation" if organisation else "category", "organisation": organisation} | fields


def disclosure(activity: str, recipient: str, **fields) -> dict:
    return {"activity": activity, "recipient": recipient, "legal_gateway": "Health and Social Care Act 2012 s.251B",
            "agreement_reference": ""} | fields


def make_register(activities: list[dict] | None = None, *, organisations: list[dict] = (),
                  engagements: list[dict] = (), systems: list[dict] = (), transfers: list[dict] = (),
                  recipients: list[dict] = (), disclosures: list[dict] = (), us: dict | None = None) -> dict:
    """A register in dump form: the reference data, us, one service and retention rule, and what the test adds."""
    self_org = organisation(US, kind="community_interest_company", is_self=True, ico_registration="ZB123456",
                            dpo_contact="dpo@riverside.example") | (us or {})
    return {
        "countries": [dict(c) for c in COUNTRIES],
        "lawful_bases": [{"code": code, "kind": kind, "label": code, "needs_schedule_1": s1,
                          "needs_policy_document": apd} for code, (kind, s1, apd) in BASES.items()],
        "data_categories": [dict(c) for c in DATA_CATEGORIES],
        "subject_categories": [{"name": s} for s in SUBJECTS],
        "organisations": [self_org, *organisations],
        "legal_holds": [],
        "retention_rules": [{"name": RETENTION, "period_value": 8, "period_unit": "years",
                             "trigger": "Last treatment"}],
        "services": [{"name": SERVICE, "provider": US, "partners": []}],
        "systems": list(systems),
        "recipients": list(recipients),
        "engagements": list(engagements),
        "activities": [activity("PA-001")] if activities is None else list(activities),
        "transfers": list(transfers),
        "disclosures": list(disclosures),
    }
