"""Words for the ICO-style workbook: dump-form values turned into what a DPO or auditor reads in a cell.

Pure functions of plain records. They never guess: a value the register does not hold becomes a blank cell, or
words that say it is not recorded, never an inferred fact.
"""

import re
from collections.abc import Iterable

from ropa.ico.xlsx import as_date

MECHANISMS = {
    "none_recorded": "None recorded",
    "adequacy": "Adequacy (transfer approved by regulations)",
    "uk_us_data_bridge": "UK-US data bridge (UK Extension to the EU-US Data Privacy Framework)",
    "idta": "International Data Transfer Agreement (IDTA)",
    "uk_addendum": "UK Addendum to the EU standard contractual clauses",
    "bcr": "Binding corporate rules",
    "other_art46": "Other Article 46 safeguard",
    "legacy_sccs": "Legacy EU standard contractual clauses alone (not valid for UK transfers since 21 March 2024)",
    "art49_exception": "Article 49 exception",
    "art49_explicit_consent": "Article 49(1)(a) explicit consent",
    "art49_contract_with_subject": "Article 49(1)(b) performance of a contract with the individual",
    "art49_contract_for_subject": "Article 49(1)(c) contract in the interests of the individual",
    "art49_public_interest": "Article 49(1)(d) important reasons of public interest",
    "art49_legal_claims": "Article 49(1)(e) legal claims",
    "art49_vital_interests": "Article 49(1)(f) vital interests",
    "art49_public_register": "Article 49(1)(g) public register",
    "art49_compelling_interests": "Article 49(1) second subparagraph: compelling legitimate interests",
}
#: Column H words for a region whose members are all adequate; the reader maps them back (ropa.ico.places).
REGION_WORDS = {"eea": "EEA", "eu": "EU"}
#: Between the mechanism's words and the safeguards text in column I.
SAFEGUARDS_SEPARATOR = " \u2014 "
TRANSFER_STATUS = {
    "uk": "United Kingdom", "eea": "EEA (adequate)", "adequate": "Adequate (approved by regulations)",
    "adequate_partial": "Adequate for some recipients only",
    "third_country": "Third country (restricted transfer)",
}
#: How a code with no lawful-basis record is told apart: by its prefix.
KIND_PREFIXES = {"article_6": "6(", "article_9": "9(", "schedule_1": "Sch1"}
_PHONE = re.compile(r"^[+()\d][\d\s()+-]{6,}$")


def words(value: str | None) -> str:
    """An enum value as words: 'standards_met' → 'Standards met'."""
    return (value or "").replace("_", " ").capitalize()


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def unique(items: Iterable[str]) -> list[str]:
    """Non-empty items, first occurrence kept, order kept."""
    return list(dict.fromkeys(item for item in items if item))


def uk_date(value) -> str:
    """A date inside running text, as dd/mm/yyyy."""
    day = as_date(value)
    return day.strftime("%d/%m/%Y") if hasattr(day, "strftime") else (day or "")


def basis_codes(codes: Iterable[str], bases: dict[str, dict], kind: str) -> list[str]:
    """The codes of one kind (article_6, article_9, schedule_1) among an activity's bases, in its order."""
    def kind_of(code: str) -> str:
        record = bases.get(code)
        if record and record.get("kind"):
            return record["kind"]
        return next((k for k, prefix in KIND_PREFIXES.items() if code.startswith(prefix)), "")
    return [code for code in codes if kind_of(code) == kind]


def basis_labels(codes: Iterable[str], bases: dict[str, dict]) -> list[str]:
    """'6(1)(e) Public task' for each code; the code alone when it has no label."""
    labels = []
    for code in codes:
        label = (bases.get(code) or {}).get("label") or ""
        labels.append(f"{code} {label}" if label and label != code else code)
    return labels


def rights(article_6: list[str], override: str | None) -> list[str]:
    """Rights available to individuals: the override, or what the Art. 6 bases carry (UK GDPR Arts. 13-22)."""
    if override:
        return [override]
    letters = {code.removeprefix("6(1)") for code in article_6}
    found = ["Right to be informed", "Right of access", "Right to rectification"]
    if letters - {"(c)", "(e)"}:
        found.append("Right to erasure")  # not for legal obligation or public task
    found.append("Right to restrict processing")
    if letters & {"(a)", "(b)"}:
        found.append("Right to data portability (where processing is automated)")
    if letters & {"(e)", "(f)"}:
        found.append("Right to object")
    found.append("Right to complain to the ICO")
    if not letters:
        found.append("No Article 6 basis recorded, so erasure, portability and objection are not derived")
    return found


def retention(rule_name: str | None, rules: dict[str, dict]) -> list[str]:
    """A retention rule in words: period, trigger, exceptions and any legal hold."""
    if not rule_name:
        return []
    rule = rules.get(rule_name) or {}
    value, unit = rule.get("period_value"), rule.get("period_unit") or ""
    if value is not None and unit and value == 1:
        unit = unit.removesuffix("s")
    period = f"{value} {unit}".rstrip() if value is not None else ""
    trigger = rule.get("trigger") or ""
    lines = unique([rule_name, f"{period} from: {trigger}" if period and trigger else period or trigger])
    if rule.get("exceptions"):
        lines.append(f"Exceptions: {rule['exceptions']}")
    if rule.get("legal_hold"):
        lines.append(f"Legal hold: {rule['legal_hold']}")
    return lines


def contact_line(name: str, organisations: dict[str, dict]) -> str:
    """An organisation's name and contact details on one line."""
    org = organisations.get(name) or {}
    return "; ".join(unique([name, org.get("address", ""), org.get("email", ""), org.get("telephone", "")]))


def contact_rows(name: str | None, contact: str | None) -> list[str]:
    """Name / Address / Email / Telephone from a name and free-text contact details ('...; x@y.org')."""
    parts = [p.strip() for p in re.split(r"[;\n]", contact or "") if p.strip()]
    email = [p for p in parts if "@" in p]
    phone = [p for p in parts if "@" not in p and _PHONE.match(p)]
    address = [p for p in parts if p not in email and p not in phone]
    return [name or "", ", ".join(address), "; ".join(email), "; ".join(phone)]


def organisation_rows(org: dict) -> list[str]:
    return [org.get("name", ""), org.get("address", ""), org.get("email", ""), org.get("telephone", "")]


def destination(transfer: dict, countries: dict[str, dict]) -> str:
    """Where a transfer goes: the country's name, else the recorded words (never a guessed country)."""
    code = transfer.get("country")
    if code:
        return (countries.get(code) or {}).get("name") or code
    if region := REGION_WORDS.get(transfer.get("region") or ""):
        return region
    return transfer.get("destination") or "Country not recorded"


def mechanism_line(where: str, transfer: dict) -> str:
    """Column I for one transfer: 'India: International Data Transfer Agreement (IDTA) — <safeguards>'. The words
    are MECHANISMS' own, so reading the sheet back gives the same mechanism; the safeguards follow the separator."""
    words = MECHANISMS.get(transfer.get("mechanism") or "none_recorded", MECHANISMS["none_recorded"])
    safeguards = transfer.get("safeguards") or ""
    return f"{where}: {words}" + (f"{SAFEGUARDS_SEPARATOR}{safeguards}" if safeguards else "")


def contract(engagement: dict) -> str:
    """An engagement's contract: reference and link, or that none is recorded."""
    found = unique([engagement.get("contract_reference", ""), engagement.get("contract_url", "")])
    return " ".join(found) if found else "no contract recorded"


def serves(engagement: dict, service: str | None) -> bool:
    """An engagement with no services listed serves them all."""
    listed = engagement.get("services") or []
    return not listed or service in listed
