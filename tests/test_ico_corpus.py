"""The corpus of hand-filled ICO registers (tests/fixtures/ico_registers): each imported into an empty register is
judged as its DPO would judge it, with the error findings written down, with their reasons, before the checks ran."""

import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from ropa.checks import run_checks
from ropa.exchange.problems import ImportFailed
from ropa.extensions import db
from ropa.services.imports import import_path
from ropa.services.register import dump_register

CORPUS = Path(__file__).resolve().parent / "fixtures" / "ico_registers"
REGISTERS = sorted(p.name.removesuffix(".expected.toml") for p in CORPUS.glob("*.expected.toml"))
#: What ropa cannot do yet, kept visible rather than left out: strict, so each fails loudly once it is fixed.
KNOWN_GAPS: dict[str, dict[str, str]] = {"verdicts": {}, "re-export": {}}


def _cases(kind: str) -> list:
    return [pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_GAPS[kind][name], strict=True))
            if name in KNOWN_GAPS[kind] else name for name in REGISTERS]
ACTIVITY_FIELDS = ["name", "purpose", "lawful_bases", "data_subjects", "data_categories", "recipients", "notes",
                   "our_role", "controller", "security_measures"]


def _entity(finding, transfers: dict[str, dict]) -> str:
    """The entity as the expectations name it: an activity reference, 'PA-01 → IN' for a transfer (country code,
    region, or '?' when the country is not known), the organisation's name otherwise."""
    if finding.entity_type == "transfer" and finding.entity_ref in transfers:
        t = transfers[finding.entity_ref]
        region = "" if t.get("region") in (None, "", "none") else t["region"].upper()
        return f"{t['activity']} → {t.get('country') or region or '?'}"
    return finding.entity_ref


def _judged(name: str) -> tuple[dict, list]:
    import_path(CORPUS / f"{name}.xlsx", actor="corpus")
    register = dump_register()
    register.pop("snapshots", None)
    transfers = {t["reference"]: t for t in register["transfers"]}
    return register, [(f.rule, f.severity, _entity(f, transfers)) for f in run_checks(register)]


def _expected(name: str) -> dict:
    return tomllib.loads((CORPUS / f"{name}.expected.toml").read_text(encoding="utf-8"))


def _listed(pairs: set, why: dict) -> str:
    return "; ".join(f"{r} {e} ({why.get((r, e), 'not expected')})" for r, e in sorted(pairs)) or "none"


def _verdict_gaps(name: str, expected: dict, found: list) -> list[str]:
    """Every way the findings differ from what the register's DPO wrote down, each with its reason, so one run shows
    all of them rather than the first."""
    entries = (expected["errors"] + expected.get("warnings_include", []) + expected.get("info_include", [])
               + expected.get("must_not_findings", []))
    why = {(e["rule"], e["entity"]): e["why"] for e in entries}
    by_severity = {s: {(rule, entity) for rule, severity, entity in found if severity == s}
                   for s in ("error", "warning", "info")}
    want = {(e["rule"], e["entity"]) for e in expected["errors"]}
    gaps = []
    if by_severity["error"] != want:
        gaps.append(f"missing errors: {_listed(want - by_severity['error'], why)}; "
                    f"extra errors: {_listed(by_severity['error'] - want, why)}")
    for key, severity in (("warnings_include", "warning"), ("info_include", "info")):
        wanted = {(w["rule"], w["entity"]) for w in expected.get(key, [])}
        if not wanted <= by_severity[severity]:
            gaps.append(f"missing {severity} findings: {_listed(wanted - by_severity[severity], why)}")
    fired = sorted({(rule, entity) for rule, _, entity in found if rule in expected.get("must_not", [])})
    if fired:
        gaps.append(f"findings that must not appear: {fired}")
    contradicted = {(rule, entity) for rule, _, entity in found if (rule, entity) in
                    {(f["rule"], f["entity"]) for f in expected.get("must_not_findings", [])}}
    if contradicted:
        gaps.append(f"findings the sheet contradicts: {_listed(contradicted, why)}")
    return [f"{name}: {gap}" for gap in gaps]


@pytest.mark.parametrize("name", _cases("verdicts"))
def test_each_register_gets_the_findings_its_dpo_expects(app, name):
    _, found = _judged(name)
    gaps = _verdict_gaps(name, _expected(name), found)
    assert not gaps, "\n".join(gaps)


def _meaning(register: dict) -> tuple[dict, set]:
    """What the cells said: each activity's words and names, each transfer's destination and mechanism."""
    activities = {a["reference"]: {k: a.get(k) for k in ACTIVITY_FIELDS} for a in register["activities"]}
    transfers = {(t["activity"], t.get("country"), t.get("region"), t.get("destination"), t.get("mechanism"),
                  t.get("safeguards")) for t in register["transfers"]}
    return activities, transfers


@pytest.mark.parametrize("name", _cases("re-export"))
def test_re_exporting_keeps_every_cells_meaning(app, make_empty_register, tmp_path, name):
    from ropa.ico.export import write_ico

    first, _ = _judged(name)
    workbook = tmp_path / f"{name}-again.xlsx"
    with workbook.open("wb") as out:
        write_ico(out, generated_by="corpus")
    with make_empty_register():
        import_path(workbook, actor="corpus")
        second = dump_register()
    was, now = _meaning(first), _meaning(second)
    changed = {(ref, k): (v, now[0].get(ref, {}).get(k)) for ref, fields in was[0].items() for k, v in fields.items()
               if now[0].get(ref, {}).get(k) != v}
    assert not changed, f"{name}: activities changed on the way through the ICO workbook: {changed}"
    assert now[1] == was[1], f"{name}: transfers changed: lost {was[1] - now[1]}, gained {now[1] - was[1]}"


def _counts() -> dict[str, int]:
    return {table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            for table in ("activities", "organisations", "transfers")}


def test_a_misspelt_country_is_refused_at_its_cell_and_nothing_is_written(app):
    before = _counts()
    with pytest.raises(ImportFailed) as refused:
        import_path(CORPUS / "typo_germny.xlsx", actor="corpus")
    text = str(refused.value)
    assert "Template!H" in text and "'Germny' is not a country ropa knows" in text
    assert "did you mean Germany" in text
    assert _counts() == before
