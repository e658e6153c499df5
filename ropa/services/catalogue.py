"""Ties the field catalogue to the models: reading a row as a dump-form record, writing values back."""

from datetime import date
from enum import StrEnum

from sqlalchemy.orm import selectinload

from ropa.exchange.schema import BY_NAME, DATE, REF, REFS, Entity
from ropa.exchange.values import sort_key
from ropa.models import (
    Country,
    DataCategory,
    Disclosure,
    LawfulBasis,
    LegalHold,
    Organisation,
    ProcessingActivity,
    ProcessorEngagement,
    Recipient,
    RetentionRule,
    Service,
    SubjectCategory,
    System,
    Transfer,
)

MODELS: dict[str, type] = {
    "countries": Country, "lawful_bases": LawfulBasis, "data_categories": DataCategory,
    "subject_categories": SubjectCategory, "organisations": Organisation, "legal_holds": LegalHold,
    "retention_rules": RetentionRule, "services": Service, "systems": System, "recipients": Recipient,
    "engagements": ProcessorEngagement, "activities": ProcessingActivity, "transfers": Transfer,
    "disclosures": Disclosure,
}


def key_of(entity: Entity, obj) -> str:
    """The natural key as one string (what refs, the dump and the audit log name it by)."""
    if entity.name == "disclosures":
        return f"{obj.activity.reference} / {obj.recipient.name}"
    return getattr(obj, entity.key[0])


def display_of(entity_name: str, obj) -> str:
    """How a ref is written in CSV: lawful bases with their label, everything else by key."""
    if entity_name == "lawful_bases":
        return f"{obj.code} {obj.label}"
    return key_of(BY_NAME[entity_name], obj)


def get_value(entity: Entity, obj, name: str, display: bool = False):
    """One field of a row in dump form."""
    field = entity.field(name)
    if entity.name == "activities" and name == "recipients":
        return sorted((d.recipient.name for d in obj.disclosures), key=sort_key)
    value = getattr(obj, name)
    if field.kind == REF:
        return None if value is None else (display_of if display else _key)(field.target, value)
    if field.kind == REFS:
        show = display_of if display else _key
        return sorted((show(field.target, v) for v in value), key=sort_key)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_of(entity: Entity, obj, display: bool = False) -> dict:
    """A row as a dump-form record, fields in catalogue order."""
    return {name: get_value(entity, obj, name, display) for name in entity.field_names}


def set_value(entity: Entity, obj, name: str, value) -> None:
    """Write one field from a resolved value (objects for refs, python values for scalars)."""
    field = entity.field(name)
    if entity.name == "activities" and name == "recipients":
        _set_recipients(obj, value)
    elif field.kind == DATE:
        setattr(obj, name, None if value is None else date.fromisoformat(value))
    elif field.kind == REFS:
        setattr(obj, name, list(value))
    elif field.enum is not None and value is not None:
        setattr(obj, name, field.enum(value))
    else:
        setattr(obj, name, value)


def _set_recipients(activity: ProcessingActivity, recipients: list[Recipient]) -> None:
    # Keep the sharing details of recipients that stay; add bare rows for new ones.
    wanted = {r.name: r for r in recipients}
    activity.disclosures = [d for d in activity.disclosures if d.recipient.name in wanted]
    present = {d.recipient.name for d in activity.disclosures}
    for name, recipient in wanted.items():
        if name not in present:
            disclosure = Disclosure(recipient=recipient)
            disclosure.created_in_import = True  # so the import counts its details as created, not updated
            activity.disclosures.append(disclosure)


def load_options(entity: Entity, fields: set[str] | None = None) -> list:
    """Eager loads that let record_of run without a query per row; with fields, only those fields' (what an edit
    of them reads; anything else is still loaded when touched, a query at a time)."""
    model = MODELS[entity.name]
    if entity.name == "disclosures":
        return [selectinload(Disclosure.activity), selectinload(Disclosure.recipient)]
    options = []
    for field in entity.fields:
        if field.kind not in (REF, REFS) or (fields is not None and field.name not in fields):
            continue
        if entity.name == "activities" and field.name == "recipients":  # held by the sharing rows
            options.append(selectinload(model.disclosures).selectinload(Disclosure.recipient))
        else:
            options.append(selectinload(getattr(model, field.name)))
    return options


def _key(entity_name: str, obj) -> str:
    return key_of(BY_NAME[entity_name], obj)
