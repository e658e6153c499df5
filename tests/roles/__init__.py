"""The route × role table, one module per blueprint (tests/roles/<blueprint>.py), each defining

    ROUTES = [(endpoint, method, path, allowed_roles), ...]

with a concrete path on the seed register. tests/test_route_roles.py fails for a route missing from the table,
checks every role against every row (others must get 403), and an anonymous visitor against every row.
"""

import importlib
import pkgutil

ADMIN, DPO, EDITOR, AUDITOR = "admin", "dpo", "editor", "auditor"
EVERYONE = (ADMIN, DPO, EDITOR, AUDITOR)
WRITERS = (ADMIN, DPO)  # who may change the register beyond their own services' activities
PUBLIC = ()  # rows whose allowed roles are PUBLIC need no sign-in at all (sign-in page)


def all_routes() -> list[tuple[str, str, str, tuple[str, ...]]]:
    rows = []
    for info in pkgutil.iter_modules(__path__):
        rows += importlib.import_module(f"{__name__}.{info.name}").ROUTES
    return rows
