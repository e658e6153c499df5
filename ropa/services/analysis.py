"""The graph and the findings of the live register, loaded in a bounded number of queries."""

from collections import Counter
from datetime import date

import networkx as nx

from ropa.checks import Finding, run_checks
from ropa.graph import build_graph
from ropa.services.register import dump_register


def load_graph() -> tuple[dict, nx.MultiDiGraph]:
    """The register in dump form (one query per entity, relations in bulk) and its graph."""
    register = dump_register()
    return register, build_graph(register)


def counts_of(register: dict) -> dict[str, int]:
    """How many of each thing a register in dump form holds."""
    return {name: len(register.get(name, [])) for name in
            ("activities", "organisations", "services", "systems", "recipients", "engagements", "transfers")}


def findings(today: date | None = None) -> tuple[dict, list[Finding]]:
    """Counts of the register and every open finding, errors first."""
    register, graph = load_graph()
    return counts_of(register), run_checks(register, graph, today)


def severity_counts(found: list[Finding]) -> dict[str, int]:
    counts = Counter(f.severity for f in found)
    return {s: counts.get(s, 0) for s in ("error", "warning", "info")}
