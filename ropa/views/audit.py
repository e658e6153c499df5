"""The audit log page: who changed what and when, field by field, and whether the hash chain is intact."""

from flask import Blueprint, render_template, request

from ropa.auth import role_required
from ropa.services.audit_log import audit_page, chain_status, entity_types

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@role_required()
def index():
    """Entries newest first, filtered by entity type, entity key and user; 50 a page by entry id."""
    filters = {name: request.args.get(name, "").strip() for name in ("entity_type", "key", "actor")}
    after = request.args.get("after", type=int)
    page = audit_page(**filters, after=after)
    # The chain check reads the whole log: once, on the first page, rather than again on every page deeper in.
    verdict = chain_status() if after is None else None
    active = {k: v for k, v in filters.items() if v}
    return render_template("audit/index.html", page=page, filters=filters, active=active, verdict=verdict,
                           types=entity_types())
