from tests.roles import EVERYONE, WRITERS

NELFT = "/organisations/North-East London NHS Foundation Trust"
ROUTES = [
    ("organisations.index", "GET", "/organisations", EVERYONE),
    ("organisations.detail", "GET", NELFT, EVERYONE),
    ("organisations.new", "GET", "/organisations/new", WRITERS),
    ("organisations.new", "POST", "/organisations/new", WRITERS),
    ("organisations.edit", "GET", NELFT + "/edit", WRITERS),
    ("organisations.edit", "POST", NELFT + "/edit", WRITERS),
]
