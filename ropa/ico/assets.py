"""The information asset register sheet (DSPT 1.1.2 columns): one row per system, with what its activities say.

A system's row needs facts from every activity that uses it, but the systems are written after the activities
have been read (once). Rather than hold those facts in memory, which would grow with the register,
``SystemUsage`` keeps them in a private temporary SQLite file until then, as XlsxWriter keeps finished rows.
"""

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ropa.ico.index import Capped, Contracts, Lookups, Transfers
from ropa.ico.text import basis_codes, basis_labels, unique
from ropa.ico.xlsx import Sheet

ASSET_HEADINGS = (
    ("Information asset (system)", 26), ("Description", 36), ("Processing activities using it", 36),
    ("Purpose(s) of processing", 40), ("Legal basis (Article 6 and Article 9)", 28),
    ("Categories of data subject", 24), ("Categories of personal data", 26), ("Categories of recipients", 30),
    ("Where it is held", 24), ("Transferred overseas", 28),
    ("Retained and disposed of in line with policy (if not, why not)", 26),
    ("Contract with the supplier (and when it ends)", 30), ("Sensitive information held, and why", 32),
    ("Software", 20), ("Supplier", 22), ("Information asset owner", 20),
    ("Impact of loss, compromise or disclosure", 28), ("Support and maintenance", 24),
)
SENSITIVE = {"special": "special category", "criminal": "criminal offence data"}
_LISTS = ("bases", "subjects", "categories", "recipients")
_SEP = "\x1f"  # joins a list inside one column; no register name contains the unit separator
_BATCH = 1000


class Usage:
    """What the live activities using one system say about it, each list cut at ico_index.LIMIT."""

    def __init__(self) -> None:
        self.activities, self.purposes, self.reasons = Capped(), Capped(), Capped()
        self.bases, self.subjects, self.categories, self.recipients = Capped(), Capped(), Capped(), Capped()
        self.compliant: set[bool | None] = set()


class SystemUsage:
    """Activity facts per system, kept on disk (SQLite's private temporary database) between the two passes."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("")  # "" = a temporary on-disk database, deleted when closed
        self.db.execute("CREATE TABLE link (system TEXT, label TEXT, purpose TEXT, bases TEXT, subjects TEXT, "
                        "categories TEXT, recipients TEXT, compliant INTEGER, reason TEXT)")
        self.pending: list[tuple] = []

    def add(self, activity: dict) -> None:
        """Note a live activity against each system it uses."""
        label = f"{activity.get('reference') or ''} {activity.get('name') or ''}".strip()
        lists = [_SEP.join(activity.get(f) or [])
                 for f in ("lawful_bases", "data_subjects", "data_categories", "recipients")]
        retention = activity.get("retention_compliant"), activity.get("retention_noncompliance_reason")
        for system in activity.get("systems") or []:
            self.pending.append((system, label, activity.get("purpose") or "", *lists, *retention))
        if len(self.pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO link VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self.pending)
        self.pending.clear()

    def ready(self) -> None:
        """All activities seen: index the links by system."""
        self._flush()
        self.db.execute("CREATE INDEX link_system ON link (system)")

    def of(self, system: str) -> Usage | None:
        """The usage of one system, read back a row at a time; None if no live activity uses it."""
        rows: Iterator[tuple] = self.db.execute("SELECT label, purpose, bases, subjects, categories, recipients, "
                                                "compliant, reason FROM link WHERE system = ? ORDER BY rowid",
                                                (system,))
        usage = None
        for label, purpose, *lists, compliant, reason in rows:
            usage = usage or Usage()
            usage.activities.add([label])
            usage.purposes.add([purpose])
            for name, joined in zip(_LISTS, lists):
                getattr(usage, name).add(joined.split(_SEP) if joined else [])
            usage.compliant.add(None if compliant is None else bool(compliant))
            usage.reasons.add([reason or ""])
        return usage

    def close(self) -> None:
        self.db.close()


@dataclass(frozen=True)
class AssetSources:
    """What the information asset register draws on besides the system records."""

    lookups: Lookups
    contracts: Contracts
    moves: Transfers
    usage: SystemUsage
    activities_by_system: dict[str, list[str]] | None = None


def write_assets(sheet: Sheet, systems: Iterable[dict], sources: AssetSources) -> None:
    """One row per system in the DSPT 1.1.2 columns; a fact the register does not hold is left blank."""
    sheet.line(["Information assets: systems and what they hold (DSPT 1.1.2 register columns)"],
               sheet.styles.title)
    sheet.header(ASSET_HEADINGS)
    sources.usage.ready()
    for system in systems:
        sheet.data(asset_row(system, sources))
    sheet.finish()


def asset_row(system: dict, sources: AssetSources) -> list:
    name, lookups = system.get("name") or "", sources.lookups
    usage = sources.usage.of(name) or Usage()
    codes = list(usage.bases.items)
    listed = sources.activities_by_system
    return [
        name, system.get("description"),
        listed.get(name, []) if listed is not None else usage.activities.lines(),
        usage.purposes.lines(),
        basis_labels([*basis_codes(codes, lookups.bases, "article_6"),
                      *basis_codes(codes, lookups.bases, "article_9")], lookups.bases),
        usage.subjects.lines(), usage.categories.lines(), usage.recipients.lines(),
        unique([lookups.country(system.get("hosting_country")), system.get("location") or ""]),
        _overseas(system, sources), _retained(usage),
        sources.contracts.of_supplier(system.get("supplier")), _sensitive(usage, lookups),
        system.get("software"), system.get("supplier"), system.get("owner"), system.get("impact_of_loss"),
        system.get("support_arrangements"),
    ]


def _overseas(system: dict, sources: AssetSources) -> list[str]:
    """'Yes' with the routes out of the UK, 'None recorded' if hosted in the UK with none, blank if unknown."""
    routes = sources.moves.routes_of_system(system.get("name") or "")
    host = sources.lookups.countries.get(system.get("hosting_country") or "")
    if host and host.get("transfer_status") != "uk":
        routes.insert(0, f"Hosted in {host.get('name') or system['hosting_country']}")
    if routes:
        return ["Yes", *routes]
    return ["None recorded"] if host else []


def _retained(usage: Usage) -> list[str]:
    answers = usage.compliant
    if False in answers:
        return ["No", *usage.reasons.lines()]
    if answers == {True}:
        return ["Yes"]
    return ["Yes for some activities; not recorded for others"] if True in answers else []


def _sensitive(usage: Usage, lookups: Lookups) -> list[str]:
    """Special category and criminal offence data held (when the categories' kinds are known), and the Art. 9
    conditions relied on as the reason."""
    kinds = {name: (lookups.data_categories.get(name) or {}).get("kind") for name in usage.categories.items}
    held = [f"{name} ({SENSITIVE[kind]})" for name, kind in kinds.items() if kind in SENSITIVE]
    conditions = basis_labels(basis_codes(list(usage.bases.items), lookups.bases, "article_9"), lookups.bases)
    return [*held, *(["Why: " + "; ".join(conditions)] if conditions else [])]
