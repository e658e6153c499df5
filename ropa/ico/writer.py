"""The ICO-style controller workbook (UK GDPR Art. 30): the ICO template's layout plus supporting sheets.

Pure: dump-form records in, an .xlsx out; no Flask, no database. Each input iterable is read once, in order
(engagements, transfers, activities, disclosures, systems, findings), and each sheet is written row by row
(XlsxWriter's constant_memory mode), so 100,000 activities take no more memory than 100.
"""

from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from typing import BinaryIO

from xlsxwriter.workbook import Workbook

from ropa.ico import sheets as ico_sheets
from ropa.ico import writer_process
from ropa.ico.assets import AssetSources, SystemUsage, write_assets
from ropa.ico.changes import CHANGES, write_changes
from ropa.ico.columns import contract_links
from ropa.ico.index import Contracts, Lookups, Tally, Transfers
from ropa.ico.layout import (
    ABOUT,
    ASSETS,
    BAND_ROW,
    CONTACT_FIELDS,
    CONTROLLER_GROUPS,
    FINDINGS,
    GROUP_COLUMNS,
    NOTES,
    NOTES_COLUMN,
    PROCESSOR_COLUMNS,
    PROCESSOR_GROUPS,
    PROCESSOR_NOTES,
    PROCESSOR_RECORD,
    PROCESSOR_REFERENCE,
    PROCESSOR_TITLE,
    PROCESSORS,
    REFERENCE_BAND,
    REFERENCE_COLUMN,
    SHARING,
    SHEETS,
    TEMPLATE,
    TEMPLATE_COLUMNS,
    TEMPLATE_TITLE,
    TRANSFERS,
    Column,
    bands,
)
from ropa.ico.text import (
    basis_codes,
    basis_labels,
    contact_line,
    contact_rows,
    organisation_rows,
    retention,
    rights,
    yes_no,
)
from ropa.ico.xlsx import WORKBOOK_OPTIONS, Sheet, Styles


def write_ico_workbook(out: BinaryIO | str, *, organisation: dict, countries: dict[str, dict],
                       bases: dict[str, dict], activities: Iterable[dict], engagements: Iterable[dict],
                       transfers: Iterable[dict], disclosures: Iterable[dict], systems: Iterable[dict],
                       organisations: dict[str, dict], retention_rules: dict[str, dict],
                       findings: Iterable[dict], about: dict,
                       activities_by_system: dict[str, list[str]] | None = None,
                       data_categories: dict[str, dict] | None = None,
                       separate_writer: bool = False, changes=None) -> dict[str, int]:
    """Write the workbook to a path or a binary file; return the number of data rows on each sheet.

    With `separate_writer`, XlsxWriter runs in a process of its own fed through a pipe (writer_process), so the
    reading of the inputs and the writing of the file overlap: for large registers.

    `activities_by_system` (optional, system name → activity labels) replaces the list the writer gathers
    itself (at most 50 per system) on the Information assets sheet; `data_categories` (name → record with
    `kind`) lets that sheet name the special category and criminal offence data each system holds; `changes` (a
    ropa.diff.RegisterDiff) adds the Changes since sheet after Findings.
    """
    lookups = Lookups(organisation or {}, countries, bases, organisations, retention_rules,
                      data_categories or {})
    usage = SystemUsage()
    opened = writer_process.Workbook(out) if separate_writer else Workbook(out, WORKBOOK_OPTIONS)
    with opened as workbook, closing(usage):
        styles = Styles(workbook)
        names = SHEETS if changes is None else with_changes_sheet()
        sheets = {name: Sheet(workbook.add_worksheet(name), styles) for name in names}
        contracts = ico_sheets.write_processors(sheets[PROCESSORS], engagements, lookups)
        moves = Transfers(transfers, lookups)
        tally = write_activities(sheets[TEMPLATE], sheets[PROCESSOR_RECORD], activities,
                                 Pass(lookups, contracts, moves, usage))
        ico_sheets.write_transfers(sheets[TRANSFERS], moves, tally, lookups)
        ico_sheets.write_sharing(sheets[SHARING], disclosures, tally)
        write_assets(sheets[ASSETS], systems,
                     AssetSources(lookups, contracts, moves, usage, activities_by_system))
        ico_sheets.write_findings(sheets[FINDINGS], findings)
        if changes is not None:
            write_changes(sheets[CHANGES], changes)
        ico_sheets.write_notes(sheets[NOTES], lookups)
        counts = {name: sheets[name].data_rows for name in names if name not in (NOTES, ABOUT)}
        ico_sheets.write_about(sheets[ABOUT], about, lookups, counts)
    return counts


def with_changes_sheet() -> tuple[str, ...]:
    """The tab order with the Changes since sheet, after Findings."""
    at = SHEETS.index(FINDINGS) + 1
    return (*SHEETS[:at], CHANGES, *SHEETS[at:])


def workbook_inputs(register: dict[str, list[dict]]) -> dict:
    """The keyword arguments of write_ico_workbook, bar findings and about, for a register in dump form."""
    def keyed(entity: str, key: str) -> dict[str, dict]:
        return {record[key]: record for record in register.get(entity, [])}

    return {
        "organisation": next((o for o in register.get("organisations", []) if o.get("is_self")), {}),
        "countries": keyed("countries", "code"), "bases": keyed("lawful_bases", "code"),
        "organisations": keyed("organisations", "name"), "retention_rules": keyed("retention_rules", "name"),
        "data_categories": keyed("data_categories", "name"),
        **{name: iter(register.get(name, [])) for name in
           ("activities", "engagements", "transfers", "disclosures", "systems")},
    }


@dataclass(frozen=True)
class Pass:
    """What the pass over the activities reads from (lookups, contracts, transfers) and writes to (usage)."""

    lookups: Lookups
    contracts: Contracts
    moves: Transfers
    usage: SystemUsage


def write_activities(template: Sheet, record: Sheet, activities: Iterable[dict], run: Pass) -> Tally:
    """The Template (activities we control) and the processor record (activities we process), in one pass."""
    tally, us = Tally(), run.lookups.organisation
    _start(template, TEMPLATE_TITLE, CONTROLLER_GROUPS, us, (*TEMPLATE_COLUMNS, REFERENCE_COLUMN, NOTES_COLUMN))
    _start(record, PROCESSOR_TITLE, PROCESSOR_GROUPS, us, (*PROCESSOR_COLUMNS, PROCESSOR_REFERENCE, PROCESSOR_NOTES))
    for activity in activities:
        tally.see(activity, run.moves)
        if activity.get("status") == "retired":
            continue
        run.usage.add(activity)
        if activity.get("our_role") == "processor":
            record.data(processor_row(activity, run.lookups, run.contracts, run.moves))
        else:  # controller, joint controller, or not yet recorded (as the checks treat it): none drops out
            template.data(template_row(activity, run.lookups, run.contracts, run.moves))
    template.finish(freeze_col=1, print_from=BAND_ROW - 1)
    record.finish(freeze_col=1, print_from=BAND_ROW - 1)
    return tally


def _start(sheet: Sheet, title: str, groups: tuple[str, ...], us: dict, columns: tuple[Column, ...]) -> None:
    """Rows 1-9: title, the Art. 30 contact block (us, our DPO, our representative), bands, headings."""
    styles = sheet.styles
    sheet.line([title], styles.title)
    for col, group in zip(GROUP_COLUMNS, groups):
        sheet.merge(col, col + 1, group, styles.group)
    sheet.row += 1
    blocks = [organisation_rows(us), contact_rows(us.get("dpo_name"), us.get("dpo_contact")),
              contact_rows(us.get("representative_name"), us.get("representative_contact"))]
    for index, label in enumerate(CONTACT_FIELDS):
        for col, block in zip(GROUP_COLUMNS, blocks):
            sheet.put(col, label, styles.label)
            sheet.put(col + 1, block[index])
        sheet.row += 1
    sheet.row = BAND_ROW - 1
    for band, first, last in bands(columns):
        sheet.merge(first, last, band, styles.ours if band == REFERENCE_BAND else styles.band)
    sheet.row += 1
    formats = [styles.ours if c.band == REFERENCE_BAND else styles.required if c.required else styles.optional
               for c in columns]
    sheet.header([(c.heading, c.width) for c in columns], formats)


def purpose(activity: dict) -> list[str]:
    """Column B: the activity's name on the first line (where importers take a name from), its purpose below."""
    return [activity.get("name") or "", activity.get("purpose") or ""]


def template_row(a: dict, lookups: Lookups, contracts: Contracts, moves: Transfers) -> list:
    """One activity in the ICO columns A..AD, then ropa's reference in AE."""
    reference, codes, bases = a.get("reference") or "", a.get("lawful_bases") or [], lookups.bases
    article_6 = basis_codes(codes, bases, "article_6")
    article_6_labels = basis_labels(article_6, bases)
    return [
        a.get("business_function"), purpose(a),
        [contact_line(name, lookups.organisations) for name in a.get("joint_controllers") or []],
        a.get("data_subjects"), a.get("data_categories"), a.get("recipients"),
        [*contracts.for_activity(a), *contract_links(a.get("notes"))],
        moves.destinations(reference), moves.exceptional_safeguards(reference),
        retention(a.get("retention_rule"), lookups.retention_rules),
        a.get("security_measures"),
        article_6_labels, basis_labels(basis_codes(codes, bases, "article_9"), bases),
        a.get("legitimate_interests"), a.get("lia_url"),
        rights(article_6, a.get("rights_override")),
        a.get("automated_decision_making"), a.get("source"), a.get("consent_record_url"),
        [a.get("location")],  # systems are on the Information assets sheet; T re-imports as the location
        yes_no(a.get("dpia_required")), a.get("dpia_progress"), a.get("dpia_url"),
        yes_no(a.get("breach_occurred")), a.get("breach_url"),
        basis_labels(basis_codes(codes, bases, "schedule_1"), bases),
        article_6_labels,
        a.get("retention_policy_url"),
        yes_no(a.get("retention_compliant")), a.get("retention_noncompliance_reason"),
        reference, a.get("notes"),
    ]


def processor_row(a: dict, lookups: Lookups, contracts: Contracts, moves: Transfers) -> list:
    """One activity we carry out as processor, in the processor record's columns (Art. 30(2))."""
    reference = a.get("reference") or ""
    return [
        controller_contact(a.get("controller"), lookups.organisations),
        [*purpose(a), _listed("Individuals", a.get("data_subjects")),
         _listed("Personal data", a.get("data_categories"))],
        moves.destinations(reference), moves.exceptional_safeguards(reference),
        a.get("security_measures"),
        [*contracts.as_processor(lookups.organisation.get("name") or "", a), *contract_links(a.get("notes"), "PF")],
        [*(a.get("processors") or []), *contract_links(a.get("notes"), "PG")],
        reference, a.get("notes"),
    ]


def controller_contact(name: str | None, organisations: dict[str, dict]) -> list[str]:
    """The controller with its contact details, DPO and representative (Art. 30(2)(a))."""
    if not name:
        return ["Controller not recorded"]
    org = organisations.get(name) or {}
    dpo = "; ".join(p for p in (org.get("dpo_name"), org.get("dpo_contact")) if p)
    representative = "; ".join(p for p in (org.get("representative_name"), org.get("representative_contact"))
                               if p)
    return [contact_line(name, organisations), f"DPO: {dpo}" if dpo else "",
            f"Representative: {representative}" if representative else ""]


def _listed(label: str, items: list[str] | None) -> str:
    return f"{label}: {', '.join(items)}" if items else ""
