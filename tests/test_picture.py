"""The data-flow picture (ropa.graph.picture): a pure, deterministic, self-contained SVG, drawn left to right."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from ropa.graph import build_graph
from ropa.graph.picture import MAX_NODES, render_svg, subgraph_for
from ropa.graph.picture_layout import text_width

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = ["<script>alert(1)</script>", '"><img onerror=x>', "Smith & Jones"]


def make_register(tag: str = "") -> dict:
    """A small register in dump form; tag is appended to every user-typed name."""
    def n(name: str) -> str:
        return f"{name}{tag}"

    def act(ref, name, service, subjects, categories, **extra):
        return {"reference": ref, "name": n(name), "service": n(service), "our_role": "controller",
                "data_subjects": [n(s) for s in subjects], "data_categories": [n(c) for c in categories],
                "recipients": [n(r) for r in extra.get("recipients", [])],
                "systems": [n(s) for s in extra.get("systems", [])],
                "processors": [n(p) for p in extra.get("processors", [])]}

    def org(name, country="GB", **extra):
        return {"name": n(name), "kind": "company", "country": country, **extra}

    return {
        "countries": [{"code": "GB", "name": "United Kingdom", "transfer_status": "uk"},
                      {"code": "FR", "name": "France", "transfer_status": "eea"},
                      {"code": "CH", "name": n("Switzerland"), "transfer_status": "adequate"},
                      {"code": "US", "name": "United States", "transfer_status": "adequate_partial"},
                      {"code": "IN", "name": "India", "transfer_status": "third_country"}],
        "organisations": [org("Us Care Ltd", is_self=True), org("Cloud Ltd"), org("Backup SARL", "FR"),
                          org("Survey Inc", "US"), org("EPR Vendor Ltd"), org("Lab AG", "CH")],
        "data_categories": [{"name": n("Health information"), "kind": "special"},
                            {"name": n("Name"), "kind": "personal"},
                            {"name": n("Bank details"), "kind": "personal"}],
        "subject_categories": [{"name": n("Patients")}, {"name": n("Staff")}],
        "services": [{"name": n("Community Nursing"), "provider": n("Us Care Ltd")},
                     {"name": n("Corporate"), "provider": n("Us Care Ltd")},
                     {"name": n("Research"), "provider": n("Us Care Ltd")}],
        "systems": [{"name": n("EPR"), "supplier": n("EPR Vendor Ltd"), "hosting_country": "GB"},
                    {"name": n("Payroll system"), "hosting_country": "GB"}],
        "recipients": [{"name": n("GP practices"), "kind": "category"}],
        "engagements": [{"reference": "PE-1", "processor": n("Cloud Ltd"), "countries": ["IN"],
                         "sub_processors": [n("Backup SARL")], "services": []}],
        "activities": [
            act("PA-001", "Direct care", "Community Nursing", ["Patients"], ["Health information", "Name"],
                recipients=["GP practices"], systems=["EPR"], processors=["Cloud Ltd"]),
            act("PA-002", "Staff payroll", "Corporate", ["Staff"], ["Name", "Bank details"],
                systems=["Payroll system"]),
            act("PA-003", "Patient survey", "Community Nursing", ["Patients"], ["Name"], processors=["Survey Inc"]),
            act("PA-004", "Research collaboration", "Research", ["Patients"], ["Name"], processors=["Lab AG"]),
        ],
        "transfers": [
            {"reference": "TR-1", "activity": "PA-001", "country": "IN", "mechanism": None,
             "organisation": n("Cloud Ltd")},
            {"reference": "TR-2", "activity": "PA-003", "country": "US", "mechanism": "idta",
             "tra_date": "2025-01-01", "organisation": n("Survey Inc")},
            {"reference": "TR-3", "activity": "PA-004", "country": "CH", "mechanism": "adequacy",
             "organisation": n("Lab AG")},
        ],
        "disclosures": [],
    }


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def boxes(root: ET.Element, kind: str) -> list[tuple[ET.Element, ET.Element, list[ET.Element], str]]:
    """(group, rect, texts, hover title) for every drawn box of one kind."""
    found = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class", "").split()[:2] == ["node", kind]:
            found.append((group, group.find(f"{SVG}rect"), group.findall(f"{SVG}text"),
                          group.find(f"{SVG}title").text))
    return found


def box_by_title(root: ET.Element, kind: str, words: str):
    matches = [b for b in boxes(root, kind) if words in b[3]]
    assert len(matches) == 1, (words, [b[3] for b in boxes(root, kind)])
    return matches[0]


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_picture_imports_without_flask():
    code = ("import sys, ropa.graph.picture; "
            "leaked = sorted(m for m in sys.modules if m == 'flask' or m.startswith('flask.')); "
            "assert not leaked, leaked")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_the_same_register_gives_byte_identical_pictures_in_any_process(tmp_path):
    path = tmp_path / "register.json"
    path.write_text(json.dumps(make_register()))
    code = ("import json, sys; from ropa.graph import build_graph; from ropa.graph.picture import render_svg; "
            f"sys.stdout.write(render_svg(build_graph(json.load(open({str(path)!r}))), title='T'))")
    outputs = []
    for seed in ("1", "2"):  # string hashing differs between these, so set order would show
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                                check=True)
        outputs.append(result.stdout)
    here = render_svg(build_graph(make_register()), title="T")
    assert outputs[0] == outputs[1] == here
    assert here == render_svg(build_graph(make_register()), title="T")


def test_the_svg_parses_and_is_self_contained():
    svg = render_svg(build_graph(make_register()), title="Whole register")
    root = parse(svg)
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text == "Whole register"
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert not tags & {"script", "foreignObject", "style", "image", "a", "use", "iframe"}
    for el in root.iter():
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            assert "href" not in name.lower(), (el.tag, name)
            assert "javascript:" not in value.lower()
            assert "url(" not in value or value.startswith("url(#arrow-"), value
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "Key" in [t.text for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_labels_are_shown_as_text_and_never_run(hostile):
    svg = render_svg(build_graph(make_register(hostile)), title=hostile)
    root = parse(svg)  # would raise on a stray <, & or quote
    assert not any(el.tag.removeprefix(SVG) in ("script", "img") for el in root.iter())
    assert not any(name.lower().startswith("on") for el in root.iter() for name in el.attrib)
    assert "<script" not in svg and "<img" not in svg
    assert root.find(f"{SVG}title").text == hostile
    for kind, words in (("activity", "Direct care"), ("subject", "Patients"), ("organisation", "Cloud Ltd"),
                        ("system", "EPR"), ("recipient", "GP practices"), ("service", "Community Nursing"),
                        ("country", "Switzerland")):
        assert f"{words}{hostile}" in box_by_title(parse(svg), kind, words)[3]


def test_control_characters_in_labels_still_give_valid_xml():
    register = make_register()
    register["activities"][0]["name"] = "Direct\x00care\x1b"
    parse(render_svg(build_graph(register)))


def test_columns_run_left_to_right_subjects_activities_parties_organisations_countries():
    root = parse(render_svg(build_graph(make_register())))
    xs = {kind: [float(rect.get("x")) for _, rect, _, _ in boxes(root, kind)]
          for kind in ("subject", "activity", "recipient", "system", "organisation", "country")}
    assert all(xs.values()), xs
    assert max(xs["subject"]) < min(xs["activity"]) < min(xs["recipient"] + xs["system"])
    assert max(xs["recipient"] + xs["system"]) < min(xs["organisation"])
    assert max(xs["organisation"]) < min(xs["country"])


def test_the_uk_is_written_in_the_boxes_and_the_countries_column_holds_the_rest():
    root = parse(render_svg(build_graph(make_register())))
    countries = sorted(title.split(":")[0] for _, _, _, title in boxes(root, "country"))
    assert countries == ["France", "India", "Switzerland", "United States"]  # France: the sub-processor's
    _, _, texts, _ = box_by_title(root, "organisation", "EPR Vendor Ltd")
    assert texts[0].text == "Company · UK"


def test_special_category_activities_and_restricted_destinations_are_coloured():
    root = parse(render_svg(build_graph(make_register())))
    special = box_by_title(root, "activity", "Direct care")
    plain = box_by_title(root, "activity", "Staff payroll")
    assert special[1].get("fill") == "#fdecec" and plain[1].get("fill") == "#eaf2fb"
    assert any(t.text.startswith("Special category: Health information") for t in special[2])
    fills = {title.split(":")[0]: rect.get("fill") for _, rect, _, title in boxes(root, "country")}
    assert fills == {"India": "#fde0dc", "United States": "#fff3cd", "Switzerland": "#e3f4e6",
                     "France": "#e3f4e6"}
    transfers = {g.find(f"{SVG}title").text.split(" → ")[1].split(":")[0]: g.find(f"{SVG}path")
                 for g in root.iter(f"{SVG}g") if g.get("class") == "edge transfers_to"}
    assert transfers["India"].get("stroke") == "#c0392b" and transfers["India"].get("stroke-dasharray")
    assert transfers["United States"].get("stroke") == "#a86500"
    assert transfers["Switzerland"].get("stroke") == "#2e7d32"
    assert not transfers["Switzerland"].get("stroke-dasharray")  # a safeguard is recorded


def test_text_has_aa_contrast_against_its_box_and_is_at_least_11px():
    root = parse(render_svg(build_graph(make_register())))
    for group in root.iter(f"{SVG}g"):
        if group.get("class", "").startswith("node"):
            fill = group.find(f"{SVG}rect").get("fill")
            for text in group.findall(f"{SVG}text"):
                assert contrast(text.get("fill"), fill) >= 4.5, (text.text, text.get("fill"), fill)
    for text in root.iter(f"{SVG}text"):
        assert float(text.get("font-size")) >= 11
        assert contrast(text.get("fill"), "#ffffff") >= 4.5, text.text


def test_long_labels_are_wrapped_inside_their_boxes_with_the_full_label_on_hover():
    register = make_register()
    long_name = "Direct care " + "with a very long description of the processing " * 8
    register["activities"][0]["name"] = long_name
    root = parse(render_svg(build_graph(register)))
    _, rect, texts, title = box_by_title(root, "activity", "Direct care")
    assert long_name in title
    assert texts[1].text.endswith("…")  # the name: two lines, then cut
    for text in texts:
        bold = text.get("font-weight") == "bold"
        assert text_width(text.text, float(text.get("font-size")), bold=bold) <= float(rect.get("width")) - 16


def test_boxes_in_a_column_never_overlap():
    register = make_register()
    register["subject_categories"] += [{"name": f"Group {i}"} for i in range(12)]
    register["activities"][1]["data_subjects"] += [f"Group {i}" for i in range(12)]
    root = parse(render_svg(build_graph(register)))
    columns: dict[float, list[tuple[float, float]]] = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class", "").startswith("node"):
            rect = group.find(f"{SVG}rect")
            columns.setdefault(float(rect.get("x")), []).append((float(rect.get("y")), float(rect.get("height"))))
    for spans in columns.values():
        spans.sort()
        for (y0, h0), (y1, _) in zip(spans, spans[1:], strict=False):
            assert y0 + h0 <= y1


def test_focus_outlines_one_node_and_fades_lines_not_its_own():
    g = build_graph(make_register())
    root = parse(render_svg(g, focus="org:Cloud Ltd"))
    focused = [grp for grp in root.iter(f"{SVG}g") if "focus" in grp.get("class", "").split()]
    assert len(focused) == 1 and "Cloud Ltd" in focused[0].find(f"{SVG}title").text
    for grp in root.iter(f"{SVG}g"):
        if grp.get("class", "").startswith("edge"):
            mine = "Cloud Ltd" in grp.find(f"{SVG}title").text or "TR-1" in grp.find(f"{SVG}title").text
            assert (grp.find(f"{SVG}path").get("stroke-opacity") == "0.15") is not mine
    with pytest.raises(KeyError, match="Nobody Ltd"):
        render_svg(g, focus="org:Nobody Ltd")


def activity_refs(g: nx.MultiDiGraph) -> list[str]:
    return sorted(a["reference"] for _, a in g.nodes(data=True) if a.get("kind") == "activity")


def test_a_service_slice_holds_its_activities_their_neighbours_and_the_routes_on():
    g = build_graph(make_register())
    sub = subgraph_for(g, service="Community Nursing")
    assert activity_refs(sub) == ["PA-001", "PA-003"]
    for n in ("subject:Patients", "recipient:GP practices", "system:EPR", "org:Cloud Ltd", "org:Survey Inc",
              "org:EPR Vendor Ltd", "org:Backup SARL", "country:IN", "country:US"):
        assert n in sub, n
    assert "subject:Staff" not in sub and "system:Payroll system" not in sub
    assert "Community Nursing" in render_svg(sub)


def test_an_organisation_slice_holds_the_activities_that_depend_on_it():
    g = build_graph(make_register())
    assert activity_refs(subgraph_for(g, organisation="Cloud Ltd")) == ["PA-001"]
    assert "org:Backup SARL" in subgraph_for(g, organisation="Cloud Ltd")  # its sub-processor
    assert activity_refs(subgraph_for(g, organisation="EPR Vendor Ltd")) == ["PA-001"]  # supplies the EPR
    assert activity_refs(subgraph_for(g, organisation="Us Care Ltd")) == ["PA-001", "PA-002", "PA-003", "PA-004"]


def test_a_transfers_slice_holds_only_activities_that_send_data_abroad_and_their_routes():
    g = build_graph(make_register())
    sub = subgraph_for(g, transfers_only=True)
    assert activity_refs(sub) == ["PA-001", "PA-003", "PA-004"]
    assert {"org:Cloud Ltd", "org:Survey Inc", "org:Lab AG", "country:IN", "country:US", "country:CH"} <= set(sub)
    assert "subject:Staff" not in sub and "recipient:GP practices" not in sub
    assert activity_refs(subgraph_for(g, service="Community Nursing", transfers_only=True)) == ["PA-001", "PA-003"]


def test_unknown_slices_say_what_was_not_found():
    g = build_graph(make_register())
    with pytest.raises(KeyError, match="no service named 'Midwifery'"):
        subgraph_for(g, service="Midwifery")
    with pytest.raises(KeyError, match="no organisation named 'Nobody Ltd'"):
        subgraph_for(g, organisation="Nobody Ltd")


def test_a_register_too_big_to_read_must_be_drawn_one_service_at_a_time():
    register = make_register()
    for s in range(30):
        register["services"].append({"name": f"Service {s:02}", "provider": "Us Care Ltd"})
        register["activities"] += [
            {"reference": f"PB-{s:02}-{i:02}", "name": f"Activity {i}", "service": f"Service {s:02}",
             "data_subjects": ["Patients"], "data_categories": ["Name"]} for i in range(14)]
    g = build_graph(register)
    assert g.number_of_nodes() > MAX_NODES
    with pytest.raises(ValueError, match="pick one service or one organisation"):
        render_svg(g)
    root = parse(render_svg(subgraph_for(g, service="Service 07"), title="Service 07"))
    assert len(boxes(root, "activity")) == 14
