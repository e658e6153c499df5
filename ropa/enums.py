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
    ART49_EXCEPTION = "art49_exception"


class PeriodUnit(StrEnum):
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


class Role(StrEnum):
    ADMIN = "admin"
    DPO = "dpo"
    EDITOR = "editor"
    AUDITOR = "auditor"
