"""The checks' engine: the rule catalogue, findings, and the context every rule reads.

A rule is a function decorated with ``rule``; it yields (entity type, reference, name, message) and the catalogue
supplies the ID, severity, title, fix and citation. The families of rules import this module; it imports none of them.

Severity is a claim about the law (the README's severity policy):
- ERROR: the register shows a legal duty unmet (a restricted transfer with no mechanism, an Art. 46 safeguard without
  a transfer risk assessment, special category data with no Art. 9 condition, a Schedule 1 condition that needs an
  appropriate policy document without one, a processor without an Art. 28 contract);
- WARNING: something the law asks to be recorded (Art. 30, DPA 2018 Sch. 1 para 41) is missing;
- INFO, shown as "Note": good practice (DSPT evidence, reviews, housekeeping).
"""

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum

import networkx as nx

from ropa.graph import Route, role_conflicts, transfers_out_of_uk

ART46 = {"idta", "uk_addendum", "bcr", "other_art46"}
#: Destinations a transfer mechanism has to cover: not adequate, or adequate only for some recipients.
NOT_ADEQUATE = ("third_country", "unknown", "adequate_partial")
CONSENT = {"6(1)(a)", "9(2)(a)", "Sch1 para 29"}
EXPIRY_WARNING_DAYS = 90
REVIEW_MONTHS = 12


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    title: str
    entity_type: str
    entity_ref: str
    entity_name: str
    message: str
    fix: str
    citation: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Context:
    """The register, its graph and indexes the rules share; built once per run."""

    register: dict[str, list[dict]]
    graph: nx.MultiDiGraph
    today: date
    routes: list[Route] = field(init=False)

    def __post_init__(self) -> None:
        r = self.register
        self.activities = [a for a in r.get("activities", []) if a.get("status") != "retired"]
        # As processor, the lawful basis, retention and DPIA are the controller's decisions (Art. 30(2)).
        self.controlled = [a for a in self.activities if a.get("our_role") != "processor"]
        self.bases = {b["code"]: b for b in r.get("lawful_bases", [])}
        self.data_kinds = {c["name"]: c.get("kind") or "personal" for c in r.get("data_categories", [])}
        self.organisations = {o["name"]: o for o in r.get("organisations", [])}
        self.us = next((o for o in r.get("organisations", []) if o.get("is_self")), None)
        live = {a["reference"] for a in self.activities}
        self.routes = [r for r in transfers_out_of_uk(self.graph) if r.activity in live]
        self.transfers = [t for t in r.get("transfers", []) if t["activity"] in live]
        self.role_conflicts = role_conflicts(self.graph)
        self.restricted_activities = {r.activity for r in self.routes
                                      if r.transfer_status in ("third_country", "unknown")}

    def kinds_of(self, activity: dict) -> set[str]:
        return {self.data_kinds.get(c, "personal") for c in activity.get("data_categories", [])}

    def codes(self, activity: dict, prefix: str) -> list[str]:
        return [c for c in activity.get("lawful_bases", []) if c.startswith(prefix)]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    fix: str
    check: Callable[[Context], Iterable[tuple[str, str, str, str]]]
    #: The provision the rule enforces (article, section, paragraph), shown beside every finding.
    citation: str = ""


CATALOGUE: list[Rule] = []


def rule(rule_id: str, severity: Severity, title: str, fix: str, citation: str) -> Callable:
    """Register a check: the function yields (entity type, reference, name, message) for each entity it flags."""
    def register(check: Callable) -> Callable:
        CATALOGUE.append(Rule(rule_id, severity, title, fix, check, citation))
        return check
    return register


def citation_of(rule_id: str) -> str:
    """The citation of a rule by its ID ('' for an ID the catalogue no longer has, e.g. in an old stored finding)."""
    return next((r.citation for r in CATALOGUE if r.id == rule_id), "")


def _act(activity: dict, message: str) -> tuple[str, str, str, str]:
    return "activity", activity["reference"], activity["name"], message


def _route_text(route: Route) -> str:
    via = f" through {' → '.join(route.via)}" if route.via else ""
    return f"{route.activity} {route.activity_name}{via} to {route.destination_label}"


def _route_entity(route: Route) -> tuple[str, str, str]:
    if route.transfer:
        return "transfer", route.transfer, f"{route.activity_name} → {route.destination_label}"
    return "activity", route.activity, route.activity_name
