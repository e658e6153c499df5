"""Closed vocabularies of the register, stored as text with CHECK constraints."""

from enum import StrEnum


class OrgKind(StrEnum):
    COMPANY = "company"
    NHS_BODY = "nhs_body"
    LOCAL_AUTHORITY = "local_authority"
    PUBLIC_BODY = "public_body"
    CHARITY = "charity"
    COMMUNITY_INTEREST_COMPANY = "community_interest_company"
    REGULATOR = "regulator"
    OTHER = "other"


class DsptStatus(StrEnum):
    STANDARDS_EXCEEDED = "standards_exceeded"
    STANDARDS_MET = "standards_met"
    APPROACHING_STANDARDS = "approaching_standards"
    STANDARDS_NOT_MET = "standards_not_met"
    NOT_PUBLISHED = "not_published"
    UNKNOWN = "unknown"


class TransferStatus(StrEnum):
    """Where a country stands under UK GDPR Chapter V."""

    UK = "uk"
    EEA = "eea"
    ADEQUATE = "adequate"
    ADEQUATE_PARTIAL = "adequate_partial"  # adequacy with a scope, e.g. the UK-US data bridge
    THIRD_COUNTRY = "third_country"


class OurRole(StrEnum):
    CONTROLLER = "controller"
    JOINT_CONTROLLER = "joint_controller"
    PROCESSOR = "processor"


class ActivityStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class DataKind(StrEnum):
    PERSONAL = "personal"
    SPECIAL = "special"
    CRIMINAL = "criminal"


class BasisKind(StrEnum):
    ARTICLE_6 = "article_6"
    ARTICLE_9 = "article_9"
    SCHEDULE_1 = "schedule_1"


class RecipientKind(StrEnum):
    ORGANISATION = "organisation"
    CATEGORY = "category"


class TransferMechanism(StrEnum):
    NONE_RECORDED = "none_recorded"
    ADEQUACY = "adequacy"
    UK_US_DATA_BRIDGE = "uk_us_data_bridge"
    IDTA = "idta"
    UK_ADDENDUM = "uk_addendum"
    BCR = "bcr"
    OTHER_ART46 = "other_art46"
    LEGACY_SCCS = "legacy_sccs"
    #: An Art. 49 exception whose point of Art. 49(1) is not recorded.
    ART49_EXCEPTION = "art49_exception"
    ART49_EXPLICIT_CONSENT = "art49_explicit_consent"  # Art. 49(1)(a)
    ART49_CONTRACT_WITH_SUBJECT = "art49_contract_with_subject"  # (b)
    ART49_CONTRACT_FOR_SUBJECT = "art49_contract_for_subject"  # (c)
    ART49_PUBLIC_INTEREST = "art49_public_interest"  # (d)
    ART49_LEGAL_CLAIMS = "art49_legal_claims"  # (e)
    ART49_VITAL_INTERESTS = "art49_vital_interests"  # (f)
    ART49_PUBLIC_REGISTER = "art49_public_register"  # (g)
    #: Art. 49(1) second subparagraph: occasional, few people, safeguards documented, the ICO informed.
    ART49_COMPELLING_INTERESTS = "art49_compelling_interests"


#: Every Art. 49 exception, the unspecified one included.
ART49_MECHANISMS = frozenset(m for m in TransferMechanism if m.value.startswith("art49"))


class Region(StrEnum):
    """A destination stated as a set of countries rather than one (ICO column H: "EEA")."""

    NONE = "none"
    EEA = "eea"  # the EU-27, Iceland, Liechtenstein and Norway: adequate (UK GDPR s.17A regulations)
    EU = "eu"


class PeriodUnit(StrEnum):
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


class Role(StrEnum):
    ADMIN = "admin"
    DPO = "dpo"
    EDITOR = "editor"
    AUDITOR = "auditor"


class ReviewOutcome(StrEnum):
    """Where one activity stands in a review campaign."""

    PENDING = "pending"
    CONFIRMED = "confirmed"  # reviewed and found still right, unchanged since the campaign began
    UPDATED = "updated"  # reviewed after being edited during the campaign
