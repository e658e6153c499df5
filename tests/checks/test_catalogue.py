"""The rule catalogue: every rule has an ID, a severity, a title, a fix, a citation and a test in its family's
module; findings come errors first; the clean register has none; roles and status keep rules quiet."""

import ast
import re
from pathlib import Path

from ropa.checks import CATALOGUE, Severity
from tests.checks.helpers import check, pairs
from tests.registers.builder import (
    activity,
    disclosure,
    engagement,
    make_register,
    organisation,
    recipient,
    transfer,
)

# --- The baseline and the catalogue ---------------------------------------------------------------------------


def test_the_clean_register_has_no_findings():
    assert check(make_register()) == []


def test_findings_come_errors_first_then_warnings_then_notes():
    register = make_register([activity("PA-001", lawful_bases=[], last_reviewed=None, retention_rule=None)],
                             organisations=[organisation("Lonely Ltd")])
    severities = [f.severity for f in check(register)]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    assert {"error", "warning", "info"} == set(severities)


FAMILY_MODULES = sorted(Path(__file__).parent.glob("test_*.py"))
#: What a citation looks like: the statute or toolkit, then a provision (an article, section, paragraph or item).
PROVISION = re.compile(r"(UK GDPR Arts?\. \d+|DPA 2018 (s\.\d+|Sch\. \d+)|DSPT (v8 )?\d+\.\d+\.\d+)")


def _rule_tests() -> list[str]:
    """The source of every test function in the rule families' modules (this one's catalogue test excluded)."""
    bodies = []
    for module in FAMILY_MODULES:
        source = module.read_text(encoding="utf-8")
        lines = source.splitlines()
        bodies += ["\n".join(lines[n.lineno - 1:n.end_lineno]) for n in ast.parse(source).body
                   if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
                   and n.name != "test_every_rule_has_a_unique_id_a_severity_a_title_a_fix_and_a_test"]
    return bodies


FAMILY = {"T": "test_transfers.py", "L": "test_bases.py", "P": "test_processors.py"}  # the rest: governance
#: A citation names a provision: an article, section, paragraph or DSPT item.
PROVISION = re.compile(r"(Art\. \d+|s\.\d+|Sch\. 1|para \d+|DSPT v8 \d+\.\d+\.\d+)")


def test_every_rule_has_a_unique_id_a_severity_a_title_a_fix_a_citation_and_a_test_in_its_family():
    ids = [r.id for r in CATALOGUE]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for r in CATALOGUE:
        assert isinstance(r.severity, Severity), r.id
        assert r.title.strip() and r.fix.strip(), r.id
        assert PROVISION.search(r.citation), f"{r.id} cites no provision: {r.citation!r}"
        source = (Path(__file__).parent / FAMILY.get(r.id[0], "test_governance.py")).read_text(encoding="utf-8")
        lines = source.splitlines()
        bodies = ["\n".join(lines[n.lineno - 1:n.end_lineno]) for n in ast.parse(source).body
                  if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
        assert any(f'"{r.id}"' in body for body in bodies), f"{r.id} has no test in its family's module"


def test_every_finding_carries_its_rules_citation():
    register = make_register([activity("PA-001", lawful_bases=[], last_reviewed=None, retention_rule=None)],
                             organisations=[organisation("Lonely Ltd")])
    cited = {r.id: r.citation for r in CATALOGUE}
    found = check(register)
    assert found and all(f.citation == cited[f.rule] for f in found)
    assert found[0].as_dict()["citation"] == cited[found[0].rule]


# --- Roles and status: what must stay quiet -------------------------------------------------------------------


def test_processor_activities_get_no_lawful_basis_retention_or_dpia_findings():
    as_processor = activity("PA-001", our_role="processor", controller="Northshire ICB", lawful_bases=[],
                            retention_rule=None, data_subjects=["Children and young people"])
    register = make_register([as_processor], organisations=[organisation("Northshire ICB", kind="nhs_body")])
    assert pairs(register) == set()
    register["activities"][0] |= {"our_role": "controller", "controller": None}
    assert {rule for rule, _ in pairs(register)} >= {"L01", "L02", "R01", "D01"}


def test_retired_activities_raise_no_activity_findings():
    retired = activity("PA-009", status="retired", purpose="", lawful_bases=["6(1)(a)"], retention_rule=None,
                       last_reviewed=None, data_subjects=["Children and young people"], processors=["Ghost Ltd"],
                       recipients=["Police"])
    register = make_register([activity("PA-001"), retired], organisations=[organisation("Ghost Ltd")],
                             recipients=[recipient("Police")], disclosures=[disclosure("PA-009", "Police",
                                                                                       legal_gateway="")])
    assert pairs(register) == set()
    register["activities"][1]["status"] = "active"
    assert {rule for rule, ref in pairs(register) if ref == "PA-009"} >= {"L02", "L06", "P01", "R01", "V01", "D01",
                                                                         "S01", "A01"}


def test_retired_activities_raise_no_transfer_findings():
    retired = activity("PA-009", status="retired", processors=["Cloud US Inc"])
    register = make_register([activity("PA-001"), retired], organisations=[organisation("Cloud US Inc", "US")],
                             engagements=[engagement("PE-1", "Cloud US Inc", ["US"])],
                             transfers=[transfer("TR-9", "PA-009", "IN"),
                                        transfer("TR-8", "PA-009", "IN", mechanism="art49_exception")])
    assert pairs(register) == set()
    register["activities"][1]["status"] = "active"
    assert pairs(register, {"T01", "T04", "T07"}) == {("T01", "TR-9"), ("T04", "PA-009"), ("T07", "TR-8")}
