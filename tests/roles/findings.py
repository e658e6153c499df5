from tests.roles import EVERYONE

ROUTES = [
    ("findings.index", "GET", "/findings?severity=error", EVERYONE),
    ("findings.download", "GET", "/findings.json?rule=T01", EVERYONE),
]
