"""The graph as files people open elsewhere: GraphML (yEd, Gephi) and node-link JSON. Pure."""

import io
import json

import networkx as nx


def _plain(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes GraphML can hold: no None values, lists joined, graph-level data dropped."""
    plain = nx.MultiDiGraph()
    for n, attrs in g.nodes(data=True):
        plain.add_node(n, **{k: _value(v) for k, v in attrs.items() if v is not None})
    for u, v, key, attrs in g.edges(keys=True, data=True):
        plain.add_edge(u, v, key=key, **{k: _value(x) for k, x in attrs.items() if x is not None})
    return plain


def _value(v):
    if isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, list | tuple | set):
        return "; ".join(str(x) for x in v)
    return str(v)


def graphml(g: nx.MultiDiGraph) -> bytes:
    """GraphML with node labels and kinds as attributes."""
    out = io.BytesIO()
    nx.write_graphml(_plain(g), out, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return out.getvalue()


def node_link_json(g: nx.MultiDiGraph) -> str:
    """networkx node-link JSON (nodes, edges with their kinds)."""
    data = nx.node_link_data(_plain(g), edges="edges")
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
