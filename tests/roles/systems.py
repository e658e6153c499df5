from tests.roles import EVERYONE, WRITERS

CONNERS = "/systems/Digital Conners4"
ROUTES = [
    ("systems.index", "GET", "/systems", EVERYONE),
    ("systems.detail", "GET", CONNERS, EVERYONE),
    ("systems.new", "GET", "/systems/new", WRITERS),
    ("systems.new", "POST", "/systems/new", WRITERS),
    ("systems.edit", "GET", CONNERS + "/edit", WRITERS),
    ("systems.edit", "POST", CONNERS + "/edit", WRITERS),
]
