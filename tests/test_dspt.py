"""The DSPT evidence pack: one zip of the ICO workbook, the privacy notice, CSVs from the register and an index
mapping every toolkit item to files in the pack, with a warning when the register has no recent management review."""

import csv
import io
import zipfile
from html.parser import HTMLParser

import openpyxl
import pytest

from ropa.services.dspt import ITEMS_CSV
from ropa.services.snapshots import create_snapshot


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _html_text(document: str) -> str:
    parser = _Text()
    parser.feed(document)
    parser.close()
    return " ".join(" ".join(parser.text).split())


def _pack(run_cli, tmp_path, *args) -> zipfile.ZipFile:
    path = tmp_path / "dspt.zip"
    result = run_cli("export", str(path), "--format", "dspt", *args)
    assert result.exit_code == 0, result.output
    assert f"Wrote {path}" in result.output
    return zipfile.ZipFile(path)


def _rows(pack: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(pack.read(name).decode("utf-8"))))


def _catalogue() -> list[dict]:
    with open(ITEMS_CSV, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_pack_holds_the_workbook_the_notice_and_the_register_csvs(seeded, run_cli, tmp_path):
    pack = _pack(run_cli, tmp_path)
    names = set(pack.namelist())
    assert {"ico-workbook.xlsx", "privacy-notice.html", "index.html", "index.csv", "suppliers.csv",
            "information-asset-register.csv", "transfers.csv", "retention-timetable.csv",
            "open-findings.csv"} <= names
    for name in (n for n in names if n.endswith(".xlsx")):
        workbook = openpyxl.load_workbook(io.BytesIO(pack.read(name)), read_only=True)
        assert workbook.sheetnames
    for name in (n for n in names if n.endswith(".csv")):
        assert _rows(pack, name), name
    for name in (n for n in names if n.endswith(".html")):
        assert _html_text(pack.read(name).decode("utf-8"))
    assert "HCRG Care Services Ltd" in _html_text(pack.read("privacy-notice.html").decode("utf-8"))

    suppliers = {r["supplier"]: r for r in _rows(pack, "suppliers.csv")}
    assert "PE-001" in suppliers["Pearson Clinical Assessments"]["engagements"]
    assert "Digital Conners4" in suppliers["Pearson Clinical Assessments"]["products_and_services"]
    transfer = next(r for r in _rows(pack, "transfers.csv") if r["reference"] == "TR-001")
    assert transfer["organisation"] == "Pearson Clinical Assessments" and transfer["mechanism"] == "none_recorded"
    retention = {r["retention_rule"]: r for r in _rows(pack, "retention-timetable.csv")}
    assert retention["CCTV images"]["retention_period"] == "30 days"
    assert "Call recording system" in {r["system"] for r in _rows(pack, "information-asset-register.csv")}
    findings = _rows(pack, "open-findings.csv")
    assert findings and all(f["rule"] and f["severity"] and f["message"] for f in findings)


def test_the_index_maps_every_catalogue_item_to_files_in_the_pack(seeded, run_cli, tmp_path):
    pack = _pack(run_cli, tmp_path)
    names = set(pack.namelist())
    index = {r["item"]: r for r in _rows(pack, "index.csv") if r["item"]}
    catalogue = _catalogue()
    assert {c["toolkit_version"] for c in catalogue} == {"DSPT v8 2025-26"}
    assert {"1.1.1", "1.1.2", "1.1.3", "1.4.1", "7.1.1", "10.1.2", "10.2.2", "B3.a", "A3.a", "A2.a",
            "E1.a"} <= {c["item"] for c in catalogue}
    page = _html_text(pack.read("index.html").decode("utf-8"))
    assert "DSPT v8 2025-26" in page and "the live register" in page
    for item in catalogue:
        row = index[item["item"]]
        files = [f.strip() for f in row["files"].split(";")]
        assert files and set(files) <= names, (item["item"], files)
        assert row["toolkit_version"] == "DSPT v8 2025-26"
        assert item["item"] in page


def test_the_review_warning_goes_once_a_snapshot_is_signed_off(seeded, run_cli, tmp_path):
    pack = _pack(run_cli, tmp_path)
    assert "No signed-off snapshot" in _html_text(pack.read("index.html").decode("utf-8"))
    assert any(r["toolkit_version"] == "WARNING" and "12 months" in r["title"] for r in _rows(pack, "index.csv"))

    create_snapshot("DSPT 2025-26 submission", actor="test", approved_by="Deborah Tonkin, DPO")
    pack = _pack(run_cli, tmp_path, "--as-at", "DSPT 2025-26 submission")
    page = _html_text(pack.read("index.html").decode("utf-8"))
    assert "Warning" not in page and "No signed-off snapshot" not in page
    assert "DSPT 2025-26 submission" in page and "Deborah Tonkin, DPO" in page
    assert not any(r["toolkit_version"] == "WARNING" for r in _rows(pack, "index.csv"))
    assert _rows(pack, "open-findings.csv")


def test_a_pack_as_at_an_old_snapshot_shows_the_review_that_stood_then(seeded, run_cli, tmp_path):
    create_snapshot("DSPT 2024-25 submission", actor="test", approved_by="First Reviewer, DPO")
    create_snapshot("DSPT 2025-26 submission", actor="test", approved_by="Second Reviewer, DPO")
    old = _html_text(_pack(run_cli, tmp_path, "--as-at", "DSPT 2024-25 submission").read("index.html").decode())
    assert "First Reviewer, DPO" in old and "Second Reviewer" not in old
    live = _html_text(_pack(run_cli, tmp_path).read("index.html").decode())
    assert "Second Reviewer, DPO" in live


def test_an_old_review_is_warned_about():
    from datetime import datetime

    from ropa.services.dspt import review_warning

    now = datetime(2026, 12, 7)
    assert "more than 12 months old" in review_warning(datetime(2025, 11, 1), now)
    assert review_warning(datetime(2026, 1, 1), now) == ""


def test_text_a_user_typed_is_not_a_formula(seeded, run_cli, tmp_path):
    from ropa.services.dspt import _csv

    assert _csv(["a"], [["=HYPERLINK(\"x\")"]]).splitlines()[1] == '"\'=HYPERLINK(""x"")"'


@pytest.mark.parametrize("target", ["-"])
def test_the_pack_is_not_written_to_standard_output(seeded, run_cli, target):
    result = run_cli("export", target, "--format", "dspt")
    assert result.exit_code == 1 and ".zip" in result.output


def test_the_exports_page_prepares_and_downloads_the_pack(seeded, make_client, monkeypatch):
    import re
    from pathlib import Path

    from ropa.services import jobs

    monkeypatch.setattr(jobs, "launch", lambda job_id, config: jobs.run_job(job_id, Path(config["ROPA_EXPORT_DIR"])))
    seeded.config["WTF_CSRF_ENABLED"] = False
    client = make_client("auditor")
    assert "Prepare the evidence pack" in client.get("/exports").get_data(as_text=True)
    response = client.post("/exports/jobs", data={"format": "dspt"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "DSPT evidence pack" in page and "Ready" in page
    link = re.search(r'href="(/exports/jobs/[^"]+/file)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert re.fullmatch(r"attachment; filename=ropa-dspt-evidence-pack-\d{4}-\d\d-\d\d\.zip",
                        download.headers["Content-Disposition"])
    pack = zipfile.ZipFile(io.BytesIO(download.data))
    download.close()
    assert {"index.html", "index.csv", "ico-workbook.xlsx", "privacy-notice.html"} <= set(pack.namelist())
    assert make_client("editor").get(link).status_code == 403  # another user's pack


def test_the_pack_reports_its_progress_as_it_goes(seeded):
    from ropa.services.dspt import write_pack

    seen = []
    write_pack(io.BytesIO(), progress=lambda fraction, message: seen.append((fraction, message)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] < 0.8 < fractions[-1] < 1
    assert any(m.startswith("The ICO workbook: ") for _, m in seen)
    assert [m for _, m in seen][-1] == "Writing the index"
