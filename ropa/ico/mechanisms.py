"""Column I of the ICO template as DPOs write it: the transfer mechanism named in the text, mapped to the register's
vocabulary (ropa.enums.TransferMechanism), and a transfer risk assessment date if one is stated.

Pure text → result functions, cached per distinct cell text.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ropa.ico.columns import BLANK_MARKERS, normalise
from ropa.ico.text import MECHANISMS, SAFEGUARDS_SEPARATOR

_OWN_WORDS = {normalise(words): value for value, words in MECHANISMS.items()}

#: Art. 49(1) points by letter, and the value each maps to.
ART49_POINTS = {"a": "art49_explicit_consent", "b": "art49_contract_with_subject", "c": "art49_contract_for_subject",
                "d": "art49_public_interest", "e": "art49_legal_claims", "f": "art49_vital_interests",
                "g": "art49_public_register"}
_POINT = re.compile(r"(?:art(?:icle)?\.?\s*)?49\s*(?:\(\s*1\s*\)|\.\s*1\s*\.?)\s*(?:\(\s*(?P<l1>[a-g])\s*\)|"
                    r"(?P<l2>[a-g])\b)", re.IGNORECASE)
_SECOND = re.compile(r"(?:art(?:icle)?\.?\s*)?49\s*\(\s*1\s*\)\s*(?:second|2nd)\s+sub-?paragraph", re.IGNORECASE)
#: Phrases in the order they are tried: the most specific first ("SCCs + UK Addendum" is the Addendum).
PHRASES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (value, re.compile(pattern, re.IGNORECASE)) for value, pattern in (
    ("art49_compelling_interests", r"compelling legitimate interests?|second sub-?paragraph"),
    ("uk_addendum", r"\baddendum\b"),
    ("idta", r"\bidta\b|international data transfer agreement"),
    ("uk_us_data_bridge", r"data bridge|data privacy framework|\bdpf\b|uk extension"),
    ("bcr", r"\bbcrs?\b|binding corporate rules?"),
    ("legacy_sccs", r"\bsccs?\b|standard contractual clauses?|model clauses?|standard data protection clauses"),
    ("art49_explicit_consent", r"explicit(?:ly)? consent"),
    ("art49_contract_for_subject", (r"(?:contract|agreement)s? (?:concluded )?in the interests? of the "
                                    r"(?:data )?subject|for the benefit of the (?:data )?subject")),
    ("art49_contract_with_subject", r"performance of (?:a|the) contract|necessary for (?:a|the) contract"),
    ("art49_public_interest", r"important reasons? of public interest"),
    ("art49_legal_claims", r"legal claims?"),
    ("art49_vital_interests", r"vital interests?"),
    ("art49_public_register", r"public register"),
    ("adequacy", r"adequa(?:cy|te)"),
    ("other_art46", r"\bart(?:icle)?\.?\s*46\b|codes? of conduct|certification"),
    ("art49_exception", r"\bart(?:icle)?\.?\s*49\b|\bderogations?\b|\bexceptions?\b"),
))
_TRA = re.compile(r"\b(?:tra|transfer risk assessment|transfer impact assessment|tia)\b", re.IGNORECASE)
_DAY = re.compile(r"\b(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})\b")
_MONTH = re.compile(r"\b(?P<m>\d{1,2})[/.-](?P<y>\d{4})\b")
_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")


@dataclass(frozen=True)
class Mechanism:
    """What column I says: the mechanism, whether it was recognised, a TRA date and TRA text that had no clear date."""

    value: str
    recognised: bool
    tra_date: date | None = None
    tra_text: str = ""
    #: The safeguards text, where it can be told apart from the mechanism's words (ropa's own export); else None.
    safeguards: str | None = None


def _date(text: str) -> date | None:
    """A TRA date in the text, read only when unambiguous: dd/mm/yyyy, yyyy-mm-dd, or mm/yyyy (its first day)."""
    matches = [(int(m["y"]), int(m["m"]), int(m["d"])) for m in _ISO.finditer(text)]
    matches += [(int(m["y"]), int(m["m"]), int(m["d"])) for m in _DAY.finditer(text)]
    if not matches:
        matches = [(int(m["y"]), int(m["m"]), 1) for m in _MONTH.finditer(text)]
    if len(set(matches)) != 1:
        return None
    try:
        return date(*matches[0])
    except ValueError:
        return None


def mechanism_value(text: str) -> str:
    """The vocabulary value text names, or '' when it names none."""
    if point := _POINT.search(text):
        return ART49_POINTS[(point["l1"] or point["l2"]).lower()]
    if _SECOND.search(text):
        return "art49_compelling_interests"
    for value, pattern in PHRASES:
        if pattern.search(text):
            return value
    return ""


@lru_cache(maxsize=4096)
def read_mechanism(text: str) -> Mechanism:
    """Column I read: blank → none_recorded; words naming no mechanism → none_recorded, not recognised; ropa's own
    words (ropa.ico.text.MECHANISMS) exactly, with safeguards after the separator."""
    if normalise(text) in BLANK_MARKERS:
        return Mechanism("none_recorded", True)
    head, _, safeguards = text.partition(SAFEGUARDS_SEPARATOR.strip())
    if value := _OWN_WORDS.get(normalise(head)):
        return Mechanism(value, True, safeguards=safeguards.strip())
    value = mechanism_value(text)
    tra_date, tra_text = None, ""
    if _TRA.search(text):
        tra_date = _date(text)
        tra_text = "" if tra_date else text
    return Mechanism(value or "none_recorded", bool(value), tra_date, tra_text)
