"""Properties of the readers and parsers, over inputs hypothesis makes up: any input gives records or problems
located at a row and column (a cell for workbooks), never an uncaught exception; what is read and written back
reads the same again; text is never turned into a formula; the lawful-basis and country parsers give a value or
nothing for any text, and read back what they are given for every value the register knows.

Bounded (max_examples, no deadline, derandomized, no example database) so the file takes well under a minute."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlsxwriter.workbook import Workbook

from ropa.config import DATA_DIR
from ropa.exchange.csvio import csv_columns, read_csv, write_csv
from ropa.exchange.jsonio import dump_text, read_dump
from ropa.exchange.problems import ImportFailed, Problem
from ropa.exchange.schema import BASIS_COLUMNS, BY_NAME, DUMP_FORMAT, DUMP_VERSION, ENTITIES
from ropa.exchange.values import _FORMULA_START, escape_cell, format_cell, sort_key, unescape_cell
from ropa.ico.columns import cell_text as reader_text
from ropa.ico.places import country_code, read_places
from ropa.ico.reader import CellProblem, read_ico_workbook
from ropa.ico.xlsx import WORKBOOK_OPTIONS, Sheet, Styles, cell_text
from ropa.services.imports import run_import
from ropa.services.resolver import basis_code

BOUNDED = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(BOUNDED, max_examples=60)
# Fixtures (the app and its database) are set up once per test and shared by every example: each example is a
# dry run, which rolls back, so one cannot see another's writes.
WITH_DATABASE = settings(FEW, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.function_scoped_fixture])
CORPUS = Path(__file__).resolve().parent / "fixtures" / "ico_registers"

# Text a person might type or paste: separators, quotes, line breaks, formula starts, accents, emoji, NUL.
TRICKY = st.sampled_from(["", " ", ",", ";", '"', "'", "=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "\x00",
                          "yes", "no", "2026-01-31", "31/01/2026", "6(1)(e)", "PA-001", "é", "🙂", "=SUM(A1)"])
CELL = st.one_of(st.text(max_size=30), st.lists(TRICKY, max_size=4).map("".join))
ENTITY = st.sampled_from(ENTITIES)


def located(problem: Problem, columns) -> bool:
    """A problem a person can find: the file, a row (or record), and a column of the file or "-" for the row."""
    return bool(problem.file) and problem.row not in (None, "") and (problem.column in columns or
                                                                    problem.column == "-") and bool(problem.reason)


# --- CSV ----------------------------------------------------------------------------------------------------------

def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@st.composite
def csv_files(draw):
    entity = draw(ENTITY)
    header = csv_columns(entity)
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=4))
    return entity, header, rows


@given(csv_files())
@BOUNDED
def test_a_csv_file_gives_records_that_write_back_the_same_or_located_problems(file):
    entity, header, rows = file
    try:
        found, records, problems = read_csv(_csv(header, rows), f"{entity.name}.csv")
    except ImportFailed as failed:  # the whole file refused (e.g. a NUL byte): each problem located at line 1
        assert failed.problems and all(located(p, header) for p in failed.problems)
        return
    assert found is entity
    assert all(located(p, header) and isinstance(p.row, int) for p in problems)
    if problems:
        return
    out = io.StringIO()
    write_csv(entity, [_as_csv_row(entity, r.values) for r in records], out)
    _, again, again_problems = read_csv(out.getvalue().encode(), f"{entity.name}.csv")
    assert again_problems == [] and [r.values for r in again] == [r.values for r in records]


def _as_csv_row(entity, values: dict) -> dict:
    """A read record as write_csv takes it: activities' lawful bases back in their three columns."""
    row = dict(values)
    if entity.name == "activities":
        bases = row.pop("lawful_bases", [])
        for column in BASIS_COLUMNS:  # read_csv put each column's codes in order, so any split reads the same
            row[column] = bases if column == next(iter(BASIS_COLUMNS)) else []
    return row


@given(st.binary(max_size=300), ENTITY)
@BOUNDED
def test_any_bytes_named_as_a_csv_give_records_or_located_problems(data, entity):
    header = csv_columns(entity)
    try:
        _, _, problems = read_csv(data, f"{entity.name}.csv")
    except ImportFailed as failed:
        problems = failed.problems
    assert all(p.file == f"{entity.name}.csv" and p.row not in (None, "") and p.reason for p in problems)
    assert all(p.column == "-" or p.column in header for p in problems)


# --- JSON dump ----------------------------------------------------------------------------------------------------

JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False)
                          | CELL, lambda inner: st.lists(inner, max_size=3), max_leaves=5)


@st.composite
def dump_bodies(draw):
    """Dumps whose records use the entities' real field names (and now and then an unknown one)."""
    body = {"format": DUMP_FORMAT, "format_version": DUMP_VERSION}
    for entity in draw(st.lists(ENTITY, max_size=3, unique=True)):
        names = st.sampled_from(entity.field_names + ["unknown_field"])
        body[entity.name] = draw(st.lists(st.dictionaries(names, JSON_VALUE, max_size=5), max_size=3))
    if draw(st.booleans()):
        body["snapshots"] = draw(st.lists(st.dictionaries(st.sampled_from(
            ["label", "created_at", "created_by", "approved_by", "approved_at", "sha256", "content"]),
            st.none() | CELL, max_size=7), max_size=2))
    return body


@given(dump_bodies())
@BOUNDED
def test_a_json_dump_gives_records_that_dump_back_the_same_or_located_problems(body):
    import json
    try:
        records, snapshots, problems = read_dump(json.dumps(body).encode(), "dump.json")
    except ImportFailed as failed:
        assert failed.problems and all(p.file == "dump.json" and p.reason for p in failed.problems)
        return
    for p in problems:  # at the record (countries[2]) and its field, or the section
        assert p.file == "dump.json" and p.reason and p.row not in (None, "")
    if problems:
        return
    grouped: dict[str, list[dict]] = {}
    for record in records:
        grouped.setdefault(record.entity, []).append(record.values)
    again, _, again_problems = read_dump(dump_text(grouped | {"snapshots": snapshots}).encode(), "dump.json")
    assert again_problems == [] and [(r.entity, r.values) for r in again] == [(r.entity, r.values) for r in records]


@given(st.binary(max_size=200))
@BOUNDED
def test_any_bytes_named_as_a_json_dump_are_refused_with_a_reason(data):
    try:
        read_dump(data, "dump.json")
    except ImportFailed as failed:
        assert failed.problems and all(p.reason for p in failed.problems)


@given(dump_bodies())
@WITH_DATABASE
def test_importing_any_dump_reports_problems_and_never_fails_uncaught(app, body):
    """The whole import (reading, references, the database's own limits) as a dry run, on each backend."""
    import json
    result = run_import(json.dumps(body).encode(), "dump.json", actor="test", dry_run=True)
    assert result["ok"] or result["problems"]
    assert all(p["reason"] for p in result["problems"])


# --- ICO workbook -------------------------------------------------------------------------------------------------

WORKBOOKS = sorted(CORPUS.glob("*.xlsx"))
CELL_VALUE = st.one_of(CELL, st.integers(-5, 10**6), st.sampled_from(["=1/0", "=A1", "#REF!", "Yes", "No", "N/A"]),
                       st.dates().map(lambda d: d))


@given(st.sampled_from(WORKBOOKS), st.lists(st.tuples(st.integers(1, 40), st.integers(1, 30), CELL_VALUE),
                                            min_size=1, max_size=8))
@FEW
def test_a_mutated_ico_workbook_gives_records_or_problems_at_a_cell(path, edits):
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for row, column, value in edits:
        if isinstance(value, str):
            value = "".join(ch for ch in value if ch >= " " or ch in "\n\t")  # what a cell can hold at all
        sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    try:
        records, _contact, problems = read_ico_workbook(out.getvalue(), "register.xlsx")
    except ImportFailed as failed:
        assert failed.problems and all(p.reason for p in failed.problems)
        return
    for problem in problems:
        assert isinstance(problem, CellProblem) and problem.file.startswith("register.xlsx") and problem.reason
    for record in records:  # every record the reader gives is in dump form for its entity
        assert set(record.values) <= set(BY_NAME[record.entity].field_names)


# --- the formula-injection guard ----------------------------------------------------------------------------------

@given(st.lists(CELL, min_size=1, max_size=6))
@BOUNDED
def test_no_text_written_to_a_workbook_cell_reads_back_as_a_formula(texts):
    """As the ICO export writes a text cell (escape_cell, then Sheet.put), read by openpyxl and by ropa's reader."""
    texts = ["".join(ch for ch in t if ch != "\x00") for t in texts]  # NUL: never in the register (refused)
    out = io.BytesIO()
    book = Workbook(out, WORKBOOK_OPTIONS)  # constant memory: inline strings, as the ICO export writes them
    sheet = Sheet(book.add_worksheet("Cells"), Styles(book))
    sheet.line([escape_cell(t) for t in texts])
    book.close()
    read = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    for column, text in enumerate(texts, start=1):
        cell = read.cell(row=1, column=column)
        assert cell.data_type != "f" and not str(cell.value or "").startswith("=")
        # the same text: only a CR becomes a line feed, and the reader trims the ends
        assert reader_text(cell.value) == cell_text(text).strip()


@given(CELL)
@BOUNDED
def test_a_csv_cell_is_never_a_formula_and_unescapes_to_the_same_text(text):
    escaped = escape_cell(text)
    assert not escaped.startswith(tuple(c for c in _FORMULA_START if c != "'"))
    assert unescape_cell(escaped) == text
    field = BY_NAME["organisations"].field("notes")
    assert format_cell(field, text) == escaped


# --- the lawful-basis and country parsers -------------------------------------------------------------------------

def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


BASES = _rows("lawful_bases.csv")
COUNTRIES = _rows("countries.csv")


@given(st.text(max_size=40) | st.lists(TRICKY | st.sampled_from(["Art", "6(1)", "(e)", "Sch", "para", "1", "99"]),
                                       max_size=6).map(" ".join))
@BOUNDED
def test_any_text_gives_a_lawful_basis_code_or_none(text):
    code = basis_code(text)
    assert code is None or (isinstance(code, str) and basis_code(code) == code)


@pytest.mark.parametrize("basis", BASES, ids=lambda b: b["code"])
def test_every_lawful_basis_reads_back_as_itself_bare_and_as_people_write_it(basis):
    code = basis["code"]
    written = f"Art {code} {basis['label']}" if basis["kind"] != "schedule_1" else \
        code.replace("Sch1", "Schedule 1") + f" {basis['label']}"
    assert basis_code(code) == code and basis_code(written) == code


@given(st.text(max_size=40) | st.lists(TRICKY | st.sampled_from(
    ["USA", "France", "and", "(Azure)", "EU", "EEA", "UK", "outside", "Germny", ";", "/"]), max_size=6).map(" ".join))
@BOUNDED
def test_any_text_gives_places_or_unknown_names_never_an_exception(text):
    for place in read_places(text):
        assert place.country or place.region or place.destination or place.unknown
        assert place.country != "GB"  # the UK is no transfer
        assert not place.country or country_code(place.country) == place.country
    code = country_code(text)
    assert code == "" or country_code(code) == code


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c["code"])
def test_every_register_country_reads_back_by_code_and_by_name(country):
    code, name = country["code"], country["name"]
    assert country_code(code) == code and country_code(name) == code
    expected = () if code == "GB" else (code,)
    assert tuple(p.country for p in read_places(name)) == expected


# --- what the properties found, pinned ----------------------------------------------------------------------------

@pytest.mark.parametrize("snapshot, field", [
    ({"created_at": "0"}, "created_at"),  # was: ValueError from datetime.fromisoformat, uncaught
    ({"created_at": None}, "created_at"),  # was: TypeError from the database driver
    ({"approved_at": "yesterday"}, "approved_at"),
    ({"label": "L" * 301}, "label"),
    ({"content": "a\x00b"}, "content"),
])
def test_a_dump_with_a_snapshot_the_register_cannot_hold_is_a_problem_at_its_field(app, snapshot, field):
    good = {"label": "Q1", "created_at": "2026-01-31T09:30:00", "created_by": "dpo@example.org",
            "approved_by": "", "approved_at": None, "sha256": "0" * 64, "content": "{}"}
    dump = dump_text({"snapshots": [good | snapshot]}).encode()
    result = run_import(dump, "dump.json", actor="test", dry_run=True)
    assert not result["ok"] and len(result["problems"]) == 1
    assert field in result["problems"][0]["where"] + result["problems"][0]["reason"] or field in str(result)


def test_a_control_character_written_to_a_workbook_reads_back_as_itself():
    out = io.BytesIO()  # was: read back as the text "_x001F_" (XlsxWriter's escape, which openpyxl keeps)
    book = Workbook(out, WORKBOOK_OPTIONS)
    Sheet(book.add_worksheet("Cells"), Styles(book)).line(["a\x1fb", "_x0041_ typed", "_x005F_x001F_ too"])
    book.close()
    row = next(openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows(values_only=True))
    assert [reader_text(v) for v in row] == ["a\x1fb", "_x0041_ typed", "_x005F_x001F_ too"]


@pytest.mark.parametrize("text, codes", [
    ("Falkland Islands (Malvinas)", ("FK",)),  # was: the bracket taken as a note, 'Falkland Islands' unknown
    ("Bonaire, Sint Eustatius and Saba", ("BQ",)),  # was: split at the comma into three unknown names
    ("Korea, Republic of; France", ("KR", "FR")),
    ("USA (Azure, East US)", ("US",)),
])
def test_a_country_whose_name_holds_a_separator_or_brackets_is_one_country(text, codes):
    assert tuple(p.country for p in read_places(text)) == codes


@given(st.text(max_size=40))
def test_any_name_sorts(text):
    """Every key orders without error: "1²" once raised ValueError (isdigit is true of "²"; int() refuses it), a 500
    on every page that listed the register (schemathesis found it through an organisation's name)."""
    assert sort_key(text)[1] == text
    assert sorted([text, "PA-10", "PA-2"], key=sort_key)


def test_superscript_digits_sort_as_text():
    assert sorted(["x10", "x2", "x²"], key=sort_key) == ["x2", "x10", "x²"]
