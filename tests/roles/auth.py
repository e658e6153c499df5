from tests.roles import EVERYONE, PUBLIC

ROUTES = [
    ("auth.login", "GET", "/login", PUBLIC),
    ("auth.login", "POST", "/login", PUBLIC),
    ("auth.logout", "POST", "/logout", EVERYONE),
    # Only just after the right password (otherwise back to sign in); single sign-on is 404 when not configured.
    ("auth.login_code", "GET", "/login/code", PUBLIC),
    ("auth.login_code", "POST", "/login/code", PUBLIC),
    ("auth.sso_start", "POST", "/login/sso", PUBLIC),
    ("auth.sso_callback", "GET", "/login/sso/callback", PUBLIC),
]
