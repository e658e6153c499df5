"""The register's tables. Importing this package registers every model with SQLAlchemy."""

from ropa.models.accounts import ApiToken, LoginAttempt, RecoveryCode, User
from ropa.models.activity import Disclosure, ProcessingActivity
from ropa.models.audit import AuditEntry, AuditHead, Snapshot
from ropa.models.findings import FindingsState, StoredFinding, StoredRoute
from ropa.models.jobs import Job
from ropa.enums import (
    ActivityStatus, BasisKind, DataKind, DsptStatus, OrgKind, OurRole, PeriodUnit, RecipientKind, Role,
    TransferMechanism, TransferStatus,
)
from ropa.models.parties import Organisation, Recipient, Service, System
from ropa.models.processors import ProcessorEngagement, Transfer
from ropa.models.reference import Country, DataCategory, LawfulBasis, SubjectCategory
from ropa.models.retention import LegalHold, RetentionRule
from ropa.models.reviews import ReviewCampaign, ReviewItem

__all__ = [
    "ActivityStatus", "ApiToken", "AuditEntry", "AuditHead", "BasisKind", "Country", "DataCategory", "DataKind",
    "Disclosure", "DsptStatus", "FindingsState", "Job", "LawfulBasis", "LoginAttempt", "LegalHold", "OrgKind",
    "Organisation", "OurRole", "PeriodUnit", "ProcessingActivity", "ProcessorEngagement", "Recipient", "RecipientKind",
    "RecoveryCode", "RetentionRule", "ReviewCampaign", "ReviewItem", "Role", "Service", "StoredRoute",
    "Snapshot", "StoredFinding", "SubjectCategory", "System", "Transfer", "TransferMechanism", "TransferStatus", "User",
]
