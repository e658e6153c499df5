"""Benchmark: the in-process cost of each read the load benchmark makes, on the 10k synthetic register.

Loads bench/generate.py's register into a SQLite file (or --database-url, an empty PostgreSQL database), signs in a
DPO and issues it an API token, refreshes the findings once, then requests each of bench_load.py's reads --repeat
times through Flask's test client (no network, no gunicorn). For each it prints the median and 90th percentile in ms
and, from one cProfile run over the same requests, the share of the time spent executing SQL (the DBAPI cursor's
execute and fetches), rendering Jinja templates, and building ORM objects, so the costly part of each page shows.

    python bench/bench_reads.py [--size 10000] [--repeat 30] [--db PATH] [--database-url URL] [--profile N]

--db keeps the SQLite file and reuses it on the next run (the import of 10k takes a minute); bench/out/reads.json
has the figures.
"""

import argparse
import cProfile
import json
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate
from ropa import create_app
from ropa.cli import init_database
from ropa.enums import Role
from ropa.exchange.jsonio import dump_text
from ropa.services.findings import refresh_now
from ropa.services.imports import import_path
from ropa.services.users import create_token, create_user

EMAIL = "reads@example.org"
#: Where the profile's time is attributed: a function whose file path contains one of these (checked in order).
BUCKETS = (("SQL", ("sqlite3", "psycopg", "{method 'execute'", "{method 'fetch")),
           ("templates", ("jinja2", "/templates/", "markupsafe")),
           ("ORM", ("sqlalchemy/orm",)))


def reads(size: int) -> dict[str, list[str]]:
    """bench_load.py's reads, each a few URLs (random pages and records, seeded) so no one row is measured alone."""
    rng = random.Random(7)
    refs = [f"PA-{rng.randint(1, size):06d}" for _ in range(8)]
    return {
        "activity list, page 1": ["/activities"],
        "activity list, later page": [f"/activities?after=PA-{rng.randint(1, size - 60):06d}" for _ in range(4)],
        "activity detail": [f"/activities/{r}" for r in refs],
        "dashboard": ["/"],
        "findings page": ["/findings"],
        "api list (limit 100)": ["/api/v1/activities?limit=100"] + [
            f"/api/v1/activities?limit=100&after=PA-{rng.randint(1, size - 100):06d}" for _ in range(3)],
        "api detail": [f"/api/v1/activities/{r}" for r in refs],
    }


def load(app, size: int, tmp: Path) -> tuple[int, str]:
    """The register, a DPO and a token (the user's id for the session, the token for the API)."""
    with app.app_context():
        from ropa.extensions import db
        from ropa.models import User
        user = db.session.scalar(db.select(User).where(User.email == EMAIL)) if _has_tables(db) else None
        if user is None:
            init_database(seed=False)
            path = tmp / "register.json"
            path.write_text(dump_text(generate(size)), encoding="utf-8")
            started = time.perf_counter()
            import_path(path, actor="bench")
            print(f"  imported {size} activities in {time.perf_counter() - started:.0f} s", flush=True)
            user = create_user(EMAIL, Role.DPO, "a long bench password", actor="bench")
        token = create_token(EMAIL, f"reads {time.time_ns()}", actor="bench")
        if db.engine.dialect.name == "postgresql":  # planner statistics, as autovacuum would gather after a load
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        refresh_now()
        return user.id, token


def _has_tables(db) -> bool:
    return db.inspect(db.engine).has_table("users")


def bucket_shares(profile: cProfile.Profile) -> dict[str, float]:
    """The share of the profiled time spent inside each bucket (a function's own time, summed by where it is)."""
    stats = pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values()) or 1.0
    shares = {name: 0.0 for name, _ in BUCKETS}
    for (filename, _, function), row in stats.stats.items():
        where = f"{filename} {function}"
        for name, needles in BUCKETS:
            if any(n in where for n in needles):
                shares[name] += row[2]
                break
    return {name: round(100 * t / total) for name, t in shares.items()}


class QueryCounter:
    """Counts the SQL statements the engine executes (to report queries per request)."""

    def __init__(self, engine):
        self.count = 0
        from sqlalchemy import event
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args) -> None:
        self.count += 1


def measure(client, token: str, urls: list[str], repeat: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for i in range(repeat):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        response = client.get(url, headers=headers if url.startswith("/api/") else None)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code, response.data[:300])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", type=int, default=10, help="requests per read under cProfile (0: none)")
    parser.add_argument("--db", type=Path, help="a SQLite file to keep and reuse (default: a temporary one)")
    parser.add_argument("--database-url", help="an (empty, or earlier --database-url) database instead of SQLite")
    parser.add_argument("--only", nargs="*", default=[], help="only the reads whose name contains one of these")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{(args.db or Path(tmp) / 'reads.db').resolve()}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        user_id, token = load(app, args.size, Path(tmp))
        client = app.test_client()
        with app.app_context():
            from ropa.extensions import db
            counter = QueryCounter(db.engine)
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = str(user_id), True
        results = {}
        print(f"{'read':28} {'median ms':>10} {'p90 ms':>8} {'queries':>8}   SQL  templates  ORM  (% of profiled time)")
        for name, urls in reads(args.size).items():
            if args.only and not any(o in name for o in args.only):
                continue
            measure(client, token, urls, len(urls))  # warm: compiled queries and templates
            counter.count = 0
            times = sorted(measure(client, token, urls, args.repeat))
            queries = counter.count / args.repeat
            shares = {}
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                measure(client, token, urls, args.profile)
                profile.disable()
                shares = bucket_shares(profile)
            results[name] = {"median_ms": round(statistics.median(times) * 1000, 2),
                             "p90_ms": round(times[int(0.9 * (len(times) - 1))] * 1000, 2),
                             "queries": round(queries, 1), "shares": shares}
            print(f"{name:28} {results[name]['median_ms']:10.1f} {results[name]['p90_ms']:8.1f} {queries:8.1f}   "
                  + "  ".join(f"{shares.get(b, 0):3d}%" for b, _ in BUCKETS), flush=True)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "reads.json").write_text(json.dumps({"size": args.size, "database": url.split(":")[0],
                                                "reads": results}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
