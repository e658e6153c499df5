"""The open findings of the live register, for pages: computed once per change of the register and reused.

Running every check means loading the whole register and building its graph (about ten seconds at 10,000
activities), far too slow for each page view. The audit head changes with every write, so findings computed at one
head stay true until the next write (or the next day, since reviews fall due by date). Each process keeps the latest
result keyed by (database, audit head, day) — a cache, not state: any worker recomputes it from the database.
"""

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from datetime import UTC, date, datetime

import networkx as nx
import sqlalchemy as sa

from ropa.checks import RANK, Finding, run_checks
from ropa.extensions import db
from ropa.graph import Route, build_graph, transfers_out_of_uk
from ropa.models import AuditHead
from ropa.services.analysis import counts_of
from ropa.services.register import dump_register


@dataclass
class Findings:
    """Every open finding, errors first, with indexes for the pages."""

    items: list[Finding]
    counts: dict[str, int]  # how many of each thing the register holds
    computed_at: datetime
    register: dict = field(repr=False, default_factory=dict)
    graph: nx.MultiDiGraph | None = field(repr=False, default=None)
    routes: list[Route] = field(default_factory=list)  # every way personal data leaves the UK
    by_entity: dict[tuple[str, str], list[Finding]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index = defaultdict(list)
        for f in self.items:
            index[(f.entity_type, f.entity_ref)].append(f)
        self.by_entity = dict(index)

    def for_entity(self, entity_type: str, ref: str) -> list[Finding]:
        """The findings about one entity (entity_type as in the findings: activity, organisation, transfer...)."""
        return self.by_entity.get((entity_type, ref), [])

    def severity_counts(self) -> dict[str, int]:
        return self._severity_counts

    def rule_counts(self) -> list[tuple[str, str, str, int]]:
        """(rule, severity, title, how many) for every rule that fired, errors first."""
        return self._rule_counts

    # Counted once per result: at 10k activities there are tens of thousands of findings.
    @cached_property
    def _severity_counts(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.items)
        return {s: counts.get(s, 0) for s in ("error", "warning", "info")}

    @cached_property
    def _rule_counts(self) -> list[tuple[str, str, str, int]]:
        seen: dict[str, list] = {}
        for f in self.items:
            seen.setdefault(f.rule, [f.rule, f.severity, f.title, 0])[3] += 1
        return sorted((tuple(v) for v in seen.values()), key=lambda r: (RANK[r[1]], r[0]))


_lock = threading.Lock()
_cache: dict[str, tuple[tuple, Findings]] = {}


def current_findings(today: date | None = None) -> Findings:
    """The findings of the register as it is now (recomputed only when it changed since the last call)."""
    today = today or datetime.now(UTC).date()
    url = str(db.engine.url)
    head = db.session.execute(sa.select(AuditHead.last_hash, AuditHead.count)).first()
    key = (tuple(head) if head else None, today)
    with _lock:
        cached = _cache.get(url)
        if cached and cached[0] == key:
            return cached[1]
        register = dump_register()
        register.pop("snapshots", None)
        graph = build_graph(register)
        result = Findings(run_checks(register, graph, today), counts_of(register),
                          datetime.now(UTC).replace(tzinfo=None), register, graph, transfers_out_of_uk(graph))
        _cache[url] = (key, result)
        return result


def forget() -> None:
    """Drop the cached findings (tests that change the database behind the audit log's back)."""
    with _lock:
        _cache.clear()
