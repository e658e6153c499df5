"""Benchmark: the stored findings — the refresh at 10k and 100k activities, and page views right after an edit.

    python bench/bench_findings.py [--sizes 10000 100000] [--repeat 3] [--rounds 20] [--work DIR]

For each size a SQLite register is imported once from bench/generate.py's dump (bench_ico's prepare: kept in --work
and reused while the dump is the same). Then:

1. The full refresh (services/findings.refresh: load the register, build its graph, run every check, store the
   findings and routes), each run its own process started by a small timer interpreter: wall clock, CPU time and
   peak RSS (os.wait4's ru_maxrss), median of --repeat; the process reports its own stages.
2. At the first size only (10k by default), page views right after a single-activity edit, in one process with the
   background refresher on (ROPA_FINDINGS_SYNC off), as a DPO through Flask's test client: each of --rounds rounds
   changes one activity's notes (records.save_record in a request context, so its commit wakes the refresher, which
   runs the refresh in a child process as in a deployment), then at once views the dashboard,
   that activity's page, the findings page and the API's findings of that activity, timed; then waits until the
   findings are fresh again (timed: how long a user sees the "being brought up to date" notice).

Results go to bench/out/findings.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_ico import TIMER, prepare

#: The refresh in a process of its own, reporting its stages.
CHILD = """
import json, sys, time
start = time.perf_counter()
from ropa import create_app
from ropa.services import findings
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "ROPA_FINDINGS_SYNC": True})
with app.app_context():
    ready = time.perf_counter()
    state, _ = findings.refresh(keep=False)
    done = time.perf_counter()
    print(json.dumps({"startup_s": ready - start, "refresh_s": done - ready, "stored": findings.count(),
                      "routes": findings.current_findings().route_count()}))
"""

# TIMER (a child's wall time, CPU and peak RSS, as JSON) is bench_ico's, imported above.


def refresh_once(url: str) -> dict:
    timer = subprocess.run([sys.executable, "-c", TIMER, sys.executable, "-c", CHILD, url], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    result = json.loads(timer.stdout)
    if result.pop("code") != 0:
        raise SystemExit(f"the refresh failed:\n{result['output']}")
    result |= json.loads(result.pop("output").strip().splitlines()[-1])
    return result


def refresh_runs(url: str, repeat: int) -> dict:
    runs = [refresh_once(url) for _ in range(repeat)]
    summary = {key: round(statistics.median(r[key] for r in runs), 3) for key in
               ("wall_s", "cpu_s", "rss_mib", "refresh_s", "startup_s")}
    summary |= {"findings": runs[0]["stored"], "routes": runs[0]["routes"], "runs": runs}
    print(f"  refresh: {summary['refresh_s']:.2f} s (process {summary['wall_s']:.2f} s, cpu {summary['cpu_s']:.2f} s)"
          f"   peak RSS {summary['rss_mib']:.0f} MiB   {summary['findings']} findings, {summary['routes']} routes",
          flush=True)
    return summary


def pages_after_edit(url: str, size: int, rounds: int) -> dict:
    from ropa import create_app
    from ropa.enums import Role
    from ropa.extensions import db
    from ropa.services import findings
    from ropa.services.records import save_record
    from ropa.services.users import create_token, create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ROPA_FINDINGS_SYNC": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        findings.refresh_now()
        email = f"bench-{os.getpid()}-{time.time_ns()}@example.org"
        user = create_user(email, Role.DPO, "a long bench password", actor="bench")
        user_id = user.id
        token = create_token(email, "bench", actor="bench")
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(user_id), True
    api = app.test_client(use_cookies=False)
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    times: dict[str, list[float]] = {"dashboard": [], "activity detail": [], "findings page": [], "API findings": []}
    stale_seen, catch_up = 0, []
    for n in range(rounds):
        reference = f"PA-{(size // 3 + n * 37) % size + 1:06d}"
        with app.test_request_context():  # a write as a request makes it: its commit wakes the refresher
            before = findings._head()[1]
            save_record("activities", {"reference": reference, "notes": f"Bench edit {time.time_ns()}"},
                        actor="bench")
            assert findings._head()[1] == before + 1
            db.session.remove()
        edited_at = time.perf_counter()
        for name, view, path in (("dashboard", client, "/"), ("activity detail", client, f"/activities/{reference}"),
                                 ("findings page", client, "/findings"),
                                 ("API findings", api, f"/api/v1/findings?entity_type=activity&entity_ref={reference}")):
            started = time.perf_counter()
            response = view.get(path)
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
            if name == "dashboard":
                stale_seen += b"being brought up to date" in response.data
            if name == "API findings":
                body = response.get_json()
                assert set(body) >= {"fresh", "as_at", "changes_since"}
        with app.app_context():
            findings.wait_until_fresh(timeout=600)
        catch_up.append(time.perf_counter() - edited_at)
    everything = sorted(t for values in times.values() for t in values)
    result = {name: _summary(values) for name, values in times.items()}
    result["all pages"] = _summary(everything)
    result["stale notice shown (rounds)"] = stale_seen
    result["fresh again after edit, median s"] = round(statistics.median(catch_up), 2)
    result["fresh again after edit, max s"] = round(max(catch_up), 2)
    for name, values in result.items():
        print(f"  {name:34} {values}", flush=True)
    return result


def _summary(values: list[float]) -> dict:
    values = sorted(values)
    return {"median_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(values[max(0, int(len(values) * 0.95 + 0.5) - 1)] * 1000, 1),
            "max_ms": round(values[-1] * 1000, 1), "n": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "ico-work")
    parser.add_argument("--skip-pages", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    out, results = ROOT / "bench" / "out", {}
    with tempfile.TemporaryDirectory() as instance:
        for i, size in enumerate(args.sizes):
            url = f"sqlite:///{args.work / f'ico-{size}.db'}"
            env = os.environ | {"ROPA_DATABASE_URL": url, "ROPA_INSTANCE_DIR": instance,
                                "ROPA_IMPORT_MAX_RECORDS": "2000000"}  # 100k activities are ~480k records
            print(f"{size} activities:", flush=True)
            started = time.perf_counter()
            prepare(size, args.work, env)
            print(f"  register ready in {time.perf_counter() - started:.0f} s", flush=True)
            results[str(size)] = {"refresh": refresh_runs(url, args.repeat)}
            if i == 0 and not args.skip_pages:
                results[str(size)]["pages after an edit"] = pages_after_edit(url, size, args.rounds)
            out.mkdir(exist_ok=True)
            (out / "findings.json").write_text(json.dumps(results, indent=1))
    if len(args.sizes) > 1:
        first, last = (results[str(s)]["refresh"]["refresh_s"] for s in (args.sizes[0], args.sizes[-1]))
        print(f"refresh at {args.sizes[-1]} / at {args.sizes[0]}: {last / first:.1f}x", flush=True)


if __name__ == "__main__":
    main()
