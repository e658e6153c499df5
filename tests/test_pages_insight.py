"""The graph, findings, exports, snapshots and audit log pages, through the HTTP client on the seed register."""

import csv
import io
import json
import re

import networkx as nx
import sqlalchemy as sa

from ropa.extensions import db
from ropa.services import findings as findings_service
from ropa.services.records import save_record
from ropa.services.snapshots import create_snapshot

EWS = "Essex Wellbeing Service (EWS)"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


# --- findings -------------------------------------------------------------------------------------------------

def test_findings_page_lists_the_pearson_transfer_error_with_its_fix(seeded, make_client):
    html = _text(make_client("auditor").get("/findings"))
    assert "<h1>Findings</h1>" in html
    t01 = next(row for row in _rows(html) if ">T01<" in row)
    assert "TR-001" in t01 and "tag--error" in t01
    assert "Record the mechanism" in t01  # the fix is said
    assert "Next 50" in html  # the seed has more than 50 findings: paginated


def test_findings_page_shows_the_provision_beside_each_finding(seeded, make_client):
    html = _text(make_client("auditor").get("/findings"))
    assert "The law</th>" in html
    t01 = next(row for row in _rows(html) if ">T01<" in row)
    assert "UK GDPR Art. 44; Arts. 45, 46 and 49" in t01
    notes = _rows(_text(make_client("auditor").get("/findings?severity=info")))
    assert notes and all(">Note<" in row for row in notes)  # info is shown to people as "Note"


def test_findings_filter_by_severity_rule_entity_type_and_text(seeded, make_client):
    client = make_client("editor")
    warnings = _rows(_text(client.get("/findings?severity=warning")))
    assert warnings and all("tag--warning" in row for row in warnings)
    assert not any(">T01<" in row for row in warnings)

    only_t01 = _rows(_text(client.get("/findings?rule=T01")))
    assert len(only_t01) == 1 and "TR-001" in only_t01[0]

    transfers = _rows(_text(client.get("/findings?entity_type=transfer")))
    assert transfers and all("Transfer" in row for row in transfers)

    pearson = _rows(_text(client.get("/findings?q=pearson")))
    assert pearson and all("pearson" in row.lower() for row in pearson)
    assert "No finding matches these filters" in _text(client.get("/findings?q=no+such+words+anywhere"))


def test_findings_json_is_the_check_command_shape_of_the_filtered_list(seeded, make_client):
    response = make_client("auditor").get("/findings.json?severity=error&rule=T01")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert set(data) == {"register", "summary", "findings"}
    assert data["register"]["activities"] == 28
    assert [(f["rule"], f["entity_ref"]) for f in data["findings"]] == [("T01", "TR-001")]
    assert data["summary"]["error"] > 1  # the summary counts the whole register, as `ropa check` does


def test_findings_page_escapes_the_register_s_words(seeded, make_client):
    save_record("services", {"name": '<script>alert(1)</script>"><img src=x onerror=alert(2)>',
                             "provider": "HCRG Care Services Ltd"}, actor="test")
    findings_service.forget()
    html = _text(make_client("dpo").get("/findings?q=script"))
    assert "<script>alert(1)" not in html and "<img src=x" not in html


# --- graph ----------------------------------------------------------------------------------------------------

def test_graph_page_shows_the_picture_as_an_image_with_the_cli_filters(seeded, make_client):
    client = make_client("auditor")
    html = _text(client.get("/graph"))
    assert "<h1>Data-flow graph</h1>" in html
    assert '<img src="/graph/picture.svg"' in html
    assert f'<option value="{EWS}">' in html  # services to choose from
    assert "<svg" not in html  # the picture is never inlined into the page

    html = _text(client.get("/graph", query_string={"service": EWS, "transfers": "1"}))
    img = re.search(r'<img src="([^"]+)"', html).group(1)
    assert "transfers=1" in img and "service=Essex" in img
    assert f'<option value="{EWS}" selected>' in html and 'name="transfers" value="1" checked' in html


def test_picture_is_an_svg_naming_the_activities(seeded, make_client):
    client = make_client("editor")
    response = client.get("/graph/picture.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = _text(response)
    assert svg.lstrip().startswith(("<svg", "<?xml")) and "Autism diagnostic assessment scoring" in svg
    assert "<script" not in svg

    routes = _text(client.get("/graph/picture.svg?transfers=1"))
    assert "Digital Conners4" in routes and "Diagnosis, treatment and follow-up care" not in routes


def test_an_unknown_service_is_said_and_a_picture_too_big_suggests_a_slice(seeded, make_client, monkeypatch):
    client = make_client("dpo")
    response = client.get("/graph?service=No+such+service")
    assert response.status_code == 404 and "no service named" in _text(response).lower()
    assert client.get("/graph/picture.svg?service=No+such+service").status_code == 404

    import ropa.views.graph as graph_view
    monkeypatch.setattr(graph_view, "MAX_NODES", 20)
    html = _text(client.get("/graph"))
    assert "too big to draw as one readable picture" in html and "Choose a service" in html
    assert "<img" not in html
    assert "graph.graphml" in html  # the downloads still offer the whole graph


def test_graphml_download_opens_in_networkx(seeded, make_client, tmp_path):
    response = make_client("auditor").get("/graph/graph.graphml")
    assert response.status_code == 200
    assert re.match(r'attachment; filename="ropa-graph-\d{4}-\d\d-\d\d\.graphml"',
                    response.headers["Content-Disposition"])
    path = tmp_path / "register.graphml"
    path.write_bytes(response.data)
    graph = nx.read_graphml(path)
    assert "activity:PA-026" in graph and graph.number_of_edges() > 50

    node_link = json.loads(make_client("auditor").get("/graph/graph.json").data)
    assert any(n["id"] == "activity:PA-026" for n in node_link["nodes"])


# --- audit log ------------------------------------------------------------------------------------------------

def test_audit_page_shows_a_change_field_by_field_and_filters_by_actor(seeded, make_client):
    client = make_client("auditor")
    save_record("services", {"name": EWS, "description": "Health coaching & <b>weight</b> management"},
                actor="changer@example.org")
    html = _text(client.get("/audit"))
    assert "<h1>Audit log</h1>" in html
    newest = _rows(html)[0]
    assert "changer@example.org" in newest and EWS in newest and "Update service" in newest
    assert "<del>" in newest and "Health coaching &amp; &lt;b&gt;weight&lt;/b&gt; management" in newest
    assert re.search(r"Verified \d+ entries", html)

    mine = _rows(_text(client.get("/audit?actor=CHANGER")))
    assert len(mine) == 1 and "changer@example.org" in mine[0]
    assert all("changer@" not in row for row in _rows(_text(client.get("/audit?actor=test"))))
    assert "No audit entry matches" in _text(client.get("/audit?actor=nobody-at-all"))
    by_type = _rows(_text(client.get("/audit?entity_type=service&key=wellbeing")))
    assert by_type and all("Wellbeing" in row for row in by_type)


def test_audit_log_pages_by_entry_id(seeded, make_client):
    client = make_client("dpo")
    first = _text(client.get("/audit"))
    ids = [int(i) for i in re.findall(r'<td class="num">(\d+)</td>', first)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    after = re.search(r'href="(/audit\?after=\d+)"', first).group(1)
    second = _text(client.get(after))
    more = [int(i) for i in re.findall(r'<td class="num">(\d+)</td>', second)]
    assert more and max(more) < min(ids)
    assert "First page" in second


def test_a_tampered_audit_entry_shows_the_chain_broken(seeded, make_client):
    tampered = db.session.scalar(sa.text("SELECT min(id) + 3 FROM audit_entries"))
    db.session.execute(sa.text("UPDATE audit_entries SET changes = :c WHERE id = :id"),
                       {"c": json.dumps({"name": [None, "Someone else"]}), "id": tampered})
    db.session.commit()
    html = _text(make_client("auditor").get("/audit"))
    assert "The audit log has been tampered with" in html
    assert f"Entry {tampered}: its content does not match its hash" in html
    assert "Chain intact" not in html


# --- snapshots and exports ------------------------------------------------------------------------------------

def test_dpo_takes_a_signed_off_snapshot_and_exports_as_at_it(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    client = make_client("dpo")
    form = _text(client.get("/snapshots"))
    assert "No snapshot has been taken yet" in form and "Take the snapshot" in form
    response = client.post("/snapshots", data={"label": "DSPT 2025-26 submission",
                                               "approved_by": "Jane Smith, Data Protection Officer"})
    assert response.status_code == 303
    html = _text(client.get("/snapshots"))
    row = _rows(html)[0]
    assert "DSPT 2025-26 submission" in row and "Jane Smith, Data Protection Officer" in row
    assert "Matches its SHA-256" in row and "Snapshot “DSPT 2025-26 submission” taken" in html

    # The register changes afterwards; the export as at the snapshot still holds it as it was.
    save_record("services", {"name": EWS, "description": "Changed after the snapshot"}, actor="test")
    exports_page = _text(client.get("/exports?as_at=DSPT 2025-26 submission"))
    assert "As at the snapshot “DSPT 2025-26 submission”" in exports_page
    response = client.get("/exports/download/json?as_at=DSPT 2025-26 submission")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="ropa-register-as-at-dspt-2025-26-submission.json"'
    frozen = json.loads(response.data)
    assert next(s for s in frozen["services"] if s["name"] == EWS)["description"] != "Changed after the snapshot"

    again = client.post("/snapshots", data={"label": "DSPT 2025-26 submission", "approved_by": ""})
    assert again.status_code == 422 and "already exists" in _text(again)


def test_an_altered_snapshot_is_shown_and_its_exports_refused(seeded, make_client):
    # Unsigned: a signed-off one the database refuses to alter at all (tests/test_diff.py).
    create_snapshot("Audit 2026", actor="test")
    db.session.execute(sa.text("UPDATE snapshots SET content = replace(content, 'Pearson', 'Someone')"))
    db.session.commit()
    client = make_client("auditor")
    row = _rows(_text(client.get("/snapshots")))[0]
    assert "Altered" in row and "Matches its SHA-256" not in row
    response = client.get("/exports/download/json?as_at=Audit 2026", follow_redirects=True)
    assert "Not downloaded" in _text(response) and "altered" in _text(response)


def test_auditor_cannot_take_a_snapshot(seeded, make_client):
    seeded.config["WTF_CSRF_ENABLED"] = False
    client = make_client("auditor")
    assert "Take the snapshot" not in _text(client.get("/snapshots"))
    assert client.post("/snapshots", data={"label": "Mine", "approved_by": "me"}).status_code == 403
    assert db.session.scalar(sa.text("SELECT count(*) FROM snapshots")) == 0


def test_exports_page_offers_every_download_and_they_are_attachments(seeded, make_client):
    client = make_client("editor")
    html = _text(client.get("/exports"))
    assert "<h1>Exports</h1>" in html and "Prepare the workbook" in html
    for fmt, name in (("csv", "ropa-register"), ("ico-csv", "ropa-ico-template"), ("json", "ropa-register"),
                      ("graphml", "ropa-graph")):
        assert f"/exports/download/{fmt}" in html
        response = client.get(f"/exports/download/{fmt}")
        assert response.status_code == 200
        assert re.fullmatch(rf'attachment; filename="{name}-\d{{4}}-\d\d-\d\d\.\w+"',
                            response.headers["Content-Disposition"]), fmt
    rows = list(csv.reader(io.StringIO(_text(client.get("/exports/download/csv")))))
    assert len(rows) == 29 and rows[0][0] == "reference"


def test_csv_as_at_a_snapshot_is_explained_not_offered(seeded, make_client):
    create_snapshot("Quarter 1", actor="test")
    client = make_client("auditor")
    html = _text(client.get("/exports?as_at=Quarter 1"))
    assert "Written from the live register only" in html
    response = client.get("/exports/download/csv?as_at=Quarter 1", follow_redirects=True)
    assert "Not downloaded" in _text(response)
