from tests.roles import EVERYONE, WRITERS

CAMHS = "/services/Southend, Essex and Thurrock Child, Adolescent and Mental Health Service (SET CAMHS)"
ROUTES = [
    ("services.index", "GET", "/services", EVERYONE),
    ("services.detail", "GET", CAMHS, EVERYONE),
    ("services.new", "GET", "/services/new", WRITERS),
    ("services.new", "POST", "/services/new", WRITERS),
    ("services.edit", "GET", CAMHS + "/edit", WRITERS),
    ("services.edit", "POST", CAMHS + "/edit", WRITERS),
]
