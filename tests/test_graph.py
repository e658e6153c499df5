"""The register as a graph (ropa.graph): pure, from dump-form records; the DPO's named queries."""

import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from ropa.graph import (
    RoleConflict, build_graph, impact_of, orphans, role_conflicts, special_category_abroad, sub_processor_index,
    transfers_out_of_uk,
)
from tests.registers.builder import (
    US, activity, disclosure, engagement, make_register, organisation, recipient, system, transfer,
)

ROOT = Path(__file__).resolve().parent.parent


def edges(g, kind: str) -> set[tuple[str, str]]:
    return {(u, v) for u, v, d in g.edges(data=True) if d["kind"] == kind}


def route_keys(routes) -> set[tuple]:
    return {(r.activity, r.destination, r.kind, r.via) for r in routes}


@contextmanager
def deadline(seconds: int):
    """Fail instead of hanging if a walk of the graph never ends."""
    def expire(*_):
        raise TimeoutError(f"did not finish within {seconds}s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_pure_modules_import_without_flask():
    code = ("import sys, ropa.graph, ropa.checks; "
            "leaked = sorted(m for m in sys.modules if m == 'flask' or m.startswith('flask.')); "
            "assert not leaked, leaked")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_nodes_and_edges_carry_the_kinds_of_the_design():
    register = make_register(
        [activity("PA-001", processors=["Cloud Ltd"], systems=["EPR"], recipients=["GP practices"]),
         activity("PA-002", our_role="processor", controller="Northshire ICB", data_subjects=["Staff"]),
         activity("PA-003", our_role="joint_controller", joint_controllers=["Northshire ICB"])],
        organisations=[organisation("Cloud Ltd"), organisation("Northshire ICB", kind="nhs_body"),
                       organisation("EPR Vendor Ltd")],
        engagements=[engagement("PE-1", "Cloud Ltd", ["FR"], sub_processors=["EPR Vendor Ltd"])],
        systems=[system("EPR", "EPR Vendor Ltd", "GB")],
        recipients=[recipient("GP practices")], disclosures=[disclosure("PA-001", "GP practices")],
        transfers=[transfer("TR-1", "PA-001", "IN", mechanism="idta", tra_date="2026-01-10")])
    g = build_graph(register)

    assert {a["kind"] for _, a in g.nodes(data=True)} == {
        "organisation", "service", "activity", "subject", "category", "recipient", "system", "country"}
    assert {d["kind"] for *_, d in g.edges(data=True)} >= {
        "controls", "joint_controls", "processes_for", "part_of", "about", "uses", "discloses_to", "stored_in",
        "supplied_by", "located_in", "transfers_to", "engages"}
    assert g.graph["us"] == f"org:{US}"
    assert ("subject:Patients", "activity:PA-001") in edges(g, "about")
    assert ("activity:PA-001", "category:Health information") in edges(g, "uses")
    assert ("activity:PA-001", "service:Community Nursing") in edges(g, "part_of")
    assert {(f"org:{US}", "activity:PA-001"), ("org:Northshire ICB", "activity:PA-002")} <= edges(g, "controls")
    assert ("org:Northshire ICB", "activity:PA-003") in edges(g, "joint_controls")
    assert {(f"org:{US}", "activity:PA-002"), ("org:Cloud Ltd", "activity:PA-001")} <= edges(g, "processes_for")
    assert (f"org:{US}", "activity:PA-002") not in edges(g, "controls")
    assert ("activity:PA-001", "recipient:GP practices") in edges(g, "discloses_to")
    assert ("activity:PA-001", "system:EPR") in edges(g, "stored_in")
    assert ("system:EPR", "org:EPR Vendor Ltd") in edges(g, "supplied_by")
    assert {("system:EPR", "country:GB"), ("org:Cloud Ltd", "country:FR")} <= edges(g, "located_in")
    assert ("org:Cloud Ltd", "org:EPR Vendor Ltd") in edges(g, "engages")
    [(_, _, data)] = [e for e in g.out_edges("activity:PA-001", data=True) if e[2]["kind"] == "transfers_to"]
    assert (data["mechanism"], data["tra_date"], data["reference"]) == ("idta", "2026-01-10", "TR-1")
    assert g.nodes["country:IN"]["transfer_status"] == "third_country"
    assert g.nodes["activity:PA-001"]["special"] is True


def test_a_destination_named_only_in_words_is_never_taken_for_an_adequate_one():
    register = make_register(transfers=[transfer("TR-1", "PA-001", None, destination="Outside the UK and EEA")])
    [route] = transfers_out_of_uk(build_graph(register))
    assert route.destination == "unknown-country:Outside the UK and EEA"
    assert (route.transfer_status, route.destination_label) == ("unknown", "Outside the UK and EEA")


def test_transfers_out_of_uk_finds_recorded_transfers_and_every_indirect_route():
    register = make_register(
        [activity("PA-001", processors=["Cloud US Inc"]),
         activity("PA-002", processors=["Tier One Ltd"]),
         activity("PA-003", systems=["SMS gateway"]),
         activity("PA-004", processors=["Local Ltd"], systems=["EPR"]),
         activity("PA-005"),
         activity("PA-006", processors=["Paris Santé SA"])],
        organisations=[organisation("Cloud US Inc", "US"), organisation("Tier One Ltd"),
                       organisation("Tier Two Ltd"), organisation("Scribe India Pvt", "IN"),
                       organisation("Textco Ltd"), organisation("Local Ltd"), organisation("Paris Santé SA", "FR")],
        engagements=[engagement("PE-1", "Cloud US Inc", ["US"]),
                     engagement("PE-2", "Tier One Ltd", ["GB"], sub_processors=["Tier Two Ltd"]),
                     engagement("PE-3", "Tier Two Ltd", ["GB"], sub_processors=["Scribe India Pvt"]),
                     engagement("PE-4", "Local Ltd", ["GB"]),
                     engagement("PE-5", "Paris Santé SA", ["FR"])],
        systems=[system("SMS gateway", "Textco Ltd", "US"), system("EPR", "Local Ltd", "GB")],
        transfers=[transfer("TR-1", "PA-005", "IN", mechanism="idta", tra_date="2026-01-10"),
                   transfer("TR-2", "PA-004", "GB", mechanism="adequacy")])

    routes = transfers_out_of_uk(build_graph(register))

    assert route_keys(routes) == {
        ("PA-001", "country:US", "processor", ("Cloud US Inc",)),
        ("PA-002", "country:IN", "sub-processor", ("Tier One Ltd", "Scribe India Pvt")),
        ("PA-003", "country:US", "system", ("SMS gateway",)),
        ("PA-005", "country:IN", "recorded", ()),
        ("PA-006", "country:FR", "processor", ("Paris Santé SA",)),
    }
    by_activity = {r.activity: r for r in routes}
    assert (by_activity["PA-005"].mechanism, by_activity["PA-005"].transfer, by_activity["PA-005"].tra_date) == (
        "idta", "TR-1", "2026-01-10")
    assert {(r.mechanism, r.transfer) for a, r in by_activity.items() if a != "PA-005"} == {("none_recorded", None)}
    assert {a: r.transfer_status for a, r in by_activity.items()} == {
        "PA-001": "adequate_partial", "PA-002": "third_country", "PA-003": "adequate_partial",
        "PA-005": "third_country", "PA-006": "eea"}
    assert by_activity["PA-002"].subjects == ("Patients",)
    assert by_activity["PA-002"].categories == ("Health information", "Name")


def test_a_recorded_transfer_through_a_processor_covers_its_route_once():
    register = make_register(
        [activity("PA-001", processors=["Scribe India Pvt"], systems=["SMS gateway"])],
        organisations=[organisation("Scribe India Pvt", "IN"), organisation("Textco Inc", "US")],
        engagements=[engagement("PE-1", "Scribe India Pvt", ["IN"])],
        systems=[system("SMS gateway", "Textco Inc", "US")],
        transfers=[transfer("TR-1", "PA-001", "IN", organisation="Scribe India Pvt", mechanism="idta",
                            tra_date="2026-01-10"),
                   transfer("TR-2", "PA-001", "US", system="SMS gateway", mechanism="uk_us_data_bridge",
                            certification="DPF UK Extension, active")])

    routes = transfers_out_of_uk(build_graph(register))

    assert {(r.destination, r.kind, r.transfer, r.via) for r in routes} == {
        ("country:IN", "recorded", "TR-1", ("Scribe India Pvt",)),
        ("country:US", "recorded", "TR-2", ("SMS gateway",)),
    }


def test_a_transfer_through_one_processor_does_not_cover_another_processors_route():
    register = make_register(
        [activity("PA-001", processors=["Scribe India Pvt", "Cloud US Inc"])],
        organisations=[organisation("Scribe India Pvt", "IN"), organisation("Cloud US Inc", "US")],
        engagements=[engagement("PE-1", "Scribe India Pvt", ["IN"]), engagement("PE-2", "Cloud US Inc", ["US"])],
        transfers=[transfer("TR-1", "PA-001", "IN", organisation="Scribe India Pvt", mechanism="idta",
                            tra_date="2026-01-10")])

    routes = transfers_out_of_uk(build_graph(register))

    assert {(r.destination, r.kind, r.transfer) for r in routes} == {
        ("country:IN", "recorded", "TR-1"), ("country:US", "processor", None)}


def test_a_transfer_through_one_processor_does_not_cover_another_processor_in_the_same_country():
    register = make_register(
        [activity("PA-001", processors=["A Pvt", "B Pvt"])],
        organisations=[organisation("A Pvt", "IN"), organisation("B Pvt", "IN")],
        engagements=[engagement("PE-1", "A Pvt", ["IN"]), engagement("PE-2", "B Pvt", ["IN"])],
        transfers=[transfer("TR-1", "PA-001", "IN", organisation="A Pvt", mechanism="idta", tra_date="2026-01-10")])

    routes = transfers_out_of_uk(build_graph(register))

    assert {(r.kind, r.via, r.transfer) for r in routes} == {
        ("recorded", ("A Pvt",), "TR-1"), ("processor", ("B Pvt",), None)}


def test_a_transfer_naming_no_party_covers_the_activitys_routes_to_that_country():
    register = make_register(
        [activity("PA-001", processors=["Scribe India Pvt"])], organisations=[organisation("Scribe India Pvt", "IN")],
        engagements=[engagement("PE-1", "Scribe India Pvt", ["IN"])],
        transfers=[transfer("TR-1", "PA-001", "IN", mechanism="idta", tra_date="2026-01-10")])

    [route] = transfers_out_of_uk(build_graph(register))

    assert (route.kind, route.transfer, route.destination) == ("recorded", "TR-1", "country:IN")


def test_a_recorded_transfer_through_a_sub_processor_covers_the_sub_processor_route():
    register = make_register(
        [activity("PA-001", processors=["Tier One Ltd"])],
        organisations=[organisation("Tier One Ltd"), organisation("Scribe India Pvt", "IN")],
        engagements=[engagement("PE-1", "Tier One Ltd", ["GB"], sub_processors=["Scribe India Pvt"])],
        transfers=[transfer("TR-1", "PA-001", "IN", organisation="Scribe India Pvt", mechanism="idta",
                            tra_date="2026-01-10")])

    [route] = transfers_out_of_uk(build_graph(register))

    assert (route.kind, route.transfer, route.destination) == ("recorded", "TR-1", "country:IN")


def test_special_category_abroad_keeps_only_routes_with_special_or_criminal_data():
    register = make_register(
        [activity("PA-001", processors=["Scribe India Pvt"]),
         activity("PA-002", processors=["Scribe India Pvt"], data_categories=["Name", "Contact details"],
                  lawful_bases=["6(1)(e)"]),
         activity("PA-003", processors=["Cloud US Inc"], data_categories=["Name", "Criminal offence data"])],
        organisations=[organisation("Scribe India Pvt", "IN"), organisation("Cloud US Inc", "US")],
        engagements=[engagement("PE-1", "Scribe India Pvt", ["IN"]), engagement("PE-2", "Cloud US Inc", ["US"])])
    g = build_graph(register)

    assert {r.activity for r in transfers_out_of_uk(g)} == {"PA-001", "PA-002", "PA-003"}
    assert {(r.activity, r.special_categories) for r in special_category_abroad(g)} == {
        ("PA-001", ("Health information",)), ("PA-003", ("Criminal offence data",))}


def _impact_register() -> dict:
    return make_register(
        [activity("PA-001", processors=["Scribe Ltd"]),
         activity("PA-002", systems=["Dictation app"], data_subjects=["Staff"],
                  data_categories=["Name", "Contact details"], lawful_bases=["6(1)(e)"]),
         activity("PA-003", processors=["Prime Ltd"], data_subjects=["Children and young people"],
                  data_categories=["Ethnicity"]),
         activity("PA-004", processors=["Other Ltd"], data_subjects=["Parents and carers"],
                  data_categories=["Criminal offence data"])],
        organisations=[organisation("Scribe Ltd"), organisation("Prime Ltd"), organisation("Other Ltd")],
        engagements=[engagement("PE-1", "Scribe Ltd", ["GB"]),
                     engagement("PE-2", "Prime Ltd", ["GB"], sub_processors=["Scribe Ltd"]),
                     engagement("PE-3", "Other Ltd", ["GB"])],
        systems=[system("Dictation app", "Scribe Ltd")])


def test_impact_of_a_processor_names_exactly_the_activities_that_depend_on_it():
    impact = impact_of(build_graph(_impact_register()), "Scribe Ltd")

    assert impact.activities == ["PA-001", "PA-002", "PA-003"]
    assert impact.roles == {"PA-001": ["processor"], "PA-002": ["supplier of Dictation app"],
                            "PA-003": ["sub-processor of Prime Ltd"]}
    assert impact.data_subjects == ["Children and young people", "Patients", "Staff"]
    assert impact.data_categories == ["Contact details", "Ethnicity", "Health information", "Name"]
    assert impact.special_categories == ["Ethnicity", "Health information"]
    assert impact.services == ["Community Nursing"]


def test_impact_of_the_engaging_processor_lists_its_sub_processors_downstream():
    impact = impact_of(build_graph(_impact_register()), "Prime Ltd")
    assert (impact.activities, impact.downstream) == (["PA-003"], ["Scribe Ltd"])


def test_impact_of_an_unknown_organisation_raises_key_error_naming_it():
    with pytest.raises(KeyError, match="Nobody Ltd"):
        impact_of(build_graph(_impact_register()), "Nobody Ltd")


def test_role_conflicts_finds_a_missing_controller_and_an_organisation_in_both_roles():
    register = make_register(
        [activity("PA-001", our_role="processor"),
         activity("PA-002", controller="Acme Ltd", processors=["Acme Ltd"]),
         activity("PA-003", our_role="processor", controller="Northshire ICB"),
         activity("PA-004")],
        organisations=[organisation("Acme Ltd"), organisation("Northshire ICB", kind="nhs_body")],
        engagements=[engagement("PE-1", "Acme Ltd", ["GB"])])

    assert role_conflicts(build_graph(register)) == [
        RoleConflict("PA-001", "we are processor but no controller is named"),
        RoleConflict("PA-002", "both controller and processor", "Acme Ltd"),
    ]


def test_without_an_organisation_marked_as_us_a_controller_activity_has_no_controller():
    register = make_register()
    register["organisations"] = []
    register["services"] = []
    assert role_conflicts(build_graph(register)) == [RoleConflict("PA-001", "no controller")]


def test_orphans_are_the_organisations_systems_and_recipients_nothing_refers_to():
    register = make_register(
        [activity("PA-001", processors=["Used Ltd"], systems=["EPR"], recipients=["GP practices"])],
        organisations=[organisation("Used Ltd"), organisation("Lonely Ltd"), organisation("EPR Vendor Ltd")],
        engagements=[engagement("PE-1", "Used Ltd", ["GB"])],
        systems=[system("EPR", "EPR Vendor Ltd"), system("Old fax server")],
        recipients=[recipient("GP practices"), recipient("Police")],
        disclosures=[disclosure("PA-001", "GP practices")])

    assert orphans(build_graph(register)) == ["org:Lonely Ltd", "recipient:Police", "system:Old fax server"]


def test_the_organisation_keeping_the_register_is_never_an_orphan():
    register = make_register([])
    register["services"] = []
    g = build_graph(register)
    assert orphans(g) == []
    register["organisations"].append(organisation("Lonely Ltd"))
    assert orphans(build_graph(register)) == ["org:Lonely Ltd"]


def test_a_cycle_of_sub_processors_terminates_and_each_reaches_the_other_two():
    register = make_register(
        [activity("PA-001", processors=["A Ltd"])],
        organisations=[organisation("A Ltd"), organisation("B Ltd"), organisation("C Pvt", "IN")],
        engagements=[engagement("PE-A", "A Ltd", ["GB"], sub_processors=["B Ltd"]),
                     engagement("PE-B", "B Ltd", ["GB"], sub_processors=["C Pvt"]),
                     engagement("PE-C", "C Pvt", ["IN"], sub_processors=["A Ltd"])])

    with deadline(10):
        g = build_graph(register)
        index = sub_processor_index(g)
        routes = transfers_out_of_uk(g)
        impact = impact_of(g, "C Pvt")

    assert index["org:A Ltd"] == {"org:B Ltd", "org:C Pvt"}
    assert index["org:B Ltd"] == {"org:A Ltd", "org:C Pvt"}
    assert index["org:C Pvt"] == {"org:A Ltd", "org:B Ltd"}
    assert route_keys(routes) == {("PA-001", "country:IN", "sub-processor", ("A Ltd", "C Pvt"))}
    assert impact.activities == ["PA-001"] and impact.downstream == ["A Ltd", "B Ltd"]


def test_routes_are_worked_out_once_per_graph_and_each_caller_gets_its_own_list():
    g = build_graph(make_register(transfers=[transfer("TR-1", "PA-001", "IN", mechanism="idta",
                                                      tra_date="2026-01-10")]))
    first = transfers_out_of_uk(g)
    first.clear()  # a caller changing its list changes nobody else's
    assert [r.transfer for r in transfers_out_of_uk(g)] == ["TR-1"]
    assert [r.transfer for r in special_category_abroad(g)] == ["TR-1"]


def test_the_cyclic_synthetic_register_keeps_its_rings_apart_as_it_grows():
    import networkx as nx

    from bench.generate import generate

    g = build_graph(generate(2000, cyclic=True))
    engages = nx.DiGraph((u, v) for u, v, d in g.edges(data=True) if d["kind"] == "engages")
    rings = [c for c in nx.strongly_connected_components(engages) if len(c) > 1]
    # Rings of 3 to 5; chained together through random sub-processors they made one of 27 organisations here.
    assert rings and max(len(c) for c in rings) <= 5


def test_a_copied_subgraph_answers_from_its_own_edges_not_its_parents():
    from ropa.graph import transfers_out_of_uk

    register = make_register(transfers=[transfer("TR-1", "PA-001", "IN", mechanism="idta", tra_date="2026-01-10")])
    g = build_graph(register)
    assert transfers_out_of_uk(g)  # builds and caches the index on g
    part = g.subgraph([n for n in g if not n.startswith("country:")]).copy()
    assert transfers_out_of_uk(part) == []


def test_a_ring_of_sub_processors_in_one_country_gives_one_route_not_one_per_member():
    ring = [f"Ring {i} Pvt" for i in range(6)]
    register = make_register(
        [activity("PA-001", processors=[ring[0]])],
        organisations=[organisation(name, "IN") for name in ring],
        engagements=[engagement(f"PE-{i}", name, ["IN"], sub_processors=[ring[(i + 1) % len(ring)]])
                     for i, name in enumerate(ring)])
    routes = transfers_out_of_uk(build_graph(register))
    assert route_keys(routes) == {("PA-001", "country:IN", "processor", ("Ring 0 Pvt",))}
