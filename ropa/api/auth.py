"""Bearer-token sign-in for the API and the roles each route needs, declared on the route like the pages'."""

from collections.abc import Callable
from functools import wraps

from flask import abort, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from ropa.enums import Role
from ropa.models import User
from ropa.services.users import touch_token

NO_TOKEN = ("Send an API token as 'Authorization: Bearer ropa_...'. An administrator issues tokens on the Users "
            "pages, or with `ropa create-token EMAIL`")
BAD_TOKEN = ("This API token is not known, has been revoked, or belongs to a deactivated account. Ask an "
             "administrator for a new one")
WRONG_ROLE = "Your role does not allow this. Ask the DPO or an administrator if you need it"


def api_user() -> User:
    """The user whose token signed the current API request."""
    return g.api_user


def _refuse(message: str):
    raise Unauthorized(message, www_authenticate=WWWAuthenticate("Bearer", {"realm": "ropa"}))


def token_required(*roles: Role) -> Callable:
    """A valid bearer token required (401 otherwise; a session cookie does not count); with roles, only those
    roles (others get 403). No roles: any user with a token."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                _refuse(NO_TOKEN)
            user = touch_token(token.strip())
            if user is None:
                _refuse(BAD_TOKEN)
            if roles and user.role not in roles:
                abort(403, WRONG_ROLE)
            g.api_user = user
            return view(*args, **kwargs)
        wrapped.roles = roles
        return wrapped
    return decorator
