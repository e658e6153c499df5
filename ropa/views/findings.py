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


def _matching(found: Findings, filters: dict[str, str], start: int = 0,
              limit: int | None = None) -> tuple[list[Finding], int]:
    return found.search(severity=filters["severity"], rule=filters["rule"], entity_type=filters["entity_type"],
                        q=filters["q"], start=start, limit=limit)


@bp.get("/findings")
@role_required()
def index():
    """All open findings, filtered, 50 to a page (the stored findings, paged by position in the checks' order)."""
    found = current_findings()
    filters = _filters()
    start = max(0, request.args.get("start", 0, type=int))
    rows, matching = _matching(found, filters, start, PAGE_SIZE)
    if start and start >= matching:
        start = 0
        rows, matching = _matching(found, filters, 0, PAGE_SIZE)
    active = {k: v for k, v in filters.items() if v}
    return render_template("findings/index.html", found=found, shown=_Count(matching), rows=rows, total=found.total(),
                           start=start, size=PAGE_SIZE, filters=filters, active=active, severities=SEVERITIES,
                           entity_types=found.entity_types(), pages=ENTITY_PAGES)


class _Count:
    """How many findings match, for the template's `shown|length` and `not shown`."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n


@bp.get("/findings.json")
@role_required()
def download():
    """The same filtered list as JSON, in the shape of `ropa check --format json`."""
    found = current_findings()
    shown, _ = _matching(found, _filters())
    body = json.dumps({"register": found.counts, "summary": found.severity_counts(),
                       "findings": [f.as_dict() for f in shown]}, ensure_ascii=False, indent=1)
    name = file_name("json", None, found.computed_at.date()).replace("register", "findings")
    return Response(body + "\n", mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
