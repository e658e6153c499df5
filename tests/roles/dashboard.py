from tests.roles import EVERYONE

ROUTES = [("dashboard.index", "GET", "/", EVERYONE)]
