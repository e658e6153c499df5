"""The privacy notice written from the register: it names everything the register holds, says gaps as gaps, gives
each basis its rights, escapes what users typed; the export command, the page, its links, downloads and upload."""

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ropa.notice.compose import compose, period_words
from ropa.notice.render import render_html, render_markdown
from ropa.notice.text import notice_text
from ropa.services.register import dump_register

ROOT = Path(__file__).resolve().parent.parent
SEED_NOTICE = "/work/shared/seed/ecfws_privacy_notice.txt"


@pytest.fixture
def register(seeded) -> dict:
    return dump_register()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("module", ["ropa.notice.compose", "ropa.notice.render", "ropa.notice.check"])
def test_the_notice_modules_are_pure(module):
    code = f"import sys, {module}; assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_the_seed_notice_names_every_recipient_processor_retention_period_and_basis(register):
    for document in (notice_text(render_html(compose(register)), html=True), render_markdown(compose(register))):
        text = _flat(document.replace("\\", ""))
        for recipient in register["recipients"]:
            assert recipient["name"] in text, recipient["name"]
        processors = {e["processor"] for e in register["engagements"]} | \
            {p for a in register["activities"] for p in a["processors"]}
        assert processors
        for name in processors:
            assert name in text, name
        for rule in register["retention_rules"]:
            assert rule["name"] in text
            assert (period_words(rule) or rule["trigger"][1:]) in text, rule
        bases = {b["code"]: b for b in register["lawful_bases"]}
        for code in {c for a in register["activities"] if a["our_role"] != "processor" for c in a["lawful_bases"]}:
            label = bases[code]["label"]
            assert f"Art. {code} {label[:1].lower()}{label[1:]}" in text, code


def test_sections_follow_the_seed_notice_and_each_lists_its_register_entries(register):
    notice = compose(register)
    assert [s.key for s in notice.sections] == ["who", "contact", "collect", "purposes", "recipients", "processors",
                                                "transfers", "retention", "rights", "complain"]
    assert all(s.refs for s in notice.sections)
    who = notice.sections[0]
    assert ("organisation", "HCRG Care Services Ltd") in [(r.kind, r.key) for r in who.refs]
    assert any("Provide CIC" in line.text and "controller" in line.text for line in who.lines)
    contact = _flat(" ".join(line.text for line in notice.sections[1].lines))
    assert "Deborah Tonkin" in contact and "Ask.IG@hcrgcaregroup.com" in contact
    complain = _flat(" ".join(line.text for line in notice.sections[-1].lines))
    assert "0303 123 1113" in complain and "Article 77" in complain


def test_the_pearson_transfer_says_its_country_and_safeguard_are_not_recorded(register):
    transfers = compose(register).sections[6]
    line = next(line for line in transfers.lines if "Pearson Clinical Assessments" in line.text)
    assert line.gap
    assert "a country the register does not record" in line.text and "no safeguard" in line.text
    assert {("transfer", "TR-001"), ("activity", "PA-026")} <= {(r.kind, r.key) for r in line.refs}


def test_nothing_is_invented_for_an_activity_without_a_basis(register):
    purposes = compose(register).sections[3]
    line = next(line for line in purposes.lines if "(PA-004)" in line.text)
    assert line.gap and "Lawful basis: not recorded" in line.text


def _rights_line(register: dict, code: str) -> str:
    rights = compose(register).sections[8]
    return next(line.text for line in rights.lines if f"Art. {code}" in line.text)


def test_each_basis_carries_its_own_rights(register):
    consent = _rights_line(register, "6(1)(a)")
    assert "to withdraw your consent at any time (Art. 7(3))" in consent
    assert "does not carry the right to object" in consent and "to data portability, where" in consent
    obligation = _rights_line(register, "6(1)(c)")
    assert "does not carry the right to erasure (Art. 17(3)(b))" in obligation
    assert "to data portability (Art. 20(1))" in obligation.split("does not carry")[1]
    register["activities"][0]["lawful_bases"] = ["6(1)(e)", "9(2)(h)"]
    public_task = _rights_line(register, "6(1)(e)")
    assert "to object (Art. 21(1))" in public_task.split("does not carry")[0]
    assert "to erasure" in public_task.split("does not carry")[1]


def test_what_users_typed_is_escaped(register):
    register["recipients"][0]["name"] = "<script>alert('x')</script> & [link](javascript:x)"
    register["activities"][0]["recipients"][0] = register["recipients"][0]["name"]
    html = render_html(compose(register))
    assert "<script" not in html and "&lt;script&gt;" in html
    markdown = render_markdown(compose(register))
    assert "<script>" not in markdown and r"\<script\>" in markdown and r"\[link\]" in markdown


def test_export_writes_html_or_markdown_by_extension(seeded, run_cli, tmp_path):
    result = run_cli("export", str(tmp_path / "notice.html"), "--format", "notice")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "notice.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<script" not in html and "Pearson Clinical Assessments" in html
    assert run_cli("export", str(tmp_path / "notice.md"), "--format", "notice").exit_code == 0
    assert (tmp_path / "notice.md").read_text(encoding="utf-8").startswith("# HCRG Care Services Ltd")
    wrong = run_cli("export", str(tmp_path / "notice.pdf"), "--format", "notice")
    assert wrong.exit_code == 1 and ".html or .md" in wrong.output
    assert not (tmp_path / "notice.pdf").exists()
    assert "## Your rights" in run_cli("export", "-", "--format", "notice").output


def test_export_as_at_a_snapshot_writes_the_frozen_register(seeded, run_cli, tmp_path):
    from ropa.exchange.problems import RawRecord
    from ropa.services.register import apply_records

    assert run_cli("snapshot", "create", "DSPT 2025-26").exit_code == 0
    apply_records([RawRecord("retention_rules", {"name": "CCTV images", "period_value": 31}, "t", 1, {})],
                  actor="test")
    result = run_cli("export", str(tmp_path / "n.md"), "--format", "notice", "--as-at", "DSPT 2025-26")
    assert result.exit_code == 0, result.output
    frozen = (tmp_path / "n.md").read_text(encoding="utf-8")
    assert "snapshot \u201cDSPT 2025-26\u201d" in frozen and "CCTV images: 30 days" in frozen
    assert "CCTV images: 31 days" in run_cli("export", "-", "--format", "notice").output
    missing = run_cli("export", str(tmp_path / "m.md"), "--format", "notice", "--as-at", "no such")
    assert missing.exit_code == 1 and "no snapshot called 'no such'" in missing.output


def test_the_page_shows_the_notice_with_links_to_the_entries(seeded, make_client):
    page = make_client("auditor").get("/notice").get_data(as_text=True)
    assert "Pearson Clinical Assessments" in page
    for href in ('href="/activities/PA-026"', 'href="/transfers/TR-001"', 'href="/processors/PE-001"',
                 'href="/organisations/HCRG%20Care%20Services%20Ltd"'):
        assert href in page, href
    assert "Check a published notice" not in page  # an auditor reads; editors and the DPO check
    assert 'href="/notice/download/md"' in page


def test_the_downloads_are_the_notice(seeded, make_client):
    client = make_client("auditor")
    md = client.get("/notice/download/md")
    assert md.status_code == 200 and "attachment" in md.headers["Content-Disposition"]
    assert md.get_data(as_text=True).startswith("# HCRG Care Services Ltd")
    html = client.get("/notice/download/html")
    assert html.mimetype == "text/html" and "<h2>Your rights</h2>" in html.get_data(as_text=True)


def _upload(client, data: bytes, name: str):
    return client.post("/notice/check", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_an_editor_uploads_the_seed_notice_and_sees_the_two_gaps(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    client = make_client("editor")
    with open(SEED_NOTICE, "rb") as handle:
        response = _upload(client, handle.read(), "ecfws_privacy_notice.txt")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 gap(s) in ecfws_privacy_notice.txt" in page
    result = page.split('id="check-result"')[1].split("</table>")[0]
    assert result.count("<tr>") == 3  # the header and two gaps
    assert 'href="/transfers/TR-001"' in result and "outside of the UK and EEA" in result
    assert "appropriate safeguards" in result


def test_a_bad_upload_is_refused_in_words(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    seeded.config["ROPA_NOTICE_MAX_BYTES"] = 1000
    client = make_client("dpo")
    wrong = _upload(client, b"%PDF", "notice.pdf")
    assert wrong.status_code == 400 and ".txt or .html" in wrong.get_data(as_text=True)
    large = _upload(client, b"a" * 2000, "notice.txt")
    assert large.status_code == 413 and "at most 1,000 bytes" in large.get_data(as_text=True)
    missing = client.post("/notice/check", data={})
    assert missing.status_code == 400 and "Choose the published notice" in missing.get_data(as_text=True)


def test_the_upload_needs_a_csrf_token(seeded, make_client):
    with open(SEED_NOTICE, "rb") as handle:
        assert _upload(make_client("dpo"), handle.read(), "n.txt").status_code == 400


def test_no_script_on_the_page_from_register_text(seeded, make_client, run_cli, tmp_path):
    from ropa.exchange.problems import RawRecord
    from ropa.services.register import apply_records

    apply_records([RawRecord("recipients", {"name": "Care Homes", "description": "x"}, "t", 1, {}),
                   RawRecord("activities", {"reference": "PA-004", "purpose": "<img src=x onerror=alert(1)>"},
                             "t", 2, {})], actor="test")
    page = make_client("auditor").get("/notice").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert not re.search(r"<script(?! src=\"/static/ropa\.js\")", page)
