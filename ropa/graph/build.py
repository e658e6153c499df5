"""The register as a graph: who processes what about whom, where it is held and where in the world it goes.

Pure: plain records in (the dump form of ``ropa.services.register.dump_register`` — a dict of entity name to list
of dicts), a networkx ``MultiDiGraph`` out. No Flask and no database session, so the graph, its queries and the
checks run the same on a live register, a snapshot or a JSON file.

Node ids are ``kind:key`` — ``org:``, ``service:``, ``activity:``, ``subject:``, ``category:``, ``recipient:``,
``system:``, ``country:``. A destination the register names only in words (the seed's "outside the UK and EEA")
becomes an ``unknown-country:`` node, so it is never mistaken for an adequate one.
"""

from dataclasses import dataclass

import networkx as nx

from ropa.gc_pause import paused_gc
from ropa.graph.index import EdgeIndex, edges_into, sources_of, targets_of
# The route queries live in ropa.graph.routes; they are part of the graph's named queries, so they are named here too.
from ropa.graph.routes import (
    ADEQUATE, RESTRICTED, SPECIAL_KINDS, Route, special_category_abroad, sub_processor_index, transfers_out_of_uk,
)

__all__ = ["ADEQUATE", "RESTRICTED", "SPECIAL_KINDS", "Impact", "RoleConflict", "Route", "build_graph", "impact_of",
           "node", "orphans", "role_conflicts", "special_category_abroad", "sub_processor_index",
           "transfers_out_of_uk"]


#: A region in a transfer's destination, as words; every one is a set of adequate countries.
REGION_LABELS = {"eea": "EEA (the EU, Iceland, Liechtenstein and Norway)", "eu": "EU member states"}


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

    def region(name: str | None) -> str | None:
        if not name or name == "none":
            return None
        key = node("region", name)
        put(key, {"kind": "country", "label": REGION_LABELS.get(name, name), "code": "",
                  "transfer_status": "eea", "adequacy_scope": ""})
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
    _add_activities(register, us, put, add, ids, country, unknown_country, region)
    g.graph["_index"] = EdgeIndex(id(g), by_kind)
    return g


def _add_activities(register: dict, us: str | None, put, add, ids: dict[str, _Ids], country,
                    unknown_country, region) -> None:
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
        where = country(t.get("country")) or region(t.get("region")) or unknown_country(t.get("destination", ""))
        add(activity[t["activity"]], where, kind="transfers_to", reference=t["reference"],
            mechanism=t.get("mechanism") or "none_recorded", tra_date=t.get("tra_date"),
            tra_outcome=t.get("tra_outcome", ""), certification=t.get("certification", ""),
            via_organisation=t.get("organisation"), via_system=t.get("system"))


# ---------------------------------------------------------------------------------------------------------------
# Named queries (the route queries are in ropa.graph.routes)


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
    for system in sources_of(g, org, "supplied_by"):
        for activity in sources_of(g, system, "stored_in"):
            involve(activity, f"supplier of {g._node[system]['label']}")
    for recipient in sources_of(g, org, "is_organisation"):
        for activity in sources_of(g, recipient, "discloses_to"):
            involve(activity, "recipient")
    activities = sorted(roles, key=lambda a: g._node[a]["reference"])
    subjects, categories = set(), set()
    for a in activities:
        subjects |= {g._node[s]["label"] for s in sources_of(g, a, "about")}
        categories |= {g._node[c]["label"] for c in targets_of(g, a, "uses")}
    special = {c for c in categories if g._node[node("category", c)].get("data_kind") in SPECIAL_KINDS}
    services = {g._node[s]["label"] for a in activities for s in targets_of(g, a, "part_of")}
    services |= {g._node[s]["label"] for s in sources_of(g, org, "partner_in")}
    services |= {g._node[s]["label"] for s in sources_of(g, org, "provided_by")}
    services |= {g._node[s]["label"] for s in targets_of(g, org, "contracted_for")}
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
    controls, joint, processes = edges_into(g, "controls"), edges_into(g, "joint_controls"), edges_into(g, "processes_for")
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
