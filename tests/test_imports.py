"""Imports are all or nothing: every bad file leaves the register as it was and names the row and column."""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import AuditEntry, ProcessingActivity
from ropa.services.exports import json_dump

HEADER = "reference,name,service,our_role,data_categories,article_6,last_reviewed\n"
GOOD = HEADER + "PA-900,Direct care,,controller,,6(1)(e) Public task,2026-01-15\n"


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _state() -> tuple[str, int]:
    return json_dump(), db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_a_good_csv_imports_and_reimporting_it_changes_nothing(app, run_cli, tmp_path):
    path = _write(tmp_path, "register.csv", GOOD)
    first = run_cli("import", str(path))
    assert first.exit_code == 0, first.output
    activity = db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == "PA-900"))
    assert [b.code for b in activity.lawful_bases] == ["6(1)(e)"]
    before = _state()
    again = run_cli("import", str(path))
    assert again.exit_code == 0 and "no changes" in again.output
    assert _state() == before


def test_dry_run_reports_and_writes_nothing(app, run_cli, tmp_path):
    before = _state()
    result = run_cli("import", str(_write(tmp_path, "register.csv", GOOD)), "--dry-run")
    assert result.exit_code == 0
    assert "activities: 1 created" in result.output
    assert _state() == before


BAD_CASES = {
    "unknown country code": (
        "transfers.csv", "reference,activity,country,mechanism\nTR-9,PA-900,XQ,idta\n",
        "transfers.csv:2:country: unknown country code 'XQ'"),
    "unknown lawful basis": (
        "register.csv", HEADER + "PA-901,Care,,controller,,6(1)(z) Made up,\n",
        "register.csv:2:article_6: unknown lawful basis '6(1)(z) Made up'"),
    "duplicate reference": (
        "register.csv", HEADER + "PA-902,Care,,controller,,,\nPA-902,Care again,,controller,,,\n",
        "register.csv:3:reference: duplicate processing activity 'PA-902' (also at row 2)"),
    "missing required field": (
        "register.csv", HEADER + "PA-903,,,controller,,,\n", "register.csv:2:name: name is required"),
    "missing reference": (
        "register.csv", HEADER + ",Care,,controller,,,\n", "register.csv:2:reference: reference is required"),
    "malformed date": (
        "register.csv", HEADER + "PA-904,Care,,controller,,,31/01/2026\n",
        "register.csv:2:last_reviewed: malformed date '31/01/2026'"),
    "unknown enum value": (
        "register.csv", HEADER + "PA-905,Care,,overlord,,,\n", "register.csv:2:our_role: unknown our role 'overlord'"),
    "unknown category": (
        "register.csv", HEADER + "PA-906,Care,,controller,Shoe size,,\n",
        "register.csv:2:data_categories: unknown data category 'Shoe size'"),
    "wrong encoding": (
        "register.csv", (HEADER + "PA-907,Soins à domicile,,controller,,,\n").encode("latin-1"),
        "register.csv:2:-: the file is not UTF-8 text"),
    "wrong delimiter": (
        "register.csv", HEADER.replace(",", ";") + "PA-908;Care;;controller;;;\n",
        "register.csv:1:-: the columns are separated by semicolons"),
    "empty file": ("register.csv", "", "register.csv:1:-: the file is empty"),
    "short row": ("register.csv", HEADER + "PA-909,Care\n", "register.csv:2:-: 2 cells where the header has 7"),
    "unknown column": (
        "register.csv", "reference,name,colour\nPA-910,Care,blue\n", "register.csv:1:-: unknown column(s) 'colour'"),
    "json not a dump": ("dump.json", '{"hello": 1}', "dump.json:1:format: not a ropa register dump"),
    "json bad field": (
        "dump.json", json.dumps({"format": "ropa-register", "format_version": 1,
                                 "activities": [{"reference": "PA-911", "name": "Care", "our_role": 7}]}),
        "dump.json:activities[1]:our_role: unknown our role 7"),
}


@pytest.mark.parametrize("case", BAD_CASES, ids=list(BAD_CASES))
def test_a_bad_file_is_refused_whole_with_row_and_column(app, run_cli, tmp_path, case):
    run_cli("import", str(_write(tmp_path, "ok.csv", GOOD)))
    before = _state()
    name, content, expected = BAD_CASES[case]
    # A good row in the same file must not be written either.
    if name == "register.csv" and isinstance(content, str) and content.startswith(HEADER):
        content = content.replace(HEADER, HEADER + "PA-999,Good row,,controller,,,\n", 1)
        expected = expected.replace("register.csv:2:", "register.csv:3:").replace("register.csv:3:reference: dup",
                                                                                  "register.csv:4:reference: dup")
        expected = expected.replace("(also at row 2)", "(also at row 3)")
    result = run_cli("import", str(_write(tmp_path, name, content)))
    assert result.exit_code == 1
    assert expected in result.output
    assert "nothing was imported" in result.output
    assert _state() == before


def test_fifty_megabytes_of_junk_is_refused_quickly(app, run_cli, tmp_path):
    junk = tmp_path / "junk.csv"
    with open(junk, "wb") as handle:
        for i in range(50):
            handle.write(bytes((i * 7 + j) % 251 + 1 for j in range(1024)) * 1024)
    before = _state()
    result = run_cli("import", str(junk))
    assert result.exit_code == 1 and "junk.csv:" in result.output
    assert _state() == before


def test_fifty_megabytes_of_text_junk_is_refused(app, run_cli, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_text(("lorem,ipsum,dolor\n" + "x" * 200 + "\n") * 240_000)
    result = run_cli("import", str(junk))
    assert result.exit_code == 1 and "does not match any register CSV" in result.output


def test_every_problem_in_a_file_is_listed(app, run_cli, tmp_path):
    content = HEADER + "PA-920,Care,,controller,,6(1)(q),\nPA-921,Care,,controller,,,2026-13-01\n"
    result = run_cli("import", str(_write(tmp_path, "register.csv", content)))
    assert "register.csv:2:article_6:" in result.output
    assert "register.csv:3:last_reviewed:" in result.output


def test_spreadsheet_formulas_are_escaped_in_csv_and_read_back_exactly(app, run_cli, tmp_path):
    tricky = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-2", "=1+1", "'quoted"]
    rows = "".join(f'PA-93{i},"{t.replace(chr(34), chr(34) * 2)}",,controller,,,\n' for i, t in enumerate(tricky))
    # Import the raw text as a name (escaped on the way in), export, and check every cell is escaped.
    path = _write(tmp_path, "tricky.json", json.dumps({
        "format": "ropa-register", "format_version": 1,
        "activities": [{"reference": f"PA-93{i}", "name": t} for i, t in enumerate(tricky)]}))
    assert run_cli("import", str(path)).exit_code == 0
    out = tmp_path / "out.csv"
    assert run_cli("export", str(out), "--format", "csv").exit_code == 0
    text = out.read_text()
    for value in tricky:
        assert ",'" + value.replace('"', '""')[:3] in text or ',"\'' + value.replace('"', '""')[:3] in text
    names = {a.reference: a.name for a in db.session.scalars(sa.select(ProcessingActivity))}
    assert run_cli("import", str(out)).exit_code == 0
    assert {a.reference: a.name for a in db.session.scalars(sa.select(ProcessingActivity))} == names
    assert rows  # the CSV form of the same rows is what an auditor would open


# --- a zip of CSV files, and uploads recognised by their content (services/imports.read_upload) --------------------

def _zip(files: dict[str, bytes], *, compression=0) -> bytes:
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_the_command_line_imports_a_zip_of_csv_files(app, run_cli, tmp_path):
    path = _write(tmp_path, "register.zip", _zip({"activities.csv": GOOD.encode()}))
    result = run_cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == "PA-900"))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app, monkeypatch):
    import zipfile

    from ropa.exchange.problems import ImportFailed
    from ropa.services import imports

    monkeypatch.setattr(imports, "ZIP_MAX_UNPACKED", 10_000)
    bomb = _zip({"activities.csv": HEADER.encode() + b"x" * 50_000}, compression=zipfile.ZIP_DEFLATED)
    assert len(bomb) < 2_000
    with pytest.raises(ImportFailed, match="unpacks to more than"):
        imports.read_upload(bomb, "register.zip")
    many = _zip({f"f{i}.csv": b"a" for i in range(imports.ZIP_MAX_MEMBERS + 1)})
    with pytest.raises(ImportFailed, match=f"at most {imports.ZIP_MAX_MEMBERS} are read"):
        imports.read_upload(many, "register.zip")


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("register.xlsx", b"%PDF-1.4", "this is a PDF document"),
    ("register.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "Excel 97-2003 (.xls)"),
    ("register.zip", b'{"format": 1}', "the name says .zip but this is JSON text: name it .json"),
    ("register.csv", b"colour\nblue\n", "the header row does not match any register CSV"),
])
def test_an_upload_is_recognised_by_its_content_not_its_name(app, name, content, expected):
    from ropa.exchange.problems import ImportFailed
    from ropa.services.imports import read_upload

    with pytest.raises(ImportFailed) as failed:
        read_upload(content, name)
    assert expected in str(failed.value)


def test_a_bulk_import_on_postgresql_refreshes_the_planner_statistics(app, tmp_path, database_url):
    """Was: PostgreSQL with autovacuum off planned a fresh 10k register's list page for empty tables (28 ms)."""
    from bench.generate import generate
    from ropa.exchange.jsonio import dump_text
    from ropa.services.imports import import_path

    if not database_url.startswith("postgresql"):
        pytest.skip("planner statistics are PostgreSQL's")

    def analysed() -> bool:
        return db.session.scalar(sa.text("SELECT coalesce(last_analyze, last_autoanalyze) IS NOT NULL "
                                         "FROM pg_stat_user_tables WHERE relname = 'activities'"))

    db.session.execute(sa.text("SELECT pg_stat_reset()"))
    db.session.commit()
    assert not analysed()
    path = tmp_path / "bulk.json"
    path.write_text(dump_text(generate(400)), encoding="utf-8")  # some 2,000 records in all
    import_path(path, actor="test")
    db.session.commit()
    assert analysed()
