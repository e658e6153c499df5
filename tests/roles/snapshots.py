from tests.roles import EVERYONE, WRITERS

ROUTES = [
    ("snapshots.index", "GET", "/snapshots", EVERYONE),
    ("snapshots.create", "POST", "/snapshots", WRITERS),
    ("snapshots.diff", "GET", "/snapshots/diff", EVERYONE),
]
