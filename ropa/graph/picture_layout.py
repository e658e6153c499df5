"""Geometry and SVG primitives for the data-flow picture: measuring, wrapping and escaping text, labelled
boxes, the key, and a layered left-to-right layout.

Pure and deterministic: no randomness and no iteration over unordered sets, so the same boxes and links always
give the same coordinates (the picture is compared byte for byte between runs).

The layout is a small Sugiyama-style one. One column (the activities) keeps the order it is given; every
other column is ordered by the barycentre of its neighbours in the column nearer that anchor, then placed as
close to them as it can be without overlap (an isotonic regression, solved by pool-adjacent-violators). A link
that jumps over a column passes through a thin "lane" item in it, so no line runs behind a box.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple
from xml.sax.saxutils import escape

FONT_FAMILY = "'DejaVu Sans', Verdana, sans-serif"
INK = "#1a1a1a"
ELLIPSIS = "…"
GAP, LANE_GAP, PAD = 12.0, 4.0, 8.0
# Advance widths of DejaVu Sans in ems (Verdana's are within a few per cent); bold is up to 15 % wider.
_ADVANCE_GROUPS = {
    0.275: "'", 0.278: "ijl", 0.295: "IJ", 0.318: " .,", 0.337: ":;/|\\", 0.352: "f", 0.361: "-",
    0.39: "()[]", 0.392: "t", 0.401: "!", 0.411: "r", 0.46: '"', 0.5: "*_`–", 0.521: "s", 0.525: "z",
    0.531: "?", 0.55: "c", 0.557: "L", 0.575: "F", 0.579: "k", 0.592: "vxy", 0.603: "P", 0.611: "TY",
    0.612: "o", 0.613: "a", 0.615: "e", 0.632: "E", 0.634: "hnu", 0.635: "bdgpqS$", 0.636: "0123456789{}",
    0.656: "K", 0.684: "AV", 0.685: "XZ", 0.686: "B", 0.695: "R", 0.698: "C", 0.732: "U", 0.748: "N",
    0.752: "H", 0.77: "D", 0.775: "G", 0.78: "&", 0.787: "OQ", 0.818: "w", 0.838: "#+<=>^~", 0.863: "M",
    0.95: "%", 0.974: "m", 0.989: "W", 1.0: "@…",
}
_ADVANCE = {ch: width for width, chars in _ADVANCE_GROUPS.items() for ch in chars}
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated width in pixels of text set in DejaVu Sans at size px."""
    ems = 0.0
    for ch in text:
        if ch in _ADVANCE:
            ems += _ADVANCE[ch]
        else:
            ems += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.7
    return ems * size * (1.15 if bold else 1.0)


def _fit(text: str, width: float, size: float, bold: bool, suffix: str = "") -> str:
    """The longest prefix of text that fits in width together with suffix."""
    while text and text_width(text + suffix, size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + suffix if text else suffix


def wrap(text: str, width: float, size: float, *, bold: bool = False, max_lines: int = 3) -> list[str]:
    """Greedy word wrap to width; words too long for a line are broken; overflow ends in an ellipsis."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold=bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_width(word, size, bold=bold) > width:
            head = _fit(word, width, size, bold)
            lines.append(head)
            word = word[len(head):]
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines - 1] + [_fit(lines[max_lines - 1], width, size, bold, ELLIPSIS)]
    return lines


def esc(text: object) -> str:
    """Text safe inside an element or a double-quoted attribute, and legal XML 1.0: users type the labels."""
    return escape(_INVALID_XML.sub("\ufffd", str(text)), {'"': "&quot;"})


def svg_text(x: float, y: float, text: str, size: float = 12, colour: str = INK, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{colour}"{weight}>{esc(text)}</text>'


def svg_document(title: str, width: float, height: float, markers: dict[str, str], body: list[str]) -> str:
    """The whole picture: a white page, arrowheads (name to colour) and the body; nothing external."""
    defs = "".join(f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" '
                   f'markerHeight="5" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
                   for name, colour in markers.items())
    size = f'width="{width:.0f}" height="{height:.0f}"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" {size} viewBox="0 0 {width:.0f} {height:.0f}" '
            f'font-family="{esc(FONT_FAMILY)}" role="img">\n'
            f"<title>{esc(title)}</title>\n<defs>{defs}</defs>\n"
            f'<rect x="0" y="0" {size} fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n")


def svg_key(boxes: list[tuple[str, str, str]], lines: list[tuple[str, str, float, str]], x0: float, y: float,
            right: float) -> tuple[list[str], float]:
    """The key: box swatches (words, fill, stroke) then line swatches (words, colour, width, dash), in rows
    that wrap before right; returns the SVG and the y below it."""
    swatches = [((f'<rect x="{{x:.1f}}" y="{{y:.1f}}" width="26" height="14" rx="3" fill="{fill}" '
                  f'stroke="{stroke}" stroke-width="1.5"/>'), words) for words, fill, stroke in boxes]
    swatches += [(f'<path d="M{{x:.1f}},{{mid:.1f}} h26" stroke="{colour}" stroke-width="{w:g}" fill="none"'
                  + (f' stroke-dasharray="{dash}"' if dash else "") + "/>", words)
                 for words, colour, w, dash in lines]
    parts, x = [svg_text(x0, y + 11, "Key", 12, INK, True)], x0 + 40
    for swatch, words in swatches:
        step = 34 + text_width(words, 11) + 18
        if x + step > right:
            x, y = x0 + 40, y + 22
        parts += [swatch.format(x=x, y=y, mid=y + 7), svg_text(x + 34, y + 11, words, 11)]
        x += step
    return parts, y + 22


class Para(NamedTuple):
    """A paragraph of a box, wrapped to the box's width."""

    text: str
    size: float = 12.0
    bold: bool = False
    colour: str = INK
    max_lines: int = 3


@dataclass
class Item:
    """A box (or a lane for a link passing through) in one column, and where it ended up."""

    key: str
    column: int
    height: float
    tiebreak: tuple = ()
    lane: bool = False
    space_before: float = 0.0  # extra room above, e.g. between service groups in the anchor column
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0

    @property
    def middle(self) -> float:
        return self.y + self.height / 2

    @property
    def lane_y(self) -> float:
        return self.y + self.height - 1


@dataclass
class Box:
    """A labelled box: what it says (hover holds the full text), how it looks, and where it sorts."""

    key: str
    kind: str
    paras: list[Para]
    hover: str
    fill: str
    stroke: str
    stroke_width: float = 1.5
    tiebreak: tuple = ()
    lines: list[tuple[str, Para]] = field(default_factory=list)

    def wrap(self, width: float) -> None:
        self.lines = [(line, p) for p in self.paras
                      for line in wrap(p.text, width - 2 * PAD, p.size, bold=p.bold, max_lines=p.max_lines)]

    @property
    def height(self) -> float:
        return round(2 * PAD + sum(p.size * 1.3 for _, p in self.lines), 1)

    def svg(self, item: Item, focused: bool = False) -> str:
        """The box in its place with its full text as a hover title; a focused box gets a heavy outline."""
        stroke, width = ("#111111", 4.0) if focused else (self.stroke, self.stroke_width)
        if self.kind == "service":  # a heading on the service's frame, drawn behind the activities
            stroke, width = "none", 0.0
        rect = (f'<rect x="{item.x:.1f}" y="{item.y:.1f}" width="{item.width:.1f}" '
                f'height="{item.height:.1f}" rx="5" fill="{self.fill}" stroke="{stroke}" '
                f'stroke-width="{width:g}"/>')
        css = f"node {self.kind}" + (" focus" if focused else "")
        parts = [f'<g class="{css}"><title>{esc(self.hover)}</title>', rect]
        y = item.y + PAD
        for line, p in self.lines:
            parts.append(svg_text(item.x + PAD, y + p.size * 0.95, line, p.size, p.colour, p.bold))
            y += p.size * 1.3
        return "".join(parts) + "</g>"


@dataclass
class Link:
    """A line between two items; chain holds the items it passes through, lanes included."""

    left: str
    right: str
    data: dict
    lane_height: float = 2.0
    chain: list[str] = field(default_factory=list)
    start_y: float = 0.0
    end_y: float = 0.0


def arrange(items: dict[str, Item], links: list[Link], widths: list[float], *, anchor: int, left: float,
            top: float, column_gap: float) -> None:
    """Give every item its x, y and width, add lanes for links that jump columns, and set each link's ends."""
    lefts = [left + sum(widths[:column]) + column * column_gap for column in range(len(widths))]
    for item in items.values():
        item.x, item.width = lefts[item.column], widths[item.column]
    for number, link in enumerate(links):
        link.chain = [link.left]
        for column in range(items[link.left].column + 1, items[link.right].column):
            key = f"~lane{number}:{column}"
            items[key] = Item(key, column, link.lane_height, (number,), True, 0.0, lefts[column], 0.0,
                              widths[column])
            link.chain.append(key)
        link.chain.append(link.right)
    before, after, beside = _neighbours(items, links)
    columns = [sorted((i for i in items.values() if i.column == c), key=lambda i: (i.lane, i.tiebreak))
               for c in range(len(widths))]
    _place(columns[anchor], [top] * len(columns[anchor]), top)
    for column in range(anchor + 1, len(widths)):
        _order_and_place(columns[column], before, beside, items, top)
    for column in range(anchor - 1, -1, -1):
        _order_and_place(columns[column], after, beside, items, top)
    _set_ends(items, links)


def _neighbours(items: dict[str, Item], links: list[Link]) -> tuple[dict, dict, dict]:
    """For each item, the items linked to it in the column to its left (before), to its right (after) and in
    its own column (beside: a processor and its sub-processor)."""
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    beside: dict[str, list[str]] = {}
    for link in links:
        if items[link.left].column == items[link.right].column:
            beside.setdefault(link.left, []).append(link.right)
            beside.setdefault(link.right, []).append(link.left)
        for a, b in zip(link.chain, link.chain[1:], strict=False):
            if items[b].column == items[a].column + 1:
                after.setdefault(a, []).append(b)
                before.setdefault(b, []).append(a)
    return before, after, beside


def _order_and_place(column: list[Item], near: dict[str, list[str]], beside: dict[str, list[str]],
                     items: dict[str, Item], top: float) -> None:
    """Order a column by the barycentre of its placed neighbours and place it close to them; an item with
    none goes next to a linked item of its own column, else to the foot of the column."""
    def centre(key: str) -> float | None:
        ys = [items[k].middle for k in near.get(key, [])]
        return sum(ys) / len(ys) if ys else None

    centres = {item.key: centre(item.key) for item in column}
    for item in column:
        partners = [centres[k] for k in beside.get(item.key, []) if centres.get(k) is not None]
        if centres[item.key] is None and partners:
            centres[item.key] = sum(partners) / len(partners) + 0.5
    column.sort(key=lambda i: (centres[i.key] is None, centres[i.key] or 0.0, i.lane, i.tiebreak))
    linked = [i for i in column if centres[i.key] is not None]
    _place(linked, [centres[i.key] - i.height / 2 for i in linked], top)
    y = max([i.y + i.height + GAP for i in linked] + [top])
    for item in column[len(linked):]:  # nothing to be near: stacked at the foot of the column
        item.y = round(y, 1)
        y += item.height + (LANE_GAP if item.lane else GAP)


def _place(column: list[Item], desired: list[float], top: float) -> None:
    """Put items as near their desired tops as they can be, in order, without overlap and not above top: the
    least squared distance under the spacing constraints, by pool-adjacent-violators on the offset targets."""
    offsets, offset = [], 0.0
    for index, item in enumerate(column):
        if index:
            prev = column[index - 1]
            offset += prev.height + (LANE_GAP if prev.lane or item.lane else GAP) + item.space_before
        offsets.append(offset)
    blocks: list[list[float]] = []  # [sum of targets, count]
    for want, off in zip(desired, offsets, strict=True):
        blocks.append([want - off, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    level = [b[0] / b[1] for b in blocks for _ in range(int(b[1]))]
    for item, z, off in zip(column, level, offsets, strict=True):
        item.y = round(max(z, top) + off, 1)


def _set_ends(items: dict[str, Item], links: list[Link]) -> None:
    """Spread the ends of the links along each box's side, in the order of the items at their other ends."""
    right: dict[str, list[tuple[float, int, Link, str]]] = {}
    left: dict[str, list[tuple[float, int, Link, str]]] = {}
    for number, link in enumerate(links):
        if items[link.left].column == items[link.right].column:  # same column: both ends on the right
            right.setdefault(link.left, []).append((items[link.right].middle, number, link, "start_y"))
            right.setdefault(link.right, []).append((items[link.left].middle, number, link, "end_y"))
            continue
        right.setdefault(link.left, []).append((items[link.chain[1]].middle, number, link, "start_y"))
        left.setdefault(link.right, []).append((items[link.chain[-2]].middle, number, link, "end_y"))
    for side in (right, left):
        for key, ends in side.items():
            item = items[key]
            ends.sort(key=lambda e: (e[0], e[1]))
            for index, (_, _, link, end) in enumerate(ends):
                setattr(link, end, round(item.y + item.height * (index + 1) / (len(ends) + 1), 1))


def link_path(link: Link, items: dict[str, Item]) -> str:
    """The SVG path of a link: smooth curves across the gaps between columns, straight through lanes."""
    first, last = items[link.left], items[link.right]
    if first.column == last.column:
        x0, x1 = first.x + first.width, last.x + last.width
        bulge = max(x0, x1) + 50
        return (f"M{x0:.1f},{link.start_y:.1f} C{bulge:.1f},{link.start_y:.1f} {bulge:.1f},{link.end_y:.1f} "
                f"{x1:.1f},{link.end_y:.1f}")
    points = [(first.x + first.width, link.start_y)]
    for key in link.chain[1:-1]:
        lane = items[key]
        points += [(lane.x, lane.lane_y), (lane.x + lane.width, lane.lane_y)]
    points.append((last.x, link.end_y))
    parts = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for index in range(1, len(points)):
        (x0, y0), (x1, y1) = points[index - 1], points[index]
        if index % 2:  # across a gap between columns
            mid = (x0 + x1) / 2
            parts.append(f"C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}")
        else:  # through a lane
            parts.append(f"L{x1:.1f},{y1:.1f}")
    return " ".join(parts)
