from tests.roles import ADMIN, DPO, EDITOR, EVERYONE, WRITERS

ROUTES = [
    ("api.list_reviews", "GET", "/api/v1/reviews", EVERYONE),
    ("api.start_review", "POST", "/api/v1/reviews", WRITERS),
    ("api.get_review", "GET", "/api/v1/reviews/1", EVERYONE),
    ("api.confirm_review", "POST", "/api/v1/reviews/1/activities/PA-001/confirm", (ADMIN, DPO, EDITOR)),
    ("api.complete_review", "POST", "/api/v1/reviews/1/complete", WRITERS),
]
