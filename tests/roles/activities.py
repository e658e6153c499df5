from tests.roles import EVERYONE

ROUTES = [("activities.index", "GET", "/activities", EVERYONE)]
