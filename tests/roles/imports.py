from tests.roles import ADMIN, DPO

# Only the DPO and administrators import. No upload exists here, so the token pages answer 404 to them (a token is
# its uploader's: tests/test_pages_imports.py); the API import with no file is refused on its body (400).
IMPORTERS = (ADMIN, DPO)
ROUTES = [
    ("imports.index", "GET", "/imports", IMPORTERS),
    ("imports.upload", "POST", "/imports", IMPORTERS),
    ("imports.show", "GET", "/imports/00000000000000000000000000000000", IMPORTERS),
    ("imports.confirm", "POST", "/imports/00000000000000000000000000000000/confirm", IMPORTERS),
    ("api.import_register", "POST", "/api/v1/imports", IMPORTERS),
]
