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

from ropa.ico.columns import (
    BASIS_COLUMNS, BLANK_MARKERS, BOOL_FIELDS, HEADINGS, LIMITS, REFERENCE, TEXT_FIELDS, VOCABULARY, activity_name,
    cell_text, contact_group, contact_label, derived_reference, guessed_kind, heading_letter, is_example, joint_names,
    names_country, no_transfer, normalise, split_bases, split_values, yes_no,
)
from ropa.exchange.problems import ImportFailed, Problem, RawRecord
from ropa.ico.text import rights

HEADING_ROWS = 15
MAX_PROBLEMS = 200
#: Entities in the order apply_records needs them (the dump's dependency order).
ORDER = ("data_categories", "subject_categories", "organisations", "recipients", "activities", "transfers")
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
                      ) -> tuple[list[RawRecord], dict, list[Problem]]:
    """Raw records (dependency order), the contact block and every problem of a hand-filled ICO ROPA workbook.

    known maps entity names (data_categories, subject_categories, recipients, organisations) to the names the
    register already has: those are kept whole when they contain commas, and get no record of their own (so an
    import never re-creates one in another letter case, nor re-guesses its kind). Without it, every name used gets
    a record marked if_missing. Raises ImportFailed when the file is not a workbook or no sheet has the headings.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")  # unsupported Excel extensions
        book = _open(data, file)
        try:
            sheet, head, heading_row, columns, problems = _find_sheet(book, file)
            where = f"{file}:{_sheet_label(sheet.title)}"
            contact, cells = _contact_block(head[:heading_row - 1])
            reader = _Reader(where, columns, problems, known or {}, from_ropa=_from_ropa(head, heading_row, columns))
            reader.add_self(contact, cells)
            for number, row in enumerate(sheet.iter_rows(min_row=heading_row + 1), start=heading_row + 1):
                reader.read_row(number, row)
                if len(problems) >= MAX_PROBLEMS:
                    problems.append(CellProblem(where, number, "", "too many problems; stopped reading"))
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


def _find_sheet(book, file: str):
    """'Template' if there is one, else the first sheet with the ICO headings in its first rows."""
    sheets = book.worksheets
    template = [s for s in sheets if s.title.strip().casefold() == "template"]
    near_miss = ""
    for sheet in template or sheets:
        sheet.reset_dimensions()  # some writers record a wrong used range; read what is there
        head = [tuple(row) for row in sheet.iter_rows(max_row=HEADING_ROWS)]
        heading_row, columns, problems = _heading_row(head, f"{file}:{_sheet_label(sheet.title)}")
        if "B" in columns:
            return sheet, head, heading_row, columns, problems
        if columns and not near_miss:
            near_miss = (f" (row {heading_row} of sheet '{sheet.title}' has ICO headings but no "
                         f"'{HEADINGS['B']}' column; every activity needs its purpose)")
    expected = f"expected headings such as '{HEADINGS['B']}'"
    if len(template or sheets) == 1:
        sheet = (template or sheets)[0]
        where = f"{file}:{_sheet_label(sheet.title)}"
        raise _fail(where, f"no ICO heading row found in the first {HEADING_ROWS} rows of sheet '{sheet.title}': "
                           f"{expected}{near_miss}")
    names = ", ".join(s.title for s in sheets)
    raise _fail(file, f"no sheet has the ICO heading row in its first {HEADING_ROWS} rows (looked in: {names}): "
                      f"{expected}{near_miss}")


def _heading_row(head: list[tuple], where: str) -> tuple[int, dict[str, int], list[Problem]]:
    """The row with the most ICO headings (one with 'Purpose of processing' preferred), its columns, repeats."""
    best: tuple = (0, {}, [])
    for number, row in enumerate(head, start=1):
        columns: dict[str, int] = {}
        repeats: list[Problem] = []
        for index, cell in enumerate(row, start=1):
            letter = heading_letter(cell_text(cell.value)) if isinstance(cell.value, str) else None
            if letter and letter in columns:
                repeats.append(CellProblem(where, number, f"{get_column_letter(index)}{number}",
                                           f"the heading '{cell_text(cell.value)}' appears twice (also in column "
                                           f"{get_column_letter(columns[letter])}); delete or rename one"))
            elif letter:
                columns[letter] = index
        if ("B" in columns, len(columns)) > ("B" in best[1], len(best[1])):
            best = (number, columns, repeats)
    return best


def _contact_block(rows: list[tuple]) -> tuple[dict, dict]:
    """The contact block above the headings: {'organisation'|'dpo'|'representative': {name, address, ...}}.

    Each label cell (Name, Address, Email, Telephone) belongs to the nearest group title above it and at or left of
    it, so groups side by side and groups stacked both read; the value is the next filled cell to its right.
    Returns the values and, alongside, the cell reference of each.
    """
    titles = [(r, c, group) for r, row in enumerate(rows, start=1) for c, cell in enumerate(row, start=1)
              if isinstance(cell.value, str) and (group := contact_group(cell_text(cell.value)))]
    contact: dict[str, dict[str, str]] = {}
    cells: dict[str, dict[str, str]] = {}
    for r, row in enumerate(rows, start=1):
        texts = [cell_text(cell.value) for cell in row]
        for c, text in enumerate(texts, start=1):
            found = contact_label(text) if text else None
            if not found:
                continue
            field, value = found
            at = c
            if not value:  # the value sits in the next filled cell, unless that is another label
                at = next((k for k in range(c + 1, len(texts) + 1) if texts[k - 1]), 0)
                value = texts[at - 1] if at and not contact_label(texts[at - 1]) else ""
            above = [(tr, tc, g) for tr, tc, g in titles if tr < r and tc <= c + 1]
            group = max(above)[2] if above else ("organisation" if not titles else None)
            if group and value and field not in contact.get(group, {}):
                contact.setdefault(group, {})[field] = value
                cells.setdefault(group, {})[field] = f"{get_column_letter(at)}{r}"
    return contact, cells


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

    def __init__(self, where: str, columns: dict[str, int], problems: list[Problem],
                 known: Mapping[str, Iterable[str]], from_ropa: bool = False):
        self.where, self.columns, self.problems, self.from_ropa = where, columns, problems, from_ropa
        self.known = {entity: frozenset(n.casefold() for n in names) for entity, names in known.items()}
        self.letters = {letter: get_column_letter(index) for letter, index in columns.items()}
        self.found: dict[str, dict[str, CellRecord]] = {name: {} for name in ORDER}  # casefolded key -> record
        self.rows_of: dict[str, int] = {}  # activity reference -> first row

    def records(self) -> list[RawRecord]:
        return [record for name in ORDER for record in self.found[name].values()]

    def _problem(self, number: int, cell: str, reason: str) -> None:
        self.problems.append(CellProblem(self.where, number, cell, reason))

    def _add(self, entity: str, key: str, record: CellRecord) -> None:
        if not (record.if_missing and key.casefold() in self.known.get(entity, ())):
            self.found[entity].setdefault(key.casefold(), record)

    def add_self(self, contact: dict, cells: dict) -> None:
        """Our organisation (is_self) from the contact block, with its DPO and representative, if it is named."""
        ours = contact.get("organisation", {})
        if not ours.get("name"):
            return
        values, columns = {"name": ours["name"], "is_self": True}, {"is_self": cells["organisation"]["name"]}
        for field in ("name", "address", "email", "telephone"):
            if ours.get(field):
                values[field], columns[field] = ours[field], cells["organisation"][field]
        for group, prefix in (("dpo", "dpo"), ("representative", "representative")):
            details = contact.get(group, {})
            if details.get("name"):
                values[f"{prefix}_name"], columns[f"{prefix}_name"] = details["name"], cells[group]["name"]
            parts = [f for f in ("address", "email", "telephone") if details.get(f)]
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
        transfers = self._transfers(row, reference, ref_cell)
        notes += self._notes(row, bool(transfers))
        if self.from_ropa and row.text(REFERENCE):
            notes = _as_written_by_ropa(values)
        if notes:
            values["notes"], columns["notes"] = "\n".join(notes), row.ref("J") or row.ref("G") or row.ref("C")
        self._add("activities", reference, CellRecord("activities", values, self.where, number, columns))
        for key, record in transfers:
            self._add("transfers", key, record)

    def _reference(self, row: _Row, function: str, purpose: str) -> tuple[str | None, str]:
        """The row's own reference, or one derived from its words; None (and a problem) for a repeat."""
        given = row.text(REFERENCE)
        cell = row.ref(REFERENCE) if given else row.ref("B")
        reference = given or derived_reference(function, purpose)
        if self._long("reference", reference, row.number, cell):
            return None, cell
        if reference.casefold() in self.rows_of:
            first = self.rows_of[reference.casefold()]
            fix = "give each its own reference" if row.has(REFERENCE) else "add a Reference column"
            self._problem(row.number, cell, f"duplicate reference '{reference}' (also at row {first})" if given else
                          f"same business function and purpose as row {first}, so both rows would be one activity; "
                          f"merge them, or {fix} to tell them apart")
            return None, cell
        self.rows_of[reference.casefold()] = row.number
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
            if not row.has(letter):
                continue
            cell = row.ref(letter)
            names = [n for n in self._values(row.text(letter), entity) if not self._long(entity, n, row.number, cell)]
            values[field], columns[field] = names, cell
            for name in names:
                columns[f"{field}:{name}"] = cell
                fields = {"name": name}
                if entity == "data_categories" and (kind := guessed_kind(name)) != "personal":
                    fields["kind"] = kind
                self._add(entity, name, CellRecord(entity, fields, self.where, row.number,
                                                   {"*": cell}, if_missing=True))

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

    def _notes(self, row: _Row, transferred: bool) -> list[str]:
        """What the register has no field for: the retention text, the contract link, safeguards with no transfer."""
        notes = []
        if text := row.text("J"):
            notes.append(f"Retention (from the ICO sheet): {text}")
        if text := row.text("G"):
            notes.append(f"Link to contract with processor (from the ICO sheet): {text}")
        if (text := row.text("I")) and normalise(text) not in BLANK_MARKERS and not transferred:
            notes.append(f"Safeguards for exceptional transfers (from the ICO sheet): {text}")
        return notes

    def _transfers(self, row: _Row, reference: str, ref_cell: str) -> list[tuple[str, CellRecord]]:
        """A transfer per country or destination named in column H; column I's safeguards make it Art. 49."""
        cell = row.ref("H")
        entries = [e for e in split_values(row.text("H")) if not no_transfer(e)]
        safeguards = row.text("I")
        # Column I is per activity; in a workbook ropa wrote, each transfer's mechanism is on the transfers sheet,
        # so it must not be stamped onto every transfer of the row.
        art49 = bool(safeguards) and normalise(safeguards) not in BLANK_MARKERS and not self.from_ropa
        out = []
        for n, entry in enumerate(entries, start=1):
            key = f"{reference}-T{n}"
            if self._long("reference", key, row.number, cell):
                continue
            values = {"reference": key, "activity": reference}
            columns = {"*": cell, "activity": ref_cell}
            country = names_country(entry)
            if country:
                values["country"], columns[f"country:{entry}"] = entry, cell
            if not country or entry.endswith(")"):
                values["destination"] = entry  # "Outside the UK and EEA", "India (transcription)"
            if art49:
                values["mechanism"], values["safeguards"] = "art49_exception", safeguards
                columns["mechanism"] = columns["safeguards"] = row.ref("I")
            out.append((key, CellRecord("transfers", values, self.where, row.number, columns)))
        return out


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
