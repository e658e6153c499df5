"""The ICO workbook written by a writer process of its own (ropa.ico.writer_process).

The same calls are made on the same XlsxWriter workbook in another process, so the file must be the same, part for
part, as the one written in this process; a writer that stops, or an export that fails half way, must leave no
file and say why.
"""

import io
import os
import signal
import zipfile

import openpyxl
import pytest

from bench.generate import generate
from ropa.exchange.jsonio import dump_text, read_dump
from ropa.ico import writer_process
from ropa.ico import export as ico_service
from ropa.ico.export import separate_writer, write_ico
from ropa.services.register import apply_records

#: Parts of the file that differ between two runs whatever the writer: the file's creation time, and the About
#: sheet with its generated-at time (compared cell by cell below instead).
VOLATILE = {"docProps/core.xml"}


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist()}


def _about_sheet_part(parts: dict[str, bytes]) -> str:
    return next(name for name, data in parts.items()
                if name.startswith("xl/worksheets/") and b"Generated at (UTC)" in data)


def _write(monkeypatch, mode: str) -> bytes:
    monkeypatch.setenv("ROPA_XLSX_WRITER", mode)
    out = io.BytesIO()
    write_ico(out, generated_by="test")
    return out.getvalue()


def _same_workbook(inline: bytes, separate: bytes) -> None:
    a, b = _parts(inline), _parts(separate)
    assert list(a) == list(b)
    about = _about_sheet_part(a)
    assert [name for name in a if a[name] != b[name] and name not in VOLATILE | {about}] == []
    sheets = [openpyxl.load_workbook(io.BytesIO(data))["About"] for data in (inline, separate)]
    cells = [[[c.value for c in row] for row in sheet.iter_rows()] for sheet in sheets]
    assert [row for row in cells[0] if row[0] != "Generated at (UTC)"] == [row for row in cells[1]
                                                                      if row[0] != "Generated at (UTC)"]


def test_the_writer_process_writes_the_same_workbook_as_this_process(seeded, monkeypatch):
    _same_workbook(_write(monkeypatch, "inline"), _write(monkeypatch, "process"))


def test_the_same_for_a_synthetic_register_of_several_chunks(app, monkeypatch):
    records, snapshots, problems = read_dump(dump_text(generate(300)).encode(), "synthetic.json")
    assert problems == []
    apply_records(records, actor="test", snapshots=snapshots)
    monkeypatch.setattr(writer_process, "CHUNK", 997)  # many chunks, one ending mid-row
    monkeypatch.setattr(writer_process, "CHUNK_CHARS", 20_000)  # and some cut short by their long texts
    inline, separate = _write(monkeypatch, "inline"), _write(monkeypatch, "process")
    _same_workbook(inline, separate)
    template = openpyxl.load_workbook(io.BytesIO(separate), read_only=True)["Template"]
    assert sum(1 for row in template.iter_rows(min_row=10, values_only=True) if row[0] or row[1]) > 200


def test_to_a_path_and_the_rows_counted(seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("ROPA_XLSX_WRITER", "process")
    folder = tmp_path / "out"
    folder.mkdir()
    counts = write_ico(str(folder / "ropa.xlsx"), generated_by="test")
    book = openpyxl.load_workbook(folder / "ropa.xlsx", read_only=True)
    references = [row[30] for row in book["Template"].iter_rows(min_row=10, values_only=True) if row[30]]
    assert counts["Template"] == len(references) > 20 and "PA-026" in references
    assert list(folder.iterdir()) == [folder / "ropa.xlsx"]


def test_large_registers_use_the_writer_process_unless_told(monkeypatch):
    monkeypatch.delenv("ROPA_XLSX_WRITER", raising=False)
    assert separate_writer(ico_service.SEPARATE_WRITER_FROM) and not separate_writer(28)
    monkeypatch.setenv("ROPA_XLSX_WRITER", "inline")
    assert not separate_writer(10**6)
    monkeypatch.setenv("ROPA_XLSX_WRITER", "process")
    assert separate_writer(1)
    monkeypatch.setenv("ROPA_XLSX_WRITER", "threads")
    with pytest.raises(ValueError, match="ROPA_XLSX_WRITER must be 'process' or 'inline'"):
        separate_writer(1)


def _sheet_calls(book: writer_process.Workbook, rows: int) -> None:
    sheet = book.add_worksheet("Sheet1")
    text = book.add_format({"text_wrap": True})
    for row in range(rows):
        sheet.write_string(row, 0, f"row {row}", text)


def test_a_writer_that_stops_is_reported_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_process, "CHUNK", 100)
    out = tmp_path / "book.xlsx"
    book = writer_process.Workbook(out)
    os.kill(book._child.pid, signal.SIGKILL)
    with pytest.raises(writer_process.WriterFailed, match="the workbook writer stopped"):
        with book:
            _sheet_calls(book, 100_000)
    assert not out.exists()


def test_a_writer_error_is_passed_on_in_its_own_words(tmp_path):
    out = tmp_path / "book.xlsx"
    with pytest.raises(writer_process.WriterFailed, match="Excel worksheet name .* must be <= 31 chars"):
        with writer_process.Workbook(out) as book:
            book.add_worksheet("A sheet name far longer than Excel allows")
    assert not out.exists()


def test_an_export_that_fails_half_way_stops_the_writer_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_process, "CHUNK", 100)
    out = tmp_path / "book.xlsx"
    with pytest.raises(RuntimeError, match="the database went away"):
        with writer_process.Workbook(out) as book:
            _sheet_calls(book, 1000)
            child = book._child
            raise RuntimeError("the database went away")
    assert child.returncode is not None and not out.exists()


def test_the_writer_reads_what_it_is_sent_and_nothing_else(tmp_path):
    """A writer whose input ends before the end marker (the exporting process died) writes no file."""
    out = tmp_path / "book.xlsx"
    book = writer_process.Workbook(out)
    _sheet_calls(book, 10)
    book.send()
    book._child.stdin.close()
    assert book._wait() == 1 and not out.exists()
    book._errors.seek(0)
    assert b"the exporting process stopped before the workbook was complete" in book._errors.read()
    book.abandon()
