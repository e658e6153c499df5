"""The register as CSV: one file per entity, a header row of field names, multi-valued cells joined by "; "."""

import csv
import io
from collections.abc import Iterable

from ropa.exchange.problems import ImportFailed, Problem, RawRecord
from ropa.exchange.schema import BASIS_COLUMNS, ENTITIES, REFS, Entity, Field
from ropa.exchange.values import BadValue, format_cell, parse_cell

MAX_CELL = 100_000
_BASIS_FIELD = Field("lawful_bases", REFS, "lawful_bases")


def csv_columns(entity: Entity) -> list[str]:
    """Header of the entity's CSV; the activity register shows Art. 6, Art. 9 and Schedule 1 in their own columns."""
    columns: list[str] = []
    for name in entity.field_names:
        columns.extend(BASIS_COLUMNS if entity.name == "activities" and name == "lawful_bases" else [name])
    return columns


def _column_field(entity: Entity, column: str) -> Field:
    return _BASIS_FIELD if column in BASIS_COLUMNS else entity.field(column)


def write_csv(entity: Entity, rows: Iterable[dict], out: io.TextIOBase) -> int:
    """Write rows (dump form; activities carry article_6/article_9/schedule_1 lists) and return how many."""
    columns = csv_columns(entity)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([format_cell(_column_field(entity, c), row.get(c)) for c in columns])
        count += 1
    return count


#: File names (without .csv) that name an entity other than by its own name.
FILE_ALIASES = {"seed": "activities", "register": "activities", "sharing": "disclosures"}


def identify(header: list[str], file: str = "") -> Entity | None:
    """The entity whose CSV has these columns (its key columns, nothing unknown); the file name breaks a tie."""
    names = set(header)
    matches = [e for e in ENTITIES if set(e.key) <= names and names <= set(csv_columns(e))]
    if len(matches) > 1:
        stem = file.rsplit("/", 1)[-1].removesuffix(".csv").lower()
        matches = ([e for e in matches if e.name == FILE_ALIASES.get(stem, stem)]
                   or [e for e in matches if names == set(csv_columns(e))])
    return matches[0] if len(matches) == 1 else None


def decode(data: bytes, file: str) -> str:
    """UTF-8 text of a file (a byte-order mark is allowed), or a located problem."""
    if not data.strip():
        raise ImportFailed([Problem(file, 1, "-", "the file is empty")])
    if b"\x00" in data[:65536]:
        raise ImportFailed([Problem(file, 1, "-", "this is not a text file (it contains NUL bytes)")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFailed([Problem(
            file, line, "-", f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as 'CSV UTF-8'")]) from None


def read_csv(data: bytes, file: str) -> tuple[Entity, list[RawRecord], list[Problem]]:
    """Parse a register CSV into raw records and row-level problems; raises ImportFailed if it is not one."""
    text = decode(data, file)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except (csv.Error, StopIteration) as exc:
        raise ImportFailed([Problem(file, 1, "-", f"cannot read the header row: {exc}")]) from None
    entity = identify(header, file)
    if entity is None:
        raise ImportFailed([_header_problem(file, header)])
    problems: list[Problem] = []
    records: list[RawRecord] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            record = _record(entity, header, row, file, reader.line_num, problems)
            if record:
                records.append(record)
            if len(problems) >= 200:
                problems.append(Problem(file, reader.line_num, "-", "too many problems; stopped reading"))
                break
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, "-", f"malformed CSV: {exc}"))
    return entity, records, problems


def _header_problem(file: str, header: list[str]) -> Problem:
    joined = ",".join(header)
    for delimiter, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        if delimiter in joined and identify([h.strip() for h in joined.split(delimiter)]):
            return Problem(file, 1, "-", f"the columns are separated by {label}; ropa CSV files use commas")
    known = ", ".join(e.name for e in ENTITIES)
    unknown = [h for h in header if not any(h in csv_columns(e) for e in ENTITIES)]
    detail = f"unknown column(s) {', '.join(repr(h[:40]) for h in unknown[:5])}; " if unknown else ""
    return Problem(file, 1, "-", f"{detail}the header row does not match any register CSV ({known})")


def _record(entity: Entity, header: list[str], row: list[str], file: str, line: int,
            problems: list[Problem]) -> RawRecord | None:
    if len(row) != len(header):
        problems.append(Problem(file, line, "-", f"{len(row)} cells where the header has {len(header)} columns"))
        return None
    values: dict = {}
    value_columns: dict[str, str] = {}
    found = len(problems)
    for column, cell in zip(header, row):
        if len(cell) > MAX_CELL:
            problems.append(Problem(file, line, column, f"cell longer than {MAX_CELL} characters"))
            continue
        field = _column_field(entity, column)
        try:
            value = parse_cell(field, cell)
        except BadValue as exc:
            problems.append(Problem(file, line, column, str(exc)))
            continue
        if column in BASIS_COLUMNS:
            values.setdefault("lawful_bases", []).extend(value)
            value_columns.update({f"lawful_bases:{v}": column for v in value})
        else:
            values[column] = value
    columns = {c: c for c in header} | value_columns
    return RawRecord(entity.name, values, file, line, columns) if len(problems) == found else None
