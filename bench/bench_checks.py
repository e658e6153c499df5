"""Benchmark: build the graph and run every check on synthetic registers of 1k, 10k and 100k activities.

Pure (no database): the register is generated in memory by bench/generate.py, with the shipped reference data.
Prints the median of --repeat runs per size, wall clock and CPU time (time.process_time, less affected when other
processes share the machine), and writes bench/out/checks.json.

    python bench/bench_checks.py [--sizes 1000 10000 100000] [--repeat 3] [--cyclic]
"""

import argparse
import gc
import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from ropa.checks import run_checks  # noqa: E402
from ropa.exchange.csvio import read_csv  # noqa: E402
from ropa.graph import build_graph  # noqa: E402


def reference_data() -> dict[str, list[dict]]:
    data = {}
    for name in ("countries", "lawful_bases"):
        path = ROOT / "data" / f"{name}.csv"
        _, records, problems = read_csv(path.read_bytes(), path.name)
        assert not problems, problems
        data[name] = [r.values for r in records]
    return data


def measure(register: dict) -> dict:
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    graph = build_graph(register)
    built, built_cpu = time.perf_counter(), time.process_time()
    findings = run_checks(register, graph)
    done, done_cpu = time.perf_counter(), time.process_time()
    return {"graph_s": built - start, "checks_s": done - built, "total_s": done - start,
            "graph_cpu_s": built_cpu - start_cpu, "checks_cpu_s": done_cpu - built_cpu,
            "total_cpu_s": done_cpu - start_cpu,
            "nodes": graph.number_of_nodes(), "findings": len(findings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cyclic", action="store_true", help="organisation links that form cycles")
    parser.add_argument("--memory", action="store_true", help="also trace peak Python memory (slower)")
    args = parser.parse_args()
    reference = reference_data()
    results = []
    for size in args.sizes:
        register = generate(size, cyclic=args.cyclic) | reference
        runs = [measure(register) for _ in range(args.repeat)]
        peak = None
        if args.memory:
            tracemalloc.start()
            measure(register)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        row = {"activities": size, "cyclic": args.cyclic, "nodes": runs[0]["nodes"], "findings": runs[0]["findings"],
               "peak_mib": peak, "load_1min": os.getloadavg()[0], "runs": runs}
        row |= {key: statistics.median(r[key] for r in runs) for key in runs[0] if key.endswith("_s")}
        results.append(row)
        print(f"{size:>7} activities{' (cyclic)' if args.cyclic else ''}: graph {row['graph_s']:.2f} s, "
              f"checks {row['checks_s']:.2f} s, total {row['total_s']:.2f} s, CPU {row['total_cpu_s']:.2f} s "
              f"(medians of {args.repeat}); {row['nodes']} nodes, {row['findings']} findings"
              + (f", peak {peak:.0f} MiB" if peak else "") + f"; load {row['load_1min']:.1f}", flush=True)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    name = "checks-cyclic.json" if args.cyclic else "checks.json"
    (out / name).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
