from tests.roles import PUBLIC

ROUTES = [
    ("health.healthz", "GET", "/healthz", PUBLIC),
    ("health.readyz", "GET", "/readyz", PUBLIC),
]
