"""The graph leaves ropa as files people open elsewhere: GraphML (yEd, Gephi), node-link JSON and the SVG picture."""

import json

import networkx as nx

from ropa.services.analysis import load_graph


def test_graphml_loads_with_networkx_with_the_same_counts(seeded, run_cli, tmp_path):
    _, graph = load_graph()
    path = tmp_path / "register.graphml"
    assert run_cli("export", str(path), "--format", "graphml").exit_code == 0
    loaded = nx.read_graphml(path)
    assert (loaded.number_of_nodes(), loaded.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    assert loaded.nodes["activity:PA-026"]["label"] == "Autism diagnostic assessment scoring (Digital Conners4)"
    assert loaded.nodes["activity:PA-026"]["kind"] == "activity"


def test_node_link_json_has_every_node_and_edge_kind(seeded, run_cli):
    data = json.loads(run_cli("export", "-", "--format", "graph-json").output)
    kinds = {e["kind"] for e in data["edges"]}
    assert {"controls", "processes_for", "transfers_to", "discloses_to", "uses", "about"} <= kinds


def test_svg_of_one_organisation_and_a_clear_error_for_an_unknown_one(seeded, run_cli, tmp_path):
    path = tmp_path / "pearson.svg"
    assert run_cli("export", str(path), "--format", "svg", "--organisation",
                   "Pearson Clinical Assessments").exit_code == 0
    svg = path.read_text()
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert "Digital Conners4" in svg and "TR-001" in svg
    missing = run_cli("export", str(tmp_path / "x.svg"), "--format", "svg", "--organisation", "Nobody Ltd")
    assert missing.exit_code == 1 and "Nobody Ltd" in missing.output
