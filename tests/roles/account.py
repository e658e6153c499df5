from tests.roles import EVERYONE

# Every signed-in user manages their own account (never anyone else's: that is users.reset_mfa, for admins).
ROUTES = [
    ("account.index", "GET", "/account", EVERYONE),
    ("account.mfa_setup", "GET", "/account/mfa", EVERYONE),
    ("account.mfa_setup", "POST", "/account/mfa", EVERYONE),
    ("account.mfa_disable", "POST", "/account/mfa/disable", EVERYONE),
    ("account.password", "GET", "/account/password", EVERYONE),
    ("account.password", "POST", "/account/password", EVERYONE),
]
