"""Benchmark: `ropa serve` (gunicorn) on PostgreSQL with the 10k synthetic register under N concurrent clients.

One command, loopback only, bounded in time and requests, stops by itself:

    .venv/bin/python bench/bench_load.py [--quick] [--repeat 3] [--clients 1 8 32 64] [--seconds 30]

It creates its own database ropa_load_<pid> on --pg-server (dropped at the end), runs `ropa init-db`, imports
bench/generate.py's register (--size, 10 000 activities), adds a DPO with an API token, starts `ropa serve` on a free
127.0.0.1 port, and for each N runs N client threads (each its own keep-alive connection, http.client) for a fixed
time (--seconds, or until --max-requests): a seeded mix of reads (activity list pages, activity details, dashboard,
findings page, API list pages, API details) and writes (an API edit of the client's own activity, an edit of an
activity shared by a group of 8 clients that may be refused as stale with 409, a small JSON import over the API that
creates one organisation). It reports per N the reads/s and writes/s, p50 / p95 / p99 latency and every response
that was not 2xx by status, then proves nothing was lost (checked in the database with psycopg, not through ropa):

- every acknowledged (2xx) edit is in the audit log with the value written, and each activity's current value and
  version are those of its newest acknowledged edit; no two acknowledged edits of one activity got the same version;
- every acknowledged import's organisation is in the register;
- every refused write was a 409 whose body says it was changed by someone else; edits of a client's own activity
  (different activities) were never refused;
- `ropa audit verify` passes and `ropa check` runs (it exits 1 when it finds errors, as the register has them).

With --repeat R each N is run R times and the table shows the medians; bench/out/load.json has every run.
"""

import argparse
import http.client
import json
import os
import random
import re
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate, write_dump

EMAIL, PASSWORD = "load-dpo@example.org", "a long load-test password"
GROUP = 8  # clients sharing one activity for the contended edits
FIELD = "owner"  # the activity field the edits write (free text, no rule depends on its value)
ORG_LABEL, ACTIVITY_LABEL = "organisation", "processing activity"
#: The mix: (kind, weight). Reads first; every kind is one HTTP request except the edits (a GET then the PUT).
MIX = [("activity list", 16), ("activity detail", 18), ("dashboard", 8), ("findings page", 6), ("api list", 16),
       ("api detail", 18), ("edit own activity", 8), ("edit shared activity", 8), ("import", 2)]
WRITES = {"edit own activity", "edit shared activity", "import"}


@dataclass
class Client:
    index: int
    rng: random.Random
    own: str  # the activity only this client edits
    shared: str  # the activity its group of GROUP clients edit
    latencies: dict = field(default_factory=lambda: {"read": [], "write": []})
    by_kind: dict = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    acked: list = field(default_factory=list)  # (activity, value, version) of 2xx edits
    refused: list = field(default_factory=list)  # (kind, activity, status, body) of non-2xx writes
    imported: list = field(default_factory=list)  # organisation names of 2xx imports
    failures: list = field(default_factory=list)  # (kind, status, text) of non-2xx reads and transport errors
    seq: int = 0


class Http:
    """One keep-alive connection to the server (reconnects if the server closed it)."""

    #: gunicorn closes a keep-alive connection after 2 s idle; a write is not sent on one idle for over half that.
    FRESH_FOR_WRITES_S = 1.0

    def __init__(self, port: int, headers: dict):
        self.port, self.headers = port, headers
        self.connection = self._connect()
        self.last_used = time.monotonic()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        for attempt in (1, 2):
            stale = method != "GET" and time.monotonic() - self.last_used > self.FRESH_FOR_WRITES_S
            if stale or _dropped(self.connection):
                # gunicorn closes a keep-alive connection idle for 2 s; a request written to it is never read (a
                # POST then failed with BrokenPipeError: the "unexplained transport errors" of earlier runs).
                self.connection.close()
                self.connection = self._connect()
            try:
                self.connection.request(method, path, body=body, headers=self.headers | (headers or {}))
                response = self.connection.getresponse()
                answer = response.status, response.read(), response
                self.last_used = time.monotonic()
                return answer
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # Closed by the server between the check and the request: only a GET is retried (the server may have
                # read a POST, or not; the check above and the idle limit make this rare for writes).
                self.connection.close()
                self.connection = self._connect()
                if attempt == 2 or method != "GET":
                    raise
        raise AssertionError("unreachable")


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """Whether the server has closed this idle connection: its socket reads as ready (the end of the stream) with
    no request outstanding, as urllib3 checks before reusing a pooled connection."""
    sock = connection.sock
    if sock is None:
        return False
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


def run_client(client: Client, port: int, cookie: str, token: str, size: int, deadline: float,
               budget: "Budget", imports_tag: str, mix: list) -> None:
    page = Http(port, {"Cookie": cookie})
    api = Http(port, {"Authorization": f"Bearer {token}"})
    kinds, weights = zip(*mix)
    while time.monotonic() < deadline and budget.take():
        kind = client.rng.choices(kinds, weights)[0]
        ref = f"PA-{client.rng.randint(1, size):06d}"
        started = time.perf_counter()
        try:
            status, _ = do(kind, client, page, api, ref, size, imports_tag)
        except (OSError, http.client.HTTPException) as exc:
            client.failures.append((kind, 0, f"{type(exc).__name__}: {exc}"))
            client.statuses["transport error"] += 1
            continue
        elapsed = time.perf_counter() - started
        client.latencies["write" if kind in WRITES else "read"].append(elapsed)
        client.by_kind.setdefault(kind, []).append(elapsed)
        client.statuses[status] += 1


def do(kind: str, client: Client, page: Http, api: Http, ref: str, size: int, imports_tag: str) -> tuple:
    rng = client.rng
    if kind == "activity list":
        after = "" if rng.random() < 0.3 else f"?after=PA-{rng.randint(1, size - 60):06d}"
        return _read(client, kind, page, "/activities" + after)
    if kind == "activity detail":
        return _read(client, kind, page, f"/activities/{ref}")
    if kind == "dashboard":
        return _read(client, kind, page, "/")
    if kind == "findings page":
        return _read(client, kind, page, "/findings")
    if kind == "api list":
        after = "" if rng.random() < 0.3 else f"&after=PA-{rng.randint(1, size - 100):06d}"
        return _read(client, kind, api, "/api/v1/activities?limit=100" + after)
    if kind == "api detail":
        return _read(client, kind, api, f"/api/v1/activities/{ref}")
    if kind in ("edit own activity", "edit shared activity"):
        activity = client.own if kind == "edit own activity" else client.shared
        status, body, _ = api.request("GET", f"/api/v1/activities/{activity}")
        if status != 200:
            client.failures.append((kind + " (read)", status, body[:300].decode(errors="replace")))
            return status, body
        version = json.loads(body)["version"]
        client.seq += 1
        value = f"Load test c{client.index} w{client.seq}"
        status, body, _ = api.request("PUT", f"/api/v1/activities/{activity}",
                                      json.dumps({FIELD: value, "version": version}).encode(),
                                      {"Content-Type": "application/json"})
        if 200 <= status < 300:
            # A save checked against version v makes v + 1 (the response may already show a later save's).
            client.acked.append((activity, value, version + 1))
        else:
            client.refused.append((kind, activity, status, body[:2000].decode(errors="replace")))
        return status, body
    if kind == "import":
        client.seq += 1
        name = f"Load test organisation {imports_tag} c{client.index} n{client.seq}"
        dump = {"format": "ropa-register", "format_version": 1,
                "organisations": [{"name": name, "kind": "company", "country": "GB"}]}
        status, body, _ = api.request("POST", "/api/v1/imports?filename=load.json&confirm=1",
                                      json.dumps(dump).encode(), {"Content-Type": "application/json"})
        if 200 <= status < 300 and json.loads(body).get("applied"):
            client.imported.append(name)
        else:
            client.refused.append((kind, name, status, body[:2000].decode(errors="replace")))
        return status, body
    raise ValueError(kind)


def _read(client: Client, kind: str, http_: Http, path: str) -> tuple:
    status, body, _ = http_.request("GET", path)
    if not 200 <= status < 300:
        client.failures.append((kind, status, body[:300].decode(errors="replace")))
    return status, body


class Budget:
    """At most `limit` operations across all clients."""

    def __init__(self, limit: int):
        self.left, self.lock = limit, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0


# --- one run at one N ---------------------------------------------------------------------------------------------

def run_level(n: int, run: int, port: int, cookie: str, token: str, size: int, seconds: float, max_requests: int,
              seed: int, mix: list) -> tuple[dict, list[Client]]:
    tag = f"N{n}r{run}"
    offset = {1: 0, 8: 100, 32: 200, 64: 300}.get(n, 400 + n) + run * 1000
    clients = []
    for i in range(n):
        own = f"PA-{(size // 2 + offset + i) % size + 1:06d}"  # distinct per client, per N and per run
        shared = f"PA-{(size // 4 + offset + i // GROUP) % size + 1:06d}"
        clients.append(Client(i, random.Random(seed * 1000 + n * 10 + run * 100_000 + i), own, shared))
    budget = Budget(max_requests)
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=run_client, args=(c, port, cookie, token, size, deadline, budget, tag, mix),
                                daemon=True) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 180)
    elapsed = time.monotonic() - started
    reads = [x for c in clients for x in c.latencies["read"]]
    writes = [x for c in clients for x in c.latencies["write"]]
    statuses = Counter()
    for c in clients:
        statuses.update(c.statuses)
    by_kind = {}
    for kind, _ in MIX:
        times = [x for c in clients for x in c.by_kind.get(kind, [])]
        by_kind[kind] = {"count": len(times), **_percentiles(times)}
    result = {
        "clients": n, "run": run, "seconds": round(elapsed, 2), "reads": len(reads), "writes": len(writes),
        "reads_per_s": round(len(reads) / elapsed, 1), "writes_per_s": round(len(writes) / elapsed, 1),
        "read": _percentiles(reads), "write": _percentiles(writes),
        "errors": {str(k): v for k, v in statuses.items() if not (isinstance(k, int) and 200 <= k < 300)},
        "conflicts_409": sum(1 for c in clients for r in c.refused if r[2] == 409),
        "by_kind": by_kind,
        "failures_sample": [f for c in clients for f in c.failures][:5],
    }
    return result, clients


def _percentiles(times: list[float]) -> dict:
    if not times:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    times = sorted(times)

    def at(q):
        return round(times[min(len(times) - 1, int(q * len(times)))] * 1000, 1)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99)}


# --- proving nothing was lost -------------------------------------------------------------------------------------

def verify(clients: list[Client], dsn: str, env: dict) -> list[str]:
    """Every claim about the writes, checked in the database; the list of what failed (empty: all held)."""
    failed = []
    acked: dict[str, list[tuple[str, int]]] = {}
    for c in clients:
        for activity, value, version in c.acked:
            acked.setdefault(activity, []).append((value, version))
    with psycopg.connect(dsn) as connection:
        rows = {r[0]: (r[1], r[2]) for r in connection.execute(
            "SELECT reference, owner, version FROM activities WHERE reference = ANY(%s)", (list(acked),))}
        written: dict[str, set[str]] = {}
        for key, changes in connection.execute(
                "SELECT entity_key, changes FROM audit_entries WHERE entity_type = %s AND entity_key = ANY(%s)",
                (ACTIVITY_LABEL, list(acked))):
            after = json.loads(changes).get(FIELD, [None, None])[1]
            written.setdefault(key, set()).add(after)
        names = {r[0] for r in connection.execute(
            "SELECT name FROM organisations WHERE name = ANY(%s)", ([n for c in clients for n in c.imported],))}
    for activity, edits in acked.items():
        missing = [v for v, _ in edits if v not in written.get(activity, set())]
        if missing:
            failed.append(f"{activity}: {len(missing)} acknowledged edit(s) not in the audit log, e.g. {missing[0]!r}")
        versions = Counter(version for _, version in edits)
        if dupes := [v for v, k in versions.items() if k > 1]:
            failed.append(f"{activity}: two acknowledged edits both got version {dupes[0]} (a lost update)")
        newest_value, newest_version = max(edits, key=lambda e: e[1])
        if rows.get(activity) != (newest_value, newest_version):
            failed.append(f"{activity}: the database has {rows.get(activity)!r}, the newest acknowledged edit was "
                          f"{(newest_value, newest_version)!r}")
    for c in clients:
        for name in c.imported:
            if name not in names:
                failed.append(f"an acknowledged import's organisation {name!r} is not in the register")
        for kind, what, status, body in c.refused:
            if kind == "edit own activity":
                failed.append(f"an edit of {what}, which only client {c.index} edits, was refused: {status} {body}")
            elif status != 409:
                failed.append(f"{kind} of {what} refused with {status}, not 409: {body[:300]}")
            elif "changed by" not in json.loads(body).get("error", ""):
                failed.append(f"a 409 for {what} does not say why: {body[:300]}")
    audit = subprocess.run([sys.executable, "-m", "ropa", "audit", "verify"], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=False)
    if audit.returncode != 0:
        failed.append(f"ropa audit verify failed: {audit.stdout} {audit.stderr}")
    check = subprocess.run([sys.executable, "-m", "ropa", "check", "--format", "json"], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=False)
    if check.returncode not in (0, 1) or "Traceback" in check.stderr:
        failed.append(f"ropa check did not run: exit {check.returncode}: {check.stderr[-500:]}")
    else:
        try:
            json.loads(check.stdout)
        except ValueError:
            failed.append(f"ropa check printed no JSON: {check.stdout[:200]}")
    return failed


# --- set-up -------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ropa(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "ropa", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"ropa {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def sign_in(port: int) -> str:
    """The session cookie of a DPO signed in through the real sign-in form (once: the clients share it, as tabs
    of one browser would, so 64 sign-ins do not trip the sign-in limits)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": csrf, "email": EMAIL, "password": PASSWORD})
    connection.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    if response.status not in (302, 303):
        raise SystemExit(f"sign-in failed: {response.status}")
    return response.getheader("Set-Cookie").split(";")[0]


def start_server(env: dict, port: int, workers: int | None, threads: int | None, log: Path) -> subprocess.Popen:
    args = [sys.executable, "-m", "ropa", "serve", "--port", str(port)]
    args += ["--workers", str(workers)] if workers else []
    args += ["--threads", str(threads)] if threads else []
    with open(log, "w") as out:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=out,
                                   start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"ropa serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def warm(port: int, cookie: str, token: str, workers: int) -> None:
    """A view of each findings page per worker, then wait until the findings are fresh (the first refresh of the
    imported register runs in the background): the timed runs measure serving, not that first refresh."""
    for _ in range(workers * 2):
        for path in ("/", "/findings"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            connection.request("GET", path, headers={"Cookie": cookie})
            connection.getresponse().read()
            connection.close()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/api/v1/findings?rule=NONE", headers={"Authorization": f"Bearer {token}"})
        fresh = json.loads(connection.getresponse().read()).get("fresh")
        connection.close()
        if fresh:
            return
        time.sleep(1)
    raise SystemExit("the findings were not brought up to date within 300 s of the import")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 s per N, one run: a smoke test of the whole bench")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--seconds", type=float, help="seconds per N and run (default 30; --quick 8)")
    parser.add_argument("--max-requests", type=int, default=50_000, help="most operations per N and run")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--workers", type=int, help="ropa serve --workers (default: its own choice)")
    parser.add_argument("--threads", type=int, help="ropa serve --threads (default: its own choice)")
    parser.add_argument("--pg-server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reads-only", action="store_true",
                        help="the same reads without the writes: what the server reads when nothing changes")
    args = parser.parse_args()
    mix = [(kind, weight) for kind, weight in MIX if not (args.reads_only and kind in WRITES)]
    seconds = args.seconds or (8 if args.quick else 30)
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    dump = out_dir / f"register-{args.size}.json"
    if not dump.exists():
        with open(dump, "w", encoding="utf-8") as handle:
            write_dump(generate(args.size), handle)
    name = f"ropa_load_{os.getpid()}"
    admin = args.pg_server + "/postgres"
    dsn = f"{args.pg_server}/{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    env = os.environ | {"ROPA_DATABASE_URL": dsn, "ROPA_INSTANCE_DIR": str(out_dir / "load-instance"),
                        "PYTHONUNBUFFERED": "1"}
    server = None
    try:
        started = time.monotonic()
        ropa(env, "init-db")
        ropa(env, "import", str(dump))
        with psycopg.connect(dsn, autocommit=True) as connection:
            # Statistics for the planner now, as autovacuum would gather them soon after a bulk load on a server
            # that runs it (this machine's has it off): without them PostgreSQL plans the list pages' joins as
            # scans of whole tables.
            connection.execute("ANALYZE")
        ropa(env, "create-user", EMAIL, "--role", "dpo", "--password-stdin", stdin=PASSWORD + "\n")
        token = ropa(env, "create-token", EMAIL, "--name", "load").strip().splitlines()[-1]
        print(f"database {name}: {args.size} activities loaded in {time.monotonic() - started:.0f} s", flush=True)
        port = free_port()
        server = start_server(env, port, args.workers, args.threads, out_dir / "load-serve.log")
        cookie = sign_in(port)
        from ropa.serving import default_workers
        warm(port, cookie, token, args.workers or default_workers())
        runs, everyone = [], []
        for n in args.clients:
            for run in range(args.repeat):
                load = os.getloadavg()[0]
                result, clients = run_level(n, run, port, cookie, token, args.size, seconds, args.max_requests,
                                            args.seed, mix)
                result["load_average_before"] = round(load, 2)
                runs.append(result)
                everyone += clients
                print(f"N={n:3} run {run + 1}: {result['reads_per_s']:7.1f} reads/s {result['writes_per_s']:6.1f} "
                      f"writes/s  read p50/p95/p99 {result['read']['p50_ms']}/{result['read']['p95_ms']}/"
                      f"{result['read']['p99_ms']} ms  write p95 {result['write']['p95_ms']} ms  "
                      f"409s {result['conflicts_409']}  errors {result['errors'] or 'none'}", flush=True)
                for kind, figures in result["by_kind"].items():
                    print(f"        {kind:22} {figures['count']:6}  p50 {figures['p50_ms']}  p95 "
                          f"{figures['p95_ms']} ms", flush=True)
        stop_server(server)
        server = None
        problems = verify(everyone, dsn, env)
    finally:
        if server is not None:
            stop_server(server)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    summary = summarise(runs, args.clients)
    acked = sum(len(c.acked) + len(c.imported) for c in everyone)
    print(table(summary))
    print(f"\nacknowledged writes: {acked}, refused (409): {sum(r['conflicts_409'] for r in runs)}; "
          + ("nothing lost: every check held (audit chain verified, ropa check ran)" if not problems else
             f"{len(problems)} check(s) FAILED:\n  " + "\n  ".join(problems[:30])))
    (out_dir / ("load-reads.json" if args.reads_only else "load.json")).write_text(json.dumps({
        "reads_only": args.reads_only, "size": args.size, "seconds": seconds, "repeat": args.repeat, "commit": _commit(), "runs": runs,
        "medians": summary, "acknowledged_writes": acked, "problems": problems}, indent=2))
    sys.exit(1 if problems else 0)


def summarise(runs: list[dict], levels: list[int]) -> list[dict]:
    rows = []
    for n in levels:
        mine = [r for r in runs if r["clients"] == n]

        def med(get, mine=mine):
            values = [get(r) for r in mine if get(r) is not None]
            return round(statistics.median(values), 1) if values else None

        errors = Counter()
        for r in mine:
            errors.update(r["errors"])
        rows.append({"clients": n, "reads_per_s": med(lambda r: r["reads_per_s"]),
                     "writes_per_s": med(lambda r: r["writes_per_s"]),
                     **{f"read_{p}": med(lambda r, p=p: r["read"][f"{p}_ms"]) for p in ("p50", "p95", "p99")},
                     **{f"write_{p}": med(lambda r, p=p: r["write"][f"{p}_ms"]) for p in ("p50", "p95", "p99")},
                     "conflicts_409": sum(r["conflicts_409"] for r in mine), "errors": dict(errors)})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["", ("| N | reads/s | writes/s | read p50 / p95 / p99 ms | write p50 / p95 / p99 ms | 409s | "
                  "other non-2xx |"), "|---|---|---|---|---|---|---|"]
    for r in rows:
        other = {k: v for k, v in r["errors"].items() if k != "409"}
        lines.append(f"| {r['clients']} | {r['reads_per_s']} | {r['writes_per_s']} | {r['read_p50']} / "
                     f"{r['read_p95']} / {r['read_p99']} | {r['write_p50']} / {r['write_p95']} / {r['write_p99']} | "
                     f"{r['conflicts_409']} | {other or 'none'} |")
    return "\n".join(lines)


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip()


if __name__ == "__main__":
    main()
