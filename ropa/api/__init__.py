"""The JSON API under /api/v1: the register's records over the field catalogue, the findings, and the OpenAPI
document describing both. Bearer tokens only: a browser's session cookie is never accepted, so a signed-in page in
another tab cannot be made to call it cross-site (which is also why it needs no CSRF token)."""

import logging

from flask import Blueprint, Flask, abort, jsonify, request
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


NUL = ("Text cannot contain the NUL character (\\u0000): the database cannot store it, and no name or key holds "
       "it. Remove it and send the request again")


@bp.before_request
def refuse_nul():
    """A NUL in the address, the query or a JSON body is refused with 400 before any handler looks a key up with it
    (PostgreSQL raises on a NUL in any text parameter, which would otherwise be a 500)."""
    texts = [request.path, *(t for pair in request.args.items(multi=True) for t in pair)]
    if any("\x00" in t for t in texts) or (request.is_json and _holds_nul(request.get_json(silent=True))):
        abort(400, NUL)


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def json_errors(app: Flask) -> None:
    """Addresses under /api/ that match no route (or no method) answer in JSON too; the pages keep their own."""
    for code, exc in ((404, NotFound), (405, MethodNotAllowed)):
        page = app.error_handler_spec[None].get(code, {}).get(exc)

        def handler(error, page=page):
            if request.path.startswith(bp.url_prefix + "/") or page is None:
                return error_response(error)
            return page(error)

        app.register_error_handler(code, handler)


from ropa.api import findings, imports, openapi, records, reviews  # noqa: E402,F401  (the routes)
