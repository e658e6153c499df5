"""Reading hand-filled ICO ROPA workbooks: pure, no app; each workbook is built here, in tmp_path."""

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from ropa.exchange.problems import ImportFailed
from ropa.ico.reader import CellProblem, read_ico_workbook

ROOT = Path(__file__).resolve().parent.parent
LETTERS = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U",
           "V", "W", "X", "Y", "Z", "AA", "AB", "AC", "AD"]
#: Typed out from reference/ico-ropa-template.md, not imported, so a slip in the module's copy is caught.
ICO_HEADINGS = [
    "Business function", "Purpose of processing", "Name and contact details of joint controller (if applicable)",
    "Categories of individuals", "Categories of personal data", "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations "
    "(if applicable)",
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data", "Article 9 condition for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)", "Rights available to individuals",
    "Existence of automated decision-making, including profiling (if applicable)",
    "The source of the personal data (if applicable)", "Link to record of consent", "Location of personal data",
    "Data Protection Impact Assessment required?", "Data Protection Impact Assessment progress",
    "Link to Data Protection Impact Assessment", "Has a personal data breach occurred?",
    "Link to record of personal data breach", "Data Protection Act 2018 Schedule 1 Condition for processing",
    "GDPR Article 6 lawful basis for processing", "Link to retention and erasure policy document",
    "Is personal data retained and erased in accordance with the policy document?",
    "Reasons for not adhering to policy document (if applicable)",
]
TEMPLATE = list(zip(LETTERS, ICO_HEADINGS))
CONTACT = {
    "Organisation name and contact details": ["HCRG Care Services Ltd", "The Heath Business and Technical Park, "
                                              "Runcorn, WA7 4QX", "", "0300 123 4567"],
    "Data Protection Officer (if applicable)": ["Deborah Tonkin", "The Heath Business Park, Runcorn",
                                                "Ask.IG@hcrgcaregroup.com", ""],
    "Representative (if applicable)": ["", "", "", ""],
}
DIRECT_CARE = {
    "A": "Providing services to you",
    "B": "To provide services to you: diagnosis, treatment and follow-up care.\nIncludes sharing with the "
         "professionals directly involved in your care.",
    "D": "Children and young people\nParents and carers",
    "E": "Name; Date of birth; NHS number; Health information",
    "F": "GPs; Barnardo's",
    "H": "None",
    "J": "Until the 25th birthday (26th if 17 at the end of treatment)",
    "K": "Encryption at rest and in transit; role-based access",
    "L": "Art 6(1)(e) public task",
    "M": "9(2)(h) Health or social care",
    "P": "Informed, access, rectification, objection",
    "Q": "None",
    "R": "You, and other health professionals",
    "T": "Electronic health record",
    "U": "Yes",
    "V": "Complete",
    "W": "https://intranet.example/dpia/17",
    "X": "No",
    "Z": "Schedule 1 para 2",
    "AA": "Public task",
    "AB": "https://intranet.example/retention",
    "AC": "Yes",
}
CONNERS = {
    "A": "Assessment",
    "B": "Autism diagnostic assessment using Digital Conners4",
    "C": "Provide CIC, 900 The Crescent, Colchester CO4 9YQ",
    "D": "Children and young people",
    "E": "Assessment responses and scores, Name",
    "F": "Pearson Clinical Assessments",
    "G": "https://contracts.example/pearson",
    "H": "Outside the UK and EEA",
    "L": "6(1)(e)",
    "M": "Health or social care",
    "U": "no",
}


def build(tmp_path: Path, rows: list[dict | None], *, headings: list[tuple[str, str]] = TEMPLATE,
          heading_row: int = 9, contact: dict | None = CONTACT, sheet: str = "Template") -> bytes:
    """A workbook in the ICO layout: contact block (rows 1-5), bands (row above the headings), headings, rows.

    Each row is a dict keyed by template column letter (or by an extra heading's own key); None is a blank row.
    """
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for group, (title, values) in enumerate((contact or {}).items()):
        col = 1 + 3 * group
        ws.cell(1, col, title)
        for offset, (label, value) in enumerate(zip(["Name", "Address", "Email", "Telephone"], values), start=2):
            ws.cell(offset, col, label)
            ws.cell(offset, col + 1, value or None)
    if heading_row > 1:
        ws.cell(heading_row - 1, 1, "Article 30 Record of Processing Activities")
    for index, (_, text) in enumerate(headings, start=1):
        ws.cell(heading_row, index, text)
    positions = {key: index for index, (key, _) in enumerate(headings, start=1)}
    for number, row in enumerate(rows, start=heading_row + 1):
        for key, value in (row or {}).items():
            ws.cell(number, positions[key], value)
    path = tmp_path / "register.xlsx"
    book.save(path)
    return path.read_bytes()


def read(data: bytes) -> tuple[list, dict, list[str]]:
    records, contact, problems = read_ico_workbook(data, "register.xlsx")
    return records, contact, [str(p) for p in problems]


def of(records: list, entity: str) -> list[dict]:
    return [r.values for r in records if r.entity == entity]


def activity(records: list, **match) -> dict:
    found = [v for v in of(records, "activities") if all(v.get(k) == m for k, m in match.items())]
    assert len(found) == 1, of(records, "activities")
    return found[0]


def test_the_parser_runs_without_flask_or_a_database():
    code = ("import sys, ropa.ico.reader; "
            "assert not {'flask', 'sqlalchemy'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_a_workbook_in_the_reference_layout_reads_to_records(tmp_path):
    records, contact, problems = read(build(tmp_path, [DIRECT_CARE, CONNERS]))
    assert problems == []
    assert contact == {
        "organisation": {"name": "HCRG Care Services Ltd", "address": "The Heath Business and Technical Park, "
                         "Runcorn, WA7 4QX", "telephone": "0300 123 4567"},
        "dpo": {"name": "Deborah Tonkin", "address": "The Heath Business Park, Runcorn",
                "email": "Ask.IG@hcrgcaregroup.com"}}
    assert [r.entity for r in records] == (
        ["data_categories"] * 5 + ["subject_categories"] * 2 + ["retention_rules"] + ["organisations"] * 2
        + ["recipients"] * 3
        + ["activities"] * 2 + ["transfers"])
    assert of(records, "data_categories") == [
        {"name": "Name"}, {"name": "Date of birth"}, {"name": "NHS number"},
        {"name": "Health information", "kind": "special"}, {"name": "Assessment responses and scores"}]
    assert of(records, "organisations") == [
        {"name": "HCRG Care Services Ltd", "is_self": True,
         "address": "The Heath Business and Technical Park, Runcorn, WA7 4QX", "telephone": "0300 123 4567",
         "dpo_name": "Deborah Tonkin", "dpo_contact": "The Heath Business Park, Runcorn; Ask.IG@hcrgcaregroup.com"},
        {"name": "Provide CIC"}]
    care = activity(records, business_function="Providing services to you")
    assert care == {
        "reference": care["reference"], "name": "To provide services to you: diagnosis, treatment and follow-up care.",
        "our_role": "controller", "business_function": "Providing services to you", "purpose": DIRECT_CARE["B"],
        "security_measures": DIRECT_CARE["K"], "legitimate_interests": "", "lia_url": "",
        "rights_override": DIRECT_CARE["P"], "automated_decision_making": "None",
        "source": "You, and other health professionals", "consent_record_url": "",
        "location": "Electronic health record", "dpia_progress": "Complete", "dpia_url": DIRECT_CARE["W"],
        "breach_url": "", "retention_policy_url": DIRECT_CARE["AB"], "retention_noncompliance_reason": "",
        "dpia_required": True, "breach_occurred": False, "retention_compliant": True,
        "data_subjects": ["Children and young people", "Parents and carers"],
        "data_categories": ["Name", "Date of birth", "NHS number", "Health information"],
        "recipients": ["GPs", "Barnardo's"], "lawful_bases": ["6(1)(e)", "9(2)(h)", "Sch1 para 2"],
        "joint_controllers": [],
        # Column J names the retention rule (Art. 30(1)(f) on record); its period and trigger are the DPO's to set.
        "retention_rule": "Until the 25th birthday (26th if 17 at the end of treatment)"}
    assert of(records, "retention_rules") == [{"name": DIRECT_CARE["J"]}]
    assert care["reference"].startswith("ICO-") and len(care["reference"]) == 12
    conners = activity(records, business_function="Assessment")
    assert conners["our_role"] == "joint_controller" and conners["joint_controllers"] == ["Provide CIC"]
    assert conners["dpia_required"] is False and conners["lawful_bases"] == ["6(1)(e)", "9(2)(h)"]
    assert conners["notes"].splitlines() == [
        "Joint controller contact details (from the ICO sheet): Provide CIC, 900 The Crescent, Colchester CO4 9YQ",
        "Link to contract with processor (from the ICO sheet): https://contracts.example/pearson"]
    assert of(records, "transfers") == [{"reference": f"{conners['reference']}-T1", "activity": conners["reference"],
                                         "destination": "Outside the UK and EEA"}]
    assert [r.row for r in records if r.entity == "activities"] == [10, 11]


def test_rereading_the_same_sheet_gives_the_same_references_wherever_the_rows_are(tmp_path):
    first, _, _ = read(build(tmp_path, [DIRECT_CARE, CONNERS]))
    moved = {**CONNERS, "B": "  autism diagnostic  assessment using Digital Conners4 "}
    again, _, _ = read(build(tmp_path, [None, moved, None, DIRECT_CARE], heading_row=12))
    assert sorted(v["reference"] for v in of(first, "activities")) == sorted(
        v["reference"] for v in of(again, "activities"))


def test_headings_are_found_however_the_sheet_was_rearranged(tmp_path):
    expected, _, _ = read(build(tmp_path, [DIRECT_CARE, CONNERS]))
    shuffled = [TEMPLATE[i] for i in (25, 1, 0, 4, 3, 29, 2, 7, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                                      20, 21, 22, 23, 24, 26, 27, 28)]
    messy = [("extra", "Reviewed by")] + [
        (letter, text.upper() + "  ") if i % 3 == 0 else
        (letter, " " + text.replace(" of ", " of\n")) if i % 3 == 1 else (letter, text.lower())
        for i, (letter, text) in enumerate(shuffled)]
    messy[1] = ("Z", "Data Protection Act 2018 Schedule Condition for processing")
    rows = [{**DIRECT_CARE, "extra": "J. Smith"}, CONNERS]
    records, contact, problems = read(build(tmp_path, rows, headings=messy, heading_row=11))
    assert problems == []
    assert of(records, "activities") == of(expected, "activities")
    assert contact["organisation"]["name"] == "HCRG Care Services Ltd"


def test_a_reference_column_names_the_activities_and_transfers(tmp_path):
    headings = [("REF", "ropa reference"), *TEMPLATE]
    rows = [{**DIRECT_CARE, "REF": "PA-001"}, {**CONNERS, "REF": "PA-026", "H": "India (transcription); USA"}]
    records, _, problems = read(build(tmp_path, rows, headings=headings))
    assert problems == []
    assert [v["reference"] for v in of(records, "activities")] == ["PA-001", "PA-026"]
    assert [(v["reference"], v["activity"], v.get("country")) for v in of(records, "transfers")] == [
        ("PA-026-T1", "PA-026", "IN"), ("PA-026-T2", "PA-026", "US")]


def test_without_a_template_sheet_the_first_sheet_with_the_headings_is_read(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "Guidance on filling in the record"
    ws = book.create_sheet("ROPA 2026")
    ws.append(ICO_HEADINGS)
    ws.append(["Finance", "Paying suppliers", None, None, None, None, None, None, None, None, None, None, None,
               None, None, None, None, None, None, None, "maybe"])
    path = tmp_path / "register.xlsx"
    book.save(path)
    records, contact, problems = read(path.read_bytes())
    assert activity(records, purpose="Paying suppliers")["business_function"] == "Finance"
    assert contact == {}
    assert problems == ["register.xlsx:'ROPA 2026'!U2: 'Data Protection Impact Assessment required?' must be Yes or "
                        "No (or blank if not known), not 'maybe'"]


def test_blank_and_example_rows_are_skipped(tmp_path):
    rows = [{"A": "e.g. Human resources", "B": "Staff administration"},
            {"A": "Finance", "B": "Example: paying suppliers"},
            {"B": "E.g. providing care"},
            None,
            {"A": "  ", "B": "", "U": None},
            DIRECT_CARE,
            {"B": "Purpose of processing", "D": "Categories of individuals"},  # the headings pasted again
            {"A": "Examinations office", "B": "Arranging staff examinations"},
            {"A": "Example 2 - Finance", "B": "Paying suppliers"},
            {"A": "Example Ltd contract", "B": "Running the contract with Example Ltd"}]
    records, _, problems = read(build(tmp_path, rows))
    assert problems == []
    assert [v["business_function"] for v in of(records, "activities")] == [
        "Providing services to you", "Examinations office", "Example Ltd contract"]


@pytest.mark.parametrize("cell, expected", [
    ("Name\nAddress\r\nDate of birth", ["Name", "Address", "Date of birth"]),
    ("Name; Address ;Date of birth;", ["Name", "Address", "Date of birth"]),
    ("Name, Address, and Date of birth", ["Name", "Address", "Date of birth"]),
    ("- Name\n- Address\n\n• Name", ["Name", "Address"]),
    ("Contact details (phone, email), NHS number", ["Contact details (phone, email)", "NHS number"]),
    ("Next of kin, relatives; carers", ["Next of kin, relatives", "carers"]),
])
def test_multi_valued_cells_split_by_lines_then_semicolons_then_commas(tmp_path, cell, expected):
    records, _, _ = read(build(tmp_path, [{"B": "Care", "E": cell}]))
    assert activity(records, purpose="Care")["data_categories"] == expected
    assert [v["name"] for v in of(records, "data_categories")] == expected


def test_a_recipient_described_with_commas_stays_one_recipient(tmp_path):
    cell = "Other health service providers such as hospitals, GPs, ambulance services, urgent care"
    records, _, _ = read(build(tmp_path, [{"B": "Care", "F": cell}]))
    assert activity(records, purpose="Care")["recipients"] == [cell]
    assert of(records, "recipients") == [{"name": cell}]


@pytest.mark.parametrize("column, cell, expected", [
    ("L", "Art 6(1)(e) public task", ["6(1)(e)"]),
    ("L", "Article 6(1)(e)", ["6(1)(e)"]),
    ("L", "6(1)(e)", ["6(1)(e)"]),
    ("L", "Public task", ["6(1)(e)"]),
    ("L", "Legitimate interests", ["6(1)(f)"]),
    ("L", "public task, legal obligation", ["6(1)(e)", "6(1)(c)"]),
    ("L", "Article 6.1(c) legal obligation\nArt. 6 (1) (a) Consent", ["6(1)(c)", "6(1)(a)"]),
    ("L", "UK GDPR Art 6(1)(ea)", ["6(1)(ea)"]),
    ("L", "(e) Public task", ["6(1)(e)"]),
    ("AA", "Vital interests", ["6(1)(d)"]),
    ("M", "Vital interests", ["9(2)(c)"]),
    ("M", "Employment, social security and social protection law", ["9(2)(b)"]),
    ("M", "Employment, social security and social protection law, Public health", ["9(2)(b)", "9(2)(i)"]),
    ("M", "9(2)(h) health or social care, 9(2)(j)", ["9(2)(h)", "9(2)(j)"]),
    ("Z", "Schedule 1 para 18", ["Sch1 para 18"]),
    ("Z", "Sch 1 Part 1 para 2", ["Sch1 para 2"]),
    ("Z", "paragraph 2; Part 2, paragraph 18 (safeguarding)", ["Sch1 para 2", "Sch1 para 18"]),
    ("Z", "DPA 2018 Sch.1 Pt 2 para. 10", ["Sch1 para 10"]),
    ("Z", "Public health", ["Sch1 para 3"]),
    ("L", "Because we have to", ["Because we have to"]),
    ("L", "Public task, something unclear", ["6(1)(e)", "something unclear"]),
])
def test_lawful_bases_are_read_as_codes(tmp_path, column, cell, expected):
    records, _, problems = read(build(tmp_path, [{"B": "Care", column: cell}]))
    assert problems == []
    assert activity(records, purpose="Care")["lawful_bases"] == expected


def test_an_unrecognised_lawful_basis_is_reported_at_its_cell(tmp_path):
    records, _, _ = read(build(tmp_path, [DIRECT_CARE, {"B": "Care", "L": "6(1)(e)", "M": "Because we have to"}]))
    record = next(r for r in records if r.entity == "activities" and r.values["purpose"] == "Care")
    problem = record.problem("lawful_bases", "unknown lawful basis 'Because we have to'", "Because we have to")
    assert str(problem) == "register.xlsx:Template!M11: unknown lawful basis 'Because we have to'"
    assert str(record.problem("data_categories", "unknown data category 'x'", "x")) == (
        "register.xlsx:Template!E11: unknown data category 'x'")


@pytest.mark.parametrize("cell, countries, destinations", [
    ("France", ["FR"], [None]),
    ("FR", ["FR"], [None]),
    ("USA, India (transcription)", ["US", "IN"], [None, None]),
    ("United States of America\nOutside the UK and EEA", ["US", None], [None, "Outside the UK and EEA"]),
])
def test_countries_are_read_to_their_codes(tmp_path, cell, countries, destinations):
    records, _, _ = read(build(tmp_path, [{"REF": "PA-9", "B": "Care", "H": cell}],
                              headings=[("REF", "Reference"), *TEMPLATE]))
    transfers = of(records, "transfers")
    assert [t.get("country") for t in transfers] == countries
    assert [t.get("destination") for t in transfers] == destinations
    assert [t["reference"] for t in transfers] == [f"PA-9-T{n}" for n in range(1, len(countries) + 1)]
    assert all("mechanism" not in t for t in transfers)  # an ordinary transfer's mechanism is not in the sheet


@pytest.mark.parametrize("cell", ["None", "N/A", "n/a", "-", "No", "", "None (UK only)", "Not applicable"])
def test_none_and_not_applicable_mean_no_transfer(tmp_path, cell):
    records, _, problems = read(build(tmp_path, [{"B": "Care", "H": cell}]))
    assert of(records, "transfers") == [] and problems == []


def test_exceptional_transfer_safeguards_name_their_mechanism(tmp_path):
    row = {"REF": "PA-7", "B": "Care", "H": "India", "I": "Compelling legitimate interests; ICO informed"}
    records, _, _ = read(build(tmp_path, [row], headings=[("REF", "Reference"), *TEMPLATE]))
    assert of(records, "transfers") == [{"reference": "PA-7-T1", "activity": "PA-7", "country": "IN",
                                         "mechanism": "art49_compelling_interests", "safeguards": row["I"]}]
    # the Reference column comes first here, so the template's column H is the sheet's column I
    transfer = next(r for r in records if r.entity == "transfers")
    assert str(transfer.problem("country", "unknown country", "IN")) == "register.xlsx:Template!I10: unknown country"


def test_a_data_categorys_kind_is_guessed_only_when_it_is_special_or_criminal(tmp_path):
    cell = "Ethnic origin; Religious beliefs; Sexual orientation; Criminal convictions; Offences alleged; Address"
    records, _, _ = read(build(tmp_path, [{"B": "Care", "E": cell}]))
    assert of(records, "data_categories") == [
        {"name": "Ethnic origin", "kind": "special"}, {"name": "Religious beliefs", "kind": "special"},
        {"name": "Sexual orientation", "kind": "special"}, {"name": "Criminal convictions", "kind": "criminal"},
        {"name": "Offences alleged", "kind": "criminal"}, {"name": "Address"}]
    assert all(r.if_missing for r in records if r.entity == "data_categories")


def test_dates_numbers_and_booleans_in_cells(tmp_path):
    row = {"B": "Care", "V": datetime(2026, 1, 31), "AD": 42, "U": True, "X": 0, "AC": "Y", "K": 2.5,
           "R": date(2025, 12, 1)}
    records, _, problems = read(build(tmp_path, [row]))
    care = activity(records, purpose="Care")
    assert problems == []
    assert (care["dpia_progress"], care["retention_noncompliance_reason"], care["security_measures"],
            care["source"]) == ("2026-01-31", "42", "2.5", "2025-12-01")
    assert (care["dpia_required"], care["breach_occurred"], care["retention_compliant"]) == (True, False, True)


def test_a_blank_yes_no_cell_is_unknown(tmp_path):
    records, _, _ = read(build(tmp_path, [{"B": "Care", "U": "  "}]))
    assert activity(records, purpose="Care")["dpia_required"] is None


def test_text_that_looks_like_a_formula_reads_back_as_typed(tmp_path):
    path = tmp_path / "register.xlsx"
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False}) as book:
        ws = book.add_worksheet("Template")
        ws.write_row(8, 0, ICO_HEADINGS)
        ws.write_string(9, 1, "=1+1")
        ws.write_string(9, 10, "'=HYPERLINK(\"x\")")  # our CSV-style escape: an apostrophe before the formula
        ws.write_string(9, 3, "@staff; +contractors")
    records, _, problems = read(path.read_bytes())
    care = activity(records, purpose="=1+1")
    assert problems == []
    assert care["security_measures"] == '=HYPERLINK("x")'
    assert care["data_subjects"] == ["@staff", "+contractors"]


def test_the_contact_block_is_optional(tmp_path):
    records, contact, problems = read(build(tmp_path, [DIRECT_CARE], contact=None, heading_row=1))
    assert contact == {} and problems == []
    assert all(not r.values.get("is_self") for r in records)


def test_contact_groups_stacked_one_above_the_other(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Template"
    for row in [("Organisation name and contact details",), ("Name", "HCRG Care Services Ltd"),
                ("Email", "info@example.org"), ("Data Protection Officer (if applicable)",),
                ("Name", "Deborah Tonkin"), ("Telephone:", "0300 000 0000"), ("Email: dpo@example.org",)]:
        ws.append(row)
    ws.append(ICO_HEADINGS)
    path = tmp_path / "register.xlsx"
    book.save(path)
    _, contact, _ = read(path.read_bytes())
    assert contact == {"organisation": {"name": "HCRG Care Services Ltd", "email": "info@example.org"},
                       "dpo": {"name": "Deborah Tonkin", "telephone": "0300 000 0000", "email": "dpo@example.org"}}


# --- problems, each located to a cell ---------------------------------------------------------------------------

def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    with pytest.raises(ImportFailed) as failed:
        read_ico_workbook(b"reference,name\nPA-1,Care\n", "register.xlsx")
    assert [str(p) for p in failed.value.problems] == [
        "register.xlsx: this is not an .xlsx workbook (it is not a zip file); save it as an Excel Workbook (.xlsx)"]


def test_a_damaged_zip_is_refused_with_the_reason():
    with pytest.raises(ImportFailed) as failed:
        read_ico_workbook(b"PK\x03\x04" + b"\x00" * 40, "register.xlsx")
    assert str(failed.value.problems[0]).startswith("register.xlsx: cannot be read as an .xlsx workbook")


def test_a_sheet_without_the_heading_row_is_refused(tmp_path):
    headings = [(letter, f"Column {letter}") for letter in LETTERS]
    with pytest.raises(ImportFailed) as failed:
        read_ico_workbook(build(tmp_path, [DIRECT_CARE], headings=headings), "register.xlsx")
    assert [str(p) for p in failed.value.problems] == [
        "register.xlsx:Template: no ICO heading row found in the first 15 rows of sheet 'Template': expected "
        "headings such as 'Purpose of processing' (controller) or 'Categories of processing carried out on behalf of "
        "the controller' (processor record)"]


def test_headings_below_row_15_are_not_looked_for(tmp_path):
    with pytest.raises(ImportFailed):
        read_ico_workbook(build(tmp_path, [DIRECT_CARE], heading_row=16), "register.xlsx")


def test_every_bad_cell_is_reported_not_just_the_first(tmp_path):
    headings = [*TEMPLATE, ("REF", "Reference")]
    rows = [{**DIRECT_CARE, "REF": "PA-1"}, {**CONNERS, "REF": "PA-2", "U": "maybe", "X": "Probably not",
                                             "AC": "TBC"},
            {"REF": "PA-1", "B": "Another purpose"}, {"A": "Finance", "B": "Paying suppliers"},
            {"A": "Finance", "B": "paying  suppliers"}, {"D": "Staff"}]
    records, _, problems = read(build(tmp_path, rows, headings=headings))
    assert problems == [
        "register.xlsx:Template!U11: 'Data Protection Impact Assessment required?' must be Yes or No (or blank if "
        "not known), not 'maybe'",
        "register.xlsx:Template!X11: 'Has a personal data breach occurred?' must be Yes or No (or blank if not "
        "known), not 'probably not'",
        "register.xlsx:Template!AC11: 'Is personal data retained and erased in accordance with the policy "
        "document?' must be Yes or No (or blank if not known), not 'tbc'",
        "register.xlsx:Template!AE12: duplicate reference 'PA-1' (also at row 10)",
        "register.xlsx:Template!B14: same business function and purpose as row 13, so both rows would be one "
        "activity; merge them, or give each its own reference to tell them apart",
        "register.xlsx:Template!B15: 'Purpose of processing' is blank; every activity needs its purpose (fill it in, "
        "or clear the row)"]
    assert [v["reference"] for v in of(records, "activities")][:2] == ["PA-1", "PA-2"]
    assert len(of(records, "activities")) == 3


def test_a_cell_showing_a_formula_error_is_reported(tmp_path):
    records, _, problems = read(build(tmp_path, [{"B": "Care", "E": "#REF!"}]))
    assert problems == ["register.xlsx:Template!E10: the cell shows the error #REF!; type the value instead of a "
                        "formula"]


def test_a_heading_given_twice_is_reported(tmp_path):
    headings = [*TEMPLATE, ("again", "Categories of personal data")]
    _, _, problems = read(build(tmp_path, [DIRECT_CARE], headings=headings))
    assert problems == ["register.xlsx:Template!AE9: the heading 'Categories of personal data' appears twice "
                        "(also in column E); delete or rename one"]


def test_over_long_values_are_reported_at_the_cell_not_left_to_the_database(tmp_path):
    rows = [{"B": "Care", "A": "x" * 301, "D": "y" * 201}]
    records, _, problems = read(build(tmp_path, rows))
    assert problems == [
        "register.xlsx:Template!A10: too long for business function (301 characters; the limit is 300)",
        "register.xlsx:Template!D10: too long for subject categories (201 characters; the limit is 200)"]


def test_cell_problems_keep_file_row_and_cell_apart():
    problem = CellProblem("register.xlsx:Template", 14, "E14", "unknown lawful basis 'x'")
    assert (problem.file, problem.row, problem.column) == ("register.xlsx:Template", 14, "E14")
    assert str(problem) == "register.xlsx:Template!E14: unknown lawful basis 'x'"


def test_none_or_not_applicable_in_a_list_cell_names_nothing(tmp_path):
    row = {"B": "Care", "C": "N/A", "D": "None", "F": "-", "M": "Not applicable", "L": "6(1)(e)"}
    records, _, problems = read(build(tmp_path, [row], contact=None))
    care = activity(records, purpose="Care")
    assert (care["joint_controllers"], care["data_subjects"], care["recipients"], care["lawful_bases"]) == (
        [], [], [], ["6(1)(e)"])
    assert care["our_role"] == "controller" and problems == []
    assert [r.entity for r in records] == ["activities"]


def test_names_the_register_knows_stay_whole_and_get_no_record_of_their_own(tmp_path):
    row = {"B": "Care", "E": "Stories, images and recordings", "F": "Barnardo's, Care homes, GPs", "C": "NELFT",
           "D": "Staff, Visitors"}
    known = {"data_categories": ["Stories, images and recordings"], "recipients": ["barnardo's", "GPs"],
             "organisations": ["NELFT"]}
    records, _, _ = read_ico_workbook(build(tmp_path, [row], contact=None), "register.xlsx", known=known)
    care = activity(records, purpose="Care")
    assert care["data_categories"] == ["Stories, images and recordings"]
    assert care["recipients"] == ["Barnardo's", "Care homes", "GPs"]
    assert care["joint_controllers"] == ["NELFT"]
    assert [(r.entity, r.values["name"]) for r in records if r.entity != "activities"] == [
        ("subject_categories", "Staff"), ("subject_categories", "Visitors"), ("recipients", "Care homes")]
    unknown, _, _ = read(build(tmp_path, [row], contact=None))
    assert activity(unknown, purpose="Care")["data_categories"] == ["Stories", "images and recordings"]


@pytest.mark.parametrize("cell, known, expected", [
    ("Provide CIC", [], ["Provide CIC"]),
    ("Essex County Council, County Hall, Chelmsford CM1 1QH", [], ["Essex County Council"]),
    ("Essex County Council\nCounty Hall\nChelmsford CM1 1QH\ndpo@essex.gov.uk", [], ["Essex County Council"]),
    ("NELFT (dpo@nelft.nhs.uk)", [], ["NELFT"]),
    ("Essex County Council; NELFT", [], ["Essex County Council", "NELFT"]),
    ("NELFT; The Green, Rainham RM13 8GQ; dpo@nelft.nhs.uk\nProvide CIC; 900 The Crescent, Colchester CO4 9YQ",
     ["nelft", "provide cic"], ["NELFT", "Provide CIC"]),
])
def test_joint_controllers_are_named_without_their_contact_details(tmp_path, cell, known, expected):
    data = build(tmp_path, [{"B": "Care", "C": cell}], contact=None)
    records, _, _ = read_ico_workbook(data, "register.xlsx", known={"organisations": known})
    care = activity(records, purpose="Care")
    assert care["joint_controllers"] == expected and care["our_role"] == "joint_controller"
    assert [r.values["name"] for r in records if r.entity == "organisations"] == [
        n for n in expected if n.casefold() not in known]


def _contact_book(tmp_path: Path, cells: dict[str, str]) -> bytes:
    """A workbook whose contact block is the given cells, above the ICO headings on row 9."""
    book = openpyxl.load_workbook(__import__("io").BytesIO(build(tmp_path, [DIRECT_CARE], contact=None)))
    for ref, text in cells.items():
        book["Template"][ref] = text
    path = tmp_path / "contact.xlsx"
    book.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("cells", [
    {"A1": "Organisation name", "B1": "Acme NHS Trust", "A2": "Address", "B2": "1 High St, Leeds",
     "A3": "E-mail", "B3": "ig@acme.nhs.uk", "A4": "Tel", "B4": "0113 000 0000",
     "A5": "Data Protection Officer", "B5": "Jo Bloggs", "A6": "DPO contact", "B6": "dpo@acme.nhs.uk"},
    {"A1": "Name of controller", "A2": "Acme NHS Trust", "B1": "Address", "B2": "1 High St, Leeds",
     "C1": "Email", "C2": "ig@acme.nhs.uk", "D1": "Phone", "D2": "0113 000 0000",
     "E1": "Data Protection Officer", "E2": "Jo Bloggs", "F1": "DPO contact", "F2": "dpo@acme.nhs.uk"},
    {"A1": "Name: Acme NHS Trust", "A2": "Address: 1 High St, Leeds", "A3": "E-mail: ig@acme.nhs.uk",
     "A4": "Telephone: 0113 000 0000", "A5": "DPO: Jo Bloggs", "A6": "DPO email: dpo@acme.nhs.uk"},
])
def test_the_contact_block_reads_in_every_layout_dpos_use(tmp_path, cells):
    records, _, problems = read(_contact_book(tmp_path, cells))
    assert problems == []
    (ours,) = [v for v in of(records, "organisations") if v.get("is_self")]
    assert ours["name"] == "Acme NHS Trust" and ours["address"] == "1 High St, Leeds"
    assert ours["email"] == "ig@acme.nhs.uk" and ours["telephone"] == "0113 000 0000"
    assert ours["dpo_name"] == "Jo Bloggs" and ours["dpo_contact"] == "dpo@acme.nhs.uk"


def test_regions_typos_and_mechanisms_in_columns_h_and_i(tmp_path):
    rows = [{"REF": "PA-1", "B": "Payroll", "H": "EEA"},
            {"REF": "PA-2", "B": "Hosting", "H": "USA; India", "I": "USA: DPF\nIndia: IDTA, TRA completed 14/03/2025"},
            {"REF": "PA-3", "B": "Care", "H": "Germny"}]
    records, _, problems = read(build(tmp_path, rows, headings=[("REF", "Reference"), *TEMPLATE]))
    assert problems == ["register.xlsx:Template!I12: 'Germny' is not a country ropa knows — did you mean Germany?"]
    transfers = {(t["activity"], t.get("country"), t.get("region")): t for t in of(records, "transfers")}
    assert "country" not in transfers["PA-1", None, "eea"] and "destination" not in transfers["PA-1", None, "eea"]
    assert transfers["PA-2", "US", None]["mechanism"] == "uk_us_data_bridge"
    assert transfers["PA-2", "IN", None]["mechanism"] == "idta"
    assert transfers["PA-2", "IN", None]["tra_date"] == "2025-03-14"
