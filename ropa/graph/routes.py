"""Routes out of the UK: every way personal data of an activity reaches a country outside the UK — recorded
transfers, and the processing or access locations of processors, their sub-processors (however deep) and systems.

Pure, like ropa.graph, whose graphs it reads (through their edge index, ropa.graph.index)."""

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from ropa.gc_pause import paused_gc
from ropa.graph.index import edge_index, edges_from, edges_from_with_data, edges_into, sources_of, targets_of

RESTRICTED = {"third_country", "adequate_partial", "unknown"}
ADEQUATE = {"uk", "eea", "adequate"}
SPECIAL_KINDS = {"special", "criminal"}


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


def transfers_out_of_uk(g: nx.MultiDiGraph) -> list[Route]:
    """Every route by which personal data reaches a country outside the UK: recorded transfers, and the processing or
    access locations of processors, their sub-processors (however deep) and systems, with the mechanism if recorded.
    Unrecorded routes are listed once per activity and destination, through the nearest party not already covered.
    Worked out once per graph; each call returns a new list."""
    memo = edge_index(g).memo
    if "routes" not in memo:
        with paused_gc():
            memo["routes"] = _routes(g)
    return list(memo["routes"])


def _routes(g: nx.MultiDiGraph) -> list[Route]:
    nodes, routes = g._node, []
    processes_for, stored_in = edges_into(g, "processes_for"), edges_from(g, "stored_in")
    transfers_to = edges_from_with_data(g, "transfers_to")
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
                          tuple(sorted({g._node[s]["label"] for s in sources_of(g, self.activity, "about")})))
        categories, special, subjects = self.about
        self.routes.append(Route(
            activity=a["reference"], activity_name=a["label"], categories=categories, special_categories=special,
            subjects=subjects, via=via, destination=target, destination_label=t["label"],
            transfer_status=t["transfer_status"], mechanism=data.get("mechanism", "none_recorded"),
            tra_date=data.get("tra_date"), transfer=data.get("reference"), kind=kind,
            certification=data.get("certification") or ""))


def _categories(g: nx.MultiDiGraph, activity: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    used = sorted((g._node[c]["label"], g._node[c].get("data_kind")) for c in targets_of(g, activity, "uses"))
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
            located = edges_from_with_data(self.g, "located_in").get(party, ())
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
    memo = edge_index(g).memo
    if "reach" not in memo:
        engages = nx.DiGraph()
        engages.add_edges_from((u, v) for u, v, _ in edge_index(g).edges("engages"))
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
