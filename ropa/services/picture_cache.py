"""The register's data-flow graph for the graph page, its picture and downloads, and the impact walks of the
organisation pages: built on demand from the database and kept per process, keyed by (database, audit head).

A picture cache, not findings: the findings and the routes out of the UK are stored (services/findings.py). The graph
is rebuilt by the first of these pages to be viewed after a write (about a second at 10,000 activities).
"""

import threading

import networkx as nx
import sqlalchemy as sa

from ropa.extensions import db
from ropa.graph import build_graph
from ropa.models import AuditHead, Organisation, Service
from ropa.services.register import dump_register

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, nx.MultiDiGraph]] = {}


def register_graph() -> nx.MultiDiGraph:
    """The graph of the register as it is now (built again only when a write moved the audit head)."""
    url = str(db.engine.url)
    head = db.session.execute(sa.select(AuditHead.last_hash, AuditHead.count)).first()
    key = tuple(head) if head else None
    with _lock:
        cached = _cache.get(url)
        if cached and cached[0] == key:
            return cached[1]
        _cache.pop(url, None)  # the old graph is let go before the new one is built
        graph = build_graph(dump_register(snapshots=False))
        _cache[url] = (key, graph)
        return graph


def names_to_filter_by() -> tuple[list[str], list[str]]:
    """Every service and every organisation by name, for the picture's filters."""
    return (list(db.session.scalars(sa.select(Service.name).order_by(Service.name))),
            list(db.session.scalars(sa.select(Organisation.name).order_by(Organisation.name))))


def forget() -> None:
    """Drop the cached graphs (tests that change the database behind the audit log's back)."""
    with _lock:
        _cache.clear()
