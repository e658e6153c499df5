"""Database faults answered in words: 503 with a plain sentence for pages, JSON for the API, never the 500 page.

The server stopped or restarting, a read-only database, a full disk: none is the app's fault, and each passes (the
pool replaces dead connections: ropa/connections.py), so the answer is 503 with Retry-After rather than a 500.
The page is plain HTML with no navigation: the full layout asks the database who is signed in, which would fail again.
"""

import logging

import sqlalchemy as sa
from flask import Flask, jsonify, request
from markupsafe import escape

from ropa.services.database_errors import explain

RETRY_AFTER = "5"  # seconds
log = logging.getLogger("ropa")


def register(app: Flask) -> None:
    app.register_error_handler(sa.exc.DBAPIError, database_error)


def database_error(error: sa.exc.DBAPIError):
    message = explain(error)
    if message is None:
        raise error  # a bug, not a fault of the database: the 500 page, logged
    log.warning("database fault on %s %s: %s", request.method, request.path, str(error.orig).splitlines()[0]
                if error.orig is not None else error)
    if request.path.startswith("/api/"):
        response = jsonify(error=message)
    else:
        response = _page(message)
    response.status_code = 503
    response.headers["Retry-After"] = RETRY_AFTER
    return response


def _page(message: str):
    from flask import make_response

    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(message)}</title></head>'
            f"<body><h1>{escape(message)}</h1><p>The page will work again once the database answers.</p>"
            "</body></html>")
    return make_response(body, 503, {"Content-Type": "text/html; charset=utf-8"})
