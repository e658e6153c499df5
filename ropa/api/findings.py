"""The open findings of the checks, in the shape of `ropa check --format json`."""

from flask import abort, g, jsonify, request

from ropa.api import bp
from ropa.api.auth import token_required
from ropa.enums import Role
from ropa.services.findings import current_findings

FILTERS = ("severity", "rule", "entity_type", "entity_ref")


@bp.get("/findings")
@token_required()
def findings():
    """Every open finding, or those matching ?severity=&rule=&entity_type=&entity_ref= (exact values), with how fresh
    they are: "fresh" is false while a write since is being taken into account (as_at, changes_since say how far
    behind); ?fresh=1 (DPO and admin) brings them up to date before answering."""
    asked = request.args.get("fresh")
    if asked not in (None, "0", "1"):
        abort(400, "fresh is 1 (bring the findings up to date first) or 0")
    wait = asked == "1" and g.api_user.role in (Role.ADMIN, Role.DPO)
    found = current_findings(fresh=wait)
    shown, _ = found.search(**{name: request.args.get(name, "").strip() for name in FILTERS})
    return jsonify(register=found.counts, summary=found.severity_counts(), findings=[f.as_dict() for f in shown],
                   **found.freshness())
