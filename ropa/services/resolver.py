"""Finds the row a written name refers to: exact key first, then the ways people write it."""

import re

import pycountry
import sqlalchemy as sa

from ropa.exchange.schema import BY_NAME
from ropa.extensions import db
from ropa.services.catalogue import MODELS, key_of

#: Entities too large to load whole; they are looked up by exact key, in batches.
LARGE = {"activities", "transfers", "disclosures"}
_ART = re.compile(r"^(?:art(?:icle)?\.?\s*)?(\d{1,2}\s*\(\s*\d\s*\)\s*\(\s*[a-z]{1,2}\s*\))", re.I)
_SCH = re.compile(r"^(?:dpa\s*(?:2018)?\s*)?sch(?:edule)?\.?\s*1\b.*?\bpara(?:graph)?\.?\s*(\d{1,2})\b", re.I)


def basis_code(text: str) -> str | None:
    """The code in text such as 'Art 6(1)(e) Public task' or 'Schedule 1 para 18 Safeguarding'."""
    if match := _ART.match(text.strip()):
        return re.sub(r"\s+", "", match.group(1)).lower()
    if match := _SCH.match(text.strip()):
        return f"Sch1 para {int(match.group(1))}"
    return None


class Resolver:
    """Name → row lookups for one import, including rows the import itself creates."""

    def __init__(self) -> None:
        self._exact: dict[str, dict[str, object]] = {}
        self._loose: dict[str, dict[str, object]] = {}

    def preload(self, entity_name: str, keys: set[str] | None = None) -> None:
        """Load a whole table, or for large ones just the rows named by keys."""
        entity, model = BY_NAME[entity_name], MODELS[entity_name]
        exact = self._exact.setdefault(entity_name, {})
        if entity_name not in LARGE:
            rows = db.session.scalars(sa.select(model)).all()
        else:
            column = getattr(model, entity.key[0])
            wanted = sorted(k for k in (keys or set()) if k not in exact)
            rows = [row for start in range(0, len(wanted), 500)
                    for row in db.session.scalars(sa.select(model).where(column.in_(wanted[start:start + 500])))]
        for row in rows:
            self.add(entity_name, row)

    def add(self, entity_name: str, row) -> None:
        key = key_of(BY_NAME[entity_name], row)
        self._exact.setdefault(entity_name, {})[key] = row
        loose = self._loose.setdefault(entity_name, {})
        for alias in self._aliases(entity_name, row, key):
            loose.setdefault(alias.casefold(), row)

    def get_exact(self, entity_name: str, key: str):
        """The row whose key is exactly this (an import never renames by case)."""
        return self._exact.get(entity_name, {}).get(key)

    def get(self, entity_name: str, text: str):
        """The row named by text, or None."""
        exact = self._exact.get(entity_name, {})
        if text in exact:
            return exact[text]
        loose = self._loose.get(entity_name, {})
        if entity_name == "lawful_bases" and (code := basis_code(text)):
            return loose.get(code.casefold())
        if entity_name == "countries":
            return loose.get(text.casefold()) or loose.get(_country_code(text))
        return loose.get(text.casefold())

    @staticmethod
    def _aliases(entity_name: str, row, key: str) -> list[str]:
        if entity_name == "countries":
            return [key, row.name]
        if entity_name == "lawful_bases":
            return [key, row.label, f"{row.code} {row.label}"]
        return [key]


def _country_code(text: str) -> str:
    aliases = {"usa": "US", "united states of america": "US", "uk": "GB", "great britain": "GB",
               "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB"}
    cleaned = re.sub(r"\s*\(.*?\)\s*$", "", text).strip()
    if cleaned.casefold() in aliases:
        return aliases[cleaned.casefold()].casefold()
    try:
        return pycountry.countries.lookup(cleaned).alpha_2.casefold()
    except LookupError:
        return "\0"
