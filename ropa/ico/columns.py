"""What the cells of a hand-filled ICO ROPA sheet mean: headings, multi-valued cells, lawful bases, contacts
(countries are in ropa.ico.places, transfer mechanisms in ropa.ico.mechanisms).

Pure helpers for ico_import: text in, values out. The headings are the ICO template's own labels (data, not prose).
"""

import csv
import hashlib
import re
from datetime import date, datetime, time
from functools import cache, lru_cache

from ropa.config import DATA_DIR
from ropa.exchange.values import unescape_cell

#: The ICO controller template's columns A..AD, headings verbatim (reference/ico-ropa-template.md).
HEADINGS: dict[str, str] = {
    "A": "Business function",
    "B": "Purpose of processing",
    "C": "Name and contact details of joint controller (if applicable)",
    "D": "Categories of individuals",
    "E": "Categories of personal data",
    "F": "Categories of recipients",
    "G": "Link to contract with processor",
    "H": "Names of third countries or international organisations that personal data are transferred to "
         "(if applicable)",
    "I": "Safeguards for exceptional transfers of personal data to third countries or international "
         "organisations (if applicable)",
    "J": "Retention schedule (if possible)",
    "K": "General description of technical and organisational security measures (if possible)",
    "L": "Article 6 lawful basis for processing personal data",
    "M": "Article 9 condition for processing special category data",
    "N": "Legitimate interests for the processing (if applicable)",
    "O": "Link to record of legitimate interests assessment (if applicable)",
    "P": "Rights available to individuals",
    "Q": "Existence of automated decision-making, including profiling (if applicable)",
    "R": "The source of the personal data (if applicable)",
    "S": "Link to record of consent",
    "T": "Location of personal data",
    "U": "Data Protection Impact Assessment required?",
    "V": "Data Protection Impact Assessment progress",
    "W": "Link to Data Protection Impact Assessment",
    "X": "Has a personal data breach occurred?",
    "Y": "Link to record of personal data breach",
    "Z": "Data Protection Act 2018 Schedule 1 Condition for processing",
    "AA": "GDPR Article 6 lawful basis for processing",
    "AB": "Link to retention and erasure policy document",
    "AC": "Is personal data retained and erased in accordance with the policy document?",
    "AD": "Reasons for not adhering to policy document (if applicable)",
}
REFERENCE = "REF"  # our own extra column: the activity reference
NOTES = "NOTES"  # the activity's notes: ropa's own column, or a Notes column a DPO added
#: Other ways the same columns are headed in copies of the template that circulate.
HEADING_VARIANTS: dict[str, list[str]] = {
    "Z": ["Data Protection Act 2018 Schedule Condition for processing"],
    REFERENCE: ["Reference", "ropa reference", "Activity reference", "Ref"],
    NOTES: ["ropa notes", "Notes", "Comments"],
}
#: The ICO-style processor record (Art. 30(2); reference/ico-ropa-template.md): its own columns, with H, I and K as
#: the controller template heads them. PB (the categories of processing) is the column every row needs.
PROCESSOR_HEADINGS: dict[str, str] = {
    "PA": "Name and contact details of controller",
    "PB": "Categories of processing carried out on behalf of the controller",
    "H": HEADINGS["H"], "I": HEADINGS["I"], "K": HEADINGS["K"],
    "PF": "Link to contract with controller",
    "PG": "Sub-processors used",
}
#: How a cell of column G (and the processor record's contract and sub-processor columns) is kept in the notes.
NOTE_PREFIXES = {"G": "Link to contract with processor (from the ICO sheet): ",
                 "PF": "Link to contract with controller (from the ICO sheet): ",
                 "PG": "Sub-processors used (from the ICO sheet): "}

#: Columns copied to a text field of the activity as they are.
TEXT_FIELDS = {"A": "business_function", "B": "purpose", "K": "security_measures", "N": "legitimate_interests",
               "O": "lia_url", "P": "rights_override", "Q": "automated_decision_making", "R": "source",
               "S": "consent_record_url", "T": "location", "V": "dpia_progress", "W": "dpia_url", "Y": "breach_url",
               "AB": "retention_policy_url", "AD": "retention_noncompliance_reason"}
BOOL_FIELDS = {"U": "dpia_required", "X": "breach_occurred", "AC": "retention_compliant"}
#: Lawful-basis columns, and the kind a bare label in each means ("Vital interests": 6(1)(d) in L, 9(2)(c) in M).
BASIS_COLUMNS = {"L": "article_6", "M": "article_9", "Z": "schedule_1", "AA": "article_6"}
#: Vocabulary columns: activity field, and the entity a name there must exist in.
VOCABULARY = {"D": ("data_subjects", "subject_categories"), "E": ("data_categories", "data_categories"),
              "F": ("recipients", "recipients")}
#: Column sizes of the database, so an over-long cell is reported at the cell rather than refused by the database.
LIMITS = {"reference": 40, "business_function": 300, "dpia_progress": 300, "lia_url": 500, "consent_record_url": 500,
          "dpia_url": 500, "breach_url": 500, "retention_policy_url": 500, "subject_categories": 200,
          "data_categories": 200, "recipients": 300, "organisations": 300}
NAME_LENGTH = 100
#: What people write in a cell that has nothing to say ("-" normalises to "").
BLANK_MARKERS = {"", "none", "no", "n a", "na", "nil", "not applicable"}


def normalise(text: str) -> str:
    """Heading-comparison form: casefolded, punctuation as spaces, whitespace (line breaks too) collapsed."""
    text = text.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def _without_qualifiers(text: str) -> str:
    return re.sub(r"\((?:if applicable|if possible)\)", " ", text, flags=re.IGNORECASE)


@cache
def _heading_index(processor: bool = False) -> dict[str, str]:
    index: dict[str, str] = {}
    for letter, heading in (PROCESSOR_HEADINGS if processor else HEADINGS).items():
        for text in [heading, *HEADING_VARIANTS.get(letter, [])]:
            index[normalise(text)] = letter
            index.setdefault(normalise(_without_qualifiers(text)), letter)
    for letter in (REFERENCE, NOTES):
        for text in HEADING_VARIANTS[letter]:
            index[normalise(text)] = letter
    return index


def heading_letter(text: str, processor: bool = False) -> str | None:
    """The template column ("A".."AD", REFERENCE or NOTES) a heading cell names, tolerant of case, spacing and
    '(if ...)'; with processor, the processor record's column ("PA", "PB", "H", "I", "K", "PF", "PG", ...)."""
    return _heading_index(processor).get(normalise(text)) if text else None


def contract_links(notes: str | None, letter: str = "G") -> list[str]:
    """The contract links (or sub-processors) an import kept in an activity's notes, for the export's column."""
    prefix = NOTE_PREFIXES[letter]
    return [line.removeprefix(prefix) for line in (notes or "").splitlines() if line.startswith(prefix)]


#: A control character escaped (_x001F_), or an escaped escape (_x005F_x0041_: the text "_x0041_"), which
#: openpyxl leaves in inline strings (as ropa's exports write them); other _xHHHH_ text is left as it is.
_OOXML_ESCAPE = re.compile(r"_x005F_(x[0-9A-Fa-f]{4}_)|_x(00[01][0-9A-Fa-f])_")


def _unescaped(match: re.Match) -> str:
    return "_" + match[1] if match[1] else chr(int(match[2], 16))


def cell_text(value) -> str:
    """A cell's value as text: dates in ISO form, whole numbers without '.0', an escaping apostrophe removed."""
    if type(value) is str:  # most cells
        if "_x" in value:  # OOXML's escape of a control character (_x001F_), which openpyxl leaves as it is
            value = _OOXML_ESCAPE.sub(_unescaped, value)
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return unescape_cell(value).strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return unescape_cell(str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()


_TRUE, _FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


def yes_no(value) -> bool | None:
    """True, False, or None for blank (not known); raises ValueError for anything else."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).casefold()
    if not text:
        return None
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError(text)


# --- multi-valued cells ---------------------------------------------------------------------------------------

#: A cell with one of these is a description of one thing ("providers such as hospitals, GPs"), not a comma list.
_PROSE = re.compile(r"\b(?:such as|including|e\.g\.|eg|for example|i\.e\.|etc)(?!\w)", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-*\u2022\u00b7\u25aa\u2013\u2014]|\d{1,2}[.)])\s+")


def _comma_split(text: str) -> list[str]:
    """Split at commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}" and depth > 0
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def _clean(part: str) -> str:
    part = _BULLET.sub("", part.strip()).strip().rstrip(",;").strip()
    return re.sub(r"^(?:and|or|&)\s+", "", part, flags=re.IGNORECASE)


def _unique(parts: list[str]) -> list[str]:
    """Each name once (first spelling kept); 'None', 'N/A' and '-' in a list mean nothing, not a name."""
    seen, out = set(), []
    for part in parts:
        if normalise(part) not in BLANK_MARKERS and part.casefold() not in seen:
            seen.add(part.casefold())
            out.append(part)
    return out


def split_values(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    """Names in a cell: one per line or between semicolons; by commas only if it has neither and is not prose.

    known (casefolded names the register has) keeps a name with commas in it whole: 'Stories, images and recordings'.
    """
    if re.search(r"[\n;]", text):
        parts = re.split(r"[\n;]", text)
    elif "," in text and not _PROSE.search(text):
        parts = _runs(_comma_split(text), lambda run: run.strip() if run.strip().casefold() in known else None)
    else:
        parts = [text]
    return _unique([_clean(p) for p in parts])


def _runs(tokens: list[str], lookup, unknown_together: bool = False) -> list[str]:
    """Comma-separated tokens, each longest run that lookup recognises as one item (its answer), the rest as written.

    Unrecognised tokens stay separate, or with unknown_together run on as one item ('Because, we must').
    """
    out, pending, i = [], [], 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):  # longest first: "Employment, social security and ..."
            if found := lookup(",".join(tokens[i:j])):
                break
        else:
            pending.append(tokens[i])
            i += 1
            continue
        out += [",".join(pending).strip()] if pending and unknown_together else pending
        out.append(found)
        pending, i = [], j
    return out + ([",".join(pending).strip()] if pending and unknown_together else pending)


# --- lawful bases -----------------------------------------------------------------------------------------------

_ARTICLE = re.compile(r"""(?<![\w.])(?:(?:uk\s*)?gdpr\s*)?(?:art(?:icle)?s?\.?\s*)?
    (?P<art>[69])\s*(?:\(\s*(?P<p1>[12])\s*\)|\.\s*(?P<p2>[12])\s*\.?)\s*
    (?:\(\s*(?P<l1>[a-z]{1,2})\s*\)|(?P<l2>ea|[a-z])\b)""", re.IGNORECASE | re.VERBOSE)
_SCHEDULE = re.compile(r"""(?<!\w)(?:dpa\s*(?:2018)?[\s,:-]*)?(?:sch(?:ed(?:ule)?)?\.?\s*1\b\.?[\s,:-]*)?
    (?:(?:pt|part)\.?\s*[1-4]\b[\s,:-]*)?(?:para(?:graph)?s?|\u00b6)\.?\s*(?P<para>\d{1,2})\b""", re.IGNORECASE | re.VERBOSE)
_LETTER = re.compile(r"^\(\s*(?P<letter>ea|[a-j])\s*\)\s*", re.IGNORECASE)  # "(e) Public task" in an Art. 6 column
_LETTER_ARTICLE = {"article_6": "6(1)", "article_9": "9(2)"}


def _code(match: re.Match) -> str:
    if match.re is _SCHEDULE:
        return f"Sch1 para {int(match['para'])}"
    return f"{match['art']}({match['p1'] or match['p2']})({(match['l1'] or match['l2']).lower()})"


@cache
def basis_labels() -> dict[str, dict[str, str]]:
    """Normalised label → code, per kind, from the shipped data/lawful_bases.csv (empty if it is not there)."""
    labels: dict[str, dict[str, str]] = {"article_6": {}, "article_9": {}, "schedule_1": {}}
    try:
        with open(DATA_DIR / "lawful_bases.csv", encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                labels.setdefault(row["kind"], {})[normalise(row["label"])] = row["code"]
    except OSError:
        pass
    labels["article_6"].setdefault("legitimate interest", "6(1)(f)")
    return labels


def _label_code(text: str, kind: str) -> str | None:
    labels = basis_labels().get(kind, {})
    bare = re.sub(r"\s*\([^()]*\)\s*$", "", text)  # "Public task (NHS Act 2006)"
    return labels.get(normalise(text)) or labels.get(normalise(bare))


def split_bases(text: str, kind: str) -> list[str]:
    """Codes for a lawful-basis cell; text that names no basis is kept as written, for the resolver to report."""
    return list(_split_bases(text, kind)) if text else []


@lru_cache(maxsize=4096)  # a register's rows repeat a few dozen ways of writing their bases
def _split_bases(text: str, kind: str) -> tuple[str, ...]:
    values: list[str] = []
    for segment in re.split(r"[\n;]", text):
        segment = _clean(segment)
        if not segment:
            continue
        matches = sorted([*_ARTICLE.finditer(segment), *_SCHEDULE.finditer(segment)], key=lambda m: m.start())
        if matches:  # a code is the unit; the words around it describe it ("Art 6(1)(e) public task")
            values += [_code(m) for m in matches]
        elif (letter := _LETTER.match(segment)) and kind in _LETTER_ARTICLE:
            values.append(f"{_LETTER_ARTICLE[kind]}({letter['letter'].lower()})")
        elif kind == "schedule_1" and segment.isdigit():
            values.append(f"Sch1 para {int(segment)}")
        elif code := _label_code(segment, kind):
            values.append(code)
        else:
            values += _runs(_comma_split(segment), lambda run: _label_code(run, kind), unknown_together=True)
    return tuple(_unique([v for v in values if v]))


# --- data categories ----------------------------------------------------------------------------------------------

_CRIMINAL = re.compile(r"criminal|offen[cs]e|conviction", re.IGNORECASE)
_SPECIAL = re.compile(r"health|medical|ethnic|\brac(?:e|es|ial)\b|religio|philosophical|genetic|biometric|sex life|"
                      r"sexual orientation|political|trade union", re.IGNORECASE)


def guessed_kind(name: str) -> str:
    """'criminal', 'special' or 'personal', from words in a data category's name (Art. 9(1), Art. 10)."""
    if _CRIMINAL.search(name):
        return "criminal"
    return "special" if _SPECIAL.search(name) else "personal"


# --- the contact block and joint controllers -------------------------------------------------------------------

_GROUPS = {"organisation name and contact details": "organisation", "data protection officer": "dpo",
           "representative": "representative", "controller": "organisation", "processor": "organisation",
           "controller details": "organisation", "processor details": "organisation",
           "organisation details": "organisation", "contact details": "organisation",
           "data protection officer details": "dpo", "dpo": "dpo", "dpo details": "dpo",
           "representative details": "representative", "uk representative": "representative"}
_FIELDS = {"name": "name", "address": "address", "postal address": "address", "email": "email", "e mail": "email",
           "email address": "email", "e mail address": "email", "telephone": "telephone",
           "telephone number": "telephone", "phone": "telephone", "phone number": "telephone", "tel": "telephone",
           "tel no": "telephone", "contact": "contact", "contact details": "contact"}
#: Words naming whose detail a label is: 'Organisation name', 'Name of controller', 'DPO contact', 'DPO e-mail'.
_WHOSE = {"organisation": "organisation", "organization": "organisation", "controller": "organisation",
          "processor": "organisation", "company": "organisation", "the controller": "organisation",
          "data controller": "organisation", "dpo": "dpo", "data protection officer": "dpo",
          "the dpo": "dpo", "representative": "representative", "uk representative": "representative",
          "eu representative": "representative"}
_LABELS = {label: (None, field) for label, field in _FIELDS.items() if field != "contact"}
for _whose, _group in _WHOSE.items():
    for _label, _field in _FIELDS.items():
        _LABELS[f"{_whose} {_label}"] = _LABELS[f"{_label} of {_whose}"] = (_group, _field)
        _LABELS[f"{_label} of the {_whose}"] = (_group, _field)
_LABELS.update({label: ("organisation", "ico_registration") for label in (
    "ico registration", "ico registration number", "ico registration no", "ico reg no", "ico number",
    "ico registration reference", "data protection registration number", "registration number")})
_LABELS.update({"data protection officer": ("dpo", "name"), "dpo": ("dpo", "name"),
                "representative": ("representative", "name"), "name of organisation": ("organisation", "name")})
_INLINE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z -]{1,40}?)\s*:\s*(?P<value>\S.*)$", re.DOTALL)


def contact_group(text: str) -> str | None:
    """'organisation', 'dpo' or 'representative' for a group title of the contact block."""
    return _GROUPS.get(normalise(_without_qualifiers(text)))


def contact_label(text: str) -> tuple[str | None, str, str] | None:
    """(group or None, field, inline value) for a contact label ('Email', 'DPO contact', 'Name: Acme NHS Trust');
    the value is '' when it is in the next cell. The group is None when the label does not say whose it is."""
    key = normalise(_without_qualifiers(text))
    if found := _LABELS.get(key):
        return (*found, "")
    if (match := _INLINE.match(text)) and (found := _LABELS.get(normalise(_without_qualifiers(match["label"])))):
        return (*found, match["value"].strip())
    return None


_CONTACT_DETAIL = re.compile(r"\d|@|\b(?:road|street|lane|avenue|house|hall|park|way|tel|telephone|email)\b", re.IGNORECASE)


def _name_of(part: str) -> str:
    """'Essex County Council, County Hall, CM1 1QH' → 'Essex County Council' (details after a name dropped)."""
    for sep in (",", " - ", " \u2013 ", "("):
        head, found, rest = part.partition(sep)
        if found and head.strip() and _CONTACT_DETAIL.search(rest):
            return head
    return part


def joint_names(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    """Joint controllers' names from column C, their contact details left out.

    The cell is read as parts (lines, and semicolon-separated pieces of them). The first part names a controller;
    a later part names another if it is an organisation the register knows (known: casefolded names), or if it is a
    bare name following a bare name ('Essex County Council; NELFT'). Anything else is the current one's details
    ('NELFT; The Green, Rainham RM13 8GQ; dpo@nelft.nhs.uk').
    """
    names: list[str] = []
    detailed = False
    for part in (p.strip() for p in re.split(r"[\n;]", text)):
        if not part:
            continue
        name = _clean(_name_of(part))
        bare = name == part and not _CONTACT_DETAIL.search(part)
        if not names or name.casefold() in known or (bare and not detailed):
            names.append(name)
            detailed = not bare
        else:
            detailed = True
    return _unique(names)


# --- rows ---------------------------------------------------------------------------------------------------------

_EXAMPLE = re.compile(r"^(?:e\.?g\b|for example\b|examples?\s*\d*\s*(?:[:.)\u2013\u2014-]|$))", re.IGNORECASE)


def is_example(business_function: str, purpose: str) -> bool:
    """A row of guidance: business function or purpose starting 'e.g.', 'For example', 'Example:' or 'Example 2 -'.

    'Example Ltd payroll' is not one: only the word on its own, or numbered, followed by punctuation, counts.
    """
    return bool(_EXAMPLE.match(business_function) or _EXAMPLE.match(purpose))


def activity_name(purpose: str, business_function: str) -> str:
    """The first line of the purpose (else the business function), cut at a sentence or word end if long."""
    line = next((ln.strip() for ln in (purpose or business_function).splitlines() if ln.strip()), "")
    if len(line) <= NAME_LENGTH:
        return line
    sentence = line.find(". ", 20, NAME_LENGTH)
    if sentence > 0:
        return line[:sentence]
    cut = line.rfind(" ", 20, NAME_LENGTH)
    return line[:cut if cut > 0 else NAME_LENGTH - 1].rstrip(" ,;:") + "\u2026"


def derived_reference(business_function: str, purpose: str) -> str:
    """A stable reference from the row's words, so re-importing the same sheet matches the same activities."""
    key = normalise(business_function) + "\n" + normalise(purpose)
    return "ICO-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8].upper()
