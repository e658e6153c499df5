"""The "Changes since" sheet: what changed in the register between two snapshots, one row per field changed,
record added or removed, and finding opened or closed. The ICO workbook carries it when exported as at a snapshot
with a baseline; `ropa diff --format xlsx` writes it as a workbook of its own.

Pure: a RegisterDiff in, rows out. Cells go through ropa.ico.xlsx's Sheet, so text is never taken for a formula.
"""

from typing import Any, BinaryIO

from xlsxwriter.workbook import Workbook

from ropa.diff import ADDED, KIND_TITLES, REMOVED, RegisterDiff
from ropa.ico.xlsx import WORKBOOK_OPTIONS, Sheet, Styles

CHANGES = "Changes since"
HEADINGS = (("What", 22), ("Reference or name", 30), ("Name", 30), ("Change", 12), ("Field", 26),
            ("Before", 50), ("After", 50))


def title(diff: RegisterDiff) -> str:
    target = "the register now" if diff.target == "now" else f"snapshot “{diff.target}”"
    return f"Changes since snapshot “{diff.source}” to {target}"


def change_rows(diff: RegisterDiff) -> list[list[Any]]:
    """The sheet's data rows: each record's field changes, then the findings opened and closed."""
    rows = []
    for kind, changes in diff.by_kind():
        what = KIND_TITLES.get(kind, kind)
        for change in changes:
            if change.action in (ADDED, REMOVED):
                rows.append([what, change.key, change.name, change.action, "", "", ""])
            for f in change.fields:
                rows.append([what, change.key, change.name, change.action, f.field, _cell(f.before),
                             _cell(f.after)])
    for label, found, opened in (("opened", diff.opened, True), ("closed", diff.closed, False)):
        for f in found:
            text = f"{f.title}: {f.message}"
            rows.append([f"Finding {f.rule} ({f.severity})", f"{f.entity_type} {f.entity_ref}", f.entity_name,
                         label, f.title, "" if opened else text, text if opened else ""])
    return rows


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def write_changes(sheet: Sheet, diff: RegisterDiff) -> None:
    """The Changes since sheet, top to bottom."""
    sheet.line([title(diff)], sheet.styles.title)
    day = diff.today.isoformat() if diff.today else "the same day"
    sheet.line([f"From SHA-256 {diff.source_sha256 or '-'} to SHA-256 {diff.target_sha256 or '-'}; "
                + f"the findings of both as checked on {day}."])
    sheet.header(HEADINGS)
    for row in change_rows(diff):
        sheet.data(row)
    if not sheet.data_rows:
        sheet.line(["No changes: the two registers hold the same records and findings."])
    sheet.finish()


def write_changes_workbook(out: BinaryIO | str, diff: RegisterDiff) -> int:
    """A workbook holding the Changes since sheet alone; return its data rows."""
    with Workbook(out, WORKBOOK_OPTIONS) as workbook:
        sheet = Sheet(workbook.add_worksheet(CHANGES), Styles(workbook))
        write_changes(sheet, diff)
    return sheet.data_rows
