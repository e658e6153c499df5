from tests.roles import ADMIN, DPO, EDITOR, EVERYONE, WRITERS

ROUTES = [
    ("reviews.index", "GET", "/reviews", EVERYONE),
    ("reviews.start", "POST", "/reviews", WRITERS),
    ("reviews.detail", "GET", "/reviews/1", EVERYONE),
    ("reviews.confirm", "POST", "/reviews/1/activities/PA-001/confirm", (ADMIN, DPO, EDITOR)),
    ("reviews.complete", "POST", "/reviews/1/complete", WRITERS),
    ("reviews.reminders_csv", "GET", "/reviews/1/reminders.csv", WRITERS),
]
