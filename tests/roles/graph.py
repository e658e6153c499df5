from tests.roles import EVERYONE

ROUTES = [
    ("graph.index", "GET", "/graph?service=Essex+Child+and+Family+Wellbeing+Services+(ECFWS)", EVERYONE),
    ("graph.picture", "GET", "/graph/picture.svg?transfers=1", EVERYONE),
    ("graph.download", "GET", "/graph/graph.graphml", EVERYONE),
]
