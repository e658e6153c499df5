"""The graph's edges indexed by kind and by node, made once per graph: networkx's edge views cost several times
more per lookup at 10k+ activities. Shared by the graph's builder (ropa.graph) and its route queries (ropa.graph.routes)."""

from collections.abc import Iterable

import networkx as nx

Edges = tuple[list[str], list[str], list[dict]]  # one kind's edges: sources, targets and data, in step


class EdgeIndex:
    """The graph's edges by kind (kept from the build, or read once from a derived graph's adjacency), and by kind
    and node each way, made on first use: networkx's edge views cost several times more per lookup at 10k+
    activities. Also holds what the queries work out once per graph (``memo``). Graphs are read-only once built.
    Edges are kept as lists of node ids rather than a tuple per edge: at 100k activities that is 1.7 million fewer
    objects to allocate and for the garbage collector to walk."""

    def __init__(self, owner: int, by_kind: dict[str, Edges]) -> None:
        self.owner, self.by_kind, self.memo = owner, by_kind, {}
        self._ends: dict[tuple[str, int, bool], dict[str, list]] = {}

    def edges(self, kind: str) -> Iterable[tuple[str, str, dict]]:
        return zip(*self.by_kind.get(kind, ((), (), ())))

    def ends(self, kind: str, end: int, data: bool = False) -> dict[str, list]:
        """The other ends of one kind's edges (with each edge's data if asked), by source (end 0) or target (1)."""
        found = self._ends.get((kind, end, data))
        if found is None:
            found = self._ends[kind, end, data] = {}
            edges = self.by_kind.get(kind, ((), (), ()))
            pairs = zip(edges[end], zip(edges[1 - end], edges[2]) if data else edges[1 - end])
            for n, other in pairs:
                if n in found:
                    found[n].append(other)
                else:
                    found[n] = [other]
        return found


def edge_index(g: nx.MultiDiGraph) -> EdgeIndex:
    index = g.graph.get("_index")
    if index is None or index.owner != id(g):  # a copy (e.g. a subgraph) carries its parent's index: rebuild
        by_kind: dict[str, Edges] = {}
        for u, neighbours in g._adj.items():
            for v, keyed in neighbours.items():
                for data in keyed.values():
                    sources, targets, datas = by_kind.setdefault(data["kind"], ([], [], []))
                    sources.append(u)
                    targets.append(v)
                    datas.append(data)
        index = g.graph["_index"] = EdgeIndex(id(g), by_kind)
    return index


def edges_from(g: nx.MultiDiGraph, kind: str) -> dict[str, list[str]]:
    """The targets of one kind's edges, by source node."""
    return edge_index(g).ends(kind, 0)


def edges_into(g: nx.MultiDiGraph, kind: str) -> dict[str, list[str]]:
    """The sources of one kind's edges, by target node."""
    return edge_index(g).ends(kind, 1)


def edges_from_with_data(g: nx.MultiDiGraph, kind: str) -> dict[str, list[tuple[str, dict]]]:
    """(target, edge data) of one kind's edges, by source node."""
    return edge_index(g).ends(kind, 0, data=True)


def sources_of(g: nx.MultiDiGraph, n: str, kind: str) -> list[str]:
    return edges_into(g, kind).get(n, [])


def targets_of(g: nx.MultiDiGraph, n: str, kind: str) -> list[str]:
    return edges_from(g, kind).get(n, [])
