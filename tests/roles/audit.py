from tests.roles import EVERYONE

ROUTES = [("audit.index", "GET", "/audit?actor=test", EVERYONE)]
