"""The workbook's supporting sheets: processors and contracts, transfers, data sharing, findings, our notes
and About (information assets are in ico_assets). Each writes its rows top to bottom, reading its input once.
"""

from collections.abc import Iterable

from ropa.checks.engine import citation_of
from ropa.ico.index import Contracts, Lookups, Tally, Transfers
from ropa.ico.layout import FIRST_DATA_ROW
from ropa.ico.notes import notes
from ropa.ico.text import MECHANISMS, TRANSFER_STATUS, destination, unique, words, yes_no
from ropa.ico.xlsx import Sheet, as_date, as_utc

PROCESSOR_HEADINGS = (
    ("Reference", 11), ("Supplier", 24), ("Products or services", 40), ("Services it supports", 28),
    ("Contact details", 30), ("Contract reference", 16), ("Link to contract", 26),
    ("Article 28 terms confirmed", 12), ("Start date", 12), ("End date", 12), ("DSPT status", 16),
    ("Where it processes the data", 26), ("Sub-processors", 26), ("Notes", 40),
)
TRANSFER_HEADINGS = (
    ("Reference", 11), ("Processing activity", 34), ("Recipient organisation", 24), ("System", 22),
    ("Country or destination", 24), ("UK transfer status", 24), ("Mechanism", 30), ("Safeguards", 30),
    ("Certification", 24), ("Certification checked", 13), ("Transfer risk assessment date", 13),
    ("Transfer risk assessment outcome", 28), ("Link to transfer risk assessment", 26), ("Notes", 44),
)
SHARING_HEADINGS = (
    ("Processing activity", 14), ("Recipient", 40), ("Legal gateway", 34),
    ("Data-sharing agreement reference", 20),
    ("Agreement start", 12), ("Agreement end", 12), ("Agreement review", 12), ("Notes", 44),
)
FINDING_HEADINGS = (
    ("Rule", 8), ("Severity", 10), ("Title", 30), ("Entity type", 14), ("Reference", 14), ("Name", 30),
    ("Message", 60), ("Fix", 50), ("Citation", 34),
)


def _table(sheet: Sheet, title: str, headings: tuple[tuple[str, float], ...]) -> None:
    sheet.line([title], sheet.styles.title)
    sheet.header(headings)


def write_processors(sheet: Sheet, engagements: Iterable[dict], lookups: Lookups) -> Contracts:
    """Suppliers handling personal data, their products, contacts and contracts (DSPT 10.1.2 and 10.2.2)."""
    _table(sheet, "Processors and contracts: suppliers that handle personal data for us (DSPT 10.1.2, 10.2.2)",
           PROCESSOR_HEADINGS)
    contracts = Contracts()
    for e in engagements:
        contracts.add(e)
        org = lookups.organisations.get(e.get("processor") or "") or {}
        where = [lookups.country(code) for code in e.get("countries") or []]
        sheet.data([
            e.get("reference"), e.get("processor"), e.get("description"), e.get("services"),
            unique([org.get("address", ""), org.get("email", ""), org.get("telephone", "")]),
            e.get("contract_reference"), e.get("contract_url"), yes_no(e.get("art28_confirmed")),
            as_date(e.get("start_date")), as_date(e.get("end_date")), words(org.get("dspt_status")),
            unique([*where, e.get("processing_location") or ""]), e.get("sub_processors"), e.get("notes"),
        ])
    sheet.finish()
    return contracts


def write_transfers(sheet: Sheet, moves: Transfers, tally: Tally, lookups: Lookups) -> None:
    """Every transfer out of the UK with its mechanism and TRA: what Template columns H and I cannot hold."""
    _table(sheet, "International transfers: destination, mechanism and transfer risk assessment of each",
           TRANSFER_HEADINGS)
    for t in moves.all:
        reference = t.get("activity") or ""
        if reference in tally.retired:
            continue
        country = lookups.countries.get(t.get("country") or "") or {}
        code = country.get("transfer_status") or ""
        status = TRANSFER_STATUS.get(code, words(code))
        sheet.data([
            t.get("reference"), f"{reference} {tally.names.get(reference, '')}".strip(),
            t.get("organisation"), t.get("system"), destination(t, lookups.countries),
            f"{status}: {country['adequacy_scope']}" if country.get("adequacy_scope") else status,
            MECHANISMS.get(t.get("mechanism") or "", words(t.get("mechanism"))), t.get("safeguards"),
            t.get("certification"), as_date(t.get("certification_checked")), as_date(t.get("tra_date")),
            t.get("tra_outcome"), t.get("tra_url"), t.get("notes"),
        ])
    sheet.finish()


def write_sharing(sheet: Sheet, disclosures: Iterable[dict], tally: Tally) -> None:
    """Who each activity's data goes to, under which legal gateway and agreement."""
    _table(sheet, "Data sharing: recipients of each activity's data, legal gateway and agreement",
           SHARING_HEADINGS)
    for d in disclosures:
        if (d.get("activity") or "") in tally.retired:
            continue
        sheet.data([d.get("activity"), d.get("recipient"), d.get("legal_gateway"),
                    d.get("agreement_reference"), as_date(d.get("agreement_start")),
                    as_date(d.get("agreement_end")), as_date(d.get("agreement_review")), d.get("notes")])
    sheet.finish()


def write_findings(sheet: Sheet, findings: Iterable[dict]) -> None:
    """ropa's open findings at the time of export, errors first as the checks return them."""
    _table(sheet, "Findings: gaps ropa's checks found in the register when this workbook was written",
           FINDING_HEADINGS)
    for finding in findings:
        f = finding.as_dict() if hasattr(finding, "as_dict") else finding
        severity = f.get("severity") or ""
        flagged = {"error": sheet.styles.error, "warning": sheet.styles.warning}.get(severity)
        sheet.data([f.get("rule"), severity, f.get("title"), f.get("entity_type"), f.get("entity_ref"),
                    f.get("entity_name"), f.get("message"), f.get("fix"),
                    f.get("citation") or citation_of(f.get("rule") or "")], {1: flagged} if flagged else None)
    sheet.finish()


def write_notes(sheet: Sheet, lookups: Lookups) -> None:
    """Our own short guide to the workbook."""
    _table(sheet, "Notes: how to read this workbook", (("Sheet or topic", 26), ("Note", 110)))
    for topic, text in notes(lookups.organisation.get("name") or "the organisation", FIRST_DATA_ROW):
        sheet.data([topic, text])
    sheet.finish(autofilter=False)


def write_about(sheet: Sheet, about: dict, lookups: Lookups, counts: dict[str, int]) -> None:
    """When, by whom and as at what the workbook was written, what it holds, and the register's SHA-256."""
    _table(sheet, "About this workbook", (("Item", 34), ("Value", 80)))
    us = lookups.organisation
    rows = [("Organisation", us.get("name")), ("ICO registration number", us.get("ico_registration")),
            ("Generated at (UTC)", as_utc(about.get("generated_at"))),
            ("Generated by", about.get("generated_by")), ("As at", about.get("as_at")),
            ("SHA-256 of the register content", about.get("sha256"))]
    rows += [(f"Rows on sheet '{name}'", count) for name, count in counts.items()]
    rows += [(f"Register: {words(entity).lower()}", count)
             for entity, count in (about.get("counts") or {}).items()]
    for label, value in rows:
        sheet.data([label, value])
    sheet.finish(autofilter=False)
