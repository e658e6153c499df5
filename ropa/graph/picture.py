"""The data-flow picture: the register's graph drawn as a self-contained SVG, laid out left to right.

Columns: data subjects → processing activities (grouped by service, their data categories listed inside) →
recipients and systems → organisations → countries outside the UK. Red marks special category (and criminal
offence) data and destinations without UK adequacy; amber marks partial adequacy. Pure: a graph from
``ropa.graph.build_graph`` in, SVG text out — no Flask, no database. Labels are users' own words, so every one
is escaped, and the SVG holds no script, no event handler and no external reference.

Big registers are drawn one slice at a time (``subgraph_for``): past MAX_NODES nodes a picture is no longer
readable, so ``render_svg`` refuses and says which slice to pick.
"""

import re

import networkx as nx

from ropa.graph import SPECIAL_KINDS, impact_of, node, sub_processor_index
from ropa.graph.picture_layout import (INK, Box, Item, Link, Para, arrange, esc, link_path, svg_document, svg_key,
                                 svg_text, text_width, wrap)

MAX_NODES = 400
COLUMNS = ("Data subjects", "Processing activities", "Recipients and systems", "Organisations", "Countries")
COLUMN_OF = {"subject": 0, "activity": 1, "service": 1, "recipient": 2, "system": 2, "organisation": 3,
             "country": 4}
WIDTHS = ((150, 210), (280, 330), (200, 270), (180, 250), (170, 230))  # (least, most) px per column
COLUMN_GAP, MARGIN = 120.0, 24.0
MUTED, SPECIAL_INK = "#4a4a4a", "#8b1a1a"
RED, AMBER, GREEN = ("#fde0dc", "#c0392b"), ("#fff3cd", "#a86500"), ("#e3f4e6", "#2e7d32")  # (fill, ink)
STATUS = {"uk": (GREEN, "UK"), "eea": (GREEN, "EEA (adequate)"),
          "adequate": (GREEN, "UK adequacy regulations"),
          "adequate_partial": (AMBER, "Partial adequacy: check the scope"),
          "third_country": (RED, "Third country: needs a safeguard"),
          "unknown": (RED, "Not identified: treat as a third country")}
BOX_STYLE = {"subject": ("#f1edf8", "#6b5b95"), "activity": ("#eaf2fb", "#2f6fb0"),
             "special": ("#fdecec", "#b3261e"), "recipient": ("#ffffff", "#2f6fb0"),
             "system": ("#f2f2f2", "#5f6b7a"), "organisation": ("#fbf3e4", "#8a6d3b"),
             "service": ("#f7f7f7", "#b8b8b8")}
# kind: (colour, width, dash, words); located_in and transfers_to take the destination's colour instead
EDGES = {"about": ("#6b5b95", 1.3, "", "whose data"), "discloses_to": ("#2f6fb0", 1.3, "", "discloses to"),
         "stored_in": ("#5f6b7a", 1.3, "5 3", "stored in"), "controls": ("#8a6d3b", 1.6, "", "controller"),
         "joint_controls": ("#8a6d3b", 1.6, "9 3 2 3", "joint controller"),
         "processes_for": ("#8a6d3b", 1.6, "2 3", "processor"),
         "engages": ("#8a6d3b", 1.3, "2 3", "engages as sub-processor"),
         "partner_in": ("#8a6d3b", 1.1, "1 3", "partner in the service"),
         "contracted_for": ("#8a6d3b", 1.1, "1 3", "contracted for the service"),
         "provided_by": ("#8a6d3b", 1.1, "1 3", "provides the service"),
         "supplied_by": ("#8c8c8c", 1.1, "", "supplied by"), "is_organisation": ("#8c8c8c", 1.1, "", "is"),
         "located_in": (GREEN[1], 1.1, "", "located in / processes in"),
         "transfers_to": (RED[1], 3.5, "", "transfer")}
ROLE_KINDS = {"controls", "joint_controls", "processes_for"}
NOUNS = (("activity", "activity", "activities"),
         ("subject", "group of data subjects", "groups of data subjects"),
         ("recipient", "recipient", "recipients"), ("system", "system", "systems"),
         ("organisation", "organisation", "organisations"), ("country", "country outside the UK",
                                                             "countries outside the UK"))
KEY_BOXES = [("Data subjects", *BOX_STYLE["subject"]), ("Activity", *BOX_STYLE["activity"]),
             ("Activity with special category or criminal offence data", *BOX_STYLE["special"]),
             ("Recipient", *BOX_STYLE["recipient"]), ("System", *BOX_STYLE["system"]),
             ("Organisation", *BOX_STYLE["organisation"]), ("Country: EEA or adequate", *GREEN),
             ("Partial adequacy", *AMBER), ("Third country or not identified", *RED)]
KEY_LINES = [(words, colour, width, dash) for colour, width, dash, words in (
    EDGES[k] for k in ("about", "discloses_to", "stored_in", "controls", "joint_controls", "processes_for",
                       "supplied_by", "located_in"))]
KEY_LINES += [("transfer with a safeguard", GREEN[1], 3.5, ""),
              ("transfer, no safeguard recorded", RED[1], 3.5, "9 5")]


def render_svg(g: nx.MultiDiGraph, *, title: str = "", focus: str | None = None) -> str:
    """Draw the graph (or a slice of it) as a self-contained SVG, left to right; focus outlines one node."""
    if g.number_of_nodes() > MAX_NODES:
        raise ValueError(f"{g.number_of_nodes()} nodes are more than the {MAX_NODES} a readable picture can "
                         "hold: pick one service or one organisation and draw that slice (if it is still too "
                         "big, one of its services).")
    if focus is not None and focus not in g:
        raise KeyError(f"cannot focus on {focus!r}: it is not in the picture")
    boxes = _boxes(g)
    links = _links(g, boxes)
    linked = {key for link in links for key in (link.left, link.right)}
    boxes = {k: b for k, b in boxes.items() if b.kind != "country" or k in linked}  # the UK is said in words
    widths = _column_widths(boxes)
    width = MARGIN * 2 + sum(widths) + COLUMN_GAP * (len(widths) - 1) + 60
    head, top = _heading(g, boxes, title, width)
    items = {b.key: Item(b.key, COLUMN_OF[b.kind], b.height, b.tiebreak,
                         space_before=18.0 if b.kind == "service" else 0.0) for b in boxes.values()}
    arrange(items, links, widths, anchor=1, left=MARGIN, top=top + 28, column_gap=COLUMN_GAP)
    height = max([i.y + i.height for i in items.values()] + [top + 40]) + MARGIN
    body = [*head, *_column_headings(items, top), *_service_frames(boxes, items)]
    body += [_svg_link(g, link, items, focus) for link in links if link.data["kind"] != "transfers_to"]
    body += [box.svg(items[box.key], box.key == focus) for box in boxes.values()]
    body += [_svg_link(g, link, items, focus) for link in links if link.data["kind"] == "transfers_to"]
    markers = {"red": RED[1], "amber": AMBER[1], "green": GREEN[1]}
    return svg_document(title or "Data flows", width, height, markers, body)


# ------------------------------------------------------------------------------------------------------------
# What each box says


def _boxes(g: nx.MultiDiGraph) -> dict[str, Box]:
    makers = {"subject": _subject_box, "activity": _activity_box, "recipient": _recipient_box,
              "system": _system_box, "organisation": _organisation_box, "country": _country_box}
    boxes = {}
    for n in sorted(g.nodes):
        attrs = g.nodes[n]
        if attrs.get("kind") in makers:
            boxes[n] = makers[attrs["kind"]](g, n, attrs)
            if attrs["kind"] != "activity":
                boxes[n].tiebreak = (attrs.get("label", n).casefold(), n)
    for n in sorted(k for k, b in boxes.items() if b.kind == "activity"):
        service = g.nodes[n].get("service") or ""
        if node("service", service) not in boxes:
            boxes[node("service", service)] = _service_box(node("service", service), service)
    return dict(sorted(boxes.items()))


def _service_box(key: str, name: str) -> Box:
    text = name or "Not part of a service"
    return Box(key, "service", [Para(text, 12, True, MUTED, 3)], f"Service: {text}", *BOX_STYLE["service"],
               tiebreak=((0,) if name else (1,), name.casefold(), 0, ()))  # no service: last


def _subject_box(g: nx.MultiDiGraph, n: str, attrs: dict) -> Box:
    return Box(n, "subject", [Para(attrs["label"], 13, True)], f"Data subjects: {attrs['label']}",
               *BOX_STYLE["subject"])


def _activity_box(g: nx.MultiDiGraph, n: str, attrs: dict) -> Box:
    ref, service, role = attrs.get("reference", ""), attrs.get("service") or "", attrs.get("our_role") or ""
    cats = sorted((g.nodes[c]["label"], g.nodes[c].get("data_kind")) for _, c, d in g.out_edges(n, data=True)
                  if d["kind"] == "uses")
    special = [c for c, kind in cats if kind == "special"]
    criminal = [c for c, kind in cats if kind == "criminal"]
    other = [c for c, kind in cats if kind not in SPECIAL_KINDS]
    paras = [Para(f"{ref}  {attrs['label']}", 13, True, max_lines=2)]
    if role and role != "controller":
        controllers = sorted(g.nodes[s]["label"] for s, _, d in g.in_edges(n, data=True)
                             if d["kind"] == "controls" and s != g.graph.get("us"))
        whom = f" for {', '.join(controllers)}" if controllers and role == "processor" else ""
        paras.append(Para(f"We are {role.replace('_', ' ')}{whom}", 11, False, MUTED, 2))
    for words, names in (("Special category", special), ("Criminal offence", criminal)):
        if names:
            paras.append(Para(f"{words}: {', '.join(names)}", 11, True, SPECIAL_INK, 2))
    if other or not cats:
        paras.append(Para(f"Data: {', '.join(other) or 'none recorded'}", 11, False, MUTED, 2))
    subjects = sorted(g.nodes[s]["label"] for s, _, d in g.in_edges(n, data=True) if d["kind"] == "about")
    hover = "\n".join([f"{ref} {attrs['label']}", f"Service: {service or 'none'}",
                       f"Our role: {role or 'not recorded'}",
                       f"Data subjects: {', '.join(subjects) or 'none recorded'}",
                       "Special category or criminal offence data: "
                       + (", ".join(special + criminal) or "none"),
                       f"Other data: {', '.join(other) or 'none'}"])
    special_box = bool(attrs.get("special"))
    return Box(n, "activity", paras, hover, *BOX_STYLE["special" if special_box else "activity"],
               2.5 if special_box else 1.5, tiebreak=((0,) if service else (1,), service.casefold(), 1,
                                                      _natural(ref)))


def _recipient_box(g: nx.MultiDiGraph, n: str, attrs: dict) -> Box:
    what = "Recipient organisation" if attrs.get("recipient_kind") == "organisation" else "Recipient"
    return Box(n, "recipient", [Para(what, 11, False, MUTED, 1), Para(attrs["label"], 12, True)],
               f"{what}: {attrs['label']}", *BOX_STYLE["recipient"])


def _system_box(g: nx.MultiDiGraph, n: str, attrs: dict) -> Box:
    where = attrs.get("location") or ("UK" if _in_uk(g, n) else "")
    paras = [Para("System" + (f" · {where}" if where else ""), 11, False, MUTED, 2),
             Para(attrs["label"], 12, True)]
    return Box(n, "system", paras, f"System: {attrs['label']}" + (f"\nWhere: {where}" if where else ""),
               *BOX_STYLE["system"])


def _organisation_box(g: nx.MultiDiGraph, n: str, attrs: dict) -> Box:
    kind = (attrs.get("org_kind") or "organisation").replace("_", " ").replace("nhs", "NHS")
    words = [kind[:1].upper() + kind[1:]] + ["UK"] * _in_uk(g, n) + ["our organisation"] * bool(
        attrs.get("is_self"))
    hover = (f"{' · '.join(words)}: {attrs['label']}\n"
             f"Data Security and Protection Toolkit: {attrs.get('dspt_status', 'unknown')}")
    paras = [Para(" · ".join(words), 11, False, MUTED, 1), Para(attrs["label"], 13, True)]
    width = 3.0 if attrs.get("is_self") else 1.5
    return Box(n, "organisation", paras, hover, *BOX_STYLE["organisation"], width)


def _country_box(g: nx.MultiDiGraph, n: str, attrs: dict) -> Box:
    (fill, stroke), words = STATUS.get(attrs.get("transfer_status") or "unknown", STATUS["unknown"])
    scope = attrs.get("adequacy_scope") or ""
    hover = f"{attrs['label']}: {words}" + (f"\nAdequacy scope: {scope}" if scope else "")
    return Box(n, "country", [Para(attrs["label"], 13, True), Para(words, 11, False, INK, 2)], hover, fill,
               stroke, 1.5 if stroke == GREEN[1] else 2.5)


def _is_uk(g: nx.MultiDiGraph, n: str) -> bool:
    return g.nodes[n].get("kind") == "country" and g.nodes[n].get("transfer_status") == "uk"


def _in_uk(g: nx.MultiDiGraph, n: str) -> bool:
    return any(d["kind"] == "located_in" and _is_uk(g, t) for _, t, d in g.out_edges(n, data=True))


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", text))


def _column_widths(boxes: dict[str, Box]) -> list[float]:
    """Each column as wide as its widest bold label on one line, within bounds; every box wrapped to it."""
    widths = []
    for column, (least, most) in enumerate(WIDTHS):
        natural = [text_width(p.text, p.size, bold=p.bold) + 16 for b in boxes.values()
                   if COLUMN_OF[b.kind] == column for p in b.paras if p.bold]
        widths.append(min(max(natural + [least]), most) if natural else 40.0)
    for box in boxes.values():
        box.wrap(widths[COLUMN_OF[box.kind]])
    return widths


# ------------------------------------------------------------------------------------------------------------
# Which lines are drawn


def _links(g: nx.MultiDiGraph, boxes: dict[str, Box]) -> list[Link]:
    """One line per drawn edge, left end first. Our own organisation's controller and processor links are left
    out: it is involved in every activity, and thirty lines into one box would hide everything else."""
    us = g.graph.get("us")
    seen, links = set(), []
    edges = sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[3]["kind"], e[2]))
    for u, v, _, data in edges:
        kind = data["kind"]
        if kind not in EDGES or u not in boxes or v not in boxes or (u == us and kind in ROLE_KINDS):
            continue
        if (kind == "provided_by" and v == us) or (kind == "located_in" and _is_uk(g, v)):
            continue  # a line to our own box, or to the UK, which the boxes say in words
        left, right = (u, v) if COLUMN_OF[boxes[u].kind] <= COLUMN_OF[boxes[v].kind] else (v, u)
        if kind != "transfers_to" and (left, right, kind) in seen:
            continue
        seen.add((left, right, kind))
        lane = 18.0 if kind == "transfers_to" else 2.0  # room for the transfer's label above its line
        links.append(Link(left, right, dict(data, source=u, target=v), lane))
    return links


def _link_style(g: nx.MultiDiGraph, link: Link) -> tuple[str, float, str, str]:
    kind = link.data["kind"]
    colour, width, dash, words = EDGES[kind]
    if kind in ("located_in", "transfers_to"):
        (_, colour), _ = STATUS.get(g.nodes[link.data["target"]].get("transfer_status"), STATUS["unknown"])
    if kind == "transfers_to" and (link.data.get("mechanism") or "none_recorded") == "none_recorded":
        dash = "9 5"
    return colour, width, dash, words


def _transfer_words(data: dict) -> str:
    mechanism = data.get("mechanism") or "none_recorded"
    safeguard = "no safeguard" if mechanism == "none_recorded" else mechanism.replace("_", " ")
    tra = f"TRA {data['tra_date']}" if data.get("tra_date") else "no TRA"
    return " · ".join(x for x in (data.get("reference") or "", safeguard, tra) if x)


# ------------------------------------------------------------------------------------------------------------
# SVG


def _heading(g: nx.MultiDiGraph, boxes: dict[str, Box], title: str, width: float) -> tuple[list[str], float]:
    """Title, what is drawn, the key and a note; returns the SVG and the y where the columns start."""
    kinds = [b.kind for b in boxes.values()]
    counts = ", ".join(f"{n} {one if n == 1 else many}" for kind, one, many in NOUNS
                       if (n := kinds.count(kind)))
    parts = [svg_text(MARGIN, MARGIN + 18, title or "Data flows", 20, INK, True),
             svg_text(MARGIN, MARGIN + 40, counts or "Nothing to draw")]
    key, y = svg_key(KEY_BOXES, KEY_LINES, MARGIN, MARGIN + 58, width - MARGIN)
    parts += key
    us = g.graph.get("us")
    if us in g:
        parts.append(svg_text(MARGIN, y + 16, f"{g.nodes[us]['label']} (our organisation) is controller or "
                                              "processor of every activity shown; those links are not drawn.",
                              12, MUTED))
        y += 22
    return parts, y + 20


def _column_headings(items: dict[str, Item], top: float) -> list[str]:
    parts = []
    for column, words in enumerate(COLUMNS):
        boxes = [i for i in items.values() if i.column == column and not i.lane]
        if boxes:
            parts.append(svg_text(boxes[0].x, top + 14, words, 14, INK, True))
    return parts


def _service_frames(boxes: dict[str, Box], items: dict[str, Item]) -> list[str]:
    """A light frame around each service's activities, with its name at the top."""
    frames = []
    for key, box in boxes.items():
        if box.kind != "service":
            continue
        head = items[key]
        members = [items[k] for k, b in boxes.items()
                   if b.kind == "activity" and b.tiebreak[:2] == box.tiebreak[:2]]
        bottom = max([m.y + m.height for m in members] + [head.y + head.height])
        frames.append(f'<rect x="{head.x - 6:.1f}" y="{head.y - 4:.1f}" width="{head.width + 12:.1f}" '
                      f'height="{bottom - head.y + 10:.1f}" rx="8" fill="{box.fill}" stroke="{box.stroke}"/>')
    return frames


def _svg_link(g: nx.MultiDiGraph, link: Link, items: dict[str, Item], focus: str | None) -> str:
    """A line with its meaning as a hover title; a transfer is heavy, arrowed and labelled on its lane."""
    colour, width, dash, words = _link_style(g, link)
    source, target, kind = link.data["source"], link.data["target"], link.data["kind"]
    via = (node("org", link.data.get("via_organisation") or ""),
           node("system", link.data.get("via_system") or ""))
    opacity = 1.0 if kind == "transfers_to" else 0.6
    if focus is not None and focus not in (source, target, *via):
        opacity = 0.15
    hover = f"{g.nodes[source]['label']} → {g.nodes[target]['label']}: {words}"
    style = f'fill="none" stroke="{colour}" stroke-width="{width:g}" stroke-opacity="{opacity:g}"'
    style += f' stroke-dasharray="{dash}"' if dash else ""
    label = ""
    if kind == "transfers_to":
        hover += f" ({_transfer_words(link.data)})"
        arrow = {RED[1]: "red", AMBER[1]: "amber"}.get(colour, "green")
        style += f' marker-end="url(#arrow-{arrow})"'
        lane = items[link.chain[-2]] if len(link.chain) > 2 else None
        if lane is not None:
            text = wrap(_transfer_words(link.data), lane.width - 8, 11, bold=True, max_lines=1)
            label = svg_text(lane.x + 4, lane.lane_y - 5, text[0] if text else "", 11, colour, True)
    path = f'<path d="{link_path(link, items)}" {style}/>'
    return f'<g class="edge {kind}"><title>{esc(hover)}</title>{path}{label}</g>'


# ------------------------------------------------------------------------------------------------------------
# Slices of a big register


def subgraph_for(g: nx.MultiDiGraph, *, service: str | None = None, organisation: str | None = None,
                 transfers_only: bool = False) -> nx.MultiDiGraph:
    """The slice to draw: one service's activities, the activities that depend on one organisation, or only
    the activities with recorded transfers (filters combine) — each with what is one step from them and the
    routes on to countries."""
    activities = {n for n, a in g.nodes(data=True) if a.get("kind") == "activity"}
    anchors: set[str] = set()
    if service is not None:
        key = node("service", service)
        if key not in g:
            raise KeyError(f"no service named {service!r} in the register: pick one of the services it lists")
        activities &= {s for s, _, d in g.in_edges(key, data=True) if d["kind"] == "part_of"}
        anchors |= {key} | set(nx.all_neighbors(g, key))
    if organisation is not None:
        if node("org", organisation) not in g:
            raise KeyError(f"no organisation named {organisation!r} in the register: pick one of the "
                           "organisations it lists")
        impact = impact_of(g, organisation)
        activities &= {node("activity", ref) for ref in impact.activities}
        anchors |= {node("org", organisation)} | {node("org", o) for o in impact.downstream}
    if transfers_only:
        keep = _transfer_routes(g, activities)
    else:
        keep = set(activities)
        for a in activities:
            keep |= set(nx.all_neighbors(g, a))
    return g.subgraph(_onward(g, keep | anchors)).copy()


def _transfer_routes(g: nx.MultiDiGraph, activities: set[str]) -> set[str]:
    """The activities with recorded transfers, whose data they carry, and the parties and countries on the
    way."""
    keep = set()
    for a in activities:
        transfers = [(v, d) for _, v, d in g.out_edges(a, data=True) if d["kind"] == "transfers_to"]
        if not transfers:
            continue
        keep |= {a} | {s for s, _, d in g.in_edges(a, data=True) if d["kind"] == "about"}
        keep |= {c for _, c, d in g.out_edges(a, data=True) if d["kind"] == "uses"}
        for target, data in transfers:
            keep.add(target)
            if data.get("via_organisation"):
                keep.add(node("org", data["via_organisation"]))
            if data.get("via_system"):
                keep.add(node("system", data["via_system"]))
    return {n for n in keep if n in g}


def _onward(g: nx.MultiDiGraph, keep: set[str]) -> set[str]:
    """Add the organisations behind kept recipients and systems, the sub-processors of kept processors, and
    the countries where all of them are, so a slice still shows where the data ends up."""
    index = sub_processor_index(g)
    parties = set(keep)
    for n in keep:
        for _, target, data in g.out_edges(n, data=True):
            if data["kind"] in ("is_organisation", "supplied_by"):
                parties.add(target)
            elif data["kind"] == "processes_for" and target in keep:
                parties |= index.get(n, frozenset())
    countries = {t for n in parties for _, t, d in g.out_edges(n, data=True) if d["kind"] == "located_in"}
    return parties | countries
