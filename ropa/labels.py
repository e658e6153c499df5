"""How the register's fields and values are named on pages: one place, so forms, detail pages and filters agree."""

from enum import StrEnum

#: Field labels where the field name alone would not read well; others are the name with spaces.
LABELS = {
    "reference": "Reference", "is_self": "This is us (the organisation keeping the register)",
    "is_public_authority": "Public authority (UK GDPR / FOI sense)", "ico_registration": "ICO registration number",
    "dspt_status": "DSPT status", "dpo_name": "DPO name", "dpo_contact": "DPO contact",
    "privacy_notice_url": "Privacy notice link", "our_role": "Our role", "controller": "Controller (when we are processor)",
    "lawful_bases": "Lawful bases (Art. 6), conditions (Art. 9) and Schedule 1 conditions",
    "legitimate_interests": "Legitimate interests relied on", "lia_url": "Legitimate interests assessment (link)",
    "consent_record_url": "Consent record (link)", "policy_document_url": "Appropriate policy document (link)",
    "source": "Source of the personal data", "rights_override": "Rights available (leave empty to derive from the bases)",
    "automated_decision_making": "Automated decision-making, including profiling",
    "location": "Location of the personal data (in words)", "retention_rule": "Retention rule",
    "retention_policy_url": "Retention schedule (link)", "retention_compliant": "Retained and erased in line with the policy",
    "retention_noncompliance_reason": "If not, why not", "security_measures": "Technical and organisational security measures",
    "dpia_required": "DPIA required", "dpia_progress": "DPIA progress", "dpia_url": "DPIA (link)",
    "breach_occurred": "Personal data breach occurred", "breach_url": "Breach record (link)",
    "last_reviewed": "Last reviewed", "next_review_due": "Next review due", "art28_confirmed": "Art. 28 terms confirmed",
    "contract_url": "Contract (link)", "sub_processors": "Sub-processors",
    "countries": "Countries where it processes or can access the data", "processing_location": "Processing location (in words)",
    "tra_date": "Transfer risk assessment date", "tra_outcome": "Transfer risk assessment outcome",
    "tra_url": "Transfer risk assessment (link)", "certification": "Certification (e.g. UK-US data bridge listing)",
    "certification_checked": "Certification checked on", "mechanism": "Transfer mechanism",
    "region": "Region (EEA or EU, when the data goes there rather than to one country)",
    "destination": "Destination (in words, when no country is recorded)", "legal_gateway": "Legal gateway",
    "agreement_reference": "Data-sharing agreement", "agreement_start": "Agreement starts",
    "agreement_end": "Agreement ends", "agreement_review": "Agreement review due", "hosting_country": "Hosting country",
    "impact_of_loss": "Impact of loss", "period_value": "Retention period", "period_unit": "Period unit",
    "legal_hold": "Legal hold", "imposed_by": "Imposed by", "website": "Website", "kind": "Kind",
}

#: Fields written as paragraphs rather than one line.
LONG_TEXT = {"purpose", "description", "notes", "legitimate_interests", "source", "rights_override",
             "automated_decision_making", "location", "security_measures", "retention_noncompliance_reason",
             "safeguards", "legal_gateway", "address", "support_arrangements", "impact_of_loss", "reason",
             "exceptions", "adequacy_scope", "tra_outcome"}

#: Words for enum values where the value alone would not read well.
VALUE_LABELS = {
    "uk_us_data_bridge": "UK-US data bridge", "idta": "International data transfer agreement (IDTA)",
    "uk_addendum": "UK Addendum to the EU SCCs", "bcr": "Binding corporate rules", "other_art46": "Other Art. 46 safeguard",
    "legacy_sccs": "Legacy EU SCCs (no longer valid alone)", "art49_exception": "Art. 49 exception (point not recorded)",
    "art49_explicit_consent": "Art. 49(1)(a) explicit consent",
    "art49_contract_with_subject": "Art. 49(1)(b) contract with the individual",
    "art49_contract_for_subject": "Art. 49(1)(c) contract in the individual's interest",
    "art49_public_interest": "Art. 49(1)(d) important public interest",
    "art49_legal_claims": "Art. 49(1)(e) legal claims", "art49_vital_interests": "Art. 49(1)(f) vital interests",
    "art49_public_register": "Art. 49(1)(g) public register",
    "art49_compelling_interests": "Art. 49(1) compelling legitimate interests (2nd subparagraph)",
    "none": "Not a region", "eu": "EU",
    "none_recorded": "None recorded", "adequacy": "Adequacy regulations", "nhs_body": "NHS body",
    "community_interest_company": "Community interest company", "uk": "UK", "eea": "EEA",
    "adequate_partial": "Adequate (with a scope)", "third_country": "Third country", "dpo": "DPO",
}


def label(name: str) -> str:
    """The label of a field on pages."""
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def value_label(value: str | StrEnum | None) -> str:
    """An enum value as words."""
    if value is None or value == "":
        return ""
    text = str(value.value if isinstance(value, StrEnum) else value)
    return VALUE_LABELS.get(text) or text.replace("_", " ").capitalize()


def enum_choices(enum: type[StrEnum], empty: str | None = "Not recorded") -> list[tuple[str, str]]:
    """Select options for an enum, with an empty choice first unless empty is None."""
    options = [(m.value, value_label(m.value)) for m in enum]
    return ([("", empty)] if empty is not None else []) + options
