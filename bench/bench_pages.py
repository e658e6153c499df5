"""Benchmark: server-side response time of the main pages on the seed register and on a 10k-activity register.

Each register is loaded into a fresh SQLite file (init-db, then the seed or bench/generate.py's register imported
through the import path), then each page is requested --repeat times through Flask's test client, signed in as a
DPO, after one warm-up request (the first dashboard view computes the findings; later views reuse them until the
register changes). Prints the median and the 90th percentile per page and writes bench/out/pages.json.

    python bench/bench_pages.py [--sizes 0 10000] [--repeat 25]      # size 0 is the seed register
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from ropa import create_app  # noqa: E402
from ropa.cli import init_database  # noqa: E402
from ropa.enums import Role  # noqa: E402
from ropa.exchange.jsonio import dump_text  # noqa: E402
from ropa.services.imports import import_path  # noqa: E402
from ropa.services.users import create_user  # noqa: E402


def pages(size: int) -> dict[str, str]:
    detail = "PA-026" if size == 0 else f"PA-{size // 2:06d}"
    deep = "" if size == 0 else f"?after=PA-{size - 60:06d}"
    return {"dashboard": "/", "activities, page 1": "/activities",
            "activities, filtered": "/activities?special=yes&status=active&sort=name",
            "activities, deep page": "/activities" + deep, "activity detail": f"/activities/{detail}"}


def measure(size: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        with app.app_context():
            init_database(seed=size == 0)
            if size:
                path = Path(tmp) / "register.json"
                path.write_text(dump_text(generate(size)), encoding="utf-8")
                started = time.perf_counter()
                import_path(path, actor="bench")
                print(f"  imported {size} activities in {time.perf_counter() - started:.1f} s", flush=True)
            user = create_user("bench@example.org", Role.DPO, "a long bench password", actor="bench")
            user_id = user.id
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = str(user_id), True
        results = {}
        for name, url in pages(size).items():
            started = time.perf_counter()
            first = client.get(url)
            cold = time.perf_counter() - started
            assert first.status_code == 200, (url, first.status_code)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200
            times.sort()
            results[name] = {"url": url, "first_ms": round(cold * 1000, 1),
                             "median_ms": round(statistics.median(times) * 1000, 1),
                             "p90_ms": round(times[int(len(times) * 0.9) - 1] * 1000, 1)}
            print(f"  {name:24} median {results[name]['median_ms']:7.1f} ms   p90 {results[name]['p90_ms']:7.1f} ms"
                  f"   first {results[name]['first_ms']:8.1f} ms   {url}", flush=True)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10000])
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    out = {}
    for size in args.sizes:
        print(f"{'seed register' if size == 0 else f'{size} activities'}:", flush=True)
        out[str(size or "seed")] = measure(size, args.repeat)
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "pages.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
