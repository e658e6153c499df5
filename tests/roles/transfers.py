from tests.roles import EVERYONE, WRITERS

ROUTES = [
    ("transfers.index", "GET", "/transfers", EVERYONE),
    ("transfers.detail", "GET", "/transfers/TR-001", EVERYONE),
    ("transfers.new", "GET", "/transfers/new?activity=PA-026", WRITERS),
    ("transfers.new", "POST", "/transfers/new", WRITERS),
    ("transfers.edit", "GET", "/transfers/TR-001/edit", WRITERS),
    ("transfers.edit", "POST", "/transfers/TR-001/edit", WRITERS),
]
