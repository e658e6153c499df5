"""Web blueprints, one per feature, and what every page shares: the navigation, security headers, error pages."""

import importlib
import logging
import re

from flask import Flask, current_app, render_template, request, url_for
from flask_login import current_user

from ropa.enums import Role
from ropa.labels import label, value_label

#: The blueprints, by module under ropa.views; a module that is not there yet is simply not registered.
BLUEPRINTS = ["auth", "account", "dashboard", "activities", "organisations", "services", "systems", "recipients",
              "engagements", "transfers", "graph", "findings", "exports", "imports", "snapshots", "audit", "users",
              "health", "notice", "reviews"]

#: The navigation, in order: (endpoint, label, roles that see it; empty = everyone signed in).
NAV = [
    ("dashboard.index", "Dashboard", ()),
    ("activities.index", "Activities", ()),
    ("organisations.index", "Organisations", ()),
    ("services.index", "Services", ()),
    ("systems.index", "Systems", ()),
    ("recipients.index", "Recipients and sharing", ()),
    ("engagements.index", "Processors", ()),
    ("transfers.index", "Transfers", ()),
    ("graph.index", "Graph", ()),
    ("findings.index", "Findings", ()),
    ("exports.index", "Exports", ()),
    ("notice.index", "Privacy notice", ()),
    ("imports.index", "Import", (Role.ADMIN, Role.DPO)),
    ("reviews.index", "Reviews", ()),
    ("snapshots.index", "Snapshots", ()),
    ("audit.index", "Audit log", ()),
    ("users.index", "Users", (Role.ADMIN,)),
]

#: No inline script or style, nothing from another origin: the app serves every asset itself.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

log = logging.getLogger("ropa")


def register_blueprints(app: Flask) -> None:
    from ropa import auth  # noqa: F401  (registers the user loader)

    if app.config.get("MAX_CONTENT_LENGTH") is None:  # an upload beyond the import limit is refused unread (413)
        from ropa.services.imports import DEFAULT_UPLOAD_BYTES
        app.config["MAX_CONTENT_LENGTH"] = int(app.config.get("ROPA_IMPORT_MAX_BYTES") or DEFAULT_UPLOAD_BYTES) \
            + 2**20  # the form's other fields and the multipart framing

    for name in BLUEPRINTS:
        try:
            module = importlib.import_module(f"ropa.views.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"ropa.views.{name}":
                raise
            continue
        app.register_blueprint(module.bp)
    app.context_processor(lambda: {"nav_items": _nav_items, "role": Role, "url_if": _url_if,
                                   "label": label, "value_label": value_label})
    app.add_template_filter(_audit_value, "audit_value")
    app.after_request(_security_headers)
    for status in (403, 404, 405, 400, 413):
        app.register_error_handler(status, _error_page)
    app.register_error_handler(500, _server_error)
    from ropa.views import errors
    errors.register(app)  # the database unreachable, read-only or full: 503 in words
    from ropa import api
    from ropa.extensions import csrf
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # bearer tokens only, no cookies: nothing for a cross-site form to borrow
    if "health" in app.blueprints:
        csrf.exempt(app.blueprints["health"])  # probes: GET only, no session, nothing to protect
    api.json_errors(app)  # after the pages' handlers, which it keeps for every other address


def _nav_items() -> list[tuple[str, str, bool]]:
    """(url, label, is the current section) for the signed-in user's navigation."""
    if not current_user.is_authenticated:
        return []
    items = []
    section = (request.endpoint or "").split(".")[0]
    for endpoint, label, roles in NAV:
        if endpoint in current_app.view_functions and (not roles or current_user.role in roles):
            items.append((url_for(endpoint), label, endpoint.split(".")[0] == section))
    return items


def _audit_value(value) -> str:
    """A value from the audit log in words: yes / no, vocabulary values by their label, lists joined."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(_audit_value(v) for v in value)
    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+|[a-z]+", value):
        return value_label(value)
    return "" if value is None else str(value)


def _url_if(endpoint: str, **values) -> str | None:
    """The URL of an endpoint, or None when that page is not part of this build."""
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")  # register pages hold personal-data descriptions
    return response


MESSAGES = {
    400: ("The request could not be used", "The form may have expired. Go back, reload the page and try again."),
    403: ("You cannot do that", "Your role does not allow this. Ask the DPO or an administrator if you need it."),
    404: ("Page not found", "Check the address, or find the record from the navigation."),
    405: ("That is not allowed here", "Use the page's own buttons and forms."),
    413: ("The file is too large", "Split the import into smaller files."),
}


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    title, advice = MESSAGES.get(code, ("Something went wrong", ""))
    detail = getattr(error, "description", "") if code == 400 else ""
    return render_template("error.html", code=code, title=title, advice=advice, detail=detail), code


def _server_error(error):
    log.exception("unhandled error on %s %s", request.method, request.path, exc_info=getattr(error, "original_exception", error))
    return render_template("error.html", code=500, title="Something went wrong",
                           advice="The error has been logged. Try again; if it keeps happening, tell the administrator.",
                           detail=""), 500
