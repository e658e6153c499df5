"""The published-notice consistency check: the seed notice against the seed register gives the DPO's list and
nothing else; a notice edited to drop or change something is caught; the command line and the upload agree.

The expected list below was written by reading the seed notice and the seed register as a DPO would, before the
check was run:
- Processors: the register's one processor, Pearson Clinical Assessments (PE-001), is named in Appendix A.
- Recipients: all 19 are in "Who do we share your Information with?" (apostrophes and dashes aside: ICB's / ICBs,
  Barnardo's, 'back office'), except "New provider(s) of the service at contract end", which the notice's
  "Contract end provisions" covers ("transferred to the new provider (s)").
- Controllers we process for: NELFT and Provide CIC are both in the table under "Who are we?".
- Retention: CCTV 30 days and call recordings one year are stated; children's health records are kept "in
  accordance with the NHS Records Management Code of Practice" (the criteria, which the register records as the
  rule's source); the NHS England legal hold is described.
- Lawful bases: 6(1)(a) and 9(2)(a) (consent, explicit consent), 6(1)(c) (legal obligation), 9(2)(b) (social
  protection law) and 9(2)(h) (provision of health or social care) are all listed.
- Transfers: TR-001 (Pearson, Digital Conners4) is described as processing "outside of the UK and EEA" — but the
  notice names no country and no safeguard (only "appropriate safeguards"): Art. 13(1)(f) wants both, and the
  register records neither. Those two, and nothing else.
"""

import json

import pytest

from ropa.notice.check import check_notice
from ropa.notice.text import notice_text
from ropa.services.register import dump_register

SEED_NOTICE = "/work/shared/seed/ecfws_privacy_notice.txt"

#: (category, register entry, aspect, kind): what a DPO reports for the seed notice against the seed register.
EXPECTED_SEED_GAPS = {
    ("transfers", "TR-001", "country", "omitted"),
    ("transfers", "TR-001", "safeguard", "omitted"),
}


def _seed_notice() -> str:
    with open(SEED_NOTICE, encoding="utf-8") as handle:
        return handle.read()


def _keys(report) -> set[tuple[str, str, str, str]]:
    return {(g.category, g.ref.key, g.aspect, g.kind) for g in report.gaps}


@pytest.fixture
def register(seeded) -> dict:
    return dump_register()


def test_the_seed_notice_gives_the_dpos_list_and_nothing_else(register):
    report = check_notice(_seed_notice(), register)
    assert _keys(report) == EXPECTED_SEED_GAPS
    country = next(g for g in report.gaps if g.aspect == "country")
    assert "outside of the UK and EEA" in country.notice_words
    safeguard = next(g for g in report.gaps if g.aspect == "safeguard")
    assert "appropriate safeguards" in safeguard.notice_words


def test_every_entry_checked_is_either_a_gap_or_found_with_the_notices_words(register):
    report = check_notice(_seed_notice(), register)
    checked = {(m.category, m.ref.key) for m in report.matched} | {(g.category, g.ref.key) for g in report.gaps}
    assert {("processors", "Pearson Clinical Assessments")} <= checked
    assert {("recipients", r["name"]) for r in register["recipients"]} <= checked
    used_rules = {a["retention_rule"] for a in register["activities"] if a.get("retention_rule")}
    assert {("retention", r) for r in used_rules} <= checked
    used_bases = {c for a in register["activities"] for c in a["lawful_bases"]}
    assert {("lawful_bases", c) for c in used_bases} <= checked
    for m in report.matched:
        assert m.notice_words and m.notice_words in " ".join(notice_text(_seed_notice()).split()), m


def test_the_new_provider_is_found_in_the_contract_end_paragraph(register):
    report = check_notice(_seed_notice(), register)
    found = next(m for m in report.matched if m.ref.key == "New provider(s) of the service at contract end")
    assert "new provider (s)" in found.notice_words


@pytest.mark.parametrize(("edit", "expected"), [
    (("Appendix A – Data Processors Used", "Appendix A"), set()),  # still names Pearson below: no gap
    (("Pearson Clinical Assessments", "the supplier"),
     # Digital Conners4 is still said to be processed outside the UK: the transfer is described, its processor not.
     {("processors", "Pearson Clinical Assessments", "named", "omitted")}),
    (("deleted 30 days after", "deleted 31 days after"), {("retention", "CCTV images", "period", "contradicted")}),
    (("automatically deleted after one year", "automatically deleted after six months"),
     {("retention", "Call recordings", "period", "contradicted")}),
    (("  • Provide CIC\n", ""), set()),  # still named as the controller of the Essex Wellbeing Service
    (("  • Multi Agency Safeguarding Hubs\n", ""),
     {("recipients", "Multi Agency Safeguarding Hubs", "named", "omitted")}),
    (("Social protection law for safeguarding purposes.", "Safeguarding."),
     {("lawful_bases", "9(2)(b)", "named", "omitted")}),
    (("legal hold on the destruction of records by NHS England, we are currently not destroying records",
      "decision by NHS England, we are keeping records"),
     {("retention", "Children's health records", "legal hold", "omitted")}),
])
def test_an_edited_notice_reports_exactly_what_was_taken_out_or_changed(register, edit, expected):
    old, new = edit
    text = _seed_notice()
    assert old in text, old
    report = check_notice(text.replace(old, new), register)
    assert _keys(report) == EXPECTED_SEED_GAPS | expected


def test_a_contradicted_period_quotes_the_notices_words(register):
    report = check_notice(_seed_notice().replace("deleted 30 days after", "deleted 31 days after"), register)
    gap = next(g for g in report.gaps if g.category == "retention")
    assert "31 days" in gap.notice_words and "30 days" in gap.entry


def test_a_recorded_country_and_safeguard_must_be_in_the_notice(register):
    transfer = register["transfers"][0]
    transfer.update(country="US", mechanism="idta")
    report = check_notice(_seed_notice(), register)
    assert ("transfers", "TR-001", "country", "omitted") in _keys(report)
    assert ("transfers", "TR-001", "safeguard", "omitted") in _keys(report)
    named = _seed_notice().replace("outside of the UK and EEA", "in the United States under an International "
                                                                "Data Transfer Agreement")
    assert not {k for k in _keys(check_notice(named, register)) if k[0] == "transfers"}


def test_the_notice_naming_a_country_the_register_lacks_is_a_contradiction(register):
    text = _seed_notice().replace("outside of the UK and EEA", "in India")
    gaps = {k for k in _keys(check_notice(text, register)) if k[0] == "transfers"}
    assert gaps == {("transfers", "TR-001", "country", "contradicted"), ("transfers", "TR-001", "safeguard", "omitted")}


def test_names_are_matched_through_aliases_and_legal_forms(register):
    text = _seed_notice().replace("Provide CIC", "Provide Community Interest Company")
    assert _keys(check_notice(text, register)) == EXPECTED_SEED_GAPS
    register["organisations"].append({"name": "Acme Hosting Limited", "kind": "company"})
    register["engagements"].append({"reference": "PE-002", "processor": "Acme Hosting Limited", "countries": []})
    assert ("processors", "Acme Hosting Limited", "named", "omitted") in _keys(check_notice(text, register))
    assert ("processors", "Acme Hosting Limited", "named", "omitted") not in \
        _keys(check_notice(text + "\nAcme Hosting Ltd hosts our servers.", register))


def test_public_task_is_found_as_official_authority(register):
    register["activities"][0]["lawful_bases"] = ["6(1)(e)", "9(2)(h)"]
    assert _keys(check_notice(_seed_notice(), register)) == EXPECTED_SEED_GAPS
    text = _seed_notice().replace("It is necessary for the performance of a task carried out in the public interest "
                                  "or in the exercise of official authority.", "")
    assert ("lawful_bases", "6(1)(e)", "named", "omitted") in _keys(check_notice(text, register))


def test_html_is_read_as_its_text_without_script(register):
    body = "".join(f"<p>{line}</p>" for line in _seed_notice().splitlines())
    html = (f"<html><head><style>p {{}}</style><script>var x = 'Multi Agency Safeguarding Hubs';</script></head>"
            f"<body>{body}</body></html>")
    assert _keys(check_notice(notice_text(html, html=True), register)) == EXPECTED_SEED_GAPS
    without = html.replace("<p>  • Multi Agency Safeguarding Hubs</p>", "")
    assert ("recipients", "Multi Agency Safeguarding Hubs", "named", "omitted") in \
        _keys(check_notice(notice_text(without, html=True), register))


def test_the_generated_notice_checked_against_its_register_shows_only_the_registers_own_gaps(register):
    from ropa.notice.compose import compose
    from ropa.notice.render import render_html

    text = notice_text(render_html(compose(register)), html=True)
    assert _keys(check_notice(text, register)) == EXPECTED_SEED_GAPS


def test_the_command_line_reports_the_gaps_and_exits_1(seeded, run_cli, tmp_path):
    result = run_cli("notice", "check", SEED_NOTICE)
    assert result.exit_code == 1
    assert "TR-001" in result.output and "2 gap(s)" in result.output
    assert "outside of the UK and EEA" in result.output
    as_json = run_cli("notice", "check", SEED_NOTICE, "--format", "json")
    data = json.loads(as_json.output)
    assert {(g["category"], g["ref"]["key"], g["aspect"], g["kind"]) for g in data["gaps"]} == EXPECTED_SEED_GAPS


def test_the_command_line_exits_0_when_nothing_is_missing(seeded, run_cli, tmp_path):
    fixed = tmp_path / "notice.html"
    fixed.write_text("<p>" + _seed_notice().replace("outside of the UK and EEA", "in India under an International "
                                                                                   "Data Transfer Agreement")
                     + "</p>", encoding="utf-8")
    register = dump_register()
    from ropa.exchange.problems import RawRecord
    from ropa.services.register import apply_records
    apply_records([RawRecord("transfers", {"reference": "TR-001", "country": "IN", "mechanism": "idta"}, "test", 1,
                             {})], actor="test")
    assert register["transfers"][0]["country"] is None
    result = run_cli("notice", "check", str(fixed))
    assert result.exit_code == 0, result.output
    assert "No gaps" in result.output


def test_the_command_line_refuses_an_unreadable_file_with_exit_2(seeded, run_cli, tmp_path):
    bad = tmp_path / "notice.pdf"
    bad.write_bytes(b"%PDF-1.4")
    result = run_cli("notice", "check", str(bad))
    assert result.exit_code == 2 and ".txt or .html" in result.output
    binary = tmp_path / "notice.txt"
    binary.write_bytes(b"\xff\xfe\x00\x00garbage\x00\x00")
    result = run_cli("notice", "check", str(binary))
    assert result.exit_code == 2 and "not text" in result.output


def test_a_transfer_with_no_party_recorded_is_looked_for_in_the_whole_notice(register):
    register["transfers"][0].update(organisation=None, system=None)
    assert _keys(check_notice(_seed_notice(), register)) == EXPECTED_SEED_GAPS
    text = _seed_notice().replace("outside of the UK and EEA", "elsewhere")
    assert ("transfers", "TR-001", "named", "omitted") in _keys(check_notice(text, register))


def test_the_command_explains_itself():
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run([sys.executable, "-m", "ropa", "notice", "check", "--help"], check=False, capture_output=True,
                            text=True, cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0 and "Exit status: 0 nothing missing, 1 gaps found" in result.stdout
