"""The compliance checks: a catalogue of rules with stable IDs, each finding naming the entity, the law and the fix.

Pure: rules read the register in dump form and its graph (``ropa.graph``); no Flask, no database. The engine
(``engine.py``) holds the catalogue and what rules share; each family of rules has a module of its own, imported
here so every rule is registered: transfers (Chapter V), bases (Arts. 6, 9, 10 and Sch. 1), processors (Art. 28)
and governance (retention, review, DPIA, roles, sharing, Art. 30 contents). Adding a rule is adding one decorated
function to its family's module.
"""

from datetime import date

import networkx as nx

from ropa.checks import bases, governance, processors, transfers  # noqa: F401 -- each registers its rules
from ropa.checks.engine import (
    ART46,
    CATALOGUE,
    CONSENT,
    EXPIRY_WARNING_DAYS,
    RANK,
    REVIEW_MONTHS,
    Context,
    Finding,
    Rule,
    Severity,
    citation_of,
    rule,
)
from ropa.gc_pause import paused_gc
from ropa.graph import build_graph

__all__ = ["ART46", "CATALOGUE", "CONSENT", "EXPIRY_WARNING_DAYS", "RANK", "REVIEW_MONTHS", "Context", "Finding",
           "Rule", "Severity", "citation_of", "rule", "run_checks"]


def run_checks(register: dict[str, list[dict]], graph: nx.MultiDiGraph | None = None,
               today: date | None = None) -> list[Finding]:
    """Every finding of every rule, errors first."""
    with paused_gc():
        context = Context(register, graph if graph is not None else build_graph(register), today or date.today())
        findings: list[Finding] = []
        # Errors first, then by rule and entity: each rule's findings are sorted on their own (a few hundred
        # thousand findings at 100k activities sort faster as many short lists than as one long one).
        for r in sorted(CATALOGUE, key=lambda r: (RANK[r.severity], r.id)):
            rule_id, severity, title, fix, citation = r.id, r.severity.value, r.title, r.fix, r.citation
            found = [Finding(rule_id, severity, title, kind, ref, name, message, fix, citation)
                     for kind, ref, name, message in r.check(context)]
            findings += sorted(found, key=lambda f: f.entity_ref)
        return findings
