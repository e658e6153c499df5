from tests.roles import EVERYONE

# Whether a job's page and file may be seen depends on who started it (tests/test_jobs.py); no job exists here.
ROUTES = [
    ("exports.index", "GET", "/exports", EVERYONE),
    ("exports.download", "GET", "/exports/download/ico-csv", EVERYONE),
    ("exports.start", "POST", "/exports/jobs", EVERYONE),
    ("exports.job", "GET", "/exports/jobs/no-such-job", EVERYONE),
    ("exports.job_file", "GET", "/exports/jobs/no-such-job/file", EVERYONE),
]
