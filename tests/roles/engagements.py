from tests.roles import EVERYONE, WRITERS

ROUTES = [
    ("engagements.index", "GET", "/processors", EVERYONE),
    ("engagements.detail", "GET", "/processors/PE-001", EVERYONE),
    ("engagements.new", "GET", "/processors/new", WRITERS),
    ("engagements.new", "POST", "/processors/new", WRITERS),
    ("engagements.edit", "GET", "/processors/PE-001/edit", WRITERS),
    ("engagements.edit", "POST", "/processors/PE-001/edit", WRITERS),
]
