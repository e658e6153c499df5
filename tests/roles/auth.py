from tests.roles import EVERYONE, PUBLIC

ROUTES = [
    ("auth.login", "GET", "/login", PUBLIC),
    ("auth.login", "POST", "/login", PUBLIC),
    ("auth.logout", "POST", "/logout", EVERYONE),
]
