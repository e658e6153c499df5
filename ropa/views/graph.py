"""The graph page: the data-flow picture of the register or a slice of it, and the graph's downloads."""

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request

from ropa.auth import role_required
from ropa.graph.formats import graphml, node_link_json
from ropa.graph.picture import MAX_NODES, render_svg, subgraph_for
from ropa.services.jobs import file_name
from ropa.services.picture_cache import names_to_filter_by, register_graph

bp = Blueprint("graph", __name__)


def _filters() -> dict:
    """The picture's filters, as `ropa export --format svg` takes them (empty values dropped)."""
    values = {"service": request.args.get("service", "").strip(),
              "organisation": request.args.get("organisation", "").strip(),
              "transfers": "1" if request.args.get("transfers", "") in ("1", "on", "yes") else ""}
    return {k: v for k, v in values.items() if v}


def _slice(graph, filters: dict):
    """The graph to draw for these filters (the whole graph when there are none); KeyError names an unknown one."""
    if not filters:
        return graph
    return subgraph_for(graph, service=filters.get("service"), organisation=filters.get("organisation"),
                        transfers_only=bool(filters.get("transfers")))


def _title(filters: dict) -> str:
    if filters.get("service"):
        return filters["service"]
    if filters.get("organisation"):
        return f"What depends on {filters['organisation']}"
    return "Routes out of the UK" if filters.get("transfers") else "The register"


@bp.get("/graph")
@role_required()
def index():
    """The filter form, the picture (an <img> of graph.picture, never inline markup) and the downloads."""
    graph = register_graph()
    filters = _filters()
    problem, nodes = "", 0
    try:
        nodes = _slice(graph, filters).number_of_nodes()
    except KeyError as exc:
        problem = str(exc.args[0])
    services, organisations = names_to_filter_by()
    return render_template("graph/index.html", filters=filters, problem=problem, nodes=nodes,
                           whole=graph.number_of_nodes(), too_big=nodes > MAX_NODES, max_nodes=MAX_NODES,
                           services=services, organisations=organisations, title=_title(filters)), \
        (404 if problem else 200)


@bp.get("/graph/picture.svg")
@role_required()
def picture():
    """The picture as image/svg+xml (self-contained: no script, no external reference, every label escaped)."""
    filters = _filters()
    try:
        svg = render_svg(_slice(register_graph(), filters), title=_title(filters))
    except KeyError:
        abort(404)
    except ValueError as exc:  # past the node cap: the page says so and offers the slices instead
        return Response(str(exc), status=422, mimetype="text/plain")
    headers = _attachment("svg", "picture") if request.args.get("download") else {}
    return Response(svg, mimetype="image/svg+xml", headers=headers)


@bp.get("/graph/graph.<any(graphml, json):ext>")
@role_required()
def download(ext: str):
    """The whole register's data-flow graph: GraphML (yEd, Gephi) or networkx node-link JSON."""
    graph = register_graph()
    if ext == "graphml":
        return Response(graphml(graph), mimetype="application/graphml+xml", headers=_attachment("graphml"))
    return Response(node_link_json(graph), mimetype="application/json", headers=_attachment("graph-json"))


def _attachment(fmt: str, stem: str = "") -> dict[str, str]:
    name = file_name(fmt, None, datetime.now(UTC).date())
    return {"Content-Disposition": f'attachment; filename="{name.replace("register", stem) if stem else name}"'}
