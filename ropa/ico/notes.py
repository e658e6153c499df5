"""The Notes sheet: ropa's own short guide to the workbook, in our words (not the ICO's guidance)."""

#: (topic, note); {organisation} and {first_row} are filled in when the sheet is written.
NOTES: tuple[tuple[str, str], ...] = (
    ("This workbook",
     "The record of processing activities of {organisation} as held in ropa, laid out like the ICO's "
     "documentation template for controllers so that a reader finds each item where they expect it. "
     "The other sheets hold what that layout has no room for. Generated from the register: change the "
     "register, not this file, or import the edited Template back into ropa."),
    ("Template",
     "One row per processing activity where we are controller or joint controller (retired activities "
     "are left out), from row {first_row}. Rows 1-6 give our name and contact details, our Data "
     "Protection Officer's and our representative's (UK GDPR Art. 30(1)(a)). Row 8 names the sections;"
     " row 9 carries the ICO template's column headings word for word."),
    ("Heading colours",
     "Green: items the record must hold, from UK GDPR Art. 30(1) and, where a DPA 2018 Schedule 1 "
     "condition is relied on, Schedule 1 Part 4 para 41 (columns B-F, H-K, Z-AD). Blue: optional "
     "items, on our reading (A, G, L-Y). Grey: ropa's own column. The split is ours, not read off the "
     "ICO file."),
    ("Column B",
     "The activity's name on the first line, its purpose below it."),
    ("Column AE: ropa reference",
     "Not part of the ICO template. It is the activity's reference in ropa: keep it when you edit the "
     "workbook. ropa re-imports the Template by this reference, so an edited row updates its activity "
     "and a row without a reference is read as a new activity."),
    ("Columns H and I, and the transfers sheet",
     "Column H names the countries an activity's data goes to; where the register does not know the "
     "country it repeats the recorded words (for example 'outside the UK and EEA') and names none. "
     "Column I is only for the safeguards of exceptional transfers under the second subparagraph of "
     "Art. 49(1). The mechanism of every transfer (adequacy, UK-US data bridge, IDTA, UK Addendum, "
     "binding corporate rules, Art. 49 exception), its transfer risk assessment and recipient are on "
     "the 'International transfers' sheet."),
    ("Column P: rights",
     "Taken from the Art. 6 basis unless the register records an override: informed, access, "
     "rectification, restriction and complaint always; erasure except under legal obligation or public"
     " task; portability under consent or contract; objection under public task or legitimate "
     "interests."),
    ("Processor record",
     "An ICO-style record of the processing we carry out as processor for other controllers, built by "
     "ropa from UK GDPR Art. 30(2) in the same style as the Template. It is not a copy of an ICO "
     "template. One row per controller and category of processing; the contract link is our contract "
     "with that controller where the register holds it."),
    ("Processors and contracts",
     "The suppliers that process personal data for us, what they provide, their contact details, "
     "contract, Art. 28 terms, dates, DSPT status, where they process the data and their sub-"
     "processors (DSPT 10.1.2 and 10.2.2)."),
    ("Data sharing",
     "Each activity's recipients with the legal gateway and the data-sharing agreement."),
    ("Information assets",
     "One row per system in the columns the DSPT suggests for evidence item 1.1.2. Columns drawn from "
     "the activities list at most 50 entries each. A blank cell means the register does not hold that "
     "fact; nothing is inferred to fill it."),
    ("Findings",
     "The gaps ropa's checks found in the register when this workbook was written, errors first."),
    ("About",
     "When and by whom the workbook was written, the register date it shows, the number of rows on "
     "each sheet and the SHA-256 fingerprint of the register content."),
    ("Cells",
     "Dates are real dates (dd/mm/yyyy). A cell with several values holds one per line. Text is always"
     " stored as text: a cell starting with =, +, - or @ is never calculated as a formula."),
)


def notes(organisation: str, first_row: int) -> list[tuple[str, str]]:
    """(topic, note) rows for the Notes sheet."""
    return [(topic, text.format(organisation=organisation, first_row=first_row)) for topic, text in NOTES]
