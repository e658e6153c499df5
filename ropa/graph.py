"""The register as a graph: who processes what about whom, where it is held and where in the world it goes.

Pure: plain records in (the dump form of ``ropa.services.register.dump_register`` — a dict of entity name to list
of dicts), a networkx ``MultiDiGraph`` out. No Flask and no database session, so the graph, its queries and the
checks run the same on a live register, a snapshot or a JSON file.

Node ids are ``kind:key`` — ``org:``, ``service:``, ``activity:``, ``subject:``, ``category:``, ``recipient:``,
``system:``, ``country:``. A destination the register names only in words (the seed's "outside the UK and EEA")
becomes an ``unknown-country:`` node, so it is never mistaken for an adequate one.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from ropa.gc_pause import paused_gc

RESTRICTED = {"third_country", "adequate_partial", "unknown"}
ADEQUATE = {"uk", "eea", "adequate"}
SPECIAL_KINDS = {"special", "criminal"}


def node(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def build_graph(register: dict[str, list[dict]]) -> nx.MultiDiGraph:
    """Build the graph of a register given in dump form."""
    with paused_gc():
        return _build(register)


def _build(register: dict[str, list[dict]]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    edges: list[tuple[str, str, dict]] = []

    def add(u: str, v: str, **attrs) -> None:
        edges.append((u, v, attrs))

    countries = {c["code"]: c for c in register.get("countries", [])}
    us = next((o["name"] for o in register.get("organisations", []) if o.get("is_self")), None)
    g.graph["us"] = node("org", us) if us else None

    def country(code: str | None) -> str | None:
        if not code:
            return None
        info = countries.get(code, {})
        g.add_node(node("country", code), kind="country", label=info.get("name", code), code=code,
                   transfer_status=info.get("transfer_status", "third_country"),
                   adequacy_scope=info.get("adequacy_scope", ""))
        return node("country", code)

    def unknown_country(words: str) -> str:
        key = node("unknown-country", words or "not stated")
        g.add_node(key, kind="country", label=words or "Destination not stated", code="",
                   transfer_status="unknown", adequacy_scope="")
        return key

    for o in register.get("organisations", []):
        g.add_node(node("org", o["name"]), kind="organisation", label=o["name"], org_kind=o.get("kind"),
                   is_self=bool(o.get("is_self")), is_public_authority=o.get("is_public_authority"),
                   dspt_status=o.get("dspt_status") or "unknown", country=o.get("country"))
        if where := country(o.get("country")):
            add(node("org", o["name"]), where, kind="located_in", basis="registered")
    for c in register.get("data_categories", []):
        g.add_node(node("category", c["name"]), kind="category", label=c["name"], data_kind=c.get("kind") or "personal")
    for s in register.get("subject_categories", []):
        g.add_node(node("subject", s["name"]), kind="subject", label=s["name"])
    for s in register.get("services", []):
        g.add_node(node("service", s["name"]), kind="service", label=s["name"])
        if s.get("provider"):
            add(node("service", s["name"]), node("org", s["provider"]), kind="provided_by")
        for partner in s.get("partners", []):
            add(node("org", partner), node("service", s["name"]), kind="partner_in")
    for s in register.get("systems", []):
        g.add_node(node("system", s["name"]), kind="system", label=s["name"], hosting_country=s.get("hosting_country"),
                   location=s.get("location", ""))
        if s.get("supplier"):
            add(node("system", s["name"]), node("org", s["supplier"]), kind="supplied_by")
        if where := country(s.get("hosting_country")):
            add(node("system", s["name"]), where, kind="located_in", basis="hosting")
    for h in register.get("legal_holds", []):
        g.add_node(node("hold", h["name"]), kind="legal_hold", label=h["name"])
        if h.get("imposed_by"):
            add(node("org", h["imposed_by"]), node("hold", h["name"]), kind="imposes")
    for r in register.get("recipients", []):
        g.add_node(node("recipient", r["name"]), kind="recipient", label=r["name"], recipient_kind=r.get("kind"))
        if r.get("organisation"):
            add(node("recipient", r["name"]), node("org", r["organisation"]), kind="is_organisation")
    for e in register.get("engagements", []):
        processor = node("org", e["processor"])
        for sub in e.get("sub_processors", []):
            add(processor, node("org", sub), kind="engages", engagement=e["reference"])
        for code in e.get("countries", []):
            add(processor, country(code), kind="located_in", basis="processing", engagement=e["reference"])
        if not e.get("countries") and e.get("processing_location"):
            add(processor, unknown_country(e["processing_location"]), kind="located_in", basis="processing",
                       engagement=e["reference"])
        for service in e.get("services", []):
            add(processor, node("service", service), kind="contracted_for", engagement=e["reference"])
    _add_activities(g, add, register, us, country, unknown_country)
    _add_edges(g, edges)
    g.graph["_index"] = (id(g), *_index_of(edges))
    return g


def _add_edges(g: nx.MultiDiGraph, edges: list[tuple[str, str, dict]]) -> None:
    """Add edges straight into networkx's adjacency dicts, as MultiDiGraph.add_edge lays them out (successor and
    predecessor share one key dict per node pair; keys count up from 0). add_edge's checks and views cost over half
    the build at 10k activities; the layout is networkx's long-stable one and the graph tests would catch a change."""
    nodes, succ, pred = g._node, g._succ, g._pred
    for u, v, data in edges:
        for n in (u, v):
            if n not in nodes:
                nodes[n], succ[n], pred[n] = {}, {}, {}
        keyed = succ[u].get(v)
        if keyed is None:
            keyed = succ[u][v] = pred[v][u] = {}
        keyed[len(keyed)] = data


def _index_of(edges: Iterable[tuple[str, str, dict]]) -> tuple[dict, dict]:
    out: dict[tuple[str, str], list] = {}
    into: dict[tuple[str, str], list] = {}
    for u, v, data in edges:
        out.setdefault((u, data["kind"]), []).append((v, data))
        into.setdefault((v, data["kind"]), []).append((u, data))
    return out, into


def _add_activities(g: nx.MultiDiGraph, add, register: dict, us: str | None, country, unknown_country) -> None:
    kinds = {c["name"]: c.get("kind") or "personal" for c in register.get("data_categories", [])}
    disclosures = {(d["activity"], d["recipient"]): d for d in register.get("disclosures", [])}
    for a in register.get("activities", []):
        key = node("activity", a["reference"])
        special = any(kinds.get(c) in SPECIAL_KINDS for c in a.get("data_categories", []))
        g.add_node(key, kind="activity", label=a["name"], reference=a["reference"], our_role=a.get("our_role"),
                   status=a.get("status"), special=special, service=a.get("service"))
        if a.get("service"):
            add(key, node("service", a["service"]), kind="part_of")
        role = a.get("our_role") or "controller"
        if us and role in ("controller", "joint_controller"):
            add(node("org", us), key, kind="controls")
        if us and role == "processor":
            add(node("org", us), key, kind="processes_for", controller=a.get("controller"))
        if a.get("controller"):
            add(node("org", a["controller"]), key, kind="controls")
        for joint in a.get("joint_controllers", []):
            add(node("org", joint), key, kind="joint_controls")
        for subject in a.get("data_subjects", []):
            add(node("subject", subject), key, kind="about")
        for category in a.get("data_categories", []):
            add(key, node("category", category), kind="uses")
        for recipient in a.get("recipients", []):
            d = disclosures.get((a["reference"], recipient), {})
            add(key, node("recipient", recipient), kind="discloses_to",
                       legal_gateway=d.get("legal_gateway", ""), agreement=d.get("agreement_reference", ""))
        for system in a.get("systems", []):
            add(key, node("system", system), kind="stored_in")
        for processor in a.get("processors", []):
            add(node("org", processor), key, kind="processes_for")
    for t in register.get("transfers", []):
        where = country(t.get("country")) or unknown_country(t.get("destination", ""))
        add(node("activity", t["activity"]), where, kind="transfers_to", reference=t["reference"],
                   mechanism=t.get("mechanism") or "none_recorded", tra_date=t.get("tra_date"),
                   tra_outcome=t.get("tra_outcome", ""), certification=t.get("certification", ""),
                   via_organisation=t.get("organisation"), via_system=t.get("system"))


# ---------------------------------------------------------------------------------------------------------------
# Named queries


@dataclass(frozen=True)
class Route:
    """One way personal data of an activity reaches a country outside the UK."""

    activity: str  # reference
    activity_name: str
    categories: tuple[str, ...]
    special_categories: tuple[str, ...]
    subjects: tuple[str, ...]
    via: tuple[str, ...]  # organisation or system names, nearest first
    destination: str  # node id
    destination_label: str
    transfer_status: str
    mechanism: str  # "none_recorded" when no transfer record covers the route
    tra_date: str | None
    transfer: str | None  # transfer reference, when recorded
    kind: str
    certification: str = ""  # the recipient's UK-US data bridge certification, when recorded  # "recorded" | "processor" | "sub-processor" | "system"


def _index(g: nx.MultiDiGraph) -> tuple[dict, dict]:
    """Edges by (node, kind), both ways: built with the graph (or once for a derived graph), because networkx's
    edge views cost several times more per lookup at 10k+ activities. Graphs are treated as read-only once built."""
    index = g.graph.get("_index")
    if index is None or index[0] != id(g):  # a copy (e.g. a subgraph) carries its parent's index: rebuild
        index = g.graph["_index"] = (id(g), *_index_of(
            (u, v, data) for u, neighbours in g._adj.items() for v, keyed in neighbours.items()
            for data in keyed.values()))
    return index[1], index[2]


def _out(g: nx.MultiDiGraph, n: str, kind: str) -> list[tuple[str, dict]]:
    return _index(g)[0].get((n, kind), [])


def _in(g: nx.MultiDiGraph, n: str, kind: str) -> list[tuple[str, dict]]:
    return _index(g)[1].get((n, kind), [])


def _categories(g: nx.MultiDiGraph, activity: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    cats = sorted(g._node[c]["label"] for c, _ in _out(g, activity, "uses"))
    special = tuple(c for c in cats if g._node[node("category", c)].get("data_kind") in SPECIAL_KINDS)
    return tuple(cats), special


def transfers_out_of_uk(g: nx.MultiDiGraph) -> list[Route]:
    """Every route by which personal data reaches a country outside the UK: recorded transfers, and the processing or
    access locations of processors, their sub-processors (however deep) and systems, with the mechanism if recorded.
    Unrecorded routes are listed once per activity and destination, through the nearest party not already covered."""
    routes: list[Route] = []
    destinations = _Destinations(g)
    for activity, attrs in g._node.items():
        if attrs.get("kind") != "activity":
            continue
        processors = [p for p, _ in _in(g, activity, "processes_for") if not g._node[p].get("is_self")]
        transfers, systems = _out(g, activity, "transfers_to"), _out(g, activity, "stored_in")
        if not (processors or transfers or systems):
            continue  # most activities: nothing leaves the building
        categories, special = _categories(g, activity)
        subjects = tuple(sorted({g._node[s]["label"] for s, _ in _in(g, activity, "about")}))

        def add(target: str, data: dict, kind: str, via: tuple) -> None:
            routes.append(_route(g, activity, categories, special, subjects, target, data, kind, via))

        covered, parties = _recorded(g, transfers, add)
        reached: set[str] = set()
        candidates = [d for p in processors for d in destinations.of_processor(p)]
        candidates += [d for system, _ in systems for d in destinations.of_system(system)]
        for target, options in candidates:
            if target in reached:
                continue
            for party, kind, via in options:
                if not _covered(g, covered, parties, party, target):
                    reached.add(target)
                    add(target, {}, kind, via)
                    break
    return sorted(set(routes), key=lambda r: (r.activity, r.destination, r.via))


def _recorded(g: nx.MultiDiGraph, transfers: list[tuple[str, dict]], add) -> tuple[set, set]:
    """Routes of the recorded transfers; returns what they cover: (party, destination) pairs and the parties."""
    covered, parties = set(), set()
    for target, data in transfers:
        named = {p for p in (data.get("via_organisation"), data.get("via_system")) if p} or {None}
        covered |= {(p, target) for p in named}
        parties |= named
        if g._node[target]["transfer_status"] == "unknown":  # covers whatever unnamed place that party uses
            covered |= {(p, None) for p in named}
        if g._node[target]["transfer_status"] != "uk":
            add(target, data, "recorded",
                tuple(x for x in (data.get("via_organisation"), data.get("via_system")) if x))
    return covered, parties


class _Destinations:
    """Where each processor's chain and each system reach, worked out once and shared by every activity using them:
    per destination, the parties that reach it, nearest first."""

    def __init__(self, g: nx.MultiDiGraph) -> None:
        self.g, self.reach = g, sub_processor_index(g)
        self._processors: dict[str, list] = {}
        self._systems: dict[str, list] = {}

    def of_processor(self, processor: str) -> list[tuple[str, list[tuple[str, str, tuple]]]]:
        if processor not in self._processors:
            g, by_target = self.g, {}
            chain = [(processor, "processor")] + [(s, "sub-processor") for s in sorted(self.reach[processor])]
            for org, kind in chain:
                via = (g._node[processor]["label"],) + ((g._node[org]["label"],) if org != processor else ())
                for target, _ in _locations(g, org):
                    by_target.setdefault(target, []).append((g._node[org]["label"], kind, via))
            self._processors[processor] = list(by_target.items())
        return self._processors[processor]

    def of_system(self, system: str) -> list[tuple[str, list[tuple[str, str, tuple]]]]:
        if system not in self._systems:
            label = self.g._node[system]["label"]
            self._systems[system] = [(target, [(label, "system", (label,))])
                                     for target, _ in _out(self.g, system, "located_in")]
        return self._systems[system]


def _covered(g: nx.MultiDiGraph, covered: set, parties: set, party: str, target: str) -> bool:
    """A UK location, or one a recorded transfer through the same party already accounts for."""
    status = g._node[target]["transfer_status"]
    # A transfer recorded without naming a party covers every route of the activity to that destination.
    return (status == "uk" or (party, target) in covered or (None, target) in covered
            or (status == "unknown" and party in parties) or (party, None) in covered)


def _locations(g: nx.MultiDiGraph, org: str) -> Iterable[tuple[str, dict]]:
    """Where an organisation processes (engagement countries), else where it is registered."""
    processing = [(t, d) for t, d in _out(g, org, "located_in") if d.get("basis") == "processing"]
    return processing or list(_out(g, org, "located_in"))


def _route(g, activity, categories, special, subjects, target, data, kind, via) -> Route:
    return Route(activity=g._node[activity]["reference"], activity_name=g._node[activity]["label"],
                 categories=categories, special_categories=special, subjects=subjects, via=via, destination=target,
                 destination_label=g._node[target]["label"], transfer_status=g._node[target]["transfer_status"],
                 mechanism=data.get("mechanism", "none_recorded"), tra_date=data.get("tra_date"),
                 transfer=data.get("reference"), kind=kind, certification=data.get("certification") or "")


def sub_processor_index(g: nx.MultiDiGraph) -> dict[str, frozenset[str]]:
    """For every organisation, all organisations engaged below it — computed once over the condensation of the
    engagement graph, so cycles cost nothing extra and no organisation is walked twice."""
    engages = nx.DiGraph()
    engages.add_nodes_from(n for n, a in g._node.items() if a.get("kind") == "organisation")
    engages.add_edges_from((u, v) for (u, kind), targets in _index(g)[0].items() if kind == "engages"
                           for v, _ in targets)
    dag = nx.condensation(engages)
    members = dag.graph["mapping"]
    below: dict[int, frozenset[str]] = {}
    for component in reversed(list(nx.topological_sort(dag))):
        inside = dag._node[component]["members"]
        reached = set(inside) if len(inside) > 1 else set()
        for child in dag.successors(component):
            reached |= dag._node[child]["members"] | below[child]
        below[component] = frozenset(reached)
    return {org: below[members[org]] - {org} for org in engages}


def special_category_abroad(g: nx.MultiDiGraph) -> list[Route]:
    """The routes out of the UK that carry special category or criminal offence data."""
    return [r for r in transfers_out_of_uk(g) if r.special_categories]


@dataclass
class Impact:
    organisation: str
    activities: list[str]  # references
    services: list[str]
    data_subjects: list[str]
    data_categories: list[str]
    special_categories: list[str]
    downstream: list[str]  # organisations engaged below it
    roles: dict[str, list[str]]  # activity reference -> how the organisation is involved


def impact_of(g: nx.MultiDiGraph, organisation: str) -> Impact:
    """Everything that depends on one organisation — what a DPO needs the day a supplier reports a breach or a
    contract ends: the activities it controls, processes (directly or as a sub-processor), supplies systems for or
    receives data from, their services, data subjects and data categories, and the organisations below it."""
    org = node("org", organisation)
    if org not in g:
        raise KeyError(f"no organisation named {organisation!r}")
    index = sub_processor_index(g)
    above = {o for o, below in index.items() if org in below}  # processors that engaged it, however far up
    roles: dict[str, set[str]] = {}

    def involve(activity: str, how: str) -> None:
        roles.setdefault(activity, set()).add(how)

    for source in {org} | above:
        how = "processor" if source == org else f"sub-processor of {g._node[source]['label']}"
        for _, target, data in g.out_edges(source, data=True):
            if data["kind"] in ("controls", "joint_controls", "processes_for") and g._node[target]["kind"] == "activity":
                involve(target, {"controls": "controller", "joint_controls": "joint controller"}.get(data["kind"], how))
    for system, _ in _in(g, org, "supplied_by"):
        for activity, _ in _in(g, system, "stored_in"):
            involve(activity, f"supplier of {g._node[system]['label']}")
    for recipient, _ in _in(g, org, "is_organisation"):
        for activity, _ in _in(g, recipient, "discloses_to"):
            involve(activity, "recipient")
    activities = sorted(roles, key=lambda a: g._node[a]["reference"])
    subjects, categories = set(), set()
    for a in activities:
        subjects |= {g._node[s]["label"] for s, _ in _in(g, a, "about")}
        categories |= {g._node[c]["label"] for c, _ in _out(g, a, "uses")}
    special = {c for c in categories if g._node[node("category", c)].get("data_kind") in SPECIAL_KINDS}
    services = {g._node[s]["label"] for a in activities for s, _ in _out(g, a, "part_of")}
    services |= {g._node[s]["label"] for s, _ in _in(g, org, "partner_in")}
    services |= {g._node[s]["label"] for s, _ in _in(g, org, "provided_by")}
    services |= {g._node[s]["label"] for s, _ in _out(g, org, "contracted_for")}
    return Impact(organisation, [g._node[a]["reference"] for a in activities], sorted(services), sorted(subjects),
                  sorted(categories), sorted(special), sorted(g._node[o]["label"] for o in index.get(org, ())),
                  {g._node[a]["reference"]: sorted(h) for a, h in roles.items()})


@dataclass(frozen=True)
class RoleConflict:
    activity: str
    problem: str
    organisation: str | None = None


def role_conflicts(g: nx.MultiDiGraph) -> list[RoleConflict]:
    """Activities with no controller, activities where we are processor but no controller is named, and
    organisations recorded as both controller and processor of the same activity."""
    found = []
    us = g.graph.get("us")
    for activity, attrs in g._node.items():
        if attrs.get("kind") != "activity":
            continue
        controllers = {s for s, _ in _in(g, activity, "controls")} | {s for s, _ in _in(g, activity, "joint_controls")}
        processors = {s for s, _ in _in(g, activity, "processes_for")}
        ref = attrs["reference"]
        if attrs.get("our_role") == "processor" and not (controllers - {us}):
            found.append(RoleConflict(ref, "we are processor but no controller is named"))
        elif not controllers:
            found.append(RoleConflict(ref, "no controller"))
        for org in sorted(controllers & processors):
            found.append(RoleConflict(ref, "both controller and processor", g._node[org]["label"]))
    return sorted(found, key=lambda c: (c.activity, c.problem))


def orphans(g: nx.MultiDiGraph) -> list[str]:
    """Organisations, systems and recipients nothing refers to (node ids)."""
    us = g.graph.get("us")
    lonely = []
    for n, attrs in g._node.items():
        if attrs.get("kind") not in ("organisation", "system", "recipient") or n == us:
            continue
        referred_to = any(d["kind"] != "located_in" for keyed in g._pred[n].values() for d in keyed.values())
        refers = any(d["kind"] not in ("located_in", "supplied_by", "is_organisation", "contracted_for")
                     for keyed in g._succ[n].values() for d in keyed.values())
        if not referred_to and not refers:
            lonely.append(n)
    return sorted(lonely)
