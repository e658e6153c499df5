"""The ICO-style workbook's fixed layout: sheet names, the Template's 30 headings and bands, contact blocks.

The Template headings are the ICO controller template's own labels (reference/ico-ropa-template.md) and are
data: an auditor, and our importer, find columns by this exact text. Never reword them.
"""

from dataclasses import dataclass

TEMPLATE = "Template"
PROCESSOR_RECORD = "Processor record"
PROCESSORS = "Processors and contracts"
TRANSFERS = "International transfers"
SHARING = "Data sharing"
ASSETS = "Information assets"
FINDINGS = "Findings"
NOTES = "Notes"
ABOUT = "About"
#: Tab order of the workbook.
SHEETS = (TEMPLATE, PROCESSOR_RECORD, PROCESSORS, TRANSFERS, SHARING, ASSETS, FINDINGS, NOTES, ABOUT)

ART30 = "Article 30 Record of Processing Activities"
NOTICES = "Privacy Notices"
DPIA = "Data Protection Impact Assessments"
BREACHES = "Personal Data Breaches"
SCHEDULE_1 = "Data Protection Act 2018 - Special Category or Criminal Conviction and Offence data"


@dataclass(frozen=True)
class Column:
    letter: str
    heading: str
    band: str
    required: bool  # Art. 30 and DPA 2018 Sch. 1 para 41 items; the rest are optional
    width: float


TEMPLATE_COLUMNS: tuple[Column, ...] = (
    Column("A", "Business function", ART30, False, 20),
    Column("B", "Purpose of processing", ART30, True, 45),
    Column("C", "Name and contact details of joint controller (if applicable)", ART30, True, 30),
    Column("D", "Categories of individuals", ART30, True, 24),
    Column("E", "Categories of personal data", ART30, True, 26),
    Column("F", "Categories of recipients", ART30, True, 34),
    Column("G", "Link to contract with processor", ART30, False, 28),
    Column("H", "Names of third countries or international organisations that personal data are transferred to "
                "(if applicable)", ART30, True, 26),
    Column("I", "Safeguards for exceptional transfers of personal data to third countries or international "
                "organisations (if applicable)", ART30, True, 26),
    Column("J", "Retention schedule (if possible)", ART30, True, 34),
    Column("K", "General description of technical and organisational security measures (if possible)", ART30,
           True, 45),
    Column("L", "Article 6 lawful basis for processing personal data", NOTICES, False, 24),
    Column("M", "Article 9 condition for processing special category data", NOTICES, False, 26),
    Column("N", "Legitimate interests for the processing (if applicable)", NOTICES, False, 24),
    Column("O", "Link to record of legitimate interests assessment (if applicable)", NOTICES, False, 24),
    Column("P", "Rights available to individuals", NOTICES, False, 28),
    Column("Q", "Existence of automated decision-making, including profiling (if applicable)", NOTICES, False,
           24),
    Column("R", "The source of the personal data (if applicable)", NOTICES, False, 28),
    Column("S", "Link to record of consent", "Consent", False, 22),
    Column("T", "Location of personal data", "Access Requests", False, 32),
    Column("U", "Data Protection Impact Assessment required?", DPIA, False, 14),
    Column("V", "Data Protection Impact Assessment progress", DPIA, False, 20),
    Column("W", "Link to Data Protection Impact Assessment", DPIA, False, 22),
    Column("X", "Has a personal data breach occurred?", BREACHES, False, 14),
    Column("Y", "Link to record of personal data breach", BREACHES, False, 22),
    Column("Z", "Data Protection Act 2018 Schedule 1 Condition for processing", SCHEDULE_1, True, 28),
    Column("AA", "GDPR Article 6 lawful basis for processing", SCHEDULE_1, True, 24),
    Column("AB", "Link to retention and erasure policy document", SCHEDULE_1, True, 24),
    Column("AC", "Is personal data retained and erased in accordance with the policy document?", SCHEDULE_1, True,
           16),
    Column("AD", "Reasons for not adhering to policy document (if applicable)", SCHEDULE_1, True, 26),
)

#: ropa's own column after AD: the activity reference, so an exported workbook re-imports by reference.
REFERENCE_BAND = "ropa (not part of the ICO template)"
REFERENCE_COLUMN = Column("AE", "ropa reference", REFERENCE_BAND, False, 14)
#: The activity's notes (what an import could not place in a field among them), so they survive a round trip.
NOTES_COLUMN = Column("AF", "ropa notes", REFERENCE_BAND, False, 40)

#: 1-based rows of the Template and of the processor record.
TITLE_ROW, GROUP_ROW, BAND_ROW, HEADING_ROW, FIRST_DATA_ROW = 1, 2, 8, 9, 10
CONTACT_FIELDS = ("Name", "Address", "Email", "Telephone")
CONTROLLER_GROUPS = ("Organisation name and contact details", "Data Protection Officer (if applicable)",
                     "Representative (if applicable)")
PROCESSOR_GROUPS = ("Processor name and contact details", "Data Protection Officer (if applicable)",
                    "Representative (if applicable)")
#: 0-based column of each contact group's labels; its values sit one column to the right.
GROUP_COLUMNS = (0, 3, 6)

TEMPLATE_TITLE = ("Record of processing activities: controller (UK GDPR Article 30(1)), "
                  "in the ICO template's layout")
PROCESSOR_TITLE = ("ICO-style processor record (UK GDPR Article 30(2)): built by ropa from Article 30(2), "
                   "not a copy of an ICO template")
PROCESSOR_BAND = "Article 30(2) record of processing carried out on behalf of a controller"

#: Art. 30(2)(a)-(d) items are required (green); the contract link and sub-processors are ours to add (blue).
PROCESSOR_COLUMNS: tuple[Column, ...] = (
    Column("A", "Name and contact details of controller", PROCESSOR_BAND, True, 34),
    Column("B", "Categories of processing carried out on behalf of the controller", PROCESSOR_BAND, True, 50),
    Column("C", "Names of third countries or international organisations that personal data are transferred to "
                "(if applicable)", PROCESSOR_BAND, True, 28),
    Column("D", "Safeguards for exceptional transfers of personal data to third countries or international "
                "organisations (if applicable)", PROCESSOR_BAND, True, 28),
    Column("E", "General description of technical and organisational security measures (if possible)",
           PROCESSOR_BAND, True, 45),
    Column("F", "Link to contract with controller", PROCESSOR_BAND, False, 28),
    Column("G", "Sub-processors used", PROCESSOR_BAND, False, 28),
)
#: ropa's reference column after the processor record's last column.
PROCESSOR_REFERENCE = Column("H", REFERENCE_COLUMN.heading, REFERENCE_BAND, False, REFERENCE_COLUMN.width)
PROCESSOR_NOTES = Column("I", NOTES_COLUMN.heading, REFERENCE_BAND, False, NOTES_COLUMN.width)


def bands(columns: tuple[Column, ...] = TEMPLATE_COLUMNS) -> list[tuple[str, int, int]]:
    """(band, first column, last column), 0-based, for each run of columns under one band."""
    runs: list[tuple[str, int, int]] = []
    for index, column in enumerate(columns):
        if runs and runs[-1][0] == column.band:
            runs[-1] = (column.band, runs[-1][1], index)
        else:
            runs.append((column.band, index, index))
    return runs
