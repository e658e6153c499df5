"""The compliance checks: a catalogue of rules with stable IDs, each finding naming the entity and the fix.

Pure: rules read the register in dump form and its graph (``ropa.graph``); no Flask, no database. Adding a rule is
adding one decorated function here — it yields (entity type, reference, name, message) and the catalogue supplies the
ID, severity, title and fix.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum

import networkx as nx

from ropa.gc_pause import paused_gc
from ropa.graph import Route, build_graph, role_conflicts, transfers_out_of_uk

ART46 = {"idta", "uk_addendum", "bcr", "other_art46"}
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


CATALOGUE: list[Rule] = []


def rule(rule_id: str, severity: Severity, title: str, fix: str) -> Callable:
    """Register a check: the function yields (entity type, reference, name, message) for each entity it flags."""
    def register(check: Callable) -> Callable:
        CATALOGUE.append(Rule(rule_id, severity, title, fix, check))
        return check
    return register


def run_checks(register: dict[str, list[dict]], graph: nx.MultiDiGraph | None = None,
               today: date | None = None) -> list[Finding]:
    """Every finding of every rule, errors first."""
    with paused_gc():
        context = Context(register, graph if graph is not None else build_graph(register), today or date.today())
        findings: list[Finding] = []
        # Errors first, then by rule and entity: each rule's findings are sorted on their own (a few hundred
        # thousand findings at 100k activities sort faster as many short lists than as one long one).
        for r in sorted(CATALOGUE, key=lambda r: (RANK[r.severity], r.id)):
            rule_id, severity, title, fix = r.id, r.severity.value, r.title, r.fix
            found = [Finding(rule_id, severity, title, kind, ref, name, message, fix)
                     for kind, ref, name, message in r.check(context)]
            findings += sorted(found, key=lambda f: f.entity_ref)
        return findings


def _act(activity: dict, message: str) -> tuple[str, str, str, str]:
    return "activity", activity["reference"], activity["name"], message


def _route_text(route: Route) -> str:
    via = f" through {' → '.join(route.via)}" if route.via else ""
    return f"{route.activity} {route.activity_name}{via} to {route.destination_label}"


def _route_entity(route: Route) -> tuple[str, str, str]:
    if route.transfer:
        return "transfer", route.transfer, f"{route.activity_name} → {route.destination_label}"
    return "activity", route.activity, route.activity_name


# --- International transfers (UK GDPR Chapter V) ----------------------------------------------------------------

@rule("T01", Severity.ERROR, "Restricted transfer without a transfer mechanism",
      "Record the mechanism (adequacy, UK-US data bridge, IDTA, UK Addendum, BCR or an Art. 49 exception) on a "
      "transfer for this route, or stop the transfer.")
def _transfer_without_mechanism(c: Context) -> Iterator:
    for route in c.routes:
        restricted = route.transfer_status in ("third_country", "unknown")
        adequacy_claimed = route.mechanism in ("adequacy", "uk_us_data_bridge")
        if restricted and (route.mechanism == "none_recorded" or adequacy_claimed):
            recorded = ("no transfer mechanism and no transfer risk assessment are recorded" if route.transfer
                        else "no transfer is recorded for it")
            if adequacy_claimed:
                recorded = (f"it is recorded as {route.mechanism.replace('_', ' ')}, which does not cover "
                            f"{route.destination_label}")
            what = "Personal data"
            if route.special_categories:
                what = f"Special category data ({', '.join(route.special_categories)})"
            about = f" about {', '.join(route.subjects).lower()}" if route.subjects else ""
            yield *_route_entity(route), f"{what}{about} goes from {_route_text(route)}; {recorded}."


@rule("T02", Severity.ERROR, "Art. 46 safeguard without a transfer risk assessment",
      "Carry out and record the transfer risk assessment (date, outcome, link) for this transfer.")
def _art46_without_tra(c: Context) -> Iterator:
    for route in c.routes:
        if route.mechanism in ART46 and not route.tra_date:
            yield *_route_entity(route), f"{_route_text(route)} relies on {route.mechanism} with no TRA on record."


@rule("T03", Severity.ERROR, "Transfer relies on the old EU standard contractual clauses alone",
      "Since 21 March 2024 old EU SCCs alone are not valid for UK transfers: put the IDTA or the UK Addendum in place.")
def _legacy_sccs(c: Context) -> Iterator:
    for route in c.routes:
        if route.mechanism == "legacy_sccs":
            yield *_route_entity(route), f"{_route_text(route)} relies on legacy EU SCCs."


@rule("T04", Severity.ERROR, "Transfer to a partially adequate country without the certification or a safeguard",
      "For the USA, record the recipient's UK-US data bridge certification and the date it was checked, or put an "
      "IDTA or UK Addendum in place; elsewhere confirm the recipient is within the adequacy decision's scope.")
def _partial_adequacy(c: Context) -> Iterator:
    for route in c.routes:
        if route.transfer_status != "adequate_partial" or route.mechanism in ART46 | {"art49_exception"}:
            continue
        if not (route.mechanism in ("uk_us_data_bridge", "adequacy") and route.certification):
            yield *_route_entity(route), (f"{_route_text(route)}: adequacy covers only some recipients there and "
                                          "no certification or safeguard is recorded.")


@rule("T05", Severity.WARNING, "Special category data leaves the UK",
      "Check the route, its mechanism and TRA, and that the privacy notice tells people about it.")
def _special_abroad(c: Context) -> Iterator:
    for route in c.routes:
        if route.special_categories:  # always listed for the DPO's attention, EEA included
            yield *_route_entity(route), (f"{', '.join(route.special_categories)} goes from {_route_text(route)} "
                                          f"({route.transfer_status.replace('_', ' ')}).")


@rule("T06", Severity.WARNING, "Destination country not known",
      "Ask the organisation where it processes or accesses the data and record the country.")
def _unknown_destination(c: Context) -> Iterator:
    for route in c.routes:
        if route.transfer_status == "unknown":
            yield *_route_entity(route), f"{_route_text(route)}: the country is not recorded."


@rule("T07", Severity.WARNING, "Art. 49 exception without documented safeguards",
      "Document the exception relied on and, for compelling legitimate interests, the safeguards (ICO column I).")
def _art49_undocumented(c: Context) -> Iterator:
    for t in c.transfers:
        if t.get("mechanism") == "art49_exception" and not t.get("safeguards"):
            yield "transfer", t["reference"], t.get("destination") or t.get("country") or "", \
                f"Transfer {t['reference']} of {t['activity']} relies on an Art. 49 exception with nothing documented."


# The other rules register themselves on import; kept in their own module to keep each file readable.
from ropa import rules  # noqa: E402,F401
