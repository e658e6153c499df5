"""A hand-filled ICO template read against the register: names matched to the ones it holds, its contact block
checked against the organisation keeping the register, its destinations matched to the transfers already recorded."""

import sqlalchemy as sa

from ropa.exchange.problems import Problem, RawRecord, Remark
from ropa.extensions import db
from ropa.ico.reader import read_ico_workbook
from ropa.models import (
    Country,
    DataCategory,
    Organisation,
    ProcessingActivity,
    Recipient,
    RetentionRule,
    SubjectCategory,
    Transfer,
)


def read_ico(data: bytes, name: str) -> tuple[list[RawRecord], list[dict], list[Problem], list[Remark]]:
    """A hand-filled ICO template, read against the names the register already has; with the remarks (what was
    inferred, what could only be kept in notes) a person should check."""
    remarks: list[Remark] = []
    records, _contact, problems = read_ico_workbook(data, name, known=known_names(), remarks=remarks)
    problems += _check_ourselves(records)
    _reuse_transfer_references(records)
    return records, [], problems, remarks


def known_names() -> dict[str, list[str]]:
    """Names of the vocabularies the register holds, so a sheet's 'health information' finds 'Health information'."""
    models = {"data_categories": DataCategory, "subject_categories": SubjectCategory,
              "organisations": Organisation, "recipients": Recipient, "retention_rules": RetentionRule}
    return {name: list(db.session.scalars(sa.select(model.name))) for name, model in models.items()}


def _check_ourselves(records: list[RawRecord]) -> list[Problem]:
    ours = db.session.scalar(sa.select(Organisation.name).where(Organisation.is_self))
    return [r.problem("name", f"this register is kept for {ours!r}; the sheet's contact block names "
                              f"{r.values['name']!r}: correct the sheet or the register first")
            for r in records if r.entity == "organisations" and r.values.get("is_self") and ours
            and r.values.get("name") != ours]


def _reuse_transfer_references(records: list[RawRecord]) -> None:
    """A sheet names destinations, not transfer records: match them to the activity's existing transfers by country
    or destination words, so re-importing a sheet updates rather than duplicates."""
    wanted = {r.values.get("activity") for r in records if r.entity == "transfers"}
    if not wanted:
        return
    existing: dict[tuple, str] = {}
    query = (sa.select(Transfer.reference, ProcessingActivity.reference, Country.code, Transfer.region,
                       Transfer.destination)
             .join(Transfer.activity).outerjoin(Transfer.country)
             .where(ProcessingActivity.reference.in_(sorted(wanted))))
    for reference, activity, code, region, destination in db.session.execute(query):
        region = "" if code or not region or region == "none" else str(region)
        existing.setdefault((activity, code or "", region, "" if code or region else destination.casefold()),
                            reference)
    codes = {c.code: c for c in db.session.scalars(sa.select(Country))}
    by_name = {c.name.casefold(): code for code, c in codes.items()}
    for record in records:
        if record.entity != "transfers":
            continue
        country = (record.values.get("country") or "").strip()
        code = country.upper() if country.upper() in codes else by_name.get(country.casefold(), "")
        region = "" if code else record.values.get("region", "")
        key = (record.values.get("activity"), code, region,
               "" if code or region else (record.values.get("destination") or "").casefold())
        if key in existing:
            record.values["reference"] = existing[key]
