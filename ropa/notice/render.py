"""The composed notice as an HTML document or as Markdown. Everything from the register is escaped: a name typed
with markup in it shows as text, and the HTML carries no script. Each section ends with the register entries it was
written from (links when a `link` function gives them an address)."""

import html
import re
from collections.abc import Callable

from ropa.notice.compose import Line, Notice, Ref

KIND_LABELS = {"activity": "activity", "organisation": "organisation", "service": "service",
               "recipient": "recipient", "engagement": "processor engagement", "transfer": "transfer",
               "retention_rule": "retention rule", "lawful_basis": "lawful basis", "data_category": "data category",
               "subject_category": "data subject category", "system": "system"}
GAP_NOTE = ("Lines marked \u201cNot recorded\u201d say what the register does not hold yet; they are for the DPO to "
            "complete before the notice is published.")
STYLE = ("body{font-family:Arial,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5;"
         "color:#212b32}.gap{background:#fff9c4}.refs{font-size:.875rem;color:#4c6272}")


def _groups(lines: list[Line]):
    """Consecutive list items together, paragraphs alone."""
    group: list[Line] = []
    for line in lines:
        if line.item:
            group.append(line)
            continue
        if group:
            yield True, group
            group = []
        yield False, [line]
    if group:
        yield True, group


def render_html(notice: Notice, link: Callable[[Ref], str | None] | None = None) -> str:
    """A standalone HTML document (UTF-8, no script)."""
    e = html.escape
    out = ["<!doctype html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(notice.title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
           f"<h1>{e(notice.title)}</h1>"]
    if notice.as_at:
        out.append(f"<p>Written from the register as frozen in the snapshot \u201c{e(notice.as_at)}\u201d.</p>")
    if notice.gaps:
        out.append(f'<p class="gap">{e(GAP_NOTE)}</p>')
    for section in notice.sections:
        out.append(f'<section id="{e(section.key)}"><h2>{e(section.heading)}</h2>')
        for listed, lines in _groups(section.lines):
            cells = [_html_line(line) for line in lines]
            out.append("<ul>" + "".join(f"<li{c}</li>" for c in cells) + "</ul>" if listed else
                       "".join(f"<p{c}</p>" for c in cells))
        if section.refs:
            out.append('<p class="refs">From the register: ' + ", ".join(_html_ref(r, link) for r in section.refs)
                       + "</p>")
        out.append("</section>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _html_line(line: Line) -> str:
    text = html.escape(line.text)
    return f' class="gap"><strong>Not recorded:</strong> {text}' if line.gap else f">{text}"


def _html_ref(ref: Ref, link: Callable[[Ref], str | None] | None) -> str:
    text = html.escape(f"{KIND_LABELS.get(ref.kind, ref.kind)} {ref.key}")
    href = link(ref) if link else None
    return f'<a href="{html.escape(href)}">{text}</a>' if href else text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")
_MD_LEADING = re.compile(r"^([#+=-])")
_MD_NUMBERED = re.compile(r"^(\d+)([.)])")


def md_escape(text: str) -> str:
    """Text on one line with every character Markdown (or inline HTML) would act on escaped."""
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _MD_NUMBERED.sub(r"\1\\\2", _MD_LEADING.sub(r"\\\1", text))


def render_markdown(notice: Notice) -> str:
    """The notice as CommonMark."""
    out = [f"# {md_escape(notice.title)}", ""]
    if notice.as_at:
        out += [f"Written from the register as frozen in the snapshot \u201c{md_escape(notice.as_at)}\u201d.", ""]
    if notice.gaps:
        out += [f"*{md_escape(GAP_NOTE)}*", ""]
    for section in notice.sections:
        out += [f"## {md_escape(section.heading)}", ""]
        for listed, lines in _groups(section.lines):
            for line in lines:
                text = ("**Not recorded:** " if line.gap else "") + md_escape(line.text)
                out.append(f"- {text}" if listed else text)
                if not listed:
                    out.append("")
            if listed:
                out.append("")
        if section.refs:
            out += ["*From the register:* " + ", ".join(md_escape(f"{KIND_LABELS.get(r.kind, r.kind)} {r.key}")
                                                         for r in section.refs), ""]
    return "\n".join(out)
