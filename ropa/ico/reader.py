"""Reading the ICO ROPA template as DPOs fill it in by hand: one activity per row, every problem located to a cell.

read_ico_workbook returns raw records in dump form (names still unresolved), so the register applies them like any
other import, all or nothing. Problems print as `register.xlsx:Template!E14: reason` (see CellProblem).
"""

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string

from ropa.exchange.problems import ImportFailed, Problem, RawRecord, Remark
from ropa.ico.columns import (
    BASIS_COLUMNS,
    BLANK_MARKERS,
    BOOL_FIELDS,
    HEADINGS,
    LIMITS,
    NOTE_PREFIXES,
    NOTES,
    PROCESSOR_HEADINGS,
    REFERENCE,
    TEXT_FIELDS,
    VOCABULARY,
    activity_name,
    cell_text,
    contact_group,
    contact_label,
    derived_reference,
    guessed_kind,
    heading_letter,
    is_example,
    joint_names,
    normalise,
    split_bases,
    split_values,
    yes_no,
)
from ropa.ico.mechanisms import read_mechanism
from ropa.ico.places import Place, read_places, unknown_country_message
from ropa.ico.text import rights

HEADING_ROWS = 15
MAX_PROBLEMS = 200
RETENTION_NAME_LENGTH = 300  # retention_rules.name
#: Entities in the order apply_records needs them (the dump's dependency order).
ORDER = ("data_categories", "subject_categories", "retention_rules", "organisations", "recipients", "activities",
         "transfers")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected workbook


@dataclass(frozen=True)
class CellProblem(Problem):
    """A problem in a workbook: file is 'book.xlsx:Sheet', row the sheet row, column the cell ('E14').

    Prints as 'book.xlsx:Sheet!E14: reason'; without a cell, 'book.xlsx:Sheet: reason' (or 'book.xlsx: reason').
    """

    def __str__(self) -> str:
        return f"{self.file}!{self.column}: {self.reason}" if self.column else f"{self.file}: {self.reason}"


@dataclass
class CellRecord(RawRecord):
    """A raw record read from a sheet; columns map fields (and 'field:value') to cell references.

    if_missing marks names emitted only so that they exist (vocabulary, joint controllers): a caller may skip such a
    record when the register already has the name in any letter case.
    """

    if_missing: bool = False

    def problem(self, field: str, reason: str, value: str = "") -> Problem:
        column = self.columns.get(f"{field}:{value}") or self.columns.get(field) or self.columns.get("*", "")
        return CellProblem(self.file, self.row, column, reason)


def read_ico_workbook(data: bytes, file: str, *, known: Mapping[str, Iterable[str]] | None = None,
                      remarks: list[Remark] | None = None) -> tuple[list[RawRecord], dict, list[Problem]]:
    """Raw records (dependency order), the contact block and every problem of a hand-filled ICO ROPA workbook.

    known maps entity names (data_categories, subject_categories, recipients, organisations) to the names the
    register already has: those are kept whole when they contain commas, and get no record of their own (so an
    import never re-creates one in another letter case, nor re-guesses its kind). Without it, every name used gets
    a record marked if_missing. Raises ImportFailed when the file is not a workbook or no sheet has the headings.
    remarks, if given, receives what was inferred or could only be kept in notes, each at its cell.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")  # unsupported Excel extensions
        book = _open(data, file)
        try:
            found, problems = _find_sheets(book, file)
            reader = _Reader(problems, known or {}, remarks=remarks if remarks is not None else [])
            contact: dict = {}
            for sheet, head, heading_row, columns, processor in found:
                reader.start(f"{file}:{_sheet_label(sheet.title)}", columns,
                             from_ropa=_from_ropa(head, heading_row, columns), processor=processor)
                if not contact.get("organisation", {}).get("name"):
                    contact, cells = _contact_block(head[:heading_row - 1])
                    reader.add_self(contact, cells)
                for number, row in enumerate(sheet.iter_rows(min_row=heading_row + 1), start=heading_row + 1):
                    reader.read_row(number, row)
                    if len(problems) >= MAX_PROBLEMS:
                        problems.append(CellProblem(reader.where, number, "", "too many problems; stopped reading"))
                        break
        finally:
            book.close()
    return reader.records(), contact, problems


def _from_ropa(head: list[tuple], heading_row: int, columns: dict[str, int]) -> bool:
    """A workbook ropa wrote (its 'ropa reference' column): columns ropa derives from other records are not read back."""
    if REFERENCE not in columns:
        return False
    cells = head[heading_row - 1]
    index = columns[REFERENCE] - 1
    return index < len(cells) and normalise(cell_text(cells[index].value)) == normalise("ropa reference")


def _fail(file: str, reason: str) -> ImportFailed:
    return ImportFailed([CellProblem(file, "-", "", reason)])


def _open(data: bytes, file: str):
    if not data:
        raise _fail(file, "the file is empty")
    if data.startswith(_OLE):
        raise _fail(file, "this is an Excel 97-2003 (.xls) file or a password-protected workbook; "
                          "save it as an Excel Workbook (.xlsx) without a password")
    if not data.startswith(b"PK"):
        raise _fail(file, "this is not an .xlsx workbook (it is not a zip file); save it as an Excel Workbook (.xlsx)")
    if b"opendocument.spreadsheet" in data[:200]:
        raise _fail(file, "this is an OpenDocument (.ods) spreadsheet; save it as an Excel Workbook (.xlsx)")
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, KeyError) for a damaged file
        raise _fail(file, f"cannot be read as an .xlsx workbook ({type(exc).__name__}: {exc}); "
                          "open it in Excel and save it as an Excel Workbook (.xlsx)") from None


def _sheet_label(name: str) -> str:
    """The sheet name as Excel writes it in a reference: quoted when it is not a plain word."""
    return name if re.fullmatch(r"\w+", name) else "'" + name.replace("'", "''") + "'"


def _find_sheets(book, file: str) -> tuple[list[tuple], list[Problem]]:
    """The controller sheet ('Template' if it has the ICO headings, else the first sheet that has them) and the
    processor record (the first sheet with the Art. 30(2) headings), each as (sheet, head rows, heading row,
    columns, processor?), with any repeated headings as problems. At least one of the two must be there."""
    controller = processor = None
    problems: list[Problem] = []
    near_miss = ""
    ordered = sorted(book.worksheets, key=lambda s: s.title.strip().casefold() != "template")
    for sheet in ordered:
        sheet.reset_dimensions()  # some writers record a wrong used range; read what is there
        head = [tuple(row) for row in sheet.iter_rows(max_row=HEADING_ROWS)]
        where = f"{file}:{_sheet_label(sheet.title)}"
        for is_processor, needed in ((False, "B"), (True, "PB")):
            if (processor if is_processor else controller) is not None:
                continue
            heading_row, columns, repeats = _heading_row(head, where, needed, is_processor)
            if needed in columns:
                problems += repeats
                if is_processor:
                    processor = (sheet, head, heading_row, columns, True)
                else:
                    controller = (sheet, head, heading_row, columns, False)
                break
            if columns and not is_processor and not near_miss:
                near_miss = (f" (row {heading_row} of sheet '{sheet.title}' has ICO headings but no "
                             f"'{HEADINGS['B']}' column; every activity needs its purpose)")
    found = [s for s in (controller, processor) if s is not None]
    if found:
        return found, problems
    expected = (f"expected headings such as '{HEADINGS['B']}' (controller) or '{PROCESSOR_HEADINGS['PB']}' "
                "(processor record)")
    if len(ordered) == 1:
        sheet = ordered[0]
        raise _fail(f"{file}:{_sheet_label(sheet.title)}",
                    f"no ICO heading row found in the first {HEADING_ROWS} rows of sheet '{sheet.title}': "
                    f"{expected}{near_miss}")
    names = ", ".join(s.title for s in ordered)
    raise _fail(file, f"no sheet has the ICO heading row in its first {HEADING_ROWS} rows (looked in: {names}): "
                      f"{expected}{near_miss}")


def _heading_row(head: list[tuple], where: str, needed: str = "B",
                 processor: bool = False) -> tuple[int, dict[str, int], list[Problem]]:
    """The row with the most ICO headings (one with the needed column preferred), its columns, repeats."""
    best: tuple = (0, {}, [])
    for number, row in enumerate(head, start=1):
        columns: dict[str, int] = {}
        repeats: list[Problem] = []
        for index, cell in enumerate(row, start=1):
            letter = heading_letter(cell_text(cell.value), processor) if isinstance(cell.value, str) else None
            if letter and letter in columns:
                repeats.append(CellProblem(where, number, f"{get_column_letter(index)}{number}",
                                           f"the heading '{cell_text(cell.value)}' appears twice (also in column "
                                           f"{get_column_letter(columns[letter])}); delete or rename one"))
            elif letter:
                columns[letter] = index
        if (needed in columns, len(columns)) > (needed in best[1], len(best[1])):
            best = (number, columns, repeats)
    return best


def _contact_block(rows: list[tuple]) -> tuple[dict, dict]:
    """The contact block above the headings: {'organisation'|'dpo'|'representative': {name, address, ...}}.

    A label says whose detail it is ('DPO email'), or belongs to the nearest group title above it and at or left
    of it, so groups side by side and groups stacked both read. Its value is inline ('Name: Acme NHS Trust'), in
    the next filled cell to its right, or else in the cell below (labels in one row, values in the next).
    Returns the values and, alongside, the cell reference of each.
    """
    grid = [[cell_text(cell.value) for cell in row] for row in rows]
    titles = [(r, c, group) for r, texts in enumerate(grid, start=1) for c, text in enumerate(texts, start=1)
              if text and (group := contact_group(text))]
    contact: dict[str, dict[str, str]] = {}
    cells: dict[str, dict[str, str]] = {}
    for r, texts in enumerate(grid, start=1):
        for c, text in enumerate(texts, start=1):
            found = contact_label(text) if text else None
            if not found:
                continue
            group, field, value = found
            at_row, at = r, c
            if not value:
                at_row, at, value = _contact_value(grid, r, c)
            if group is None:
                above = [(tr, tc, g) for tr, tc, g in titles if tr < r and tc <= c + 1]
                group = max(above)[2] if above else "organisation"  # the block starts with the organisation
            if group and value and field not in contact.get(group, {}):
                contact.setdefault(group, {})[field] = value
                cells.setdefault(group, {})[field] = f"{get_column_letter(at)}{at_row}"
    return contact, cells


def _contact_value(grid: list[list[str]], r: int, c: int) -> tuple[int, int, str]:
    """A label's value: the next filled cell to its right, else the cell below; never another label or title."""
    texts = grid[r - 1]
    at = next((k for k in range(c + 1, len(texts) + 1) if texts[k - 1]), 0)
    if at and not contact_label(texts[at - 1]) and not contact_group(texts[at - 1]):
        return r, at, texts[at - 1]
    below = grid[r][c - 1] if r < len(grid) and c <= len(grid[r]) else ""
    if below and not contact_label(below) and not contact_group(below):
        return r + 1, c, below
    return r, c, ""


class _Row:
    """One sheet row, read through the template letters of the columns found (sheet letters kept for references)."""

    def __init__(self, number: int, cells: tuple, columns: dict[str, int], letters: dict[str, str]):
        self.number, self._letters = number, letters
        self._cells, self._texts, width = {}, {}, len(cells)
        for letter, index in columns.items():
            if index <= width:
                cell = self._cells[letter] = cells[index - 1]
                self._texts[letter] = "" if cell.data_type == "e" else cell_text(cell.value)

    def has(self, letter: str) -> bool:
        return letter in self._letters

    def value(self, letter: str):
        cell = self._cells.get(letter)
        return None if cell is None or cell.data_type == "e" else cell.value

    def text(self, letter: str) -> str:
        return self._texts.get(letter, "")

    def ref(self, letter: str) -> str:
        return f"{self._letters[letter]}{self.number}" if letter in self._letters else ""

    def errors(self) -> list[tuple[str, str]]:
        """(cell, shown error) for every cell showing a formula error such as #REF!."""
        return [(self.ref(letter), str(cell.value)) for letter, cell in self._cells.items() if cell.data_type == "e"]

    def blank(self) -> bool:
        """Nothing in any ICO column (a reference alone, pre-numbered for later, counts as blank)."""
        return not any(text for letter, text in self._texts.items() if letter != REFERENCE) and not self.errors()


class _Reader:
    """Turns rows into records; collects the vocabulary names they use and every problem found."""

    def __init__(self, problems: list[Problem], known: Mapping[str, Iterable[str]],
                 remarks: list[Remark] | None = None):
        self.problems = problems
        self.remarks: list[Remark] = [] if remarks is None else remarks
        self.known = {entity: frozenset(n.casefold() for n in names) for entity, names in known.items()}
        self.found: dict[str, dict[str, CellRecord]] = {name: {} for name in ORDER}  # casefolded key -> record
        self.rows_of: dict[str, tuple[int, str]] = {}  # activity reference -> (first row, sheet)
        self.start("", {})

    def start(self, where: str, columns: dict[str, int], *, from_ropa: bool = False, processor: bool = False) -> None:
        """Read the rows of another sheet from now on: the controller template, or the processor record."""
        self.where, self.columns, self.from_ropa, self.processor = where, columns, from_ropa, processor
        self.letters = {letter: get_column_letter(index) for letter, index in columns.items()}

    def records(self) -> list[RawRecord]:
        return [record for name in ORDER for record in self.found[name].values()]

    def _problem(self, number: int, cell: str, reason: str) -> None:
        self.problems.append(CellProblem(self.where, number, cell, reason))

    def _remark(self, cell: str, kind: str, text: str) -> None:
        self.remarks.append(Remark(self.where, cell, kind, text))

    def _add(self, entity: str, key: str, record: CellRecord) -> None:
        if not (record.if_missing and key.casefold() in self.known.get(entity, ())):
            self.found[entity].setdefault(key.casefold(), record)

    def add_self(self, contact: dict, cells: dict) -> None:
        """Our organisation (is_self) from the contact block, with its DPO and representative, if it is named."""
        ours = contact.get("organisation", {})
        if not ours.get("name"):
            return
        values, columns = {"name": ours["name"], "is_self": True}, {"is_self": cells["organisation"]["name"]}
        for field in ("name", "address", "email", "telephone", "ico_registration"):
            if ours.get(field):
                values[field], columns[field] = ours[field], cells["organisation"][field]
        for group, prefix in (("dpo", "dpo"), ("representative", "representative")):
            details = contact.get(group, {})
            if details.get("name"):
                values[f"{prefix}_name"], columns[f"{prefix}_name"] = details["name"], cells[group]["name"]
            parts = [f for f in ("contact", "address", "email", "telephone") if details.get(f)]
            if parts:
                values[f"{prefix}_contact"] = "; ".join(details[f] for f in parts)
                columns[f"{prefix}_contact"] = cells[group][parts[0]]
        row = coordinate_from_string(columns["name"])[1]
        if self._long("organisations", values["name"], row, columns["name"]):
            return
        self._add("organisations", values["name"], CellRecord("organisations", values, self.where, row, columns))

    def _long(self, field: str, text: str, number: int, cell: str) -> bool:
        limit = LIMITS.get(field)
        if limit and len(text) > limit:
            self._problem(number, cell, f"too long for {field.replace('_', ' ')} ({len(text)} characters; the limit "
                                        f"is {limit})")
            return True
        return False

    def read_row(self, number: int, cells: tuple) -> None:
        """One activity (with its transfers and the names it uses) from a filled row; blank and example rows skipped."""
        row = _Row(number, cells, self.columns, self.letters)
        if row.blank():
            return
        if self.processor:
            self._processor_row(row)
            return
        function, purpose = row.text("A"), row.text("B")
        if is_example(function, purpose) or normalise(purpose) == normalise(HEADINGS["B"]):
            return
        for cell, shown in row.errors():
            self._problem(number, cell, f"the cell shows the error {shown}; type the value instead of a formula")
        if not function and not purpose:
            self._problem(number, row.ref("B"), f"'{HEADINGS['B']}' is blank; every activity needs its purpose "
                                                "(fill it in, or clear the row)")
            return
        reference, ref_cell = self._reference(row, function, purpose)
        if reference is None:
            return
        values = {"reference": reference, "name": activity_name(purpose, function), "our_role": "controller"}
        columns = {"*": row.ref("B"), "reference": ref_cell, "name": row.ref("B") or row.ref("A")}
        self._scalars(row, values, columns)
        self._vocabulary(row, values, columns)
        self._bases(row, values, columns)
        notes = self._joint(row, values, columns)
        self._retention(row, values, columns)
        transfers = self._transfers(row, reference, ref_cell)
        notes += self._notes(row, bool(transfers))
        if self.from_ropa and row.text(REFERENCE):
            notes = _as_written_by_ropa(values)
        self._finish(row, values, columns, notes, transfers, row.ref("J") or row.ref("G") or row.ref("C"))

    def _finish(self, row: _Row, values: dict, columns: dict, notes: list[str],
                transfers: list[tuple[str, CellRecord]], notes_cell: str) -> None:
        """The activity and its transfers, with the notes (a Notes column first, then what had no field)."""
        if text := row.text(NOTES):
            notes = [text] + ([] if self.from_ropa and row.text(REFERENCE) else notes)
            notes_cell = row.ref(NOTES)
        if notes:
            values["notes"], columns["notes"] = "\n".join(notes), notes_cell
        self._add("activities", values["reference"], CellRecord("activities", values, self.where, row.number,
                                                                columns))
        for key, record in transfers:
            self._add("transfers", key, record)

    def _processor_row(self, row: _Row) -> None:
        """An activity we carry out as processor (Art. 30(2)): the controller we act for, the categories of
        processing, transfers and security measures; contract link and sub-processors kept in notes."""
        for cell, shown in row.errors():
            self._problem(row.number, cell, f"the cell shows the error {shown}; type the value instead of a formula")
        text = row.text("PB")
        if not text:
            self._problem(row.number, row.ref("PB") or row.ref("PA"), f"'{PROCESSOR_HEADINGS['PB']}' is blank; "
                          "every activity needs its purpose (fill it in, or clear the row)")
            return
        if is_example("", text) or normalise(text) == normalise(PROCESSOR_HEADINGS["PB"]):
            return
        written = self.from_ropa and bool(row.text(REFERENCE))
        name, purpose, named = _processing_lines(text) if written else ("", text, {})
        reference, ref_cell = self._reference(row, "", purpose)
        if reference is None:
            return
        values = {"reference": reference, "name": name or activity_name(purpose, ""), "purpose": purpose,
                  "our_role": "processor"}
        columns = {"*": row.ref("PB"), "reference": ref_cell, "name": row.ref("PB"), "purpose": row.ref("PB"),
                   "our_role": row.ref("PB")}
        self._scalars(row, values, columns)
        for field, entity in (("data_subjects", "subject_categories"), ("data_categories", "data_categories")):
            if field in named:
                self._names(row, values, columns, field, entity, named[field], row.ref("PB"))
        notes = self._controller(row, values, columns, written)
        transfers = self._transfers(row, reference, ref_cell)
        if not self.from_ropa:
            for letter in ("PF", "PG"):
                if cell_value := row.text(letter):
                    notes.append(NOTE_PREFIXES[letter] + cell_value)
                    what = ("the contract link is kept in the activity's notes; record the contract on our "
                            "engagement with the controller" if letter == "PF" else
                            "the sub-processors are kept in the activity's notes; record each as a processor of "
                            "the activity, with its contract (Art. 28(2) and (4))")
                    self._remark(row.ref(letter), Remark.KEPT_IN_NOTES, f"{cell_value!r}: {what}")
        notes += self._unplaced_safeguards(row, bool(transfers))
        self._finish(row, values, columns, notes, transfers, row.ref("PF") or row.ref("PA") or row.ref("PB"))

    def _controller(self, row: _Row, values: dict, columns: dict, written: bool) -> list[str]:
        """The controller we act for, by name (an organisation record); its contact details go to the notes.
        Returns those notes. A row with no controller named is left for the checks (O01, Art. 30(2)(a))."""
        text, cell = row.text("PA"), row.ref("PA")
        known = self.known.get("organisations", frozenset())
        names = [] if normalise(text) in BLANK_MARKERS | {"controller not recorded"} else joint_names(text, known)
        names = [n for n in names if not self._long("organisations", n, row.number, cell)]
        if not names:
            return []
        values["controller"], columns["controller"] = names[0], cell
        self._add("organisations", names[0], CellRecord("organisations", {"name": names[0]}, self.where,
                                                        row.number, {"*": cell}, if_missing=True))
        if written or normalise(text) == normalise(names[0]):
            return []
        self._remark(cell, Remark.KEPT_IN_NOTES, f"the controller is recorded as {names[0]!r}; the rest of the cell "
                                                 "is kept in the activity's notes (put contact details on the "
                                                 "organisation)")
        return [f"Controller and contact details (from the ICO sheet): {text}"]

    def _reference(self, row: _Row, function: str, purpose: str) -> tuple[str | None, str]:
        """The row's own reference, or one derived from its words; None (and a problem) for a repeat."""
        given = row.text(REFERENCE)
        cell = row.ref(REFERENCE) if given else row.ref("PB" if self.processor else "B")
        reference = given or derived_reference(function, purpose)
        if self._long("reference", reference, row.number, cell):
            return None, cell
        if reference.casefold() in self.rows_of:
            first, where = self.rows_of[reference.casefold()]
            first = first if where == self.where else f"{first} of {where.rpartition(':')[2]}"
            fix = "give each its own reference" if row.has(REFERENCE) else "add a Reference column"
            self._problem(row.number, cell, f"duplicate reference '{reference}' (also at row {first})" if given else
                          f"same business function and purpose as row {first}, so both rows would be one activity; "
                          f"merge them, or {fix} to tell them apart")
            return None, cell
        self.rows_of[reference.casefold()] = (row.number, self.where)
        return reference, cell

    def _scalars(self, row: _Row, values: dict, columns: dict) -> None:
        for letter, field in TEXT_FIELDS.items():
            if row.has(letter) and not self._long(field, text := row.text(letter), row.number, row.ref(letter)):
                values[field], columns[field] = text, row.ref(letter)
        for letter, field in BOOL_FIELDS.items():
            if not row.has(letter):
                continue
            try:
                values[field] = yes_no(row.value(letter))
            except ValueError as exc:
                self._problem(row.number, row.ref(letter), f"'{HEADINGS[letter]}' must be Yes or No (or blank if "
                                                           f"not known), not '{exc}'")
                continue
            columns[field] = row.ref(letter)

    def _vocabulary(self, row: _Row, values: dict, columns: dict) -> None:
        """Category names, and a record for each so the register has it (kind guessed only as special/criminal)."""
        for letter, (field, entity) in VOCABULARY.items():
            if row.has(letter):
                self._names(row, values, columns, field, entity, self._values(row.text(letter), entity),
                            row.ref(letter))

    def _names(self, row: _Row, values: dict, columns: dict, field: str, entity: str, found: list[str],
               cell: str) -> None:
        names = [n for n in found if not self._long(entity, n, row.number, cell)]
        values[field], columns[field] = names, cell
        for name in names:
            columns[f"{field}:{name}"] = cell
            fields = {"name": name}
            if entity == "data_categories" and (kind := guessed_kind(name)) != "personal":
                fields["kind"] = kind
            self._add(entity, name, CellRecord(entity, fields, self.where, row.number, {"*": cell}, if_missing=True))

    def _values(self, text: str, entity: str) -> list[str]:
        """ropa writes one name per line, so its own workbooks are never split at commas inside a name."""
        if self.from_ropa:
            return [line.strip() for line in text.splitlines() if line.strip()]
        return split_values(text, self.known.get(entity, frozenset()))

    def _bases(self, row: _Row, values: dict, columns: dict) -> None:
        present = [letter for letter in BASIS_COLUMNS if row.has(letter)]
        if not present:
            return
        codes: list[str] = []
        for letter in present:
            for code in split_bases(row.text(letter), BASIS_COLUMNS[letter]):
                if code not in codes:
                    codes.append(code)
                    columns[f"lawful_bases:{code}"] = row.ref(letter)
        values["lawful_bases"], columns["lawful_bases"] = codes, row.ref(present[0])

    def _joint(self, row: _Row, values: dict, columns: dict) -> list[str]:
        """Joint controllers by name (each an organisation record); their contact details go to the notes."""
        if not row.has("C"):
            return []
        text, cell = row.text("C"), row.ref("C")
        names = [n for n in joint_names(text, self.known.get("organisations", frozenset()))
                 if not self._long("organisations", n, row.number, cell)]
        values["joint_controllers"], columns["joint_controllers"] = names, cell
        values["our_role"], columns["our_role"] = ("joint_controller" if names else "controller"), cell
        for name in names:
            columns[f"joint_controllers:{name}"] = cell
            self._add("organisations", name, CellRecord("organisations", {"name": name}, self.where, row.number,
                                                        {"*": cell}, if_missing=True))
        if names and normalise(text) != normalise(" ".join(names)):
            return [f"Joint controller contact details (from the ICO sheet): {text}"]
        return []

    def _retention(self, row: _Row, values: dict, columns: dict) -> None:
        """Column J as the retention rule it names: the Art. 30(1)(f) time limit is then on record, and the export
        writes the rule's name back to J. The period and trigger are left for the DPO to set on the rule."""
        text = row.text("J")
        if self.from_ropa or not text or normalise(text) in BLANK_MARKERS or len(text) > RETENTION_NAME_LENGTH:
            return
        cell = row.ref("J")
        values["retention_rule"], columns["retention_rule"] = text, cell
        first = text.casefold() not in self.found["retention_rules"]
        self._add("retention_rules", text, CellRecord("retention_rules", {"name": text}, self.where, row.number,
                                                      {"*": cell}, if_missing=True))
        if first and text.casefold() not in self.known.get("retention_rules", ()):  # once per rule, not per row
            self._remark(cell, Remark.INFERRED, f"the retention text {text!r} is recorded as a retention rule of that "
                                                "name; set its period and trigger on the rule")

    def _notes(self, row: _Row, transferred: bool) -> list[str]:
        """What the register has no field for: over-long retention text, the contract link, safeguards with no
        transfer."""
        notes = []
        if (text := row.text("J")) and len(text) > RETENTION_NAME_LENGTH and not self.from_ropa:
            notes.append(f"Retention (from the ICO sheet): {text}")
            self._remark(row.ref("J"), Remark.KEPT_IN_NOTES, "the retention text is too long for a retention rule's "
                                                             "name and is kept in the activity's notes")
        if (text := row.text("G")) and not self.from_ropa:
            notes.append(NOTE_PREFIXES["G"] + text)
            self._remark(row.ref("G"), Remark.KEPT_IN_NOTES, f"the contract link {text!r} is kept in the activity's "
                                                             "notes; record it on the processor's engagement")
        return notes + self._unplaced_safeguards(row, transferred)

    def _unplaced_safeguards(self, row: _Row, transferred: bool) -> list[str]:
        if (text := row.text("I")) and normalise(text) not in BLANK_MARKERS and not transferred:
            self._remark(row.ref("I"), Remark.KEPT_IN_NOTES, f"the safeguards column says {text!r} but no transfer "
                                                             "is named beside it: kept in the activity's notes")
            return [f"Safeguards for exceptional transfers (from the ICO sheet): {text}"]
        return []

    def _transfers(self, row: _Row, reference: str, ref_cell: str) -> list[tuple[str, CellRecord]]:
        """A transfer per country, region or destination named in column H, each with the mechanism column I names
        for it ('USA: DPF; India: IDTA'), else the one the whole of column I names."""
        cell = row.ref("H")
        places = read_places(row.text("H"))
        for place in places:
            if place.unknown:
                self._problem(row.number, cell, unknown_country_message(place.unknown, place.suggestions))
        places = tuple(p for p in places if not p.unknown)
        own, rest = _per_destination(row.text("I"), places)
        out = []
        for n, place in enumerate(places, start=1):
            key = f"{reference}-T{n}"
            if self._long("reference", key, row.number, cell):
                continue
            values = {"reference": key, "activity": reference}
            columns = {"*": cell, "activity": ref_cell}
            self._place(place, values, columns, cell)
            self._mechanism(own.get(place.text, rest), values, columns, row.ref("I"))
            out.append((key, CellRecord("transfers", values, self.where, row.number, columns)))
        return out

    def _place(self, place: Place, values: dict, columns: dict, cell: str) -> None:
        """Where the transfer goes: a country (bracketed text to notes), a region, or words (country unknown)."""
        if place.country:
            values["country"], columns[f"country:{place.country}"] = place.country, cell
        elif place.region:
            values["region"], columns["region"] = place.region, cell
        else:
            values["destination"], columns["destination"] = place.destination, cell
            self._remark(cell, Remark.INFERRED, f"{place.destination!r} names no country: recorded as a restricted "
                                                "transfer to a destination in words, country unknown")
        if place.note:
            values["notes"], columns["notes"] = f"From the ICO sheet: {place.note}", cell
            self._remark(cell, Remark.KEPT_IN_NOTES, f"{place.note!r} (beside {place.text.split('(')[0].strip()}) "
                                                     "is kept in the transfer's notes")

    def _mechanism(self, text: str, values: dict, columns: dict, cell: str) -> None:
        """Column I mapped to the vocabulary, its words kept as safeguards; a TRA date read when it is clear."""
        if not text or normalise(text) in BLANK_MARKERS:
            return  # nothing said: a new transfer has none recorded, an existing one keeps its own
        found = read_mechanism(text)
        values["mechanism"] = found.value
        values["safeguards"] = text if found.safeguards is None else found.safeguards
        columns["mechanism"] = columns["safeguards"] = cell
        if not found.recognised and normalise(text) != "none recorded":
            self._remark(cell, Remark.INFERRED, "column I names no transfer mechanism ropa recognises: kept as "
                                                "safeguards text")
        if found.tra_date:
            values["tra_date"], columns["tra_date"] = found.tra_date.isoformat(), cell
            self._remark(cell, Remark.INFERRED, f"transfer risk assessment date read as "
                                                f"{found.tra_date.strftime('%d/%m/%Y')}")
        elif found.tra_text:
            note = f"Transfer risk assessment (from the ICO sheet): {found.tra_text}"
            values["notes"] = "\n".join(filter(None, [values.get("notes", ""), note]))
            columns.setdefault("notes", cell)
            self._remark(cell, Remark.KEPT_IN_NOTES, "column I mentions a transfer risk assessment without one clear "
                                                     "date: kept in the transfer's notes; enter its date")


def _per_destination(text: str, places: tuple[Place, ...]) -> tuple[dict[str, str], str]:
    """Column I lines that start with one of the row's destinations ('India: IDTA'), by place text, and the rest
    (for every other destination). Without such lines, the whole text is the rest."""
    if ":" not in text:
        return {}, text
    own: dict[str, str] = {}
    rest: list[str] = []
    for line in _lines(text, places):
        head, found, words = line.partition(":")
        target = _same_place(head, places) if found else None
        if target is not None and target.text not in own:
            own[target.text] = words.strip()
        elif line:
            rest.append(line)
    return own, ("; ".join(rest) if own else text)


def _lines(text: str, places: tuple[Place, ...]) -> list[str]:
    """Column I's lines; a semicolon starts a new one only before another destination ('India: IDTA; USA: DPF'),
    so 'South Africa: Art. 49 — occasional; ICO informed' stays whole."""
    lines: list[str] = []
    for line in text.split("\n"):
        pieces = line.split(";")
        lines.append(pieces[0].strip())
        for piece in pieces[1:]:
            head, found, _ = piece.partition(":")
            if found and _same_place(head, places) is not None:
                lines.append(piece.strip())
            else:
                lines[-1] += ";" + piece
    return [line.strip() for line in lines if line.strip()]


def _same_place(text: str, places: tuple[Place, ...]) -> Place | None:
    """The row's destination that text names: the same country, region or words."""
    named = read_places(text.strip())
    if len(named) != 1:
        return None
    one = named[0]
    return next((p for p in places if (p.country, p.region, p.destination.casefold()) ==
                 (one.country, one.region, one.destination.casefold())), None)


def _processing_lines(text: str) -> tuple[str, str, dict[str, list[str]]]:
    """The processor record's column B as ropa writes it: the name, the purpose, then 'Individuals: a, b' and
    'Personal data: c, d' lines (ropa.ico.writer.processor_row)."""
    name, _, rest = text.partition("\n")
    named: dict[str, list[str]] = {}
    kept = []
    for line in rest.splitlines():
        for label, field in (("Individuals: ", "data_subjects"), ("Personal data: ", "data_categories")):
            if line.startswith(label):
                named[field] = [n.strip() for n in line.removeprefix(label).split(", ") if n.strip()]
                break
        else:
            kept.append(line)
    return name.strip(), "\n".join(kept).strip(), named


def _as_written_by_ropa(values: dict) -> list[str]:
    """Undo what ropa's export derives, so re-importing its workbook changes nothing: column B holds the name on its
    first line above the purpose, P the rights derived from the Art. 6 bases, and J, G and C's contact details come
    from retention rules, contracts and organisations (edited in ropa, not read back). Returns no notes."""
    name, _, purpose = values.get("purpose", "").partition("\n")
    if purpose:
        values["name"], values["purpose"] = name.strip(), purpose.strip()
    article_6 = [code for code in values.get("lawful_bases", []) if code.startswith("6(")]
    if values.get("rights_override") == "\n".join(rights(article_6, None)):
        values.pop("rights_override")
    return []
