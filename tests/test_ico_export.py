"""The ICO-style workbook (ropa.ico.writer): the ICO layout to the letter, the seed's facts, safe text, flat memory.

Pure tests: the writer gets dump-form records (the seed's JSON dump, made once by the real CLI, or a register built
by hand) and the workbook is read back with openpyxl as an auditor's spreadsheet would read it.
"""

import datetime as dt
import gc
import io
import json
import os
import re
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ropa.checks import run_checks
from ropa.ico.text import rights
from ropa.ico.writer import workbook_inputs, write_ico_workbook
from ropa.ico.xlsx import MAX_CELL, cell_text
from tests.registers.builder import (
    activity,
    disclosure,
    engagement,
    make_register,
    organisation,
    system,
    transfer,
)
from tests.test_ico_import import ICO_HEADINGS  # typed out once from reference/ico-ropa-template.md

ROOT = Path(__file__).resolve().parent.parent
ABOUT = {"generated_at": dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC), "generated_by": "dpo@example.org",
         "as_at": "now", "sha256": "0" * 64, "counts": {"activities": 1}}

BANDS = {
    "A8:K8": "Article 30 Record of Processing Activities", "L8:R8": "Privacy Notices",
    "U8:W8": "Data Protection Impact Assessments", "X8:Y8": "Personal Data Breaches",
    "Z8:AD8": "Data Protection Act 2018 - Special Category or Criminal Conviction and Offence data",
}
DATA_SHEETS = ["Template", "Processor record", "Processors and contracts", "International transfers",
               "Data sharing", "Information assets", "Findings"]
LABELS = {"6(1)(a)": "Consent", "6(1)(c)": "Legal obligation", "6(1)(e)": "Public task",
          "6(1)(f)": "Legitimate interests", "9(2)(h)": "Health or social care",
          "Sch1 para 2": "Health or social care purposes"}


def write(path: Path, register: dict, findings=(), **overrides) -> dict[str, int]:
    """Write a dump-form register's workbook the way the service layer will: every list as a one-shot stream."""
    kwargs = workbook_inputs(register) | {"findings": iter(findings), "about": ABOUT} | overrides
    return write_ico_workbook(str(path), **kwargs)


def labelled(register: dict) -> dict:
    for basis in register["lawful_bases"]:
        basis["label"] = LABELS.get(basis["code"], basis["label"])
    return register


def rows_by_reference(sheet, column: str = "AE", first: int = 10) -> dict[str, dict[str, object]]:
    """Data rows keyed by ropa's reference column, each as {column letter: value}."""
    found = {}
    for row in sheet.iter_rows(min_row=first):
        cells = {c.column_letter: c.value for c in row}
        if cells.get(column):
            found[cells[column]] = cells
    return found


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> dict:
    """The seed register, as `ropa init-db --seed` then `ropa export --format json` write it."""
    tmp = tmp_path_factory.mktemp("seed")
    env = {**os.environ, "ROPA_DATABASE_URL": f"sqlite:///{tmp / 'seed.db'}", "ROPA_INSTANCE_DIR": str(tmp / "i")}
    for args in (["init-db", "--seed"], ["export", str(tmp / "seed.json"), "--format", "json"]):
        result = subprocess.run([sys.executable, "-m", "ropa", *args], env=env, cwd=ROOT, capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stderr
    return json.loads((tmp / "seed.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed_book(seed, tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "ico.xlsx"
    counts = write(path, seed, findings=[f.as_dict() for f in run_checks(seed)])
    return openpyxl.load_workbook(path), counts


# --- Purity --------------------------------------------------------------------------------------------------


def test_the_writer_imports_without_flask():
    code = "import sys, ropa.ico.writer; assert 'flask' not in sys.modules, [m for m in sys.modules if 'flask' in m]"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --- The ICO layout ------------------------------------------------------------------------------------------


def test_row_9_carries_the_30_ico_headings_exactly_then_ropas_reference_and_notes(seed_book):
    sheet = seed_book[0]["Template"]
    assert [c.value for c in sheet[9]] == [*ICO_HEADINGS, "ropa reference", "ropa notes"]


def test_row_8_bands_are_merged_over_their_columns(seed_book):
    sheet = seed_book[0]["Template"]
    merged = {str(r) for r in sheet.merged_cells.ranges if r.min_row == 8}
    assert merged == set(BANDS) | {"AE8:AF8"}  # ropa's own reference and notes columns
    assert {ref: sheet[ref.split(":")[0]].value for ref in BANDS} == BANDS
    assert (sheet["S8"].value, sheet["T8"].value) == ("Consent", "Access Requests")
    assert "not part of the ICO template" in sheet["AE8"].value


def test_required_headings_are_green_optional_blue_and_ours_grey(seed_book):
    sheet = seed_book[0]["Template"]
    colour = {c.column_letter: c.fill.fgColor.rgb for c in sheet[9]}
    required = {"B", "C", "D", "E", "F", "H", "I", "J", "K", "Z", "AA", "AB", "AC", "AD"}
    assert len({colour[c] for c in required}) == 1
    assert len({colour[c] for c in colour if c not in required | {"AE", "AF"}}) == 1
    assert colour["AE"] == colour["AF"]
    assert len({colour["B"], colour["A"], colour["AE"]}) == 3


def test_rows_1_to_6_are_the_contact_block_of_us_our_dpo_and_representative(seed_book):
    sheet = seed_book[0]["Template"]
    assert [sheet["A2"].value, sheet["D2"].value, sheet["G2"].value] == [
        "Organisation name and contact details", "Data Protection Officer (if applicable)",
        "Representative (if applicable)"]
    assert [sheet[f"A{r}"].value for r in range(3, 7)] == ["Name", "Address", "Email", "Telephone"]
    assert sheet["B3"].value == "HCRG Care Services Ltd" and "WA7 4QX" in sheet["B4"].value
    assert (sheet["E3"].value, sheet["E5"].value) == ("Deborah Tonkin", "Ask.IG@hcrgcaregroup.com")


# --- The seed's facts ----------------------------------------------------------------------------------------


def test_every_seed_activity_we_control_appears_once_by_reference(seed, seed_book):
    sheet = seed_book[0]["Template"]
    references = [row[30].value for row in sheet.iter_rows(min_row=10)]
    controlled = [a["reference"] for a in seed["activities"]
                  if a["our_role"] in ("controller", "joint_controller") and a["status"] != "retired"]
    assert references == controlled and len(set(references)) == len(references) == 26
    assert seed_book[1]["Template"] == 26


def test_the_pearson_transfer_goes_outside_the_uk_and_eea_and_names_no_country(seed, seed_book):
    row = rows_by_reference(seed_book[0]["Template"])["PA-026"]
    assert "outside the uk and eea" in row["H"].lower()
    named = [c["name"] for c in seed["countries"] if re.search(rf"\b{re.escape(c['name'])}\b", row["H"])]
    assert named == []
    assert row["I"] is None  # no Art. 49 exception is recorded
    assert row["G"] == "Pearson Clinical Assessments: no contract recorded"
    transfer_row = rows_by_reference(seed_book[0]["International transfers"], "A", 3)["TR-001"]
    assert transfer_row["B"] == "PA-026 Autism diagnostic assessment scoring (Digital Conners4)"
    assert (transfer_row["E"], transfer_row["G"]) == ("Outside the UK and EEA (country not stated)", "None recorded")


def test_the_processor_record_names_the_controllers_we_act_for(seed_book):
    sheet = seed_book[0]["Processor record"]
    assert sheet["A1"].value.startswith("ICO-style processor record")
    rows = rows_by_reference(sheet, "H")
    assert rows["PA-027"]["A"].startswith("North-East London NHS Foundation Trust")
    assert rows["PA-028"]["A"].startswith("Provide CIC")
    assert "SET CAMHS" in rows["PA-027"]["B"]
    assert sheet["A9"].value == "Name and contact details of controller"


def test_retention_is_described_in_words_with_its_legal_hold(seed_book):
    rows = rows_by_reference(seed_book[0]["Template"])
    assert rows["PA-001"]["J"].splitlines() == [
        "Children's health records",
        "Until the child's 25th birthday, or 26th birthday if the young person was 17 at the end of treatment",
        "Exceptions: If the child has died: 8 years after death",
        "Legal hold: NHS England legal hold for public inquiries"]
    assert rows["PA-020"]["J"].splitlines()[1] == "30 days from: Date the CCTV footage was taken"


def test_findings_and_about_sheets(seed, seed_book):
    book, counts = seed_book
    assert counts["Findings"] == len(run_checks(seed)) > 0
    assert book["Findings"]["A2"].value == "Rule" and book["Findings"]["B3"].value == "error"
    about = {row[0].value: row[1].value for row in book["About"].iter_rows(min_row=3)}
    assert about["SHA-256 of the register content"] == "0" * 64
    assert about["Generated at (UTC)"] == dt.datetime(2026, 6, 1, 9, 30)
    assert about["Rows on sheet 'Template'"] == 26 and about["Rows on sheet 'Processor record'"] == 2
    notes = " ".join(str(c.value) for row in book["Notes"].iter_rows() for c in row if c.value)
    assert "Column AE" in notes and "Art. 49" in notes and "not a copy of an ICO template" in notes


# --- Columns from a register built by hand -------------------------------------------------------------------


def test_bases_rights_and_art49_safeguards_land_in_their_columns(tmp_path):
    register = labelled(make_register(
        [activity("PA-001", lawful_bases=["6(1)(e)", "9(2)(h)", "Sch1 para 2"]),
         activity("PA-002", lawful_bases=["6(1)(a)"], rights_override=""),
         activity("PA-003", rights_override="As set out in the privacy notice")],
        transfers=[transfer("TR-1", "PA-001", "IN", mechanism="idta", tra_date="2025-02-03"),
                   transfer("TR-2", "PA-001", "US", mechanism="art49_exception", safeguards="Pseudonymised only"),
                   transfer("TR-3", "PA-002", None, destination="Somewhere in Asia (not stated)")]))
    write(tmp_path / "b.xlsx", register)
    book = openpyxl.load_workbook(tmp_path / "b.xlsx")
    rows = rows_by_reference(book["Template"])
    one = rows["PA-001"]
    assert (one["L"], one["M"], one["Z"], one["AA"]) == (
        "6(1)(e) Public task", "9(2)(h) Health or social care", "Sch1 para 2 Health or social care purposes",
        "6(1)(e) Public task")
    assert one["H"].splitlines() == ["India", "United States"]
    # each transfer's mechanism in words the importer reads back, the safeguards after the dash
    assert one["I"] == ("India: International Data Transfer Agreement (IDTA)\n"
                        "United States: Article 49 exception \u2014 Pseudonymised only")
    assert "Right to erasure" not in one["P"] and "Right to object" in one["P"]
    assert rows["PA-002"]["H"] == "Somewhere in Asia (not stated)"
    assert "Right to data portability" in rows["PA-002"]["P"] and "Right to erasure" in rows["PA-002"]["P"]
    assert rows["PA-003"]["P"] == "As set out in the privacy notice"
    transfers = rows_by_reference(book["International transfers"], "A", 3)
    assert transfers["TR-1"]["G"] == "International Data Transfer Agreement (IDTA)"
    assert transfers["TR-1"]["K"] == dt.datetime(2025, 2, 3)


def test_rights_follow_the_article_6_basis():
    assert "Right to erasure" not in rights(["6(1)(c)"], "")
    assert "Right to object" in rights(["6(1)(f)"], "") and "Right to erasure" in rights(["6(1)(f)"], "")
    assert "Right to data portability (where processing is automated)" in rights(["6(1)(b)"], "")
    assert rights([], "")[-1].startswith("No Article 6 basis recorded")


def test_retired_activities_are_left_out_and_processing_for_others_goes_to_the_processor_record(tmp_path):
    register = make_register(
        [activity("PA-001"), activity("PA-002", status="retired"),
         activity("PA-003", our_role="processor", controller="Acme Trust"),
         activity("PA-004", our_role="joint_controller", joint_controllers=["Acme Trust"])],
        organisations=[organisation("Acme Trust", address="1 High St", email="ig@acme.example")],
        transfers=[transfer("TR-9", "PA-002", "IN")], disclosures=[disclosure("PA-002", "Police")])
    counts = write(tmp_path / "r.xlsx", register)
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    template = rows_by_reference(book["Template"])
    assert list(template) == ["PA-001", "PA-004"]
    assert template["PA-004"]["C"] == "Acme Trust; 1 High St; ig@acme.example"
    assert rows_by_reference(book["Processor record"], "H")["PA-003"]["A"] == \
        "Acme Trust; 1 High St; ig@acme.example"
    assert counts["International transfers"] == counts["Data sharing"] == 0


def test_dates_are_real_excel_dates(tmp_path):
    register = make_register(
        [activity("PA-001", processors=["Cloudy Ltd"], systems=["EPR"])],
        organisations=[organisation("Cloudy Ltd")], systems=[system("EPR", "Cloudy Ltd")],
        engagements=[engagement("PE-1", "Cloudy Ltd", ["GB"], start_date="2025-01-01", end_date="2027-12-31")],
        transfers=[transfer("TR-1", "PA-001", "IN", mechanism="idta", tra_date="2025-02-03")],
        disclosures=[disclosure("PA-001", "GP practices", agreement_end="2026-03-31")])
    write(tmp_path / "d.xlsx", register)
    book = openpyxl.load_workbook(tmp_path / "d.xlsx")
    cells = [book["Processors and contracts"]["I3"], book["Processors and contracts"]["J3"],
             book["International transfers"]["K3"], book["Data sharing"]["F3"]]
    assert [c.value for c in cells] == [dt.datetime(2025, 1, 1), dt.datetime(2027, 12, 31),
                                        dt.datetime(2025, 2, 3), dt.datetime(2026, 3, 31)]
    assert {c.number_format for c in cells} == {"dd/mm/yyyy"}
    assert rows_by_reference(book["Template"])["PA-001"]["G"] == "Cloudy Ltd: C-PE-1"
    assert book["Information assets"]["L3"].value == "PE-1: C-PE-1; ends 31/12/2027"


def test_every_sheet_is_frozen_filtered_and_prints_landscape_one_page_wide(seed_book):
    book = seed_book[0]
    expected = {"Template": ("B10", "A9:AF35", "$8:$9"), "Processor record": ("B10", "A9:I11", "$8:$9")}
    for name in DATA_SHEETS:
        sheet = book[name]
        freeze, ref, titles = expected.get(name, ("B3", None, "$2:$2"))
        assert sheet.freeze_panes == freeze, name
        assert sheet.auto_filter.ref == ref or (ref is None and sheet.auto_filter.ref.startswith("A2:")), name
        assert sheet.print_title_rows == titles, name
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9, name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0, name


def test_column_b_names_the_activity_on_its_first_line_and_gives_its_purpose_below(seed, seed_book):
    row = rows_by_reference(seed_book[0]["Template"])["PA-021"]
    activity = next(a for a in seed["activities"] if a["reference"] == "PA-021")
    assert row["B"].split("\n", 1) == [activity["name"], activity["purpose"]]


def test_the_information_asset_register_shows_what_the_seed_holds_about_digital_conners4(seed_book):
    rows = rows_by_reference(seed_book[0]["Information assets"], "A", 3)
    conners = rows["Digital Conners4"]
    assert conners["C"] == "PA-026 Autism diagnostic assessment scoring (Digital Conners4)"
    assert conners["J"].splitlines() == [
        "Yes", "Outside the UK and EEA (country not stated) (mechanism: None recorded)"]
    assert conners["L"] == "PE-001: no contract recorded"
    assert "Health information (special category)" in conners["M"].splitlines()
    assert conners["P"] is None  # no information asset owner is recorded, and none is made up


def test_a_systems_activity_list_is_cut_at_50_and_can_come_from_the_service_layer(tmp_path):
    register = make_register([activity(f"PA-{i:03d}", systems=["EPR"]) for i in range(60)],
                             systems=[system("EPR")])
    write(tmp_path / "cut.xlsx", register)
    listed = openpyxl.load_workbook(tmp_path / "cut.xlsx")["Information assets"]["C3"].value.splitlines()
    assert len(listed) == 51 and listed[0] == "PA-000 Activity PA-000"
    assert listed[-1] == "… and 10 more (see the activity sheets)"
    write(tmp_path / "given.xlsx", make_register(register["activities"], systems=[system("EPR")]),
          activities_by_system={"EPR": ["All 60 direct care activities"]})
    assert openpyxl.load_workbook(tmp_path / "given.xlsx")["Information assets"]["C3"].value == \
        "All 60 direct care activities"


def test_the_workbook_can_be_written_to_a_file_object(tmp_path):
    out = io.BytesIO()
    counts = write_ico_workbook(out, **workbook_inputs(make_register()), findings=[], about=ABOUT)
    assert counts["Template"] == 1
    assert openpyxl.load_workbook(io.BytesIO(out.getvalue()))["Template"]["AE10"].value == "PA-001"


# --- Formula injection ---------------------------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-2", "=1+1", "\tTabbed", "\rReturned"]


def as_read(text: str) -> str:
    """The text as read back: exactly as written, but a carriage return is written as a line feed (LF is a cell's
    line break; a CR would be stored as Excel's _x000D_ escape, which openpyxl does not undo)."""
    return text.replace("\r", "\n")


def test_text_that_looks_like_a_formula_is_stored_and_read_back_as_that_text(tmp_path):
    activities = [activity(f"PA-00{i}", name=text, purpose=text, business_function=text, source=text,
                           legitimate_interests=text, data_subjects=[text]) for i, text in enumerate(HOSTILE)]
    register = make_register(activities, organisations=[organisation(HOSTILE[0])],
                             engagements=[engagement("PE-1", HOSTILE[0], description=HOSTILE[1])])
    findings = [{"rule": "X01", "severity": "error", "title": t, "entity_type": "activity", "entity_ref": "PA-000",
                 "entity_name": t, "message": t, "fix": t} for t in HOSTILE]
    path = tmp_path / "hostile.xlsx"
    write(path, register, findings=findings)
    book = openpyxl.load_workbook(path)
    sheet = book["Template"]
    for row, text in enumerate(HOSTILE, 10):
        for letter in ("A", "D", "N", "R"):
            cell = sheet[f"{letter}{row}"]
            assert (cell.data_type, cell.value) == ("s", as_read(text)), (letter, text)
        assert sheet[f"B{row}"].value == f"{as_read(text)}\n{as_read(text)}"
    assert book["Processors and contracts"]["B3"].value == HOSTILE[0]
    assert [book["Findings"][f"G{r}"].value for r in range(3, 3 + len(HOSTILE))] == list(map(as_read, HOSTILE))
    assert not [c.coordinate for s in book.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not [n for n in sheets if b"<f>" in archive.read(n) or b"<f " in archive.read(n)]


def test_a_cell_is_cut_to_excels_limit_and_says_so():
    text = cell_text("x" * (MAX_CELL + 10))
    assert len(text) == MAX_CELL and text.endswith("characters in a cell]")
    assert cell_text(["a", None, "", "b"]) == "a\nb" and cell_text(True) == "Yes"


# --- Streams and memory --------------------------------------------------------------------------------------


class Once:
    """An iterable that fails if the writer reads it a second time."""

    def __init__(self, items):
        self.items, self.used = items, False

    def __iter__(self):
        assert not self.used, "read twice"
        self.used = True
        return iter(self.items)


def test_each_input_stream_is_read_once(seed, tmp_path):
    streams = {name: Once(seed[name]) for name in ("activities", "engagements", "transfers", "disclosures",
                                                   "systems")}
    counts = write(tmp_path / "once.xlsx", seed, findings=Once([]), **streams)
    assert all(stream.used for stream in streams.values())
    assert (counts["Template"], counts["Processor record"], counts["Data sharing"]) == (26, 2, 33)


SMALL, LARGE = 20_000, 40_000


def synthetic(n: int):
    """n controller activities, made one at a time (few cells each, so the test stays quick under tracemalloc)."""
    for i in range(n):
        yield {"reference": f"PA-{i:06d}", "name": f"Direct care {i}", "purpose": "Direct care", "status": "active",
               "our_role": "controller", "systems": [f"System {i % 7}"], "lawful_bases": ["6(1)(e)", "9(2)(h)"],
               "processors": ["Cloudy Ltd"], "recipients": [f"Recipient {i % 50}"]}


def peak_memory(n: int, path: Path, register: dict) -> tuple[int, dict[str, int]]:
    """The peak of memory allocated while writing n activities, and the writer's row counts."""
    gc.collect()
    tracemalloc.start()
    try:
        counts = write(path, register, activities=synthetic(n),
                       systems=iter([system(f"System {i}") for i in range(7)]))
        return tracemalloc.get_traced_memory()[1], counts
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_register_grows(tmp_path):
    register = make_register([], engagements=[engagement("PE-1", "Cloudy Ltd")],
                             transfers=[transfer("TR-1", "PA-000001", "IN", mechanism="idta")])
    write(tmp_path / "warm.xlsx", register, activities=synthetic(100))  # imports and caches, not counted
    small, small_counts = peak_memory(SMALL, tmp_path / "small.xlsx", register)
    large, large_counts = peak_memory(LARGE, tmp_path / "large.xlsx", register)
    assert (small_counts["Template"], large_counts["Template"]) == (SMALL, LARGE)
    assert large < 1.3 * small, f"peak {small:,} bytes for {SMALL:,} activities, {large:,} for {LARGE:,}"
