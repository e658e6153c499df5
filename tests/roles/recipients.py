from tests.roles import EVERYONE, WRITERS

POLICE = "/recipients/Police and Judicial Services"
ROUTES = [
    ("recipients.index", "GET", "/recipients", EVERYONE),
    ("recipients.detail", "GET", POLICE, EVERYONE),
    ("recipients.new", "GET", "/recipients/new", WRITERS),
    ("recipients.new", "POST", "/recipients/new", WRITERS),
    ("recipients.edit", "GET", POLICE + "/edit", WRITERS),
    ("recipients.edit", "POST", POLICE + "/edit", WRITERS),
    ("recipients.edit_sharing", "GET", POLICE + "/sharing/PA-014", WRITERS),
    ("recipients.edit_sharing", "POST", POLICE + "/sharing/PA-014", WRITERS),
]
