from tests.roles import ADMIN, DPO, EDITOR, EVERYONE

WRITE = (ADMIN, DPO)
ROUTES = [
    ("activities.index", "GET", "/activities", EVERYONE),
    ("activities.detail", "GET", "/activities/PA-001", EVERYONE),
    ("activities.new", "GET", "/activities/new", (ADMIN, DPO, EDITOR)),
    ("activities.new", "POST", "/activities/new", (ADMIN, DPO, EDITOR)),
    # An editor with no services assigned (as in the role table) may edit none of them.
    ("activities.edit", "GET", "/activities/PA-001/edit", WRITE),
    ("activities.edit", "POST", "/activities/PA-001/edit", WRITE),
    ("activities.mark_reviewed", "POST", "/activities/PA-002/reviewed", WRITE),
    ("activities.retire", "POST", "/activities/PA-003/retire", WRITE),
]
