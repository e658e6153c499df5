"""Benchmark: the ICO workbook end to end (database → .xlsx) against bare writer loops writing the same cells.

    python bench/bench_ico.py [--sizes 10000 100000] [--repeat 3] [--work DIR]

For each size: a SQLite register is loaded from the synthetic dump once (`ropa import`, not timed; kept in --work
and reused when its dump is unchanged). Then, each timed as its own process (wall clock, CPU time and peak RSS from
`os.wait4`), median of --repeat:

1. `ropa check --store`: the checks refresh (the whole register in memory once), which leaves the stored findings
   fresh for the exports that follow;
2. `ropa export --format ico`: the export proper, with the stored findings fresh, as a user runs it: from 1,000
   activities the workbook is written by a writer process fed through a pipe (ropa.ico.writer_process), whose
   own wall time, CPU time and peak RSS it appends to a stats file (ROPA_WRITER_STATS); the timer's CPU time counts
   both processes (wait4 includes the children a process has waited for), its peak RSS is the larger one's;
3. the same export with the whole workbook written in the one process (ROPA_XLSX_WRITER=inline), for comparison;
4. `ropa --help`: interpreter and import start-up, the floor under every process.

The cells are recorded once, in-process, from one export: every call the writer makes on an XlsxWriter worksheet
(each cell's row, column, value and format on all nine sheets; merges, widths, heights, filters, frozen panes, print
set-up) into lists in memory. Two bare loops then write exactly those cells, timed in-process (wall and CPU):
XlsxWriter in constant-memory mode replaying the calls with the same formats, and openpyxl write-only writing the
same cells with equivalent styles (fill, font, wrap, alignment, border, date format; merges are left out because
write-only sheets cannot merge). Last, `ropa import` of the 10k workbook is timed (it must report no changes).
Results go to bench/out/ico.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402
from ropa.exchange.jsonio import dump_text  # noqa: E402
from ropa.ico.writer_process import METHODS, STATS_ENV  # noqa: E402

ROPA = [sys.executable, "-m", "ropa"]
CELL_WRITES = ("write_string", "write_number", "write_datetime", "write_blank")
CALLS = METHODS  # every worksheet method the writer uses, the cell writes first


#: Started by a small interpreter, not forked from this one: a child's peak RSS counts the parent's pages it was
#: forked with, and this process holds the generated register.
TIMER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
output = child.stdout.read().decode()
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"wall_s": time.perf_counter() - start, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "rss_mib": usage.ru_maxrss / 1024, "code": os.waitstatus_to_exitcode(status), "output": output}))
"""


def run(args: list[str], env: dict) -> dict:
    """Wall and CPU seconds, peak RSS (MiB, from wait4) and output of one ropa process."""
    timer = subprocess.run([sys.executable, "-c", TIMER, *ROPA, *args], env=env, cwd=ROOT, capture_output=True,
                           text=True, check=True)
    result = json.loads(timer.stdout)
    code, output = result.pop("code"), result["output"]
    if code not in (0, 1) or (code == 1 and args[0] != "check"):  # check exits 1 when errors are found
        raise SystemExit(f"ropa {' '.join(args)} failed:\n{output}")
    return result


def medians(runs: list[dict]) -> dict:
    return {"wall_s": statistics.median(r["wall_s"] for r in runs),
            "cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "rss_mib": statistics.median(r["rss_mib"] for r in runs), "load": os.getloadavg()[0],
            "runs": [{k: round(v, 3) for k, v in r.items() if k != "output"} for r in runs]}


# --- Recording the writer's calls -------------------------------------------------------------------------------


class Recording:
    """Every call the ICO writer makes on its worksheets, in order, with formats named by their Styles attribute."""

    def __init__(self) -> None:
        self.sheets: list[str] = []
        self.ops: list[tuple] = []  # (function, sheet index, args without the format, style name or None)
        self.cells = 0


def record(url: str, path: Path) -> Recording:
    """Write the workbook once in-process, recording every worksheet call the writer makes."""
    from ropa import create_app
    from ropa.ico import xlsx
    from ropa.ico.export import write_ico

    recording, names, sheet_index = Recording(), {}, {}
    original_init = xlsx.Styles.__init__

    def styles_init(self, workbook):
        original_init(self, workbook)
        names.update({id(value): name for name, value in vars(self).items()})

    def wrap(name):
        function = getattr(Worksheet, name)

        def recorder(sheet, *args):
            style, kept = None, args
            if args and id(args[-1]) in names:
                style, kept = names[id(args[-1])], args[:-1]
            if sheet.name not in sheet_index:
                sheet_index[sheet.name] = len(recording.sheets)
                recording.sheets.append(sheet.name)
            recording.ops.append((function, sheet_index[sheet.name], kept, style))
            recording.cells += name in CELL_WRITES
            return function(sheet, *args)
        return recorder

    originals = {name: getattr(Worksheet, name) for name in CALLS}
    xlsx.Styles.__init__ = styles_init
    for name in CALLS:
        setattr(Worksheet, name, wrap(name))
    writer = os.environ.get("ROPA_XLSX_WRITER")
    os.environ["ROPA_XLSX_WRITER"] = "inline"  # the calls are recorded in this process
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            write_ico(str(path), generated_by="bench")
    finally:
        xlsx.Styles.__init__ = original_init
        for name, function in originals.items():
            setattr(Worksheet, name, function)
        if writer is None:
            os.environ.pop("ROPA_XLSX_WRITER")
        else:
            os.environ["ROPA_XLSX_WRITER"] = writer
    return recording


# --- The bare loops ---------------------------------------------------------------------------------------------


def bare_xlsxwriter(rec: Recording, path: Path) -> tuple[float, float]:
    """Replay the recorded calls on a fresh constant-memory workbook with the same formats."""
    from ropa.ico.xlsx import WORKBOOK_OPTIONS, Styles

    start, cpu = time.perf_counter(), time.process_time()
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    styles = vars(Styles(book))
    sheets = [book.add_worksheet(name) for name in rec.sheets]
    for function, sheet, args, style in rec.ops:
        if style is None:
            function(sheets[sheet], *args)
        else:
            function(sheets[sheet], *args, styles[style])
    book.close()
    return time.perf_counter() - start, time.process_time() - cpu


def _openpyxl_styles(book) -> dict[str, dict]:
    """Each XlsxWriter format of ropa's Styles as openpyxl style objects."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from ropa.ico.xlsx import Styles

    horizontal = {0: None, 1: "left", 2: "center", 3: "right"}

    def rgb(colour) -> str | None:  # XlsxWriter keeps colours as Color objects (older versions: "#RRGGBB")
        if not colour:
            return None
        return colour._rgb_hex_value() if hasattr(colour, "_rgb_hex_value") else str(colour).lstrip("#")

    found = {}
    for name, f in vars(Styles(xlsxwriter.Workbook(os.devnull))).items():
        side = Side(style="thin") if f.left else None
        found[name] = {
            "font": Font(bold=bool(f.bold), italic=bool(f.italic), size=f.font_size,
                         color=rgb(f.font_color)),
            "fill": PatternFill("solid", fgColor=rgb(f.bg_color)) if f.bg_color else None,
            "alignment": Alignment(wrap_text=bool(f.text_wrap), vertical="top" if f.text_v_align else None,
                                   horizontal=horizontal.get(f.text_h_align)),
            "border": Border(left=side, right=side, top=side, bottom=side) if side else None,
            "number_format": f.num_format or "General"}
    return found


def openpyxl_rows(rec: Recording) -> tuple[list[dict[int, list]], list[dict]]:
    """The recorded cells as rows per sheet ({row: [(col, value, style)]}) and each sheet's set-up."""
    rows = [dict() for _ in rec.sheets]
    setup = [{"widths": {}, "freeze": None, "filter": None} for _ in rec.sheets]
    for function, sheet, args, style in rec.ops:
        name = function.__name__
        if name in CELL_WRITES:
            row, col, value = args[0], args[1], args[2] if len(args) > 2 else None
            rows[sheet].setdefault(row, []).append((col, value, style))
        elif name == "merge_range":
            rows[sheet].setdefault(args[0], []).append((args[1], args[4] or None, style))
        elif name == "set_column":
            setup[sheet]["widths"][args[0]] = args[2]
        elif name == "freeze_panes":
            setup[sheet]["freeze"] = args
        elif name == "autofilter":
            setup[sheet]["filter"] = args
    return rows, setup


def bare_openpyxl(rows: list[dict[int, list]], setup: list[dict], names: list[str], path: Path
                  ) -> tuple[float, float]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    start, cpu = time.perf_counter(), time.process_time()
    book = openpyxl.Workbook(write_only=True)
    styles = _openpyxl_styles(book)
    for index, name in enumerate(names):
        sheet = book.create_sheet(name)
        for col, width in setup[index]["widths"].items():
            sheet.column_dimensions[get_column_letter(col + 1)].width = width
        if setup[index]["freeze"]:
            row, col = setup[index]["freeze"][:2]
            sheet.freeze_panes = f"{get_column_letter(col + 1)}{row + 1}"
        if setup[index]["filter"]:
            r1, c1, r2, c2 = setup[index]["filter"]
            sheet.auto_filter.ref = f"{get_column_letter(c1 + 1)}{r1 + 1}:{get_column_letter(c2 + 1)}{r2 + 1}"
        sheet_rows, last = rows[index], -1
        for row in sorted(sheet_rows):
            for _ in range(row - last - 1):
                sheet.append([])
            cells = {}
            for col, value, style in sheet_rows[row]:
                cell = WriteOnlyCell(sheet, value=value)
                if style is not None:
                    s = styles[style]
                    cell.font, cell.alignment, cell.number_format = s["font"], s["alignment"], s["number_format"]
                    if s["fill"] is not None:
                        cell.fill = s["fill"]
                    if s["border"] is not None:
                        cell.border = s["border"]
                cells[col] = cell
            sheet.append([cells.get(c) for c in range(max(cells) + 1)] if cells else [])
            last = row
    book.save(path)
    return time.perf_counter() - start, time.process_time() - cpu


# --- One size ---------------------------------------------------------------------------------------------------


def prepare(size: int, work: Path, env: dict) -> None:
    """The register in a SQLite file, imported once from the synthetic dump (reused while the dump is the same)."""
    dump, db, mark = work / f"register-{size}.json", work / f"ico-{size}.db", work / f"ico-{size}.done"
    text = dump_text(generate(size))
    if mark.exists() and db.exists() and dump.exists() and dump.read_text(encoding="utf-8") == text:
        run(["db", "upgrade"], env)
        return
    dump.write_text(text, encoding="utf-8")
    db.unlink(missing_ok=True)
    run(["init-db"], env)
    run(["import", str(dump)], env)
    mark.touch()


def measure(size: int, repeat: int, work: Path, reimport: bool, extras: int | None = None) -> dict:
    """One size: the export and the bare XlsxWriter loop `repeat` times each; the checks refresh, the one-process
    export, the openpyxl loop and the re-import `extras` times each (default: `repeat`)."""
    extras = extras or repeat
    url = f"sqlite:///{work / f'ico-{size}.db'}"
    env = os.environ | {"ROPA_DATABASE_URL": url, "ROPA_INSTANCE_DIR": str(work / "instance")}
    prepare(size, work, env)
    book = work / f"ropa-{size}.xlsx"
    refresh = medians([run(["check", "--store"], env) for _ in range(extras)])
    stats = work / f"writer-{size}.jsonl"
    stats.unlink(missing_ok=True)
    exports = medians([run(["export", str(book), "--format", "ico"], env | {STATS_ENV: str(stats)})
                       for _ in range(repeat)])
    inline = medians([run(["export", str(book), "--format", "ico"], env | {"ROPA_XLSX_WRITER": "inline"})
                      for _ in range(extras)])
    writers = [json.loads(line) for line in stats.read_text().splitlines()] if stats.exists() else []
    startup = medians([run(["--help"], env) for _ in range(repeat)])
    recording = record(url, work / "recorded.xlsx")
    xlsx_runs = [bare_xlsxwriter(recording, work / "bare-x.xlsx") for _ in range(repeat)]
    rows, setup = openpyxl_rows(recording)
    opx_runs = [bare_openpyxl(rows, setup, recording.sheets, work / "bare-o.xlsx") for _ in range(extras)]
    bare_x = {"wall_s": statistics.median(w for w, _ in xlsx_runs), "cpu_s": statistics.median(c for _, c in xlsx_runs)}
    bare_o = {"wall_s": statistics.median(w for w, _ in opx_runs), "cpu_s": statistics.median(c for _, c in opx_runs)}
    result = {"activities": size, "cells": recording.cells, "calls": len(recording.ops), "sheets": recording.sheets,
              "checks_refresh": refresh, "export": exports, "export_inline": inline, "startup": startup,
              "writer_process": {key: statistics.median(w[key] for w in writers) for key in ("wall_s", "cpu_s", "rss_mib")}
              if writers else None,
              "bare_xlsxwriter": bare_x, "bare_openpyxl": bare_o,
              "bare_runs": {"xlsxwriter": xlsx_runs, "openpyxl": opx_runs}}
    fastest = min(bare_x["wall_s"], bare_o["wall_s"])
    result["ratios"] = {
        "export_wall / bare_xlsxwriter_wall": exports["wall_s"] / bare_x["wall_s"],
        "export_inline_wall / bare_xlsxwriter_wall": inline["wall_s"] / bare_x["wall_s"],
        "export_wall / fastest_bare_wall": exports["wall_s"] / fastest,
        "(export - startup) wall / bare_xlsxwriter_wall": (exports["wall_s"] - startup["wall_s"]) / bare_x["wall_s"],
        "export_cpu / bare_xlsxwriter_cpu": exports["cpu_s"] / bare_x["cpu_s"],
        "(export - startup) cpu / bare_xlsxwriter_cpu": (exports["cpu_s"] - startup["cpu_s"]) / bare_x["cpu_s"],
    }
    del recording, rows, setup
    if reimport:
        imported = [run(["import", str(book)], env) for _ in range(extras)]
        assert all("no changes" in r["output"] for r in imported), imported[0]["output"]
        result["reimport"] = medians(imported)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "ico-work")
    parser.add_argument("--reimport-size", type=int, default=10000, help="re-import the workbook of this size")
    parser.add_argument("--extras-repeat", type=int, help="runs of the checks refresh, the one-process export, the "
                        "openpyxl loop and the re-import (default: --repeat; at 100k the openpyxl loop alone takes "
                        "minutes a run)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    results = []
    out = ROOT / "bench" / "out"
    for size in args.sizes:
        row = measure(size, args.repeat, args.work, size == args.reimport_size, args.extras_repeat)
        results.append(row)
        print(json.dumps({k: v for k, v in row.items() if k not in ("bare_runs",)}, default=str), flush=True)
        (out / "ico.json").write_text(json.dumps({"commit": commit, "results": results}, indent=1, default=str))


if __name__ == "__main__":
    main()
