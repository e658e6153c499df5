from tests.roles import ADMIN

# No user of this address exists: an admin gets 404 (or the form), everyone else 403 before any lookup.
U = "/users/someone@example.org"

ROUTES = [
    ("users.index", "GET", "/users", (ADMIN,)),
    ("users.new", "GET", "/users/new", (ADMIN,)),
    ("users.new", "POST", "/users/new", (ADMIN,)),
    ("users.edit", "GET", f"{U}/edit", (ADMIN,)),
    ("users.edit", "POST", f"{U}/edit", (ADMIN,)),
    ("users.reset_password", "POST", f"{U}/reset-password", (ADMIN,)),
    ("users.unlock", "POST", f"{U}/unlock", (ADMIN,)),
    ("users.tokens", "GET", f"{U}/tokens", (ADMIN,)),
    ("users.issue_token", "POST", f"{U}/tokens", (ADMIN,)),
    ("users.revoke_token", "POST", f"{U}/tokens/1/revoke", (ADMIN,)),
]
ROUTES.append(("users.reset_mfa", "POST", f"{U}/reset-mfa", (ADMIN,)))
