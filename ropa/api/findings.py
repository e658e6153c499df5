"""The open findings of the checks, in the shape of `ropa check --format json`."""

from flask import jsonify, request

from ropa.api import bp
from ropa.api.auth import token_required
from ropa.services.findings import current_findings

FILTERS = ("severity", "rule", "entity_type", "entity_ref")


@bp.get("/findings")
@token_required()
def findings():
    """Every open finding, or those matching ?severity=&rule=&entity_type=&entity_ref= (exact values)."""
    found = current_findings()
    wanted = {name: request.args.get(name, "").strip() for name in FILTERS}
    wanted["rule"] = wanted["rule"].upper()
    shown = [f for f in found.items if all(not v or getattr(f, k) == v for k, v in wanted.items())]
    return jsonify(register=found.counts, summary=found.severity_counts(), findings=[f.as_dict() for f in shown])
