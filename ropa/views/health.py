"""/healthz and /readyz, for a load balancer or an orchestrator: no sign-in, no CSRF token, never a 500.

/healthz says the process answers (it touches nothing else); /readyz says it can serve the register: the database
answers `SELECT 1` and its Alembic revision is the code's migration head. 503 otherwise, with the reason in words.
"""

import logging

from flask import Blueprint, jsonify

bp = Blueprint("health", __name__)
log = logging.getLogger("ropa")


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    from ropa.services.health import readiness

    try:
        verdict = readiness()
    except Exception as exc:  # a probe answers in words, never with the 500 page
        log.exception("readiness check failed")
        return jsonify(status="not ready", reason=f"readiness check failed: {type(exc).__name__}: {exc}"), 503
    if verdict.ready:
        return jsonify(status="ready", revision=verdict.revision)
    log.warning("not ready: %s", verdict.reason)
    return jsonify(status="not ready", reason=verdict.reason, revision=verdict.revision), 503
