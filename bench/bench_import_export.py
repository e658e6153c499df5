#!/usr/bin/env python3
"""Import/export benchmark: time `ropa import` and `ropa export --format json` on synthetic registers.

    python bench/bench_import_export.py [--sizes 1000 10000] [--repeat 3] [--database sqlite|postgresql]

For each size the register is generated once (bench/generate.py) into bench/out/. Each repeat then takes a
fresh database (a SQLite file in a temporary folder, or a new PostgreSQL database ropa_bench_<pid>, dropped
afterwards), runs `ropa init-db` (not timed), and times in separate processes, by wall clock:

    import      `ropa import <dump>` into the empty register (every row created, every change audited)
    export      `ropa export <file> --format json`
    re-import   `ropa import <dump>` again, which must change nothing (skip with --no-reimport)

with each process's peak resident memory (from wait4). The exported dump must equal the imported one apart
from the countries and lawful_bases sections (reference data that `ropa init-db` loads); a mismatch is
reported loudly and makes the exit status 1. Medians of the repeats are printed and written, with every run,
to bench/out/results.json.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
REFERENCE_SECTIONS = ("countries", "lawful_bases")
METRICS = ("import_s", "import_rss_mib", "export_s", "export_rss_mib", "reimport_s", "reimport_rss_mib")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Run:
    seconds: float
    rss_mib: float
    returncode: int
    stdout: str
    stderr: str


class BenchFailed(Exception):
    """A step failed; the message says which and shows what the command printed."""


def ropa_executable() -> str:
    local = ROOT / ".venv" / "bin" / "ropa"
    found = str(local) if local.exists() else shutil.which("ropa")
    if not found:
        sys.exit("bench: cannot find the ropa command (create the venv in .venv or put ropa on PATH)")
    return found


def run(command: list[str], env: dict[str, str]) -> Run:
    """Run a command to completion: wall-clock seconds and the process's own peak RSS (wait4, not a delta)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted: leave no ropa process writing to a database about to go
            process.kill()
            process.wait()
            raise
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4; tell Popen
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, process.returncode, out.read(), err.read())


def checked(step: str, result: Run) -> Run:
    if result.returncode != 0:
        shown = (result.stderr or result.stdout).strip().splitlines()
        more = f"\n  ... ({len(shown) - 40} more lines)" if len(shown) > 40 else ""
        raise BenchFailed(f"{step} failed with exit status {result.returncode}:\n  "
                          + "\n  ".join(shown[:40]) + more)
    return result


@contextmanager
def fresh_database(kind: str, folder: Path, server: str):
    """The URL of an empty database, removed afterwards."""
    if kind == "sqlite":
        path = folder / "bench.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = f"ropa_bench_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def compare_dumps(imported: Path, exported: Path) -> list[str]:
    """How the exported dump differs from the imported one, ignoring the reference sections; [] if equal."""
    from ropa.exchange.jsonio import dump_text

    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (imported, exported))
    differences = [line for section in sorted(set(before) | set(after)) if section not in REFERENCE_SECTIONS
                   for line in _section_differences(section, before.get(section), after.get(section))]
    if not differences:  # same content: the text must match too (field order, layout)
        if dump_text(after) != exported.read_text(encoding="utf-8"):
            differences.append("same records, but the export is not laid out as dump_text writes it")
        after.update({section: [] for section in REFERENCE_SECTIONS})
        if dump_text(after) != imported.read_text(encoding="utf-8"):
            differences.append("same records, but the text differs from the imported file")
    return differences


def _section_differences(section: str, old, new) -> list[str]:
    from ropa.exchange.schema import BY_NAME

    if old == new:
        return []
    if not isinstance(old, list) or not isinstance(new, list):
        return [f"{section}: {old!r} became {new!r}"]
    key = BY_NAME[section].key if section in BY_NAME else ("label",)
    old_by_key, new_by_key = ({" / ".join(str(r.get(k)) for k in key): r for r in records}
                              for records in (old, new))
    missing, extra = old_by_key.keys() - new_by_key.keys(), new_by_key.keys() - old_by_key.keys()
    changed = sorted(k for k in old_by_key.keys() & new_by_key.keys() if old_by_key[k] != new_by_key[k])
    line = f"{section}: {len(old)} records imported, {len(new)} exported"
    line += f"; missing {sorted(missing)[:5]}" if missing else ""
    line += f"; unexpected {sorted(extra)[:5]}" if extra else ""
    for k in changed[:3]:
        a, b = old_by_key[k], new_by_key[k]
        fields = {f: [a.get(f), b.get(f)] for f in a.keys() | b.keys() if a.get(f) != b.get(f)}
        line += f"\n    {k}: {json.dumps(fields, ensure_ascii=False)[:400]}"
    if not (missing or extra or changed):
        line += "; the same records in another order"
    return [line]


def generate(size: int, seed: int, cyclic: bool) -> tuple[Path, float]:
    path = OUT / f"register-{size}{'-cyclic' if cyclic else ''}.json"
    command = [sys.executable, str(ROOT / "bench" / "generate.py"), str(size), "-o", str(path),
               "--seed", str(seed)] + (["--cyclic"] if cyclic else [])
    return path, checked(f"generating {size} activities", run(command, dict(os.environ))).seconds


def bench_once(size: int, dump: Path, args, folder: Path, ropa: str) -> dict:
    """One fresh database: init-db, then timed import, export and (unless told not to) re-import."""
    load = os.getloadavg()[0]  # the machine may be shared: a busy one explains a slow run
    with fresh_database(args.database, folder, args.pg_server) as url:
        env = dict(os.environ, ROPA_DATABASE_URL=url, ROPA_SECRET_KEY="bench-not-secret")
        checked("ropa init-db", run([ropa, "init-db"], env))
        imported = checked(f"ropa import ({size})", run([ropa, "import", str(dump)], env))
        target = folder / f"export-{size}.json"
        exported = checked(f"ropa export ({size})",
                           run([ropa, "export", str(target), "--format", "json"], env))
        row = {"import_s": imported.seconds, "import_rss_mib": imported.rss_mib,
               "export_s": exported.seconds, "export_rss_mib": exported.rss_mib,
               "audit_entries": _audit_entries(imported.stdout), "load_1min_before": round(load, 2)}
        differences = compare_dumps(dump, target)
        target.unlink()
        if not args.no_reimport:
            again = checked(f"ropa import again ({size})", run([ropa, "import", str(dump)], env))
            row.update(reimport_s=again.seconds, reimport_rss_mib=again.rss_mib)
            if "no changes" not in again.stdout.splitlines()[0]:
                differences.append("re-importing the same file changed the register:\n    "
                                   + "\n    ".join(again.stdout.strip().splitlines()))
    return row | {"roundtrip_ok": not differences, "differences": differences}


def bench_size(size: int, args, ropa: str) -> dict:
    dump, generate_s = generate(size, args.seed, args.cyclic)
    mib = dump.stat().st_size / 2**20
    print(f"{size} activities: {dump.relative_to(ROOT)} ({mib:.1f} MiB, generated in {generate_s:.1f} s)",
          flush=True)
    runs = []
    for attempt in range(1, args.repeat + 1):
        with tempfile.TemporaryDirectory(prefix="ropa-bench-") as folder:
            row = bench_once(size, dump, args, Path(folder), ropa)
        runs.append(row)
        again = f", re-import {row['reimport_s']:.2f} s" if "reimport_s" in row else ""
        print(f"  run {attempt}/{args.repeat}: import {row['import_s']:.2f} s "
              f"({row['import_rss_mib']:.0f} MiB), export {row['export_s']:.2f} s "
              f"({row['export_rss_mib']:.0f} MiB){again}"
              + ("" if row["roundtrip_ok"] else "  ROUND TRIP MISMATCH"), flush=True)
        if not row["roundtrip_ok"]:
            loud(row["differences"])
    median = {m: statistics.median(r[m] for r in runs) for m in METRICS if all(m in r for r in runs)}
    return {"n": size, "dump": str(dump.relative_to(ROOT)), "dump_mib": mib, "generate_s": generate_s,
            "median": median, "roundtrip_ok": all(r["roundtrip_ok"] for r in runs), "runs": runs}


def _audit_entries(stdout: str) -> int | None:
    for line in stdout.splitlines():
        if line.strip().startswith("audit entries:"):
            return int(line.split(":")[1].split()[0])
    return None


def loud(lines: list[str]) -> None:
    bar = "!" * 78
    body = "\n".join(f"!! {line}" for line in lines)
    print(f"\n{bar}\n!! ROUND TRIP MISMATCH: the exported dump is not the imported one\n{body}\n{bar}\n",
          file=sys.stderr, flush=True)


def startup_seconds(ropa: str) -> float:
    """Median wall clock of `ropa --help`: the interpreter and imports every timed command pays first."""
    return statistics.median(checked("ropa --help", run([ropa, "--help"], dict(os.environ))).seconds
                             for _ in range(3))


def environment(kind: str, server: str) -> dict:
    def git(*words: str) -> str:
        return subprocess.run(["git", *words], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    dirty = "+dirty" if git("status", "--porcelain", "--untracked-files=no") else ""
    info = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "database": kind,
            "git_commit": git("rev-parse", "--short", "HEAD") + dirty, "python": platform.python_version(),
            "platform": platform.platform(), "cpus": os.cpu_count(),
            "load_1min": round(os.getloadavg()[0], 2)}
    if kind == "sqlite":
        info["sqlite"] = sqlite3.sqlite_version
    else:
        import psycopg

        with psycopg.connect(f"{server}/postgres") as connection:
            info["postgresql"] = connection.execute("SHOW server_version").fetchone()[0]
    return info


COLUMNS = (  # title, key, format; the title sets the width
    ("activities", "n", "d"), ("dump MiB", "dump_mib", ".1f"), ("import s", "import_s", ".2f"),
    ("import MiB", "import_rss_mib", ".0f"), ("export s", "export_s", ".2f"),
    ("export MiB", "export_rss_mib", ".0f"), ("re-import s", "reimport_s", ".2f"),
    ("re-import MiB", "reimport_rss_mib", ".0f"), ("round trip", "roundtrip", "s"))


def table(results: list[dict]) -> str:
    columns = [c for c in COLUMNS if c[1] in results[0]["median"] or c[1] in ("n", "dump_mib", "roundtrip")]
    lines = ["  ".join(title for title, _, _ in columns)]
    for result in results:
        values = {"n": result["n"], "dump_mib": result["dump_mib"], **result["median"],
                  "roundtrip": "ok" if result["roundtrip_ok"] else "MISMATCH"}
        lines.append("  ".join(f"{values[key]:>{len(title)}{fmt}}" for title, key, fmt in columns))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="numbers of activities")
    parser.add_argument("--repeat", type=int, default=3, help="fresh-database runs per size (median shown)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-server", default=os.environ.get("ROPA_BENCH_PG_SERVER", PG_SERVER),
                        help=f"PostgreSQL server for the scratch database (default {PG_SERVER})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cyclic", action="store_true", help="registers with cyclic organisation links")
    parser.add_argument("--no-reimport", action="store_true", help="skip timing the second, no-change import")
    parser.add_argument("-o", "--output", type=Path, default=OUT / "results.json")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so temporary files and databases are removed
    OUT.mkdir(parents=True, exist_ok=True)
    ropa, results, failed = ropa_executable(), [], False
    report = {"environment": environment(args.database, args.pg_server), "repeat": args.repeat,
              "seed": args.seed, "cyclic": args.cyclic, "startup_s": startup_seconds(ropa),
              "results": results}
    for size in args.sizes:
        try:
            results.append(bench_size(size, args, ropa))
        except BenchFailed as exc:
            print(f"\nBENCHMARK FAILED at {size} activities: {exc}", file=sys.stderr)
            failed = True
            break
        failed |= not results[-1]["roundtrip_ok"]
        args.output.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if results:
        print(f"\nMedians of {args.repeat} run(s) on {args.database} "
              f"({report['environment']['git_commit']}); each includes ~{report['startup_s']:.1f} s "
              f"of process start-up (`ropa --help`):")
        print(table(results))
        print(f"\nWrote {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
