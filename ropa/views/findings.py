"""The findings page: every open finding of the checks, filterable, each linked to its entity with its fix."""

import json

from flask import Blueprint, Response, render_template, request

from ropa.auth import role_required
from ropa.checks import Finding
from ropa.services.findings import Findings, current_findings
from ropa.services.jobs import file_name

bp = Blueprint("findings", __name__)

PAGE_SIZE = 50
SEVERITIES = ("error", "warning", "info")
#: Where each entity type of a finding is shown: (endpoint, the URL value its reference fills).
ENTITY_PAGES = {"activity": ("activities.detail", "reference"), "organisation": ("organisations.detail", "name"),
                "transfer": ("transfers.detail", "reference"), "engagement": ("engagements.detail", "reference"),
                "recipient": ("recipients.detail", "name"), "system": ("systems.detail", "name"),
                "service": ("services.detail", "name")}


def _filters() -> dict[str, str]:
    return {name: request.args.get(name, "").strip() for name in ("severity", "rule", "entity_type", "q")}


def _matching(found: Findings, filters: dict[str, str]) -> list[Finding]:
    text = filters["q"].casefold()
    return [f for f in found.items
            if (not filters["severity"] or f.severity == filters["severity"])
            and (not filters["rule"] or f.rule == filters["rule"].upper())
            and (not filters["entity_type"] or f.entity_type == filters["entity_type"])
            and (not text or text in " ".join((f.rule, f.title, f.entity_ref, f.entity_name, f.message,
                                               f.fix)).casefold())]


@bp.get("/findings")
@role_required()
def index():
    """All open findings, filtered, 50 to a page (an in-memory list, so paged by position)."""
    found = current_findings()
    filters = _filters()
    shown = _matching(found, filters)
    start = max(0, request.args.get("start", 0, type=int))
    if start >= len(shown):
        start = 0
    active = {k: v for k, v in filters.items() if v}
    return render_template("findings/index.html", found=found, shown=shown, rows=shown[start:start + PAGE_SIZE],
                           start=start, size=PAGE_SIZE, filters=filters, active=active, severities=SEVERITIES,
                           entity_types=sorted({f.entity_type for f in found.items}), pages=ENTITY_PAGES)


@bp.get("/findings.json")
@role_required()
def download():
    """The same filtered list as JSON, in the shape of `ropa check --format json`."""
    found = current_findings()
    shown = _matching(found, _filters())
    body = json.dumps({"register": found.counts, "summary": found.severity_counts(),
                       "findings": [f.as_dict() for f in shown]}, ensure_ascii=False, indent=1)
    name = file_name("json", None, found.computed_at.date()).replace("register", "findings")
    return Response(body + "\n", mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
