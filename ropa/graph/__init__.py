"""The register as a graph, in one package: ``build`` (records → networkx graph, and the named queries), ``index``
(edges by kind and node), ``routes`` (transfers out of the UK, special category abroad), ``formats`` (GraphML, JSON)
and ``picture`` (the SVG data-flow picture, laid out by ``picture_layout``). All pure: no Flask, no database.

The graph's named queries are importable from the package itself (``from ropa.graph import build_graph``); the
formats and the picture are imported from their modules so that building a graph never loads them.
"""

from ropa.graph.build import (
    ADEQUATE, RESTRICTED, SPECIAL_KINDS, Impact, RoleConflict, Route, build_graph, impact_of, node, orphans,
    role_conflicts, special_category_abroad, sub_processor_index, transfers_out_of_uk,
)

__all__ = ["ADEQUATE", "RESTRICTED", "SPECIAL_KINDS", "Impact", "RoleConflict", "Route", "build_graph", "impact_of",
           "node", "orphans", "role_conflicts", "special_category_abroad", "sub_processor_index",
           "transfers_out_of_uk"]
