#!/usr/bin/env python3
"""A synthetic register for benchmarks: a realistic "ropa-register" JSON dump of N processing activities.

    python bench/generate.py N [-o PATH] [--seed 1] [--cyclic] [--as-of YYYY-MM-DD]

The register is that of a UK community health and care provider (us: HCRG Care Services Ltd), with services,
organisations, recipients, systems, processors, retention rules, transfers and data sharing in proportion to N
(for N=1000: 40 services, 300 organisations, 120 recipients, 80 systems, 60 engagements, 40 retention rules,
2 legal holds, 60 data categories, 25 subject categories, 80 transfers, about 3000 disclosures). A share of it
has the gaps the checks look for: no Art. 6 basis, special category data without an Art. 9 condition, no
retention rule, review overdue, transfers without a mechanism or TRA, recipients without a legal gateway.

Countries and lawful bases are referenced by code but not written: `ropa init-db` loads them. Records and
lists come out in the exporter's order (ropa.exchange.values.sort_key: by key, natural and case-insensitive),
so importing the file and exporting it again gives back the same file apart from those two reference sections.
The same seed (and --as-of day, which every date is relative to) always gives the same file; nothing is read
from the network.
"""

import argparse
import csv
import functools
import gc
import json
from json.encoder import encode_basestring as _json_string  # what json.dumps uses with ensure_ascii=False
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ropa.exchange.jsonio import dump_text  # noqa: E402
from ropa.exchange.schema import BOOL, BY_NAME, DATE, ENTITIES, ENUM, INT, REF, REFS  # noqa: E402
from ropa.exchange.values import sort_key  # noqa: E402  (the exporter's order: natural, case-insensitive)

# Every date is relative to this fixed day (not today), so a seed gives the same file whenever it runs.
AS_OF = date(2026, 11, 1)
SELF = "HCRG Care Services Ltd"
NHS_ENGLAND = "NHS England"

# Per 1000 activities, with floors so a tiny register still has one of everything.
PER_1000 = {"services": 40, "organisations": 300, "recipients": 120, "systems": 80, "engagements": 60,
            "retention_rules": 40, "legal_holds": 2, "data_categories": 60, "subject_categories": 25,
            "transfers": 80}
FLOORS = {"services": 3, "organisations": 60, "recipients": 8, "systems": 4, "engagements": 3,
          "retention_rules": 4, "legal_holds": 1, "data_categories": 24, "subject_categories": 8,
          "transfers": 1}

PLACES = ("Essex", "Southend", "Thurrock", "Basildon", "Chelmsford", "Colchester", "Harlow", "Braintree",
          "Brentwood", "Epping Forest", "Maldon", "Rochford", "Tendring", "Uttlesford", "Castle Point",
          "Suffolk", "Ipswich", "Norfolk", "Norwich", "Cambridgeshire", "Peterborough", "Hertfordshire",
          "Bedford", "Luton", "Kent", "Medway", "Surrey", "Sussex", "Brighton", "Hampshire", "Portsmouth",
          "Southampton", "Dorset", "Wiltshire", "Swindon", "Somerset", "Devon", "Plymouth", "Cornwall",
          "Gloucestershire", "Oxfordshire", "Berkshire", "Reading", "Buckinghamshire", "Milton Keynes",
          "Northamptonshire", "Leicestershire", "Leicester", "Rutland", "Lincolnshire", "Nottingham",
          "Derbyshire", "Derby", "Staffordshire", "Stoke-on-Trent", "Shropshire", "Telford", "Worcestershire",
          "Herefordshire", "Warwickshire", "Coventry", "Birmingham", "Solihull", "Sandwell", "Dudley",
          "Walsall", "Wolverhampton", "Cheshire", "Warrington", "Wirral", "Liverpool", "Sefton", "Knowsley",
          "St Helens", "Wigan", "Bolton", "Bury", "Rochdale", "Oldham", "Tameside", "Stockport", "Trafford",
          "Salford", "Manchester", "Lancashire", "Blackpool", "Blackburn", "Cumbria", "Northumberland",
          "Newcastle", "Gateshead", "Sunderland", "Durham", "Darlington", "Middlesbrough", "Stockton",
          "Hartlepool", "Redcar", "York", "North Yorkshire", "Leeds", "Bradford", "Calderdale", "Kirklees",
          "Wakefield", "Barnsley", "Sheffield", "Rotherham", "Doncaster", "Hull", "East Riding", "Camden",
          "Islington", "Hackney", "Tower Hamlets", "Newham", "Redbridge", "Havering", "Barking",
          "Waltham Forest", "Enfield", "Barnet", "Haringey", "Ealing", "Hounslow", "Croydon", "Bromley",
          "Lewisham", "Greenwich", "Southwark", "Lambeth", "Wandsworth", "Merton", "Sutton", "Kingston",
          "Richmond", "Hillingdon")
STREETS = ("High Street", "Station Road", "Church Lane", "Victoria Road", "London Road", "Park Avenue",
           "Mill Lane", "King Street", "Queen's Road", "North Hill", "Market Place", "Bridge Street",
           "Chapel Road", "The Green", "Manor Way", "Orchard Close", "New Road", "West Street", "Albert Road",
           "Castle Street")
WORDS = ("Meridian", "Apex", "Beacon", "Cobalt", "Harbour", "Kestrel", "Lumen", "Oakridge", "Pinnacle",
         "Quill", "Riverside", "Sentinel", "Silverline", "Tern", "Vantage", "Willow", "Zenith", "Ashdown",
         "Bramble", "Castleton", "Eastbrook", "Fenwick", "Greenway", "Halcyon", "Juniper", "Larkspur",
         "Marlow", "Northwind", "Orchard", "Primrose", "Redwood", "Saxon", "Thistle", "Unity", "Verity",
         "Wren", "Yarrow", "Acorn", "Bluebell", "Clearwater")
SECTORS = ("Health Systems", "Digital Health", "Clinical Software", "Cloud Services", "Messaging",
           "Data Services", "Records Management", "Interpreting Services", "Patient Transport", "Analytics",
           "Telecoms", "Security", "Payroll Services", "Assessment Tools", "Care Technology",
           "Document Solutions", "IT Services", "Survey Solutions", "Automation", "Video Consulting")
# Where foreign suppliers are, with the legal-form suffix of their name.
FOREIGN = (("US", "Inc."), ("US", "LLC"), ("IE", "DAC"), ("DE", "GmbH"), ("NL", "B.V."), ("IN", "Pvt Ltd"),
           ("PH", "Inc."), ("ZA", "(Pty) Ltd"), ("AU", "Pty Ltd"), ("SG", "Pte Ltd"), ("FR", "SAS"),
           ("PL", "Sp. z o.o."))
FIXED_ORGS = (  # name, kind, public authority
    (NHS_ENGLAND, "nhs_body", True), ("UK Health Security Agency", "public_body", True),
    ("Department of Health and Social Care", "public_body", True),
    ("NHS Business Services Authority", "nhs_body", True), ("NHS Resolution", "nhs_body", True),
    ("Information Commissioner's Office", "regulator", True), ("Care Quality Commission", "regulator", True),
    ("Ofsted", "regulator", True), ("Nursing and Midwifery Council", "regulator", True),
    ("Health and Care Professions Council", "regulator", True),
)
# Share of generated (not fixed) organisations by kind, each with the ways its names are made.
ORG_KINDS = (
    ("company", 0.32, ("{w} {s} Ltd", "{w} {s} Limited", "{w} {s} plc", "{w} {s} UK Ltd")),
    ("nhs_body", 0.15, ("{p} Community Health NHS Foundation Trust", "{p} Hospitals NHS Foundation Trust",
                        "{p} Mental Health NHS Trust", "NHS {p} Integrated Care Board",
                        "{p} and {q} NHS Trust")),
    ("local_authority", 0.12, ("{p} County Council", "{p} City Council", "{p} Borough Council",
                               "{p} District Council", "London Borough of {p}")),
    ("public_body", 0.10, ("{p} Police", "{p} Fire and Rescue Service", "{p} Academy Trust",
                           "{p} High School", "{p} Primary School", "University of {p}",
                           "{p} Youth Justice Service")),
    ("charity", 0.13, ("{p} Family Support", "{p} Young Carers", "{p} Women's Aid", "{p} Hospice",
                       "{w} Children's Charity", "{p} Food Bank", "{w} Trust for Families",
                       "{p} Carers Centre")),
    ("community_interest_company", 0.06, ("{p} Community Health CIC", "{w} Wellbeing CIC",
                                          "{p} Social Prescribing CIC", "{w} Therapies CIC")),
    ("other", 0.12, ("{st} Surgery, {p}", "{p} Medical Centre", "{st} Dental Practice, {p}", "{p} Pharmacy",
                     "{p} GP Federation")),
)
DSPT = {"company": ((0.70, "standards_met"), (0.08, "standards_exceeded"), (0.09, "approaching_standards"),
                    (0.03, "standards_not_met"), (0.05, "not_published"), (0.05, "unknown")),
        "default": ((0.55, "standards_met"), (0.05, "standards_exceeded"), (0.10, "approaching_standards"),
                    (0.30, "unknown"))}

SERVICES = ("0-19 Children's Community Health Service", "Child and Adolescent Mental Health Service",
            "Wellbeing Service", "Sexual Health Service", "Community Nursing",
            "Musculoskeletal Physiotherapy", "Health Visiting", "School Nursing",
            "Speech and Language Therapy", "Urgent Community Response", "Community Dermatology", "Podiatry",
            "Substance Misuse Service", "Stop Smoking Service", "Family Hubs", "Community Paediatrics",
            "Neurodevelopmental Assessment Service", "Weight Management Service")

# name, kind, share of the register's categories; the first of each kind are the common ones.
DATA_CATEGORIES = (("Name", "personal"), ("Date of birth", "personal"), ("Address", "personal"),
                   ("Contact details", "personal"), ("NHS number", "personal"), ("Email address", "personal"),
                   ("Telephone number", "personal"), ("Next of kin", "personal"), ("GP details", "personal"),
                   ("School attended", "personal"), ("Appointment history", "personal"),
                   ("Family composition", "personal"), ("Education records", "personal"),
                   ("Social care involvement", "personal"), ("Housing circumstances", "personal"),
                   ("Bank details", "personal"), ("National Insurance number", "personal"),
                   ("Employment details", "personal"), ("CCTV images", "personal"),
                   ("Call recordings", "personal"), ("Feedback", "personal"),
                   ("Complaint correspondence", "personal"), ("Photographs", "personal"),
                   ("IP address and device identifiers", "personal"),
                   ("Language and interpreter needs", "personal"), ("Physical health", "special"),
                   ("Mental health", "special"), ("Sexual health", "special"), ("Ethnicity", "special"),
                   ("Religion or belief", "special"), ("Disability", "special"),
                   ("Sexual orientation", "special"), ("Genetic data", "special"),
                   ("Biometric data", "special"), ("Immunisation history", "special"),
                   ("Maternity and pregnancy", "special"), ("Substance misuse", "special"),
                   ("Trade union membership", "special"), ("Criminal convictions", "criminal"),
                   ("Alleged offences", "criminal"), ("Youth justice involvement", "criminal"))
CATEGORY_SHARE = {"personal": 0.70, "special": 0.25, "criminal": 0.05}
SUBJECT_CATEGORIES = ("Children and young people", "Parents and carers", "Patients", "Service users",
                      "Callers", "Visitors", "Staff", "Volunteers", "Students on placement", "Job applicants",
                      "Contractors", "Partner agency staff", "Complainants", "Members of the public",
                      "Foster carers", "Looked-after children", "Care leavers", "Pregnant women",
                      "Care home residents", "School pupils", "Next of kin", "Research participants",
                      "Website users", "Former staff", "Professionals making referrals")
QUALIFIERS = ("adults", "children", "staff", "legacy records", "partner-held", "historic", "digital", "paper")

RECIPIENT_CATEGORIES = ("Local Authorities", "Multi Agency Safeguarding Hubs", "GP practices", "Schools",
                        "Police forces", "Integrated Care Boards", "NHS trusts", "Community pharmacies",
                        "Dental practices", "Youth offending teams", "Courts", "Coroners",
                        "Housing providers", "Voluntary sector partners", "Ambulance services",
                        "Social prescribers", "Approved researchers", "Commissioners", "External auditors",
                        "Legal advisers", "Insurers", "Professional regulators", "Interpreting providers",
                        "Health visitors in other areas", "Children's social care", "Adult social care",
                        "Early years settings", "Domestic abuse services")
SYSTEMS = ("Community electronic patient record", "SMS appointment reminders", "CCTV", "Call recording",
           "Video consultation platform", "Referral management system", "Digital ADHD assessment platform",
           "RPA referral bot", "Document management system", "Child health information system",
           "Staff rostering", "E-learning platform", "Incident reporting system", "Patient feedback portal",
           "Secure email", "Data warehouse", "Telephony platform", "Chat messaging service for young people",
           "School immunisation consent app", "Clinical coding tool")
HOSTING = ((0.7, "GB"), (0.05, "IE"), (0.04, "DE"), (0.03, "NL"), (0.09, "US"), (0.03, "IN"), (0.02, "ZA"),
           (0.02, "PH"), (0.02, None))

RETENTION_RULES = (  # name, value, unit, trigger, exceptions
    ("Children's records", 25, "years", "Date of birth",
     "26th birthday if the young person was 17 at the conclusion of treatment; "
     "8 years after death if earlier"),
    ("Adult health records", 8, "years", "Conclusion of treatment", ""),
    ("Mental health records", 20, "years", "Conclusion of treatment", "8 years after death if earlier"),
    ("CCTV footage", 31, "days", "Footage taken", "Kept longer while needed for an investigation"),
    ("Call recordings", 6, "months", "Call recorded", "Kept longer when part of a complaint"),
    ("Complaints", 10, "years", "Closure of the complaint", ""),
    ("Staff records", None, None, "75th birthday or 6 years after leaving, whichever is later", ""),
    ("Unsuccessful job applications", 1, "years", "Post filled", ""),
    ("Incident reports", 10, "years", "Date of the incident", "Serious incidents: 20 years"),
    ("Patient feedback surveys", 1, "years", "Survey closed", ""),
    ("Clinical audit", 5, "years", "Audit completed", ""),
    ("Research data", 20, "years", "End of the study", ""),
    ("SMS reminder logs", 90, "days", "Message sent", ""),
    ("Appointment diaries", 2, "years", "End of the year the diary covers", ""),
    ("Subject access requests", 3, "years", "Closure of the request", ""),
    ("Website analytics", 26, "months", "Visit", ""),
    ("DBS check outcomes", 6, "months", "Recruitment decision", ""),
    ("Supplier contracts", 6, "years", "Contract end", ""),
    ("Safeguarding records", None, None, "As the child's or adult's health record, whichever is longer",
     ""),
    ("Interpreting bookings", 2, "years", "Appointment date", ""),
)
LEGAL_HOLDS = (
    ("NHS England hold for statutory public inquiries", NHS_ENGLAND,
     "Records that may be relevant to statutory public inquiries (including the UK Covid-19 Inquiry) "
     "must not be destroyed", "2022-06-28"),
    ("Thirlwall Inquiry hold", NHS_ENGLAND, "Records of neonatal care relevant to the Thirlwall Inquiry",
     "2023-10-12"),
    ("Infected Blood Inquiry hold", "Department of Health and Social Care",
     "Records relevant to the Infected Blood Inquiry", "2018-07-02"),
)
GATEWAYS = ("Children Act 2004 s.11", "Children Act 1989 s.47", "Care Act 2014 s.42",
            "Health and Social Care Act 2012 s.251B (duty to share for direct care)",
            "Crime and Disorder Act 1998 s.115",
            "Common law duty of confidentiality: implied consent for direct care",
            "Health Service (Control of Patient Information) Regulations 2002 reg.3",
            "NHS Act 2006 s.251 support", "Data Protection Act 2018 Sch. 2 para 2 (crime and taxation)",
            "Public Health (Control of Disease) Act 1984", "Education Act 2002 s.175",
            "Explicit consent of the individual")
SECURITY = ("Role-based access, smartcard authentication, audit trails reviewed monthly; encryption at rest "
            "and in transit",
            "Access restricted to the service team; encrypted laptops; annual data security training",
            "Supplier certified to ISO 27001 and Cyber Essentials Plus; DSPT standards met; penetration "
            "tested annually",
            "Physical access control to the recording equipment; footage viewed only by named managers",
            "Pseudonymised extracts; small numbers suppressed before publication")
OWNERS = ("Head of Service", "Service Manager", "Clinical Lead", "Head of Information Governance",
          "Associate Director of Operations", "Head of Digital", "Safeguarding Lead", "HR Business Partner",
          "Patient Experience Lead", "Head of Quality")
IMPACTS = ("High: care cannot be delivered safely", "Medium", "Low", "")
LOCATIONS = ("", "", "", "UK data centres of the system supplier",
             "Paper records in locked cabinets at the base", "Shared drive on the provider's network",
             "Supplier's cloud tenancy (UK South region)")

# The Schedule 1 condition each Art. 9 condition that needs one is paired with (DPA 2018 s.10).
SCHEDULE_1 = {"9(2)(b)": "Sch1 para 1", "9(2)(g)": "Sch1 para 18", "9(2)(h)": "Sch1 para 2",
              "9(2)(i)": "Sch1 para 3", "9(2)(j)": "Sch1 para 4"}
# Activity templates: name, function, purpose, subjects, categories, Art. 6 bases, Art. 9 conditions, typical
# recipient categories, source, automated decision-making, weight.
_CARE = ("Patients", "Children and young people", "Parents and carers", "Service users")
_ID = ("Name", "Date of birth", "Address", "NHS number", "Contact details", "GP details")
TEMPLATES = (
    ("Direct care", "Clinical care", "Assessing, treating and recording the care of people using the service",
     _CARE, _ID + ("Physical health", "Mental health", "Ethnicity", "Next of kin"),
     ("6(1)(e)",), ("9(2)(h)",), ("GP practices", "NHS trusts", "Local Authorities"),
     "The individual, their family and referrers", "", 10),
    ("Safeguarding referrals", "Safeguarding",
     "Identifying and referring children and adults at risk of harm",
     ("Children and young people", "Parents and carers", "Looked-after children"),
     _ID + ("Physical health", "Mental health", "Family composition", "Social care involvement",
            "Alleged offences"),
     ("6(1)(c)", "6(1)(e)"), ("9(2)(g)", "9(2)(h)"),
     ("Multi Agency Safeguarding Hubs", "Police forces", "Children's social care"), "Staff, partner agencies",
     "", 5),
    ("Appointment reminders by SMS", "Patient administration",
     "Reminding people of their appointments by text message",
     _CARE, ("Name", "Telephone number", "Appointment history"), ("6(1)(e)",), (), (),
     "Our patient record", "", 4),
    ("Call recording", "Quality and training",
     "Recording calls to the single point of access for quality and disputes",
     ("Callers", "Staff"), ("Call recordings", "Name", "Telephone number", "Mental health"), ("6(1)(f)",),
     ("9(2)(h)",), ("Legal advisers",), "Callers", "", 2),
    ("CCTV at clinic sites", "Estates and security", "Protecting staff, visitors and property at our sites",
     ("Visitors", "Staff", "Patients"), ("CCTV images",), ("6(1)(f)",), (), ("Police forces", "Insurers"),
     "Cameras at the site", "", 2),
    ("Patient feedback", "Patient experience",
     "Collecting and acting on feedback from people who use our services",
     ("Patients", "Parents and carers"), ("Name", "Email address", "Feedback"), ("6(1)(a)", "6(1)(e)"),
     ("9(2)(a)",), ("Commissioners",), "The individual", "", 3),
    ("Complaints handling", "Patient experience", "Investigating and responding to complaints",
     ("Complainants", "Patients", "Staff"), _ID + ("Complaint correspondence", "Physical health"),
     ("6(1)(c)",), ("9(2)(h)",), ("Professional regulators", "Legal advisers", "Commissioners"),
     "The complainant and our records", "", 3),
    ("Clinical audit", "Quality and governance", "Auditing care against standards to improve it",
     ("Patients",), ("NHS number", "Date of birth", "Physical health"), ("6(1)(e)",), ("9(2)(h)",),
     ("Commissioners",), "Our patient record", "", 3),
    ("School immunisation programme", "Public health", "Offering and recording vaccinations in schools",
     ("School pupils", "Parents and carers"), _ID + ("Immunisation history", "School attended"), ("6(1)(e)",),
     ("9(2)(i)", "9(2)(h)"), ("Schools", "GP practices", "Integrated Care Boards"),
     "Schools and parents", "", 3),
    ("National Child Measurement Programme", "Public health",
     "Measuring children's height and weight in school",
     ("School pupils", "Parents and carers"),
     ("Name", "Date of birth", "Address", "School attended", "Physical health", "Ethnicity"),
     ("6(1)(e)",), ("9(2)(i)",), ("Local Authorities", "Schools"), "Schools", "", 2),
    ("Research recruitment", "Research",
     "Identifying and inviting eligible people to take part in approved research",
     ("Research participants", "Patients"), ("Name", "Contact details", "Physical health"), ("6(1)(e)",),
     ("9(2)(j)",), ("Approved researchers",), "Our patient record", "", 1),
    ("Staff rostering", "Workforce", "Planning shifts and recording absence",
     ("Staff",), ("Name", "Employment details", "Physical health", "Trade union membership"), ("6(1)(b)",),
     ("9(2)(b)",), (), "Staff and managers", "", 2),
    ("Recruitment and DBS checks", "Workforce", "Recruiting staff and checking their suitability",
     ("Job applicants", "Staff"),
     ("Name", "Address", "Employment details", "Criminal convictions", "Disability"),
     ("6(1)(b)", "6(1)(c)"), ("9(2)(b)",), ("Legal advisers",), "Applicants and referees", "", 2),
    ("Incident reporting", "Quality and governance", "Recording and learning from incidents",
     ("Patients", "Staff", "Visitors"), ("Name", "Physical health", "Mental health"), ("6(1)(e)",),
     ("9(2)(h)",), ("Integrated Care Boards", "Commissioners"), "Staff", "", 2),
    ("Contract monitoring for commissioners", "Performance",
     "Reporting activity and outcomes to commissioners",
     ("Patients", "Service users"), ("NHS number", "Date of birth", "Physical health", "Ethnicity"),
     ("6(1)(e)",), ("9(2)(h)",), ("Commissioners", "Integrated Care Boards"), "Our patient record", "", 2),
    ("Digital ADHD assessment", "Clinical care",
     "Online questionnaires that support neurodevelopmental assessment",
     ("Children and young people", "Parents and carers", "Partner agency staff"),
     ("Name", "Date of birth", "Mental health", "Education records"), ("6(1)(e)",), ("9(2)(h)",),
     ("Schools",), "Parents, carers and teachers",
     "Questionnaire scores are calculated automatically; a clinician makes every decision", 1),
    ("Subject access requests", "Information governance", "Responding to requests for personal information",
     ("Patients", "Staff", "Parents and carers"), _ID + ("Physical health",), ("6(1)(c)",), ("9(2)(h)",),
     ("Legal advisers",), "The requester and our records", "", 1),
    ("Interpreting and translation", "Patient administration", "Arranging interpreters for appointments",
     _CARE, ("Name", "Language and interpreter needs", "Appointment history"), ("6(1)(e)",), ("9(2)(h)",),
     ("Interpreting providers",), "Our patient record", "", 1),
    ("Referral triage automation", "Patient administration",
     "Robotic process automation of incoming referrals",
     ("Professionals making referrals", "Patients"), _ID + ("Physical health",), ("6(1)(e)",), ("9(2)(h)",),
     (), "Referrers",
     "Referrals are sorted into queues automatically by rules; no decision about care is automated", 1),
    ("Text messaging service for young people", "Clinical care",
     "A confidential text service with school nurses",
     ("Children and young people",), ("Telephone number", "Mental health", "Sexual health"), ("6(1)(e)",),
     ("9(2)(h)",), ("Multi Agency Safeguarding Hubs",), "The young person", "", 1),
)

LEGITIMATE_INTERESTS = "Keeping staff and visitors safe and resolving disputes"
US_CERTIFIED = "Certified to the UK Extension to the EU-US Data Privacy Framework"
DESTINATIONS = ((0.05, "IE"), (0.05, "DE"), (0.04, "NL"), (0.03, "FR"), (0.02, "ES"), (0.02, "PL"),
                (0.02, "SE"), (0.02, "DK"), (0.02, "CH"), (0.02, "IL"), (0.015, "NZ"), (0.015, "JE"),
                (0.01, "GG"), (0.01, "IM"), (0.02, "CA"), (0.02, "JP"), (0.01, "KR"), (0.3, "US"),
                (0.08, "IN"), (0.05, "PH"), (0.04, "ZA"), (0.03, "AU"), (0.02, "SG"), (0.02, "AE"),
                (0.01, "BR"), (0.01, "MY"), (0.01, "KE"), (0.01, "LK"), (0.01, "UA"), (0.01, "MX"),
                (0.01, "PK"), (0.05, None))


_name_key = functools.lru_cache(maxsize=None)(sort_key)  # names recur; their keys are worth keeping


def _sorted(names) -> list[str]:
    """A multi-valued field as the exporter writes it: distinct, in its order."""
    return sorted(set(names), key=_name_key)


def _read_reference() -> tuple[dict[str, str], dict[str, dict]]:
    """Country code -> transfer status, and lawful basis code -> row, from the CSVs `ropa init-db` loads."""
    with open(ROOT / "data" / "countries.csv", encoding="utf-8", newline="") as handle:
        countries = {row["code"]: row["transfer_status"] for row in csv.DictReader(handle)}
    with open(ROOT / "data" / "lawful_bases.csv", encoding="utf-8", newline="") as handle:
        bases = {row["code"]: row for row in csv.DictReader(handle)}
    return countries, bases


def _blank(entity_name: str) -> dict:
    """A record with every catalogue field, empty as the exporter writes empty values."""
    return {f.name: ([] if f.kind == REFS else None if f.kind in (BOOL, DATE, ENUM, INT, REF) else "")
            for f in BY_NAME[entity_name].fields}


def _make(entity_name: str, **values) -> dict:
    record = _blank(entity_name)
    unknown = set(values) - set(record)
    assert not unknown, f"{entity_name}: unknown fields {unknown}"
    record.update(values)
    return record


class Names:
    """Unique names (case-insensitively, as the resolver matches) made by a function of the random source."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self._suffix: dict[str, int] = {}

    def add(self, name: str) -> str:
        assert name.casefold() not in self.used, name
        self.used.add(name.casefold())
        return name

    def take(self, make) -> str:
        name = make()
        for _ in range(12):
            if name.casefold() not in self.used:
                return self.add(name)
            name = make()
        number = self._suffix.get(name, 1)
        while f"{name} ({number + 1})".casefold() in self.used:
            number += 1
        self._suffix[name] = number + 1
        return self.add(f"{name} ({number + 1})")


class Generator:
    """Builds one register; each make_* method fills one section, in dependency order."""

    def __init__(self, n: int, seed: int, cyclic: bool, as_of: date = AS_OF) -> None:
        if n < 1:
            raise ValueError("the register needs at least one activity")
        self.n, self.cyclic, self.as_of = n, cyclic, as_of
        self.rng = random.Random(seed)
        self.countries, self.bases = _read_reference()
        self.need_policy = {c for c, row in self.bases.items() if row["needs_policy_document"] == "yes"}
        self.counts = {name: max(FLOORS[name], round(per * n / 1000)) for name, per in PER_1000.items()}
        self.data: dict[str, list[dict]] = {e.name: [] for e in ENTITIES}

    def run(self) -> dict[str, list[dict]]:
        self.make_vocabularies()
        self.make_organisations()
        self.make_retention()
        self.make_services()
        self.make_systems()
        self.make_recipients()
        self.make_engagements()
        self.make_activities()
        self.make_transfers()
        self.data["snapshots"] = []
        return self.data

    # -- helpers ------------------------------------------------------------------------------------------
    def pick(self, weighted):
        """One value from ((weight, value), ...)."""
        point, total = self.rng.random() * sum(w for w, _ in weighted), 0.0
        for weight, value in weighted:
            total += weight
            if point < total:
                return value
        return weighted[-1][1]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def maybe(self, p: float, value, otherwise=""):
        """value with probability p (evaluated either way, so the random sequence does not depend on p)."""
        return value if self.chance(p) else otherwise

    def some(self, pool: list, low: int, high: int) -> list:
        return self.rng.sample(pool, min(len(pool), self.rng.randint(low, high))) if pool else []

    def day(self, offset: int) -> str:
        """The as-of day plus offset days, in dump form."""
        return (self.as_of + timedelta(days=offset)).isoformat()

    def place(self) -> str:
        return self.rng.choice(PLACES)

    def country(self, code: str | None) -> str | None:
        assert code is None or code in self.countries, f"unknown country {code}"
        return code

    def basis(self, code: str) -> str:
        assert code in self.bases, f"unknown lawful basis {code}"
        return code

    def _vocabulary(self, names: Names, bases: list[str], count: int) -> list[str]:
        """count names: the bases first, then qualified variants of them."""
        return [names.add(bases[i]) if i < len(bases) else names.take(
            lambda b=bases[i % len(bases)]: f"{b} ({self.rng.choice(QUALIFIERS)})") for i in range(count)]

    # -- vocabularies --------------------------------------------------------------------------------------
    def make_vocabularies(self) -> None:
        self.categories: dict[str, list[str]] = {}
        names = Names()
        for kind, share in CATEGORY_SHARE.items():
            bases = [n for n, k in DATA_CATEGORIES if k == kind]
            count = max(1, round(self.counts["data_categories"] * share))
            self.categories[kind] = self._vocabulary(names, bases, count)
            self.data["data_categories"] += [
                _make("data_categories", name=name, kind=kind,
                      description=self.maybe(0.4, f"{name.split(' (')[0]} recorded by our services"))
                for name in self.categories[kind]]
        self.category_kind = {name: kind for kind, names in self.categories.items() for name in names}
        # A table of its own: "Next of kin" is both a data category and a subject category.
        self.subjects = self._vocabulary(Names(), list(SUBJECT_CATEGORIES), self.counts["subject_categories"])
        self.known_subjects = set(self.subjects)
        self.data["subject_categories"] = [_make("subject_categories", name=s) for s in self.subjects]
        for section in ("data_categories", "subject_categories"):
            self.data[section].sort(key=lambda r: _name_key(r["name"]))

    # -- organisations -------------------------------------------------------------------------------------
    def make_organisations(self) -> None:
        names = Names()
        self.orgs: dict[str, list[str]] = {kind: [] for kind, _, _ in ORG_KINDS}
        self.orgs["regulator"], self.org_country = [], {}
        self._organisation(names.add(SELF), "company", True, False, "GB")
        for name, kind, public in FIXED_ORGS:
            self._organisation(names.add(name), kind, False, public, "GB")
        remaining = self.counts["organisations"] - 1 - len(FIXED_ORGS)
        for kind, share, patterns in ORG_KINDS:
            for _ in range(max(2, round(remaining * share))):
                country, name = "GB", None
                if kind == "company" and self.chance(0.2):
                    country, suffix = self.rng.choice(FOREIGN)
                    name = names.take(
                        lambda s=suffix: f"{self.rng.choice(WORDS)} {self.rng.choice(SECTORS)} {s}")
                else:
                    name = names.take(lambda p=patterns: self.rng.choice(p).format(
                        w=self.rng.choice(WORDS), s=self.rng.choice(SECTORS), p=self.place(), q=self.place(),
                        st=self.rng.choice(STREETS)))
                public = kind in ("nhs_body", "local_authority", "public_body") or (
                    None if kind == "other" and self.chance(0.5) else False)
                self._organisation(name, kind, False, public, country)
        self.data["organisations"].sort(key=lambda r: _name_key(r["name"]))
        self.public = self.orgs["nhs_body"] + self.orgs["local_authority"]
        self.partners = self.orgs["charity"] + self.orgs["community_interest_company"] + self.public
        self.suppliers = self.orgs["company"]
        self.joint_pool = self.public + self.orgs["charity"]

    def _organisation(self, name: str, kind: str, is_self: bool, public: bool | None, country: str) -> None:
        if not is_self:
            self.orgs[kind].append(name)
        self.org_country[name] = country
        slug = "".join(c for c in name.lower() if c.isalnum())[:24] or "org"
        domain = f"{slug}.{'nhs.uk' if kind == 'nhs_body' else 'gov.uk' if public else 'example.com'}"
        foreign = country != "GB"
        if kind in ("company", "community_interest_company") and not foreign:
            registration = f"{self.rng.randrange(10**7, 10**8):08d}"  # Companies House
        else:
            registration = str(self.rng.randrange(200000, 1200000)) if kind == "charity" else ""
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postcode = (f"{self.rng.choice('BCEIMNRS')}{self.rng.choice('MNLSO')}{self.rng.randint(1, 20)} "
                    f"{self.rng.randint(1, 9)}{self.rng.choice(letters)}{self.rng.choice(letters)}")
        address = f"{self.rng.randint(1, 240)} {self.rng.choice(STREETS)}, {self.place()}, {postcode}"
        self.data["organisations"].append(_make(
            "organisations", name=name, kind=kind, is_self=is_self, is_public_authority=public,
            registration_number=registration, address=f"Registered office, {country}" if foreign else address,
            email=self.maybe(0.7, f"info@{domain}"),
            telephone=self.maybe(0.6, f"0{self.rng.randint(1200, 3999)} {self.rng.randint(100000, 999999)}"),
            country=self.country(country),
            ico_registration="" if foreign else self.maybe(0.8, f"Z{self.rng.randint(1000000, 9999999)}"),
            dspt_status=self.pick(DSPT["company" if kind == "company" else "default"]),
            dpo_name=self.maybe(0.5, "Data Protection Officer"), dpo_contact=self.maybe(0.5, f"dpo@{domain}"),
            representative_name=self.maybe(0.6, "UK Representative Services Ltd") if foreign else "",
            representative_contact=self.maybe(0.4, "representative@example.co.uk") if foreign else "",
            website=self.maybe(0.8, f"https://www.{domain}"),
            privacy_notice_url=self.maybe(0.5, f"https://www.{domain}/privacy")))

    # -- retention -----------------------------------------------------------------------------------------
    def make_retention(self) -> None:
        names, holds = Names(), []
        for index in range(self.counts["legal_holds"]):
            if index < len(LEGAL_HOLDS):
                name, by, reason, since = LEGAL_HOLDS[index]
                name = names.add(name)
            else:
                name = names.take(lambda: f"Litigation hold: claim NR-{self.rng.randint(10000, 99999)}")
                by, reason = "NHS Resolution", "Records relevant to a clinical negligence claim"
                since = self.day(-self.rng.randint(30, 2000))
            holds.append(name)
            self.data["legal_holds"].append(
                _make("legal_holds", name=name, imposed_by=by, reason=reason, since=since))
        self.data["legal_holds"].sort(key=lambda r: _name_key(r["name"]))
        self.retention: list[str] = []
        for index in range(self.counts["retention_rules"]):
            base, value, unit, trigger, exceptions = RETENTION_RULES[index % len(RETENTION_RULES)]
            name = names.add(base) if index < len(RETENTION_RULES) else names.take(
                lambda b=base: f"{b}: {self.place()} {self.rng.choice(SERVICES)}")
            self.retention.append(name)
            self.data["retention_rules"].append(_make(
                "retention_rules", name=name, period_value=value, period_unit=unit, trigger=trigger,
                exceptions=exceptions,
                source=self.maybe(0.85, "NHS Records Management Code of Practice 2021"),
                legal_hold=self.maybe(0.2, self.rng.choice(holds), None)))
        self.data["retention_rules"].sort(key=lambda r: _name_key(r["name"]))

    # -- services, systems, recipients -----------------------------------------------------------------------
    def make_services(self) -> None:
        names, count = Names(), self.counts["services"]
        self.services = [names.take(lambda: f"{self.place()} {self.rng.choice(SERVICES)}")
                         for _ in range(count)]
        providers = [SELF if self.chance(0.85) else self.rng.choice(self.partners) for _ in range(count)]
        partners = [self.some(self.partners, 0, 3) for _ in range(count)]
        if self.cyclic:  # rings: each service's provider is a partner of the service before it
            start = 0
            while start + 3 <= count and start < count * 0.4:
                ring = self.rng.sample(self.partners, self.rng.randint(3, 6))[:count - start]
                for offset, org in enumerate(ring):
                    providers[start + offset] = org
                    partners[start + offset] = partners[start + offset] + [ring[(offset + 1) % len(ring)]]
                start += len(ring)
        for name, provider, partner in zip(self.services, providers, partners):
            self.data["services"].append(_make(
                "services", name=name, provider=provider,
                partners=_sorted(p for p in partner if p != provider),
                description=self.maybe(0.7, f"{name.split(' ', 1)[-1]} commissioned locally")))
        self.data["services"].sort(key=lambda r: _name_key(r["name"]))

    def make_systems(self) -> None:
        names, self.systems = Names(), []
        for _ in range(self.counts["systems"]):
            product = self.rng.choice(SYSTEMS)
            name = names.add(product) if product.casefold() not in names.used else names.take(
                lambda p=product: f"{p} ({self.place()})")
            hosting = self.country(self.pick(HOSTING))
            self.systems.append(name)
            self.data["systems"].append(_make(
                "systems", name=name, supplier=self.maybe(0.9, self.rng.choice(self.suppliers), None),
                hosting_country=hosting, description=f"{product} used by our services",
                location="Supplier data centre" if hosting else "Not stated by the supplier",
                owner=self.rng.choice(OWNERS), software=self.maybe(0.5, product),
                support_arrangements=self.maybe(0.6, "Supplier service desk, 8am to 6pm"),
                impact_of_loss=self.rng.choice(IMPACTS)))
        self.data["systems"].sort(key=lambda r: _name_key(r["name"]))

    def make_recipients(self) -> None:
        names, count = Names(), self.counts["recipients"]
        self.recipients, categories = [], round(count * 0.55)
        for index in range(categories):
            base = RECIPIENT_CATEGORIES[index % len(RECIPIENT_CATEGORIES)]
            name = names.add(base) if index < len(RECIPIENT_CATEGORIES) else names.take(
                lambda b=base: f"{b} in {self.place()}")
            self.recipients.append(name)
            self.data["recipients"].append(
                _make("recipients", name=name, kind="category", description=f"{base} we share with"))
        pool = [o for kind in ("nhs_body", "local_authority", "public_body", "charity", "regulator", "other")
                for o in self.orgs[kind]]
        teams = ("safeguarding team", "records team", "commissioning")
        for org in self.rng.sample(pool, min(len(pool), count - categories)):
            name = names.add(org) if org.casefold() not in names.used else names.take(
                lambda o=org: f"{o}: {self.rng.choice(teams)}")
            self.recipients.append(name)
            self.data["recipients"].append(
                _make("recipients", name=name, kind="organisation", organisation=org))
        self.data["recipients"].sort(key=lambda r: _name_key(r["name"]))
        self.recipient_set = set(self.recipients)

    # -- processors ----------------------------------------------------------------------------------------
    def make_engagements(self) -> None:
        count = self.counts["engagements"]
        processors = [self.rng.choice(self.suppliers) for _ in range(count)]
        subs = [self.some(self.suppliers, 0, 2) for _ in range(count)]
        if self.cyclic:  # rings: A's sub-processor is B, B's is C, ..., the last's is A
            first: dict[str, int] = {}  # processor -> its first engagement
            for index, org in enumerate(processors):
                first.setdefault(org, index)
            distinct, start, rings = list(first), 0, []
            while start + 3 <= len(distinct) and start < len(distinct) * 0.5:
                rings.append(distinct[start:start + self.rng.randint(3, 5)])
                start += len(rings[-1])
            # Apart from its ring, a ring member engages only suppliers that are not our processors (hosting,
            # messaging), as real sub-processor lists do. Random links from ring to ring chained them into one
            # component that grew with N (56 organisations at 10k, 1,177 at 100k), so every activity reached every
            # country; now each ring, and what it reaches, stays the same size whatever N.
            ringed = {org for ring in rings for org in ring}
            for index, org in enumerate(processors):
                if org in ringed:
                    subs[index] = [s for s in subs[index] if s not in first]
            for ring in rings:
                for offset, org in enumerate(ring):
                    subs[first[org]].append(ring[(offset + 1) % len(ring)])
        self.processors = list(dict.fromkeys(processors))
        for index, (processor, sub) in enumerate(zip(processors, subs), start=1):
            start = -self.rng.randint(30, 2500)
            end = None if self.chance(0.25) else start + self.rng.choice((365, 730, 1095, 1826))
            extra = "US" if self.chance(0.15) else "GB"
            self.data["engagements"].append(_make(
                "engagements", reference=f"PE-{index:06d}", processor=processor,
                services=_sorted(self.some(self.services, 1, 3)),
                description=f"{' '.join(processor.split(' ')[1:3])} services",
                contract_reference=self.maybe(0.9, f"CT-{self.as_of.year + start // 365}-{index:04d}"),
                contract_url=self.maybe(0.6, f"https://contracts.example.nhs.uk/CT{index:05d}.pdf"),
                art28_confirmed=self.pick(((0.75, True), (0.1, False), (0.15, None))),
                start_date=self.day(start), end_date=None if end is None else self.day(end),
                sub_processors=_sorted(s for s in sub if s != processor),
                countries=_sorted(("GB", self.org_country[processor], extra)),
                processing_location=self.maybe(0.1, "Outside the UK and EEA (country not stated)")))

    # -- activities ----------------------------------------------------------------------------------------
    def make_activities(self) -> None:
        self.transfer_activities: list[str] = []  # those with processors: where transfers happen
        weights = [(t[-1], t) for t in TEMPLATES]
        for number in range(1, self.n + 1):
            self.data["activities"].append(self._activity(f"PA-{number:06d}", self.pick(weights)))
        self.data["disclosures"].sort(key=lambda r: sort_key(f"{r['activity']} / {r['recipient']}"))

    def _activity(self, reference: str, template: tuple) -> dict:
        title, function, purpose, subjects, categories, art6, art9, usual, source, adm, _ = template
        service = self.rng.choice(self.services)
        role = self.pick(((0.80, "controller"), (0.12, "processor"), (0.08, "joint_controller")))
        chosen = [c for c in categories if c in self.category_kind and self.chance(0.8)] or [
            self.rng.choice(self.categories["personal"])]
        if self.chance(0.1):
            kind = self.rng.choice(("personal", "personal", "special"))
            chosen.append(self.rng.choice(self.categories[kind]))
        kinds = {self.category_kind[c] for c in chosen}
        bases = self._bases(art6, art9, "special" in kinds, "criminal" in kinds)
        recipients = self._recipients(usual, self.pick(
            ((0.05, 0), (0.10, 1), (0.20, 2), (0.30, 3), (0.20, 4), (0.10, 5), (0.05, 6))))
        self._disclosures(reference, recipients)
        processors = self.some(self.processors, 0, 2)
        if self.chance(0.03):  # gap: a processor with no engagement (no contract)
            processors.append(self.rng.choice(self.suppliers))
        if processors:
            self.transfer_activities.append(reference)
        children = any(s in ("Children and young people", "School pupils") for s in subjects)
        return _make(
            "activities", reference=reference, name=f"{title} – {service}", service=service,
            business_function=function, purpose=purpose, our_role=role,
            controller=self.maybe(0.95, self.rng.choice(self.public), None) if role == "processor" else None,
            joint_controllers=_sorted(self.some(self.joint_pool, 1, 2)) if role == "joint_controller" else [],
            data_subjects=_sorted([s for s in subjects if s in self.known_subjects and self.chance(0.85)]
                                  or [self.rng.choice(self.subjects)]),
            data_categories=_sorted(chosen), lawful_bases=bases, **self._lawfulness(reference, bases),
            source=source, rights_override=self.maybe(0.05, "The right to object does not apply"),
            automated_decision_making=adm, systems=_sorted(self.some(self.systems, 1, 3)),
            location=self.rng.choice(LOCATIONS), recipients=recipients, processors=_sorted(processors),
            security_measures=self.rng.choice(SECURITY), owner=f"{self.rng.choice(OWNERS)}, {service}",
            **self._governance(reference, "special" in kinds and children))

    def _bases(self, art6: tuple, art9: tuple, special: bool, criminal: bool) -> list[str]:
        """Art. 6, Art. 9 and Schedule 1 codes for an activity, with a share of the gaps the checks find."""
        bases = [] if self.chance(0.04) else [self.rng.choice(art6)]  # gap: no Art. 6 basis
        if special and not self.chance(0.06):  # gap: special category data without an Art. 9 condition
            condition = self.rng.choice(art9 or ("9(2)(h)",))
            bases.append(condition)
            if condition in SCHEDULE_1 and not self.chance(0.03):  # gap: Art. 9(2)(h) etc. without Sch. 1
                bases.append(SCHEDULE_1[condition])
        if criminal:
            bases.append(self.rng.choice(("Sch1 para 10", "Sch1 para 18", "Sch1 para 36")))
        return _sorted(self.basis(b) for b in bases)

    def _lawfulness(self, reference: str, bases: list[str]) -> dict:
        """The records a basis calls for (LIA, consent record, policy document), sometimes missing."""
        intranet = "https://intranet.example.nhs.uk/ig"
        interests = "6(1)(f)" in bases
        return {
            "legitimate_interests": LEGITIMATE_INTERESTS if interests else "",
            "lia_url": self.maybe(0.8, f"{intranet}/lia/{reference}.pdf") if interests else "",
            "consent_record_url": self.maybe(0.8, f"{intranet}/consent-records")
            if {"6(1)(a)", "9(2)(a)"} & set(bases) else "",
            "policy_document_url": self.maybe(0.85, f"{intranet}/appropriate-policy-document.pdf")
            if self.need_policy & set(bases) else ""}

    def _governance(self, reference: str, dpia_likely: bool) -> dict:
        """Retention, DPIA, breach, status and review fields, with their gaps."""
        intranet = "https://intranet.example.nhs.uk/ig"
        # Reviewed within the year, or (the gap) longer ago so the review is overdue, or never.
        recent, overdue = -self.rng.randint(0, 364), -self.rng.randint(366, 800)
        last = self.pick(((0.86, recent), (0.11, overdue), (0.03, None)))
        compliant = self.pick(((0.7, True), (0.2, None), (0.1, False)))
        dpia = self.pick(((0.7, True), (0.2, None), (0.1, False)) if dpia_likely
                         else ((0.2, True), (0.5, False), (0.3, None)))
        breach = self.pick(((0.9, False), (0.07, None), (0.03, True)))
        return {
            "retention_rule": self.maybe(0.92, self.rng.choice(self.retention), None),  # gap: none stated
            "retention_policy_url": self.maybe(0.5, f"{intranet}/records-management-policy.pdf"),
            "retention_compliant": compliant,
            "retention_noncompliance_reason":
                "Legacy paper records awaiting review and destruction" if compliant is False else "",
            "dpia_required": dpia,
            "dpia_progress": self.rng.choice(("Completed", "In progress", "Screening only")) if dpia else "",
            "dpia_url": self.maybe(0.75, f"{intranet}/dpia/{reference}.pdf") if dpia else "",
            "breach_occurred": breach,
            "breach_url": f"{intranet}/incidents/{reference}" if breach else "",
            "status": self.pick(((0.88, "active"), (0.07, "draft"), (0.05, "retired"))),
            "last_reviewed": None if last is None else self.day(last),
            "next_review_due": None if last is None else self.day(last + 365)}

    def _recipients(self, usual: tuple, count: int) -> list[str]:
        chosen = [r for r in usual if r in self.recipient_set and self.chance(0.6)][:count]
        while len(chosen) < min(count, len(self.recipients)):
            chosen = list(dict.fromkeys(chosen + [self.rng.choice(self.recipients)]))
        return _sorted(chosen)

    def _disclosures(self, reference: str, recipients: list[str]) -> None:
        for recipient in recipients:
            agreed, start = self.chance(0.5), -self.rng.randint(0, 1800)
            number = f"DSA-{self.as_of.year + start // 365}-{self.rng.randint(1, 999):03d}"
            self.data["disclosures"].append(_make(
                "disclosures", activity=reference, recipient=recipient,
                legal_gateway=self.maybe(0.85, self.rng.choice(GATEWAYS)),  # gap: no legal gateway
                agreement_reference=number if agreed else "",
                agreement_start=self.day(start) if agreed else None,
                agreement_end=self.maybe(0.8, self.day(start + 1095), None) if agreed else None,
                agreement_review=self.maybe(0.7, self.day(start + 365), None) if agreed else None))

    # -- transfers -----------------------------------------------------------------------------------------
    def make_transfers(self) -> None:
        activities = self.transfer_activities or [r["reference"] for r in self.data["activities"]]
        for number in range(1, self.counts["transfers"] + 1):
            code = self.country(self.pick(DESTINATIONS))
            record = _make("transfers", reference=f"TR-{number:06d}", activity=self.rng.choice(activities),
                           country=code, organisation=self.rng.choice(self.suppliers),
                           system=self.maybe(0.5, self.rng.choice(self.systems), None))
            record.update(self._mechanism(code))
            if code is None:
                record["destination"] = "Outside the UK and EEA (country not stated)"
            self.data["transfers"].append(record)

    def _mechanism(self, code: str | None) -> dict:
        """How a transfer to this country is made lawful, or (a share of the time) the gap."""
        status = self.countries[code] if code else None
        if status in ("eea", "adequate"):
            return {"mechanism": self.pick(
                ((0.85, "adequacy"), (0.10, "none_recorded"), (0.05, "uk_addendum")))}
        if code == "US":
            choice = self.pick(((0.35, "certified"), (0.15, "uncertified"), (0.15, "idta+tra"),
                                (0.10, "idta"), (0.10, "uk_addendum+tra"), (0.10, "legacy_sccs"),
                                (0.05, "none_recorded")))
        elif status == "adequate_partial":
            choice = self.pick(((0.6, "adequacy"), (0.2, "idta+tra"), (0.2, "none_recorded")))
        elif status == "third_country":
            choice = self.pick(((0.30, "idta+tra"), (0.15, "idta"), (0.08, "uk_addendum+tra"),
                                (0.07, "uk_addendum"), (0.10, "bcr"), (0.10, "legacy_sccs"), (0.05, "art49"),
                                (0.15, "none_recorded")))
        else:
            choice = self.pick(((0.8, "none_recorded"), (0.2, "idta")))
        if choice == "certified":
            return {"mechanism": "uk_us_data_bridge", "certification": US_CERTIFIED,
                    "certification_checked": self.day(-self.rng.randint(5, 400))}
        if choice == "uncertified":
            return {"mechanism": "uk_us_data_bridge"}
        if choice == "art49":
            return {"mechanism": "art49_exception", "safeguards":
                    "Occasional transfer with the explicit consent of the individual (Art. 49(1)(a))"}
        if choice.endswith("+tra"):
            return {"mechanism": choice.removesuffix("+tra"),
                    "tra_date": self.day(-self.rng.randint(10, 900)),
                    "tra_outcome": "Risk acceptable with the supplementary measures in place",
                    "tra_url": "https://intranet.example.nhs.uk/ig/tra.pdf"}
        return {"mechanism": choice}


def generate(n: int, seed: int = 1, cyclic: bool = False, as_of: date = AS_OF) -> dict[str, list[dict]]:
    """n activities and what they refer to, in dump form (no countries or lawful bases); seed decides all."""
    # Millions of small dicts and lists, none in a cycle: the cyclic collector would only rescan them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return Generator(n, seed, cyclic, as_of).run()
    finally:
        if enabled:
            gc.enable()


def write_dump(data: dict[str, list[dict]], handle) -> None:
    """Write exactly what dump_text(data) returns, a record at a time (no second 600 MB copy at 100k).

    The frame comes from dump_text itself, and a sample of every section is checked against dump_text first,
    so a change to the dump's layout stops the generator instead of producing a file the importer reads
    otherwise.
    """
    sample = {name: records[:3] for name, records in data.items()}
    if "".join(_dump_chunks(sample)) != dump_text(sample):
        raise RuntimeError("ropa.exchange.jsonio.dump_text lays the dump out differently now; "
                           "update write_dump")
    for chunk in _dump_chunks(data):
        handle.write(chunk)


def _dump_chunks(data: dict[str, list[dict]]):
    sections = {e.name for e in ENTITIES} | {"snapshots"}
    for line in dump_text({}).splitlines(keepends=True):  # every section as an empty list, one per line
        name = line.split('"')[1] if line.startswith(' "') else ""
        records = data.get(name) if name in sections else None
        if not records:
            yield line
            continue
        yield f" {json.dumps(name)}: [\n"
        last = len(records) - 1
        for index, record in enumerate(records):
            yield _record_text(record) + (",\n" if index < last else "\n")
        yield " ]" + ("," if line.rstrip().endswith(",") else "") + "\n"


def _record_text(record: dict) -> str:
    """One record as json.dumps(..., ensure_ascii=False, indent=1) writes it two levels down, without the
    pure-Python encoder that indent forces (five times slower)."""
    lines = []
    for key, value in record.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(map(_json, value))
            lines.append(f'   "{key}": [\n    {items}\n   ]')
        else:
            lines.append(f'   "{key}": {_json(value)}')
    return "  {\n" + ",\n".join(lines) + "\n  }"


def _json(value) -> str:
    """A scalar as json.dumps(value, ensure_ascii=False) writes it."""
    if isinstance(value, str):
        return _json_string(value)
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return json.dumps(value, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of processing activities")
    parser.add_argument("-o", "--output", type=Path,
                        help="where to write (default bench/out/register-N.json; - for standard output)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cyclic", action="store_true",
                        help="make organisation links form cycles (sub-processor rings, services whose "
                             "partners provide each other)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF, metavar="YYYY-MM-DD",
                        help=f"the day every date is relative to (default {AS_OF})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = generate(args.n, args.seed, args.cyclic, args.as_of)
    if str(args.output) == "-":
        write_dump(data, sys.stdout)
        return 0
    path = args.output or ROOT / "bench" / "out" / f"register-{args.n}{'-cyclic' if args.cyclic else ''}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")  # a run stopped half-way leaves no plausible-looking dump
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        write_dump(data, handle)
    partial.replace(path)
    sizes = ", ".join(f"{len(data[e.name])} {e.name}" for e in ENTITIES if data[e.name])
    print(f"Wrote {path} ({path.stat().st_size / 2**20:.1f} MiB, {time.perf_counter() - started:.1f} s): "
          f"{sizes}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
