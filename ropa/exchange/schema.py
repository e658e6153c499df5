"""The field catalogue: every entity of the register, its natural key and fields, in dependency order.

One catalogue drives the JSON dump, the CSV files, imports and the audit log's field-level before/after, so a
field added here is exported, imported and audited everywhere at once.
"""

from dataclasses import dataclass
from functools import cached_property
from enum import StrEnum

from ropa.enums import (
    ActivityStatus, BasisKind, DataKind, DsptStatus, OrgKind, OurRole, PeriodUnit, RecipientKind, Region,
    TransferMechanism, TransferStatus,
)

TEXT, INT, BOOL, DATE, ENUM, REF, REFS = "text", "int", "bool", "date", "enum", "ref", "refs"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = TEXT
    target: str = ""  # entity name a ref/refs field points to
    enum: type[StrEnum] | None = None
    required: bool = False


@dataclass(frozen=True)
class Entity:
    name: str  # plural, as in the JSON dump
    label: str  # singular, for messages and the audit log
    key: tuple[str, ...]
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @cached_property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _f(name: str, kind: str = TEXT, target: str = "", enum: type[StrEnum] | None = None,
       required: bool = False) -> Field:
    return Field(name, kind, target, enum, required)


ENTITIES: tuple[Entity, ...] = (
    Entity("countries", "country", ("code",), (
        _f("code", required=True), _f("name", required=True),
        _f("transfer_status", ENUM, enum=TransferStatus, required=True), _f("adequacy_scope"),
        _f("unverified", BOOL), _f("notes"))),
    Entity("lawful_bases", "lawful basis", ("code",), (
        _f("code", required=True), _f("kind", ENUM, enum=BasisKind, required=True), _f("label", required=True),
        _f("needs_schedule_1", BOOL), _f("needs_policy_document", BOOL), _f("notes"))),
    Entity("data_categories", "data category", ("name",), (
        _f("name", required=True), _f("kind", ENUM, enum=DataKind), _f("description"))),
    Entity("subject_categories", "data subject category", ("name",), (
        _f("name", required=True), _f("description"))),
    Entity("organisations", "organisation", ("name",), (
        _f("name", required=True), _f("kind", ENUM, enum=OrgKind), _f("is_self", BOOL),
        _f("is_public_authority", BOOL), _f("registration_number"), _f("address"), _f("email"), _f("telephone"),
        _f("country", REF, "countries"), _f("ico_registration"), _f("dspt_status", ENUM, enum=DsptStatus),
        _f("dpo_name"), _f("dpo_contact"), _f("representative_name"), _f("representative_contact"),
        _f("website"), _f("privacy_notice_url"), _f("notes"))),
    Entity("legal_holds", "legal hold", ("name",), (
        _f("name", required=True), _f("imposed_by", REF, "organisations"), _f("reason"), _f("since", DATE),
        _f("notes"))),
    Entity("retention_rules", "retention rule", ("name",), (
        _f("name", required=True), _f("period_value", INT), _f("period_unit", ENUM, enum=PeriodUnit),
        _f("trigger"), _f("exceptions"), _f("source"), _f("legal_hold", REF, "legal_holds"), _f("notes"))),
    Entity("services", "service", ("name",), (
        _f("name", required=True), _f("description"), _f("provider", REF, "organisations"),
        _f("partners", REFS, "organisations"), _f("notes"))),
    Entity("systems", "system", ("name",), (
        _f("name", required=True), _f("description"), _f("supplier", REF, "organisations"),
        _f("hosting_country", REF, "countries"), _f("location"), _f("owner"), _f("software"),
        _f("support_arrangements"), _f("impact_of_loss"), _f("notes"))),
    Entity("recipients", "recipient", ("name",), (
        _f("name", required=True), _f("kind", ENUM, enum=RecipientKind),
        _f("organisation", REF, "organisations"), _f("description"), _f("notes"))),
    Entity("engagements", "processor engagement", ("reference",), (
        _f("reference", required=True), _f("processor", REF, "organisations", required=True),
        _f("services", REFS, "services"), _f("description"), _f("contract_reference"), _f("contract_url"),
        _f("art28_confirmed", BOOL), _f("start_date", DATE), _f("end_date", DATE),
        _f("sub_processors", REFS, "organisations"), _f("countries", REFS, "countries"),
        _f("processing_location"), _f("notes"))),
    Entity("activities", "processing activity", ("reference",), (
        _f("reference", required=True), _f("name", required=True), _f("service", REF, "services"),
        _f("business_function"), _f("purpose"), _f("our_role", ENUM, enum=OurRole),
        _f("controller", REF, "organisations"), _f("joint_controllers", REFS, "organisations"),
        _f("data_subjects", REFS, "subject_categories"), _f("data_categories", REFS, "data_categories"),
        _f("lawful_bases", REFS, "lawful_bases"), _f("legitimate_interests"), _f("lia_url"),
        _f("consent_record_url"), _f("policy_document_url"), _f("source"), _f("rights_override"),
        _f("automated_decision_making"), _f("systems", REFS, "systems"), _f("location"),
        _f("recipients", REFS, "recipients"), _f("processors", REFS, "organisations"),
        _f("retention_rule", REF, "retention_rules"), _f("retention_policy_url"), _f("retention_compliant", BOOL),
        _f("retention_noncompliance_reason"), _f("security_measures"), _f("dpia_required", BOOL),
        _f("dpia_progress"), _f("dpia_url"), _f("breach_occurred", BOOL), _f("breach_url"), _f("owner"),
        _f("status", ENUM, enum=ActivityStatus), _f("last_reviewed", DATE), _f("next_review_due", DATE),
        _f("notes"))),
    Entity("transfers", "transfer", ("reference",), (
        _f("reference", required=True), _f("activity", REF, "activities", required=True),
        _f("country", REF, "countries"), _f("region", ENUM, enum=Region), _f("destination"),
        _f("organisation", REF, "organisations"),
        _f("system", REF, "systems"), _f("mechanism", ENUM, enum=TransferMechanism), _f("safeguards"),
        _f("certification"), _f("certification_checked", DATE), _f("tra_date", DATE), _f("tra_outcome"),
        _f("tra_url"), _f("notes"))),
    Entity("disclosures", "data sharing", ("activity", "recipient"), (
        _f("activity", REF, "activities", required=True), _f("recipient", REF, "recipients", required=True),
        _f("legal_gateway"), _f("agreement_reference"), _f("agreement_start", DATE), _f("agreement_end", DATE),
        _f("agreement_review", DATE), _f("notes"))),
)

BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}

#: In the activity CSV, lawful bases are split by kind into three readable columns.
BASIS_COLUMNS: dict[str, BasisKind] = {
    "article_6": BasisKind.ARTICLE_6, "article_9": BasisKind.ARTICLE_9, "schedule_1": BasisKind.SCHEDULE_1,
}

DUMP_FORMAT = "ropa-register"
DUMP_VERSION = 1
