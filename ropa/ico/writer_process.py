"""A workbook written by a process of its own, fed its cells through a pipe.

Writing a large workbook is mostly XlsxWriter's own work (XML for every cell, then the zip). Reading the register
from the database and making each cell's text is the rest. In one process the two add up; here they overlap: this
process reads and makes the cells, a small writer process (``python -m ropa.ico.writer_process OUT``, which
imports XlsxWriter and nothing of Flask or the database) makes the same XlsxWriter calls on the real workbook, on
the machine's other core.

``Workbook`` below stands in for XlsxWriter's: ``add_format`` and ``add_worksheet`` as XlsxWriter has them, and
worksheets whose methods record each call as ``(method, sheet, arguments, format)``. The calls go to the writer a
chunk at a time, pickled, each chunk with a length in front; a zero length means "close the workbook". The pipe
holds at most one chunk in flight, so memory stays flat on both sides whatever the register's size.

If the writer fails, the next call here raises ``WriterFailed`` with the writer's own message; if this side fails
(or is interrupted), the writer is killed and its unfinished file removed.
"""

import json
import os
import pickle
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from typing import Any, BinaryIO

#: The worksheet methods a Sheet uses; a call's code in the stream is its place here (Worksheet below sends them).
METHODS = ("write_string", "write_number", "write_datetime", "write_blank", "merge_range", "set_column",
           "set_row", "autofilter", "freeze_panes", "set_landscape", "set_paper", "fit_to_pages", "repeat_rows",
           "set_footer")
CHUNK = 20_000  # calls per message at most: about 1 MB pickled
CHUNK_CHARS = 1_000_000  # characters of text per message at most (a few sheets' cells hold long lists)
LENGTH = struct.Struct(">Q")
#: Set to a file path to have each writer process's wall time and peak memory appended to it (the benchmark).
STATS_ENV = "ROPA_WRITER_STATS"


class WriterFailed(RuntimeError):
    """The writer process stopped before the workbook was complete."""


class Workbook:
    """XlsxWriter's Workbook as ropa uses it, with the work done in a writer process. Use it as a context
    manager, as XlsxWriter's: leaving the block closes the workbook (or, on an exception, abandons it)."""

    def __init__(self, out: BinaryIO | str | os.PathLike) -> None:
        self._target: BinaryIO | None = None
        if isinstance(out, (str, os.PathLike)):
            self._path = os.fspath(out)
        else:  # a file object: the writer writes a temporary file, copied into it at the end
            self._target = out
            handle, self._path = tempfile.mkstemp(suffix=".xlsx")
            os.close(handle)
        self._errors = tempfile.TemporaryFile()
        self._child = subprocess.Popen([sys.executable, "-m", "ropa.ico.writer_process", self._path],
                                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._errors)
        self._formats: list[dict] = []
        self._sheets: list[str] = []
        self._sent_formats = self._sent_sheets = 0
        self.calls: list[tuple] = []
        self.chars = 0  # of text in the calls not yet sent
        self.peak_rss_kib = 0

    # XlsxWriter's interface -----------------------------------------------------------------------------------

    def add_format(self, properties: dict | None = None) -> int:
        """A format, known by its number (1, 2, ...; never 0, so `fmt or default` works as with Format objects)."""
        self._formats.append(dict(properties or {}))
        return len(self._formats)

    def add_worksheet(self, name: str) -> "Worksheet":
        self._sheets.append(name)
        return Worksheet(self, len(self._sheets) - 1, name)

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()

    # The pipe -------------------------------------------------------------------------------------------------

    def send(self) -> None:
        """Send the calls recorded so far, with any formats and sheets added since the last chunk."""
        message = pickle.dumps((self._formats[self._sent_formats:], self._sheets[self._sent_sheets:], self.calls),
                               protocol=pickle.HIGHEST_PROTOCOL)
        self._sent_formats, self._sent_sheets = len(self._formats), len(self._sheets)
        self.calls, self.chars = [], 0
        self._write(LENGTH.pack(len(message)) + message)

    def _write(self, data: bytes) -> None:
        try:
            self._child.stdin.write(data)
        except (BrokenPipeError, OSError):
            self._fail()

    def close(self) -> None:
        """Send what is left, tell the writer to close the workbook, and wait for it."""
        self.send()
        self._write(LENGTH.pack(0))
        self._close_input()
        if self._wait() != 0:
            self._fail()
        self._errors.close()
        if self._target is not None:
            with open(self._path, "rb") as written:
                shutil.copyfileobj(written, self._target)
            os.unlink(self._path)

    def abandon(self) -> None:
        """Stop the writer and remove its unfinished file."""
        if self._child.returncode is None:
            self._child.kill()
            self._wait()
        self._close_input()
        self._errors.close()
        try:
            os.unlink(self._path)
        except FileNotFoundError:
            pass

    def _close_input(self) -> None:
        try:
            self._child.stdin.close()
        except (BrokenPipeError, OSError):  # the writer has gone; nothing more to tell it
            pass

    def _wait(self) -> int:
        _, status, usage = os.wait4(self._child.pid, 0)
        self._child.returncode = os.waitstatus_to_exitcode(status)
        self.peak_rss_kib = usage.ru_maxrss
        return self._child.returncode

    def _fail(self) -> None:
        if self._child.returncode is None:
            self._close_input()
            self._wait()
        self._errors.seek(0)
        lines = self._errors.read().decode(errors="replace").strip().splitlines()
        self.abandon()
        reason = lines[-1] if lines else f"it exited with status {self._child.returncode}"
        raise WriterFailed(f"the workbook writer stopped: {reason}")


class Worksheet:
    """A worksheet of the writer process: each call is recorded, in order, for the writer to make."""

    def __init__(self, book: Workbook, index: int, name: str) -> None:
        self._book, self._index, self.name = book, index, name

    def _call(self, code: int, args: tuple, fmt: int | None, chars: int = 0) -> None:
        book = self._book
        book.calls.append((code, self._index, args, fmt))
        book.chars += chars
        if len(book.calls) >= CHUNK or book.chars >= CHUNK_CHARS:
            book.send()

    def write_string(self, row: int, col: int, text: str, fmt: int | None = None) -> None:
        self._call(0, (row, col, text), fmt, len(text))

    def write_number(self, row: int, col: int, number: float, fmt: int | None = None) -> None:
        self._call(1, (row, col, number), fmt)

    def write_datetime(self, row: int, col: int, value: Any, fmt: int | None = None) -> None:
        self._call(2, (row, col, value), fmt)

    def write_blank(self, row: int, col: int, blank: Any, fmt: int | None = None) -> None:
        self._call(3, (row, col, blank), fmt)

    def merge_range(self, first_row: int, first_col: int, last_row: int, last_col: int, data: Any,
                    fmt: int | None = None) -> None:
        self._call(4, (first_row, first_col, last_row, last_col, data), fmt)

    def set_column(self, first: int, last: int, width: float) -> None:
        self._call(5, (first, last, width), None)

    def set_row(self, row: int, height: float) -> None:
        self._call(6, (row, height), None)

    def autofilter(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        self._call(7, (first_row, first_col, last_row, last_col), None)

    def freeze_panes(self, row: int, col: int) -> None:
        self._call(8, (row, col), None)

    def set_landscape(self) -> None:
        self._call(9, (), None)

    def set_paper(self, paper: int) -> None:
        self._call(10, (paper,), None)

    def fit_to_pages(self, width: int, height: int) -> None:
        self._call(11, (width, height), None)

    def repeat_rows(self, first: int, last: int) -> None:
        self._call(12, (first, last), None)

    def set_footer(self, footer: str) -> None:
        self._call(13, (footer,), None)


# --- The writer process -----------------------------------------------------------------------------------------


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise SystemExit("the exporting process stopped before the workbook was complete")
    return data


def write(path: str, stream: BinaryIO) -> None:
    """Make the recorded calls, chunk by chunk, on a constant-memory XlsxWriter workbook, then close it."""
    from xlsxwriter.workbook import Workbook as RealWorkbook
    from xlsxwriter.worksheet import Worksheet as RealWorksheet

    from ropa.ico.xlsx import WORKBOOK_OPTIONS

    functions = [getattr(RealWorksheet, name) for name in METHODS]
    book = RealWorkbook(path, WORKBOOK_OPTIONS)
    formats: list[Any] = [None]  # numbered from 1
    sheets: list[Any] = []
    while size := LENGTH.unpack(_read_exactly(stream, LENGTH.size))[0]:
        new_formats, new_sheets, calls = pickle.loads(_read_exactly(stream, size))
        formats.extend(book.add_format(properties) for properties in new_formats)
        sheets.extend(book.add_worksheet(name) for name in new_sheets)
        for code, sheet, args, fmt in calls:
            if fmt is None:
                functions[code](sheets[sheet], *args)
            else:
                functions[code](sheets[sheet], *args, formats[fmt])
    book.close()


def main() -> None:
    start = time.perf_counter()
    write(sys.argv[1], sys.stdin.buffer)
    if stats := os.environ.get(STATS_ENV):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open(stats, "a", encoding="utf-8") as out:
            out.write(json.dumps({"wall_s": time.perf_counter() - start, "cpu_s": usage.ru_utime + usage.ru_stime,
                                  "rss_mib": _peak_rss_kib(usage) / 1024}) + "\n")


def _peak_rss_kib(usage) -> int:
    """This program's own peak: Linux's VmHWM starts again at exec, while ru_maxrss keeps the peak of the process
    it was forked from (the exporting process, before it ran this)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return usage.ru_maxrss


if __name__ == "__main__":
    main()
