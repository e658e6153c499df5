"""The NHS DSPT evidence pack: one zip of the ICO workbook, the privacy notice, CSVs from the register and an index
mapping each file to the toolkit evidence items (data/dspt/items.csv) it supports."""

import csv
import html
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from ropa.config import PROJECT_ROOT
from ropa.exchange.values import SEPARATOR, escape_cell
from ropa.extensions import db
from ropa.models import Snapshot
from ropa.models.base import utcnow
from ropa.services.snapshots import register_as_at

#: Not in data/ itself: the seed loader reads every CSV there as a register file.
ITEMS_CSV = Path(PROJECT_ROOT) / "data" / "dspt" / "items.csv"
#: DSPT 1.1.2 asks for the register to be approved by management within the last 12 months.
REVIEW_AGE = timedelta(days=365)

WORKBOOK = "ico-workbook.xlsx"
NOTICE = "privacy-notice.html"


@dataclass(frozen=True)
class Item:
    toolkit_version: str
    item: str
    title: str
    files: tuple[str, ...]


def items(path: Path = ITEMS_CSV) -> list[Item]:
    """The evidence item catalogue: which toolkit items each pack file supports."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [Item(row["toolkit_version"], row["item"], row["title"],
                     tuple(f.strip() for f in row["files"].split(";") if f.strip()))
                for row in csv.DictReader(handle)]


def last_review(as_at: str | None = None) -> Snapshot | None:
    """The latest signed-off snapshot: the last management review of the register.

    As at a snapshot, the last one signed off by then (the snapshot itself when it is signed off), so a pack made
    later for an old submission shows the review that stood on that day, not one that came after."""
    query = sa.select(Snapshot).where(Snapshot.approved_at.is_not(None))
    if as_at:
        frozen = db.session.scalar(sa.select(Snapshot).where(Snapshot.label == as_at))
        query = query.where(Snapshot.approved_at <= (frozen.approved_at or frozen.created_at))
    return db.session.scalar(query.order_by(Snapshot.approved_at.desc()).limit(1))


def review_warning(approved_at: datetime | None, now: datetime) -> str:
    """What the index warns about the last management review; empty when it is within the last 12 months."""
    if approved_at is None:
        return ("No signed-off snapshot: the register has no recorded management review. DSPT 1.1.2 asks for "
                "approval within the last 12 months; sign off a snapshot (ropa snapshot create LABEL --approved-by ...).")
    if now - approved_at.replace(tzinfo=None) > REVIEW_AGE:
        return (f"The last management review ({approved_at:%Y-%m-%d}) is more than 12 months old. DSPT 1.1.2 asks "
                "for approval within the last 12 months; sign off a new snapshot.")
    return ""


def write_pack(out, *, as_at: str | None = None, generated_by: str = "ropa", progress=None) -> list[str]:
    """Write the pack as a zip to out (a path or binary file); return the names of the files it holds. progress,
    if given, is called with (fraction done, what it is doing), as the workbook's writer calls it."""
    from ropa.ico.export import write_ico
    from ropa.services.notice import notice_document

    report = progress or (lambda fraction, message: None)
    register, sha256 = register_as_at(as_at)
    now = utcnow().replace(tzinfo=None)
    workbook = io.BytesIO()
    # The workbook is most of the work: its own progress fills the first 80%.
    write_ico(workbook, generated_by=generated_by, as_at=as_at,
              progress=lambda fraction, message: report(0.8 * fraction, f"The ICO workbook: {message}"))
    report(0.85, "Writing the privacy notice")
    files: dict[str, str | bytes] = {WORKBOOK: workbook.getvalue(), NOTICE: notice_document("html", as_at)}
    report(0.9, "Writing the registers and the open findings as CSV")
    files |= {
        "information-asset-register.csv": _csv(*asset_register(register)),
        "suppliers.csv": _csv(*suppliers(register)),
        "transfers.csv": _csv(*transfers(register)),
        "retention-timetable.csv": _csv(*retention_timetable(register)),
        "open-findings.csv": _csv(*open_findings(register, as_at, now.date())),
    }
    review = last_review(as_at)
    facts = {
        "Toolkit version": ", ".join(sorted({i.toolkit_version for i in items()})),
        "Generated": f"{now:%Y-%m-%d %H:%M} UTC by {generated_by}",
        "As at": f"snapshot {as_at!r}" if as_at else "the live register",
        "Register SHA-256": sha256,
        "ICO registration number (1.1.1)": _ico_number(register) or "not recorded in the register",
        "Last management review": (f"{review.approved_at:%Y-%m-%d} (snapshot {review.label!r}, "
                                   f"signed off by {review.approved_by})") if review else "none",
    }
    warning = review_warning(review.approved_at if review else None, now)
    catalogue = items()
    report(0.97, "Writing the index")
    files["index.csv"] = _index_csv(facts, warning, catalogue)
    files["index.html"] = _index_html(facts, warning, catalogue)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return list(files)


# --- the CSVs, from the register in dump form ------------------------------------------------------------------

def asset_register(register: dict) -> tuple[list[str], list[list]]:
    header = ["system", "description", "supplier", "owner", "hosting_country", "location", "software",
              "support_arrangements", "impact_of_loss", "activities"]
    used: dict[str, list[str]] = {}
    for activity in register.get("activities", []):
        for system in activity.get("systems") or []:
            used.setdefault(system, []).append(activity["reference"])
    rows = [[s.get("name"), s.get("description"), s.get("supplier"), s.get("owner"), s.get("hosting_country"),
             s.get("location"), s.get("software"), s.get("support_arrangements"), s.get("impact_of_loss"),
             used.get(s["name"], [])] for s in register.get("systems", [])]
    return header, rows


def suppliers(register: dict) -> tuple[list[str], list[list]]:
    """Every processor the register names, with what it provides, its contact details, contract and DSPT status."""
    header = ["supplier", "products_and_services", "systems", "email", "telephone", "address",
              "ico_registration", "dspt_status", "engagements", "contract_reference", "contract_url",
              "art28_confirmed", "activities"]
    organisations = {o["name"]: o for o in register.get("organisations", [])}
    engagements: dict[str, list[dict]] = {}
    for engagement in register.get("engagements", []):
        engagements.setdefault(engagement["processor"], []).append(engagement)
    activities: dict[str, list[str]] = {}
    for activity in register.get("activities", []):
        for name in activity.get("processors") or []:
            activities.setdefault(name, []).append(activity["reference"])
    systems: dict[str, list[str]] = {}
    for system in register.get("systems", []):
        if system.get("supplier"):
            systems.setdefault(system["supplier"], []).append(system["name"])
    rows = []
    for name in sorted(set(engagements) | set(activities)):
        org, own = organisations.get(name, {}), engagements.get(name, [])
        confirmed = [e.get("art28_confirmed") for e in own]
        rows.append([name, [e["description"] for e in own if e.get("description")], systems.get(name, []),
                     org.get("email"), org.get("telephone"), org.get("address"), org.get("ico_registration"),
                     org.get("dspt_status"), [e["reference"] for e in own],
                     [e["contract_reference"] for e in own if e.get("contract_reference")],
                     [e["contract_url"] for e in own if e.get("contract_url")],
                     "yes" if confirmed and all(confirmed) else "no" if any(c is False for c in confirmed)
                     else "not recorded", activities.get(name, [])])
    return header, rows


def transfers(register: dict) -> tuple[list[str], list[list]]:
    header = ["reference", "activity", "organisation", "system", "country", "destination", "mechanism",
              "safeguards", "certification", "tra_date", "tra_outcome", "tra_url"]
    return header, [[t.get(c) for c in header] for t in register.get("transfers", [])]


def retention_timetable(register: dict) -> tuple[list[str], list[list]]:
    from ropa.notice.compose import period_words

    header = ["activity", "name", "retention_rule", "retention_period", "trigger", "exceptions", "legal_hold",
              "retention_policy_url"]
    rules = {r["name"]: r for r in register.get("retention_rules", [])}
    rows = []
    for activity in register.get("activities", []):
        rule = rules.get(activity.get("retention_rule") or "", {})
        rows.append([activity["reference"], activity.get("name"), activity.get("retention_rule"),
                     (period_words(rule) if rule else "") or "not recorded", rule.get("trigger"),
                     rule.get("exceptions"), rule.get("legal_hold"), activity.get("retention_policy_url")])
    return header, rows


def open_findings(register: dict, as_at: str | None, today: date) -> tuple[list[str], list[list]]:
    """The checks' findings: the stored ones of the live register, or the snapshot's own when as at one."""
    header = ["rule", "severity", "entity_type", "entity_ref", "entity_name", "message", "fix"]
    if as_at:
        from ropa.checks import run_checks
        from ropa.graph import build_graph

        found = [f.as_dict() for f in run_checks(register, build_graph(register), today)]
    else:
        from ropa.services import findings

        findings.ensure_fresh(today)
        found = list(findings.stream())
    return header, [[f.get(c) for c in header] for f in found]


def _ico_number(register: dict) -> str:
    return "; ".join(o["ico_registration"] for o in register.get("organisations", [])
                     if o.get("is_self") and o.get("ico_registration"))


def _text(value) -> str:
    """A CSV cell no spreadsheet evaluates: lists joined, text escaped like the register's own CSVs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        value = SEPARATOR.join(str(v) for v in value)
    return escape_cell(str(value))


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_text(v) for v in row] for row in rows)
    return out.getvalue()


# --- the index ---------------------------------------------------------------------------------------------------

def _index_csv(facts: dict, warning: str, catalogue: list[Item]) -> str:
    rows = [[key, "", value, ""] for key, value in facts.items()]
    if warning:
        rows.append(["WARNING", "", warning, ""])
    rows.extend([i.toolkit_version, i.item, i.title, SEPARATOR.join(i.files)] for i in catalogue)
    return _csv(["toolkit_version", "item", "title", "files"], rows)


def _index_html(facts: dict, warning: str, catalogue: list[Item]) -> str:
    e = html.escape
    lines = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>DSPT evidence pack</title></head><body>", "<h1>DSPT evidence pack</h1>"]
    if warning:
        lines.append(f'<p class="warning" role="alert"><strong>Warning:</strong> {e(warning)}</p>')
    lines.append("<dl>")
    lines.extend(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts.items())
    lines += ["</dl>", "<h2>Evidence items</h2>", "<table>",
              ('<thead><tr><th scope="col">Toolkit version</th><th scope="col">Item</th><th scope="col">Title</th>'
               '<th scope="col">Files</th></tr></thead>'), "<tbody>"]
    for i in catalogue:
        links = ", ".join(f'<a href="{e(f)}">{e(f)}</a>' for f in i.files)
        lines.append(f'<tr><td>{e(i.toolkit_version)}</td><th scope="row">{e(i.item)}</th><td>{e(i.title)}</td>'
                     f"<td>{links}</td></tr>")
    lines += ["</tbody></table>", "</body></html>", ""]
    return "\n".join(lines)
