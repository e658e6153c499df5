"""The JSON API under /api/v1: the register's records over the field catalogue, the findings, and the OpenAPI
document describing both. Bearer tokens only: a browser's session cookie is never accepted, so a signed-in page in
another tab cannot be made to call it cross-site (which is also why it needs no CSRF token)."""

import logging

from flask import Blueprint, Flask, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger("ropa")


def error_response(error: HTTPException):
    """An HTTP error as JSON {"error": message}, keeping the status and headers (Allow, WWW-Authenticate)."""
    code = error.code or 500
    if code >= 500:
        log.exception("unhandled API error on %s %s", request.method, request.path,
                      exc_info=getattr(error, "original_exception", None) or error)
        message = "Something went wrong. The error has been logged; try again, or tell the administrator"
    else:
        message = error.description or error.name
    response = jsonify(error=message)
    response.status_code = code
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


# By code as well as by class: Flask tries every code-specific handler (the pages' HTML ones) before a class one.
bp.register_error_handler(HTTPException, error_response)
for _code in (400, 403, 404, 405, 413, 500):
    bp.register_error_handler(_code, error_response)


def json_errors(app: Flask) -> None:
    """Addresses under /api/ that match no route (or no method) answer in JSON too; the pages keep their own."""
    for code, exc in ((404, NotFound), (405, MethodNotAllowed)):
        page = app.error_handler_spec[None].get(code, {}).get(exc)

        def handler(error, page=page):
            if request.path.startswith(bp.url_prefix + "/") or page is None:
                return error_response(error)
            return page(error)

        app.register_error_handler(code, handler)


from ropa.api import findings, imports, openapi, records  # noqa: E402,F401  (the routes)
