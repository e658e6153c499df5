"""Column H of the ICO template as DPOs write it: countries by name, ISO code or alias, several per cell, notes in
brackets, regions that mean a set of adequate destinations, and words that say the country is not known.

Pure text → result functions, cached per distinct cell text: a 100,000-row sheet repeats a few dozen cells.
"""

import csv
import difflib
import re
from dataclasses import dataclass
from functools import cache, lru_cache

import pycountry

from ropa.config import DATA_DIR
from ropa.ico.columns import BLANK_MARKERS, normalise

#: Names people write for a country that neither ISO nor the register spells that way.
ALIASES = {
    "usa": "US", "us": "US", "u s": "US", "u s a": "US", "united states": "US", "united states of america": "US",
    "america": "US", "republic of ireland": "IE", "eire": "IE", "ireland": "IE", "south korea": "KR",
    "korea": "KR", "republic of korea": "KR", "north korea": "KP", "holland": "NL", "the netherlands": "NL",
    "netherlands": "NL", "russia": "RU", "czech republic": "CZ", "czechia": "CZ", "turkey": "TR", "turkiye": "TR",
    "vietnam": "VN", "taiwan": "TW", "iran": "IR", "syria": "SY", "laos": "LA", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "uae": "AE", "hong kong": "HK", "macau": "MO",
    "ivory coast": "CI", "swaziland": "SZ", "burma": "MM", "cape verde": "CV", "vatican": "VA",
    "isle of man": "IM", "jersey": "JE", "guernsey": "GG", "channel islands": "JE", "the usa": "US",
    "the us": "US", "the united states": "US",
}
#: What means the UK itself, or that nothing leaves it: no transfer.
UK_ONLY = BLANK_MARKERS | {"uk", "u k", "uk only", "united kingdom", "united kingdom only", "great britain", "gb",
                           "gbr", "britain", "england", "scotland", "wales", "northern ireland", "no transfer",
                           "no transfers", "none known", "none uk only", "no international transfers",
                           "not transferred", "n a uk only", "uk based", "within the uk"}
#: Regions whose members are all adequate (UK adequacy regulations cover the EEA and EU).
REGIONS = {"eea": "eea", "e e a": "eea", "european economic area": "eea", "eu eea": "eea", "eea eu": "eea",
           "the eea": "eea", "eu": "eu", "e u": "eu", "european union": "eu", "the eu": "eu",
           "eu member states": "eu", "eea countries": "eea", "eu countries": "eu", "europe eea": "eea"}
#: Words that say data leave the UK to a place not named: restricted, country unknown.
UNKNOWN = {"worldwide", "world wide", "global", "globally", "international", "outside the uk", "outside uk",
           "outside the uk and eea", "outside the uk and the eea", "outside uk and eea", "outside the eea",
           "outside eea", "outside the uk eea", "outside the uk or eea", "not stated", "unknown", "not known",
           "various", "various countries", "multiple countries", "rest of the world", "third countries",
           "tbc", "to be confirmed"}
_HARD = re.compile(r"\s*[\n;/,+]\s*")
_LINES = re.compile(r"\s*[\n;]\s*")  # the strongest of them: a name never holds one
_SOFT = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
_BRACKET = re.compile(r"^(?P<place>[^()]*?)\s*\((?P<note>[^()]*)\)\s*[.]?$")


@dataclass(frozen=True)
class Place:
    """One destination read from column H: a country code, a region, or words (restricted, country unknown).

    note holds bracketed text beside the country ('Microsoft Azure, East US'); unknown is the entry that named
    no country ropa knows, with suggestions, for the reader to report at the cell.
    """

    text: str
    country: str = ""
    region: str = ""
    destination: str = ""
    note: str = ""
    unknown: str = ""
    suggestions: tuple[str, ...] = ()


@cache
def _register_countries() -> dict[str, str]:
    """Normalised name → code from the register's shipped data/countries.csv (its spellings are what DPOs see)."""
    names: dict[str, str] = {}
    try:
        with open(DATA_DIR / "countries.csv", encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                names[normalise(row["name"])] = row["code"]
    except OSError:
        pass
    return names


@cache
def _names() -> dict[str, str]:
    """Every normalised name and code ropa knows → the ISO alpha-2 code."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            if value := getattr(country, attribute, None):
                names.setdefault(normalise(value), country.alpha_2)
        names.setdefault(country.alpha_2.casefold(), country.alpha_2)
        names.setdefault(country.alpha_3.casefold(), country.alpha_2)
    names.update(_register_countries())
    names.update(ALIASES)
    return names


@cache
def _display_names() -> dict[str, str]:
    """Normalised → shown name, for suggestions: the register's spelling, then ISO names and aliases."""
    shown = {normalise(c.name): c.name for c in pycountry.countries}
    shown.update({normalise(getattr(c, "common_name", "") or c.name): getattr(c, "common_name", "") or c.name
                  for c in pycountry.countries})
    try:
        with open(DATA_DIR / "countries.csv", encoding="utf-8-sig", newline="") as handle:
            shown.update({normalise(row["name"]): row["name"] for row in csv.DictReader(handle)})
    except OSError:
        pass
    for alias in ALIASES:
        if len(alias) > 3:
            shown.setdefault(alias, alias.title())
    return shown


def country_code(text: str) -> str:
    """The ISO alpha-2 code text names ('USA', 'FRA', 'Holland', 'France'), or ''. Two-letter codes are only read
    in capitals, so 'no' stays a word."""
    key = normalise(text)
    if len(key) <= 3 and text.strip() != text.strip().upper():
        return ALIASES.get(key, "") if key in ALIASES and len(key) > 2 else ""
    return _names().get(key, "")


def suggestions(text: str) -> tuple[str, ...]:
    """The country names nearest to a misspelling ('Germny' → Germany)."""
    shown = _display_names()
    near = difflib.get_close_matches(normalise(text), list(shown), n=3, cutoff=0.75)
    return tuple(dict.fromkeys(shown[n] for n in near))


def unknown_country_message(text: str, near: tuple[str, ...]) -> str:
    """The located message for a column H entry that names nothing ropa knows."""
    message = f"{text!r} is not a country ropa knows"
    if near:
        message += " — did you mean " + (near[0] if len(near) == 1 else ", ".join(near[:-1]) + " or " + near[-1]) + "?"
    return message


def _entries(text: str) -> list[str]:
    """Entries of a cell, split at separators outside brackets ('USA (Azure, East US); France and Spain'); 'and'
    splits only where the whole is not one name ('Bosnia and Herzegovina', 'outside the UK and EEA')."""
    entries = []
    for line in _split_outside_brackets(text, _LINES):
        # one name holding a separator ('Korea, Republic of', 'Bonaire, Sint Eustatius and Saba')
        if country_code(line) or country_code(_BRACKET.sub(r"\g<place>", line)):
            entries.append(line)
            continue
        for part in _split_outside_brackets(line, _HARD):
            if _whole(part) is not None or country_code(_BRACKET.sub(r"\g<place>", part)):
                entries.append(part)
            else:
                entries += _split_outside_brackets(part, _SOFT)
    return [e for e in entries if e]


def _split_outside_brackets(text: str, separator: re.Pattern) -> list[str]:
    masked = re.sub(r"\([^()]*\)", lambda m: "\0" * len(m.group()), text)  # same length: positions align
    parts, start = [], 0
    for match in separator.finditer(masked):
        parts.append(text[start:match.start()])
        start = match.end()
    parts.append(text[start:])
    return [p.strip().strip(".").strip() for p in parts]


def _whole(text: str) -> tuple[Place, ...] | None:
    """A cell that is one phrase as a whole ('Outside the UK and EEA', 'EU/EEA', 'None (UK only)')."""
    key = normalise(text)
    bare = normalise(re.sub(r"\s*\(.*?\)\s*$", "", text))
    if key in UK_ONLY or bare in UK_ONLY:
        return ()
    if key in REGIONS:
        return (Place(text, region=REGIONS[key]),)
    if key in UNKNOWN or bare in UNKNOWN:
        return (Place(text, destination=text),)
    return None


def _place(entry: str) -> Place | None:
    """One entry: a country (with any bracketed note), a region, unknown words, or an unknown name. None: UK."""
    if code := country_code(entry):  # a name with brackets of its own ('Holy See (Vatican City State)')
        return Place(entry, country=code) if code != "GB" else None
    match = _BRACKET.match(entry)
    place, note = (match["place"], match["note"].strip()) if match and match["place"] else (entry, "")
    key = normalise(place)
    if key in UK_ONLY and not note:
        return None
    if key in REGIONS:
        return Place(entry, region=REGIONS[key], note=note)
    if key in UNKNOWN:
        return Place(entry, destination=entry)
    if code := country_code(place):
        return Place(entry, country=code, note=note) if code != "GB" else None
    return Place(entry, unknown=place.strip(), suggestions=suggestions(place))


@lru_cache(maxsize=4096)
def read_places(text: str) -> tuple[Place, ...]:
    """Every destination a column H cell names, each once, in order; () for none or the UK only."""
    if not text.strip():
        return ()
    whole = _whole(text)
    if whole is not None:
        return whole
    found: dict[tuple, Place] = {}
    for entry in _entries(text):
        place = _place(entry)
        if place is not None:
            found.setdefault((place.country, place.region, place.destination.casefold(), place.unknown), place)
    return tuple(found.values())
