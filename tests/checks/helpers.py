"""What the rule tests share: run the checks on a builder register and pick out one rule's findings."""

from datetime import date

from ropa.checks import Finding, run_checks
from tests.registers.builder import TODAY, activity, engagement, make_register, organisation

TRANSFER_ERRORS = {"T01", "T02", "T03", "T04", "T08"}


def check(register: dict, today: date = TODAY) -> list[Finding]:
    return run_checks(register, today=today)


def fired(register: dict, rule_id: str, today: date = TODAY) -> list[Finding]:
    return [f for f in check(register, today) if f.rule == rule_id]


def the(register: dict, rule_id: str, today: date = TODAY) -> Finding:
    """The one finding of this rule; fails if there are none or several."""
    found = fired(register, rule_id, today)
    assert len(found) == 1, f"expected one {rule_id}, got {found}"
    return found[0]


def pairs(register: dict, rule_ids: set[str] | None = None, today: date = TODAY) -> set[tuple[str, str]]:
    return {(f.rule, f.entity_ref) for f in check(register, today) if rule_ids is None or f.rule in rule_ids}


def with_processor(name: str, country: str, *activity_fields, transfers=(), sub_processors=(), **fields) -> dict:
    """PA-001 (health data about patients) using one processor that processes in `country`."""
    return make_register(
        [activity("PA-001", processors=[name], **fields)],
        organisations=[organisation(name, country)],
        engagements=[engagement("PE-1", name, [country], sub_processors=list(sub_processors))],
        transfers=list(transfers))
