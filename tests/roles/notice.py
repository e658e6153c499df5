from tests.roles import ADMIN, DPO, EDITOR, EVERYONE

# Everyone reads the notice and downloads it; editors, the DPO and administrators check a published one (a POST
# with no file is refused on its form, 400).
ROUTES = [
    ("notice.index", "GET", "/notice", EVERYONE),
    ("notice.download", "GET", "/notice/download/md", EVERYONE),
    ("notice.check", "POST", "/notice/check", (ADMIN, DPO, EDITOR)),
]
