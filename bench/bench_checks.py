"""Benchmark: build the graph and run every check on synthetic registers of 1k, 10k and 100k activities.

Pure (no database): the register is generated in memory by bench/generate.py, with the shipped reference data.
Prints the median of --repeat runs per size and writes bench/out/checks.json.

    python bench/bench_checks.py [--sizes 1000 10000 100000] [--repeat 3] [--cyclic]
"""

import argparse
import gc
import json
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


def measure(register: dict) -> tuple[float, float, int, int]:
    gc.collect()
    start = time.perf_counter()
    graph = build_graph(register)
    built = time.perf_counter()
    findings = run_checks(register, graph)
    done = time.perf_counter()
    return built - start, done - built, graph.number_of_nodes(), len(findings)


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
        row = {"activities": size, "cyclic": args.cyclic, "graph_s": statistics.median(r[0] for r in runs),
               "checks_s": statistics.median(r[1] for r in runs),
               "total_s": statistics.median(r[0] + r[1] for r in runs), "nodes": runs[0][2],
               "findings": runs[0][3], "peak_mib": peak}
        results.append(row)
        print(f"{size:>7} activities{' (cyclic)' if args.cyclic else ''}: graph {row['graph_s']:.2f} s, "
              f"checks {row['checks_s']:.2f} s, total {row['total_s']:.2f} s (median of {args.repeat}); "
              f"{row['nodes']} nodes, {row['findings']} findings"
              + (f", peak {peak:.0f} MiB" if peak else ""), flush=True)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    name = "checks-cyclic.json" if args.cyclic else "checks.json"
    (out / name).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
