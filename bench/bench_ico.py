"""Benchmark: the ICO workbook end to end (database → .xlsx) against bare writer loops writing the same cells.

    python bench/bench_ico.py [--sizes 10000] [--repeat 3]

For each size: a fresh SQLite register is loaded from the synthetic dump (not timed); then, per repeat,
`ropa export --format ico` is timed as a process (wall clock and peak RSS); the Template rows of the written workbook
are read back (openpyxl read-only) into lists, and written again by a bare styled XlsxWriter constant-memory loop and
a bare openpyxl write-only loop (same cells, one style); finally `ropa import` of the exported workbook is timed on
the loaded register (it must report no changes). Results go to bench/out/ico.json.
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

import openpyxl
import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402
from ropa.exchange.jsonio import dump_text  # noqa: E402

ROPA = [sys.executable, "-m", "ropa"]


def run(args: list[str], env: dict) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and output of one ropa process."""
    start = time.perf_counter()
    process = subprocess.Popen(ROPA + args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    output = process.stdout.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"ropa {' '.join(args)} failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output


def template_rows(path: Path) -> list[list]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in book["Template"].iter_rows(min_row=10, values_only=True)]
    book.close()
    return rows


def bare_xlsxwriter(rows: list[list], path: Path) -> float:
    start = time.perf_counter()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    sheet, wrap = book.add_worksheet("Template"), book.add_format({"text_wrap": True, "valign": "top"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write_string(r, c, str(value), wrap)
    book.close()
    return time.perf_counter() - start


def bare_openpyxl(rows: list[list], path: Path) -> float:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    start = time.perf_counter()
    book = openpyxl.Workbook(write_only=True)
    sheet, wrap = book.create_sheet("Template"), Alignment(wrap_text=True, vertical="top")
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=None if value is None else str(value))
            cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)
    book.save(path)
    return time.perf_counter() - start


def measure(size: int, repeat: int, work: Path) -> dict:
    dump = work / f"register-{size}.json"
    dump.write_text(dump_text(generate(size)), encoding="utf-8")
    env = os.environ | {"ROPA_DATABASE_URL": f"sqlite:///{work / f'ico-{size}.db'}",
                        "ROPA_INSTANCE_DIR": str(work / "instance")}
    run(["init-db"], env)
    run(["import", str(dump)], env)
    book = work / f"ropa-{size}.xlsx"
    exports = [run(["export", str(book), "--format", "ico"], env)[:2] for _ in range(repeat)]
    rows = template_rows(book)
    xlsx = [bare_xlsxwriter(rows, work / "bare-x.xlsx") for _ in range(repeat)]
    opx = [bare_openpyxl(rows, work / "bare-o.xlsx") for _ in range(repeat)]
    imported = run(["import", str(book)], env)
    assert "no changes" in imported[2], imported[2]
    return {"activities": size, "template_rows": len(rows), "columns": len(rows[0]) if rows else 0,
            "export_s": statistics.median(e[0] for e in exports), "export_rss_mib": max(e[1] for e in exports),
            "bare_xlsxwriter_s": statistics.median(xlsx), "bare_openpyxl_s": statistics.median(opx),
            "reimport_s": imported[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            row = measure(size, args.repeat, Path(folder))
            results.append(row)
            print(json.dumps(row), flush=True)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ico.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
