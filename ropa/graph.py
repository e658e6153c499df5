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


class _Ids(dict):
    """The node ids of one kind by key, each string made once and shared by every edge that names it: a string
    saved per edge end, and dict lookups that find the very same object."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.prefix = f"{kind}:"

    def __missing__(self, key: str) -> str:
        made = self[key] = self.prefix + key
        return made


def _build(register: dict[str, list[dict]]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    nodes, succ, pred, by_kind = g._node, g._succ, g._pred, {}
    ids = {kind: _Ids(kind) for kind in ("org", "service", "system", "recipient", "category", "subject", "country",
                                         "activity")}
    org, service, system, recipient, country_id = (ids[k] for k in ("org", "service", "system", "recipient", "country"))

    # Nodes and edges are written straight into networkx's dicts, as add_node and MultiDiGraph.add_edge lay them out
    # (successor and predecessor share one key dict per node pair; keys count up from 0): their checks and views
    # cost over half the build at 10k activities. The layout is networkx's long-stable one; the graph tests would
    # catch a change. Each edge is written as it is made, while its parts are still in the processor's cache.
    def put(n: str, attrs: dict) -> None:
        if n in nodes:
            nodes[n].update(attrs)
        else:
            nodes[n], succ[n], pred[n] = attrs, {}, {}

    def add(u: str, v: str, **attrs) -> None:
        kind = attrs["kind"]
        if kind not in by_kind:
            by_kind[kind] = ([], [], [])
        sources, targets, data = by_kind[kind]
        sources.append(u)
        targets.append(v)
        data.append(attrs)
        after = succ.get(u)
        if after is None:  # named but not recorded: a node without attributes, as add_edge makes
            nodes[u], succ[u], pred[u] = {}, {}, {}
            after = succ[u]
        before = pred.get(v)
        if before is None:
            nodes[v], succ[v], pred[v] = {}, {}, {}
            before = pred[v]
        keyed = after.get(v)
        if keyed is None:
            keyed = after[v] = before[u] = {}
        keyed[len(keyed)] = attrs

    countries = {c["code"]: c for c in register.get("countries", [])}
    us = next((o["name"] for o in register.get("organisations", []) if o.get("is_self")), None)
    g.graph["us"] = org[us] if us else None

    def country(code: str | None) -> str | None:
        if not code:
            return None
        key = country_id[code]
        if key not in nodes:
            info = countries.get(code, {})
            put(key, {"kind": "country", "label": info.get("name", code), "code": code,
                      "transfer_status": info.get("transfer_status", "third_country"),
                      "adequacy_scope": info.get("adequacy_scope", "")})
        return key

    def unknown_country(words: str) -> str:
        key = node("unknown-country", words or "not stated")
        put(key, {"kind": "country", "label": words or "Destination not stated", "code": "",
                  "transfer_status": "unknown", "adequacy_scope": ""})
        return key

    for o in register.get("organisations", []):
        put(org[o["name"]], {"kind": "organisation", "label": o["name"], "org_kind": o.get("kind"),
                             "is_self": bool(o.get("is_self")), "is_public_authority": o.get("is_public_authority"),
                             "dspt_status": o.get("dspt_status") or "unknown", "country": o.get("country")})
        if where := country(o.get("country")):
            add(org[o["name"]], where, kind="located_in", basis="registered")
    for c in register.get("data_categories", []):
        put(ids["category"][c["name"]], {"kind": "category", "label": c["name"],
                                          "data_kind": c.get("kind") or "personal"})
    for s in register.get("subject_categories", []):
        put(ids["subject"][s["name"]], {"kind": "subject", "label": s["name"]})
    for s in register.get("services", []):
        put(service[s["name"]], {"kind": "service", "label": s["name"]})
        if s.get("provider"):
            add(service[s["name"]], org[s["provider"]], kind="provided_by")
        for partner in s.get("partners", []):
            add(org[partner], service[s["name"]], kind="partner_in")
    for s in register.get("systems", []):
        put(system[s["name"]], {"kind": "system", "label": s["name"], "hosting_country": s.get("hosting_country"),
                                "location": s.get("location", "")})
        if s.get("supplier"):
            add(system[s["name"]], org[s["supplier"]], kind="supplied_by")
        if where := country(s.get("hosting_country")):
            add(system[s["name"]], where, kind="located_in", basis="hosting")
    for h in register.get("legal_holds", []):
        put(node("hold", h["name"]), {"kind": "legal_hold", "label": h["name"]})
        if h.get("imposed_by"):
            add(org[h["imposed_by"]], node("hold", h["name"]), kind="imposes")
    for r in register.get("recipients", []):
        put(recipient[r["name"]], {"kind": "recipient", "label": r["name"], "recipient_kind": r.get("kind")})
        if r.get("organisation"):
            add(recipient[r["name"]], org[r["organisation"]], kind="is_organisation")
    for e in register.get("engagements", []):
        processor = org[e["processor"]]
        for sub in e.get("sub_processors", []):
            add(processor, org[sub], kind="engages", engagement=e["reference"])
        for code in e.get("countries", []):
            add(processor, country(code), kind="located_in", basis="processing", engagement=e["reference"])
        if not e.get("countries") and e.get("processing_location"):
            add(processor, unknown_country(e["processing_location"]), kind="located_in", basis="processing",
                engagement=e["reference"])
        for name in e.get("services", []):
            add(processor, service[name], kind="contracted_for", engagement=e["reference"])
    _add_activities(register, us, put, add, ids, country, unknown_country)
    g.graph["_index"] = _Index(id(g), by_kind)
    return g


def _add_activities(register: dict, us: str | None, put, add, ids: dict[str, _Ids], country,
                    unknown_country) -> None:
    kinds = {c["name"]: c.get("kind") or "personal" for c in register.get("data_categories", [])}
    disclosures = {(d["activity"], d["recipient"]): d for d in register.get("disclosures", [])}
    activity, org, service, system, recipient, subject, category = (
        ids[k] for k in ("activity", "org", "service", "system", "recipient", "subject", "category"))
    we = org[us] if us else None
    for a in register.get("activities", []):
        key = activity[a["reference"]]
        special = any(kinds.get(c) in SPECIAL_KINDS for c in a.get("data_categories", []))
        put(key, {"kind": "activity", "label": a["name"], "reference": a["reference"], "our_role": a.get("our_role"),
                  "status": a.get("status"), "special": special, "service": a.get("service")})
        if a.get("service"):
            add(key, service[a["service"]], kind="part_of")
        role = a.get("our_role") or "controller"
        if we and role in ("controller", "joint_controller"):
            add(we, key, kind="controls")
        if we and role == "processor":
            add(we, key, kind="processes_for", controller=a.get("controller"))
        if a.get("controller"):
            add(org[a["controller"]], key, kind="controls")
        for joint in a.get("joint_controllers", []):
            add(org[joint], key, kind="joint_controls")
        for name in a.get("data_subjects", []):
            add(subject[name], key, kind="about")
        for name in a.get("data_categories", []):
            add(key, category[name], kind="uses")
        for name in a.get("recipients", []):
            d = disclosures.get((a["reference"], name), {})
            add(key, recipient[name], kind="discloses_to",
                legal_gateway=d.get("legal_gateway", ""), agreement=d.get("agreement_reference", ""))
        for name in a.get("systems", []):
            add(key, system[name], kind="stored_in")
        for name in a.get("processors", []):
            add(org[name], key, kind="processes_for")
    for t in register.get("transfers", []):
        where = country(t.get("country")) or unknown_country(t.get("destination", ""))
        add(activity[t["activity"]], where, kind="transfers_to", reference=t["reference"],
            mechanism=t.get("mechanism") or "none_recorded", tra_date=t.get("tra_date"),
            tra_outcome=t.get("tra_outcome", ""), certification=t.get("certification", ""),
            via_organisation=t.get("organisation"), via_system=t.get("system"))


Edges = tuple[list[str], list[str], list[dict]]  # one kind's edges: sources, targets and data, in step


class _Index:
    """The graph's edges by kind (kept from the build, or read once from a derived graph's adjacency), and by kind
    and node each way, made on first use: networkx's edge views cost several times more per lookup at 10k+
    activities. Also holds what the queries work out once per graph (``memo``). Graphs are read-only once built.
    Edges are kept as lists of node ids rather than a tuple per edge: at 100k activities that is 1.7 million fewer
    objects to allocate and for the garbage collector to walk."""

    def __init__(self, owner: int, by_kind: dict[str, Edges]) -> None:
        self.owner, self.by_kind, self.memo = owner, by_kind, {}
        self._ends: dict[tuple[str, int, bool], dict[str, list]] = {}

    def edges(self, kind: str) -> Iterable[tuple[str, str, dict]]:
        return zip(*self.by_kind.get(kind, ((), (), ())))

    def ends(self, kind: str, end: int, data: bool = False) -> dict[str, list]:
        """The other ends of one kind's edges (with each edge's data if asked), by source (end 0) or target (1)."""
        found = self._ends.get((kind, end, data))
        if found is None:
            found = self._ends[kind, end, data] = {}
            edges = self.by_kind.get(kind, ((), (), ()))
            pairs = zip(edges[end], zip(edges[1 - end], edges[2]) if data else edges[1 - end])
            for n, other in pairs:
                if n in found:
                    found[n].append(other)
                else:
                    found[n] = [other]
        return found


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
    kind: str  # "recorded" | "processor" | "sub-processor" | "system"
    certification: str = ""  # the recipient's UK-US data bridge certification, when recorded


def _index(g: nx.MultiDiGraph) -> _Index:
    index = g.graph.get("_index")
    if index is None or index.owner != id(g):  # a copy (e.g. a subgraph) carries its parent's index: rebuild
        by_kind: dict[str, Edges] = {}
        for u, neighbours in g._adj.items():
            for v, keyed in neighbours.items():
                for data in keyed.values():
                    sources, targets, datas = by_kind.setdefault(data["kind"], ([], [], []))
                    sources.append(u)
                    targets.append(v)
                    datas.append(data)
        index = g.graph["_index"] = _Index(id(g), by_kind)
    return index


def _from(g: nx.MultiDiGraph, kind: str) -> dict[str, list[str]]:
    """The targets of one kind's edges, by source node."""
    return _index(g).ends(kind, 0)


def _into(g: nx.MultiDiGraph, kind: str) -> dict[str, list[str]]:
    """The sources of one kind's edges, by target node."""
    return _index(g).ends(kind, 1)


def _from_with_data(g: nx.MultiDiGraph, kind: str) -> dict[str, list[tuple[str, dict]]]:
    """(target, edge data) of one kind's edges, by source node."""
    return _index(g).ends(kind, 0, data=True)


def _sources(g: nx.MultiDiGraph, n: str, kind: str) -> list[str]:
    return _into(g, kind).get(n, [])


def _targets(g: nx.MultiDiGraph, n: str, kind: str) -> list[str]:
    return _from(g, kind).get(n, [])


def transfers_out_of_uk(g: nx.MultiDiGraph) -> list[Route]:
    """Every route by which personal data reaches a country outside the UK: recorded transfers, and the processing or
    access locations of processors, their sub-processors (however deep) and systems, with the mechanism if recorded.
    Unrecorded routes are listed once per activity and destination, through the nearest party not already covered.
    Worked out once per graph; each call returns a new list."""
    memo = _index(g).memo
    if "routes" not in memo:
        with paused_gc():
            memo["routes"] = _routes(g)
    return list(memo["routes"])


def _routes(g: nx.MultiDiGraph) -> list[Route]:
    nodes, routes = g._node, []
    processes_for, stored_in = _into(g, "processes_for"), _from(g, "stored_in")
    transfers_to = _from_with_data(g, "transfers_to")
    destinations = _Destinations(g)
    activities = sorted((a for a, attrs in nodes.items() if attrs.get("kind") == "activity"),
                        key=lambda a: nodes[a]["reference"])
    for activity in activities:
        candidates = [d for p in processes_for.get(activity, ()) if not nodes[p].get("is_self")
                      for d in destinations.of_processor(p)]
        candidates += [d for s in stored_in.get(activity, ()) for d in destinations.of_system(s)]
        transfers = transfers_to.get(activity, ())
        if not (candidates or transfers):
            continue  # most activities: nothing leaves the UK
        found = _Found(g, activity)
        covered, parties = _recorded(g, transfers, found)
        reached: set[str] = set()
        for target, own, shared, processor in candidates:
            if target in reached or (None, target) in covered:
                # A transfer recorded without naming a party covers every route of the activity to that destination.
                continue
            if chosen := _nearest(nodes, target, own, shared, processor, covered, parties):
                reached.add(target)
                found.add(target, {}, *chosen)
        routes += sorted(found.routes, key=lambda r: (r.destination, r.via))
    return routes


class _Found:
    """The routes of one activity; what they share (categories, subjects) is read once, on the first route."""

    def __init__(self, g: nx.MultiDiGraph, activity: str) -> None:
        self.g, self.activity, self.routes, self.about = g, activity, [], None

    def add(self, target: str, data: dict, kind: str, via: tuple) -> None:
        g, a, t = self.g, self.g._node[self.activity], self.g._node[target]
        if self.about is None:
            self.about = (*_categories(g, self.activity),
                          tuple(sorted({g._node[s]["label"] for s in _sources(g, self.activity, "about")})))
        categories, special, subjects = self.about
        self.routes.append(Route(
            activity=a["reference"], activity_name=a["label"], categories=categories, special_categories=special,
            subjects=subjects, via=via, destination=target, destination_label=t["label"],
            transfer_status=t["transfer_status"], mechanism=data.get("mechanism", "none_recorded"),
            tra_date=data.get("tra_date"), transfer=data.get("reference"), kind=kind,
            certification=data.get("certification") or ""))


def _categories(g: nx.MultiDiGraph, activity: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    used = sorted((g._node[c]["label"], g._node[c].get("data_kind")) for c in _targets(g, activity, "uses"))
    return tuple(c for c, _ in used), tuple(c for c, kind in used if kind in SPECIAL_KINDS)


def _recorded(g: nx.MultiDiGraph, transfers: Iterable[tuple[str, dict]], found: _Found) -> tuple[set, set]:
    """Routes of the recorded transfers; returns what they cover: (party, destination) pairs and the parties."""
    covered, parties = set(), set()
    for target, data in transfers:
        named = {p for p in (data.get("via_organisation"), data.get("via_system")) if p} or {None}
        covered |= {(p, target) for p in named}
        parties |= named
        if g._node[target]["transfer_status"] == "unknown":  # covers whatever unnamed place that party uses
            covered |= {(p, None) for p in named}
        if g._node[target]["transfer_status"] != "uk":
            found.add(target, data, "recorded",
                      tuple(x for x in (data.get("via_organisation"), data.get("via_system")) if x))
    return covered, parties


def _nearest(nodes: dict, target: str, own: str | None, shared: list[str], processor: str | None, covered: set,
             parties: set) -> tuple[str, tuple[str, ...]] | None:
    """(kind, via) of the nearest party reaching target that no recorded transfer of the activity accounts for: the
    processor or system itself, else its sub-processors in name order. Only parties named on the activity's
    transfers can be accounted for, so this looks at no more than those before it finds one."""
    unknown = nodes[target]["transfer_status"] == "unknown"

    def free(party: str) -> bool:
        return party not in parties or not ((party, target) in covered or (party, None) in covered or unknown)

    if own is not None and free(own):
        return ("system", (own,)) if processor is None else ("processor", (own,))
    for org in shared:
        label = nodes[org]["label"]
        if org != processor and free(label):
            return "sub-processor", (nodes[processor]["label"], label)
    return None


class _Destinations:
    """Where each processor's chain and each system reach outside the UK, worked out once and shared by every
    activity using them: (destination, the party's own name if it is there itself, the organisations below it that
    are there in name order, the processor or None for a system). The organisations below are listed once per
    component of the engagement graph, so the members of a ring of sub-processors share one list."""

    def __init__(self, g: nx.MultiDiGraph) -> None:
        self.g, (self.component, self.below) = g, _reach(g)
        self._where: dict[str, tuple[str, ...]] = {}
        self._components: dict[int, dict[str, list[str]]] = {}
        self._processors: dict[str, list] = {}
        self._systems: dict[str, list] = {}

    def where(self, party: str) -> tuple[str, ...]:
        """Destinations outside the UK of an organisation (engagement countries, else where it is registered) or a
        system (hosting country). UK ones are left out: no route there is a transfer."""
        if party not in self._where:
            located = _from_with_data(self.g, "located_in").get(party, ())
            processing = [t for t, d in located if d.get("basis") == "processing"]
            targets = processing or [t for t, _ in located]
            self._where[party] = tuple(t for t in dict.fromkeys(targets)
                                       if self.g._node[t]["transfer_status"] != "uk")
        return self._where[party]

    def of_component(self, component: int) -> dict[str, list[str]]:
        if component not in self._components:
            by_target: dict[str, list[str]] = {}
            for org in sorted(self.below[component]):
                for target in self.where(org):
                    by_target.setdefault(target, []).append(org)
            self._components[component] = by_target
        return self._components[component]

    def of_processor(self, processor: str) -> list[tuple[str, str | None, list[str], str]]:
        if processor not in self._processors:
            component = self.component.get(processor)
            below = self.of_component(component) if component is not None else {}
            own = self.where(processor)
            label = self.g._node[processor]["label"]
            self._processors[processor] = [(t, label if t in own else None, below.get(t, []), processor)
                                           for t in dict.fromkeys((*own, *below))]
        return self._processors[processor]

    def of_system(self, system: str) -> list[tuple[str, str | None, list[str], None]]:
        if system not in self._systems:
            label = self.g._node[system]["label"]
            self._systems[system] = [(t, label, [], None) for t in self.where(system)]
        return self._systems[system]


def _reach(g: nx.MultiDiGraph) -> tuple[dict[str, int], dict[int, frozenset[str]]]:
    """The engagement graph's strongly connected components, and for each all organisations engaged below its
    members (a ring's own members included) — computed once per graph over the condensation, so cycles cost nothing
    extra and no organisation is walked twice."""
    memo = _index(g).memo
    if "reach" not in memo:
        engages = nx.DiGraph()
        engages.add_edges_from((u, v) for u, v, _ in _index(g).edges("engages"))
        dag = nx.condensation(engages)
        below: dict[int, frozenset[str]] = {}
        for component in reversed(list(nx.topological_sort(dag))):
            inside = dag._node[component]["members"]
            reached = set(inside) if len(inside) > 1 else set()
            for child in dag._succ[component]:
                reached |= dag._node[child]["members"] | below[child]
            below[component] = frozenset(reached)
        memo["reach"] = (dag.graph["mapping"], below)
    return memo["reach"]


def sub_processor_index(g: nx.MultiDiGraph) -> dict[str, frozenset[str]]:
    """For every organisation, all organisations engaged below it, however deep (never itself)."""
    component, below = _reach(g)
    organisations = [n for n, attrs in g._node.items() if attrs.get("kind") == "organisation"]
    organisations += [n for n in component if g._node[n].get("kind") != "organisation"]  # named, never recorded
    return {n: below[component[n]] - {n} if n in component else frozenset() for n in organisations}


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
    for system in _sources(g, org, "supplied_by"):
        for activity in _sources(g, system, "stored_in"):
            involve(activity, f"supplier of {g._node[system]['label']}")
    for recipient in _sources(g, org, "is_organisation"):
        for activity in _sources(g, recipient, "discloses_to"):
            involve(activity, "recipient")
    activities = sorted(roles, key=lambda a: g._node[a]["reference"])
    subjects, categories = set(), set()
    for a in activities:
        subjects |= {g._node[s]["label"] for s in _sources(g, a, "about")}
        categories |= {g._node[c]["label"] for c in _targets(g, a, "uses")}
    special = {c for c in categories if g._node[node("category", c)].get("data_kind") in SPECIAL_KINDS}
    services = {g._node[s]["label"] for a in activities for s in _targets(g, a, "part_of")}
    services |= {g._node[s]["label"] for s in _sources(g, org, "partner_in")}
    services |= {g._node[s]["label"] for s in _sources(g, org, "provided_by")}
    services |= {g._node[s]["label"] for s in _targets(g, org, "contracted_for")}
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
    controls, joint, processes = _into(g, "controls"), _into(g, "joint_controls"), _into(g, "processes_for")
    for activity, attrs in g._node.items():
        if attrs.get("kind") != "activity":
            continue
        controllers = {*controls.get(activity, ()), *joint.get(activity, ())}
        processors = set(processes.get(activity, ()))
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
        if any(d["kind"] != "located_in" for keyed in g._pred[n].values() for d in keyed.values()):
            continue  # referred to
        if not any(d["kind"] not in ("located_in", "supplied_by", "is_organisation", "contracted_for")
                   for keyed in g._succ[n].values() for d in keyed.values()):
            lonely.append(n)
    return sorted(lonely)
