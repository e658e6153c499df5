"""Review campaigns (issue 12, item 5): the DPO starts one, editors confirm or update their own services'
activities, progress by service and the overdue reminders, completing with a signed-off snapshot; on the pages,
the command line and the API, every write audited."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import AuditEntry, ProcessingActivity, ReviewCampaign, Service, Snapshot
from ropa.services import reviews
from ropa.services.records import StaleRecord, audit_position, save_record
from ropa.services.users import create_token

ECFWS = "Essex Child and Family Wellbeing Services (ECFWS)"
EWS = "Essex Wellbeing Service (EWS)"
CAMHS = "Southend, Essex and Thurrock Child, Adolescent and Mental Health Service (SET CAMHS)"
TODAY = datetime.now(UTC).date()


@pytest.fixture
def web(seeded):
    seeded.config["WTF_CSRF_ENABLED"] = False
    return seeded


def _live(service: str | None = None) -> list[str]:
    A = ProcessingActivity
    query = sa.select(A.reference).where(A.status != "retired")
    if service:
        query = query.join(A.service).where(Service.name == service)
    return list(db.session.scalars(query.order_by(A.reference)))


def _version(reference: str) -> int:
    return db.session.scalar(sa.select(ProcessingActivity.version).where(ProcessingActivity.reference == reference))


def _start(client, name="Annual review 2026-27", services=(EWS, CAMHS), due=None):
    due = due or (TODAY + timedelta(days=14))
    return client.post("/reviews", data={"name": name, "due": due.isoformat(), "services": list(services)})


def test_the_dpo_starts_a_campaign_on_two_services_and_the_dashboard_shows_it(web, make_client):
    dpo = make_client("dpo")
    response = _start(dpo)
    assert response.status_code == 303
    campaign = reviews.find_campaign("Annual review 2026-27")
    # Only the live activities of the two services chosen, each with its version at the start.
    expected = sorted(_live(EWS) + _live(CAMHS))
    assert sorted(i.activity.reference for i in campaign.items) == expected and len(expected) == 2
    assert not campaign.all_services and sorted(s.name for s in campaign.services) == [EWS, CAMHS]
    page = dpo.get(response.location).get_data(as_text=True)
    assert "0 of 2</strong> reviewed" in page and EWS in page and CAMHS in page
    dashboard = dpo.get("/").get_data(as_text=True)
    assert "Review campaigns" in dashboard and "Annual review 2026-27" in dashboard and "0 of 2</strong>" in dashboard
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == "review campaign")).one()
    assert entry.action == "create" and json.loads(entry.changes)["activities"] == [None, 2]


def test_starting_is_refused_with_reasons_and_writes_nothing(web, make_client):
    dpo = make_client("dpo")
    past = _start(dpo, due=TODAY - timedelta(days=1))
    assert past.status_code == 422 and "is in the past" in past.get_data(as_text=True)
    assert _start(dpo).status_code == 303
    again = _start(dpo)
    assert again.status_code == 422 and "already exists" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewCampaign)) == 1
    with pytest.raises(reviews.ReviewError, match="no service called 'Nowhere'"):
        reviews.start_campaign("Other", TODAY, ["Nowhere"], actor="test", today=TODAY)
    assert make_client("editor").post("/reviews", data={"name": "x", "due": TODAY.isoformat()}).status_code == 403


def test_an_editor_confirms_their_own_activities_and_progress_moves_by_service(web, make_client, make_user):
    dpo = make_client("dpo")
    _start(dpo, services=())  # every service
    campaign = reviews.find_campaign("Annual review 2026-27")
    assert campaign.all_services and len(campaign.items) == len(_live())
    editor = make_client("editor", services=(ECFWS,))
    listing = editor.get(f"/reviews/{campaign.id}").get_data(as_text=True)
    mine = re.findall(r'data-reference="([^"]+)"', listing)
    assert mine == _live(ECFWS)  # an editor sees the activities they review, not the others
    first, second = mine[:2]
    for reference in (first, second):
        response = editor.post(f"/reviews/{campaign.id}/activities/{reference}/confirm",
                               data={"version": _version(reference)})
        assert response.status_code == 303
    progress = reviews.progress(campaign, TODAY)
    by_service = {r.service: (r.done, r.total) for r in progress.by_service}
    assert by_service[ECFWS] == (2, len(_live(ECFWS))) and by_service[EWS] == (0, 1)
    assert progress.total.confirmed == 2 and progress.total.pending == len(_live()) - 2
    # The review is recorded on the activity itself, through the audited save.
    activity = db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == first))
    assert activity.last_reviewed == TODAY and activity.next_review_due.year == TODAY.year + 1
    keys = set(db.session.scalars(sa.select(AuditEntry.entity_key).where(AuditEntry.entity_type.in_(
        ["review campaign", "processing activity"]))))
    assert {f"Annual review 2026-27 / {first}", first} <= keys
    # Another service's activity: 403; the same one twice: refused, said why.
    other = _live(EWS)[0]
    assert editor.post(f"/reviews/{campaign.id}/activities/{other}/confirm",
                       data={"version": _version(other)}).status_code == 403
    twice = editor.post(f"/reviews/{campaign.id}/activities/{first}/confirm", data={"version": _version(first)},
                        follow_redirects=True).get_data(as_text=True)
    assert "already reviewed for this campaign" in twice
    assert make_client("auditor").post(f"/reviews/{campaign.id}/activities/{other}/confirm").status_code == 403


def test_an_activity_edited_during_the_campaign_is_recorded_as_updated(web, make_user):
    dpo = make_user("dpo")
    campaign = reviews.start_campaign("Spring", TODAY + timedelta(days=7), [EWS], actor=dpo.email, today=TODAY)
    reference = _live(EWS)[0]
    save_record("activities", {"reference": reference, "owner": "Head of Wellbeing"}, actor=dpo.email)
    assert reviews.confirm(campaign, reference, dpo, today=TODAY, expected_version=_version(reference)).value \
        == "updated"


def test_the_activity_page_offers_the_confirm_and_returns_to_itself(web, make_client, make_user):
    campaign = reviews.start_campaign("Spring", TODAY + timedelta(days=7), [EWS], actor="dpo@example.org",
                                      today=TODAY)
    reference = _live(EWS)[0]
    editor = make_client("editor", services=(EWS,))
    page = editor.get(f"/activities/{reference}").get_data(as_text=True)
    assert "To review for “" in page and "Confirm for “Spring”" in page
    auditor_page = make_client("auditor").get(f"/activities/{reference}").get_data(as_text=True)
    assert "To review for “" in auditor_page and "Confirm for" not in auditor_page
    done = editor.post(f"/reviews/{campaign.id}/activities/{reference}/confirm",
                       data={"version": _version(reference), "back": f"/activities/{reference}"})
    assert done.status_code == 303 and done.location.endswith(f"/activities/{reference}")
    assert "To review for “" not in editor.get(f"/activities/{reference}").get_data(as_text=True)


def test_mark_reviewed_today_also_records_the_review_for_the_open_campaigns_waiting_for_it(web, make_client):
    spring = reviews.start_campaign("Spring", TODAY + timedelta(days=7), [EWS], actor="dpo@example.org", today=TODAY)
    audit = reviews.start_campaign("Audit", TODAY + timedelta(days=9), [EWS], actor="dpo@example.org", today=TODAY)
    reference = _live(EWS)[0]
    editor = make_client("editor", services=(EWS,))
    page = editor.post(f"/activities/{reference}/reviewed", data={"version": _version(reference)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Marked as reviewed today, and recorded as reviewed for Audit, Spring." in page
    assert "To review for “" not in page
    db.session.expire_all()
    for campaign in (spring, audit):
        assert reviews.progress(campaign, TODAY).total.confirmed == 1
        assert db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.entity_key == f"{campaign.name} / {reference}")).one()
    activity = db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == reference))
    assert activity.last_reviewed == TODAY
    # With no campaign waiting, it marks the activity alone and says only that.
    again = editor.post(f"/activities/{reference}/reviewed", data={"version": _version(reference)},
                        follow_redirects=True).get_data(as_text=True)
    assert "Marked as reviewed today." in again and "recorded as reviewed for" not in again


def test_mark_reviewed_from_a_stale_page_leaves_the_campaign_waiting(web, make_client):
    spring = reviews.start_campaign("Spring", TODAY + timedelta(days=7), [EWS], actor="dpo@example.org", today=TODAY)
    reference = _live(EWS)[0]
    seen, loaded = _version(reference), audit_position()
    save_record("activities", {"reference": reference, "owner": "Someone else"}, actor="other@example.org")
    page = make_client("dpo").post(f"/activities/{reference}/reviewed", data={"version": seen, "loaded_audit": loaded},
                                   follow_redirects=True).get_data(as_text=True)
    assert "changed by other@example.org" in page and "Marked as reviewed" not in page
    db.session.expire_all()
    assert reviews.progress(spring, TODAY).total.pending == 1


def test_a_confirm_from_a_stale_page_is_refused_and_the_item_stays_pending(web, make_client, make_user):
    dpo = make_user("dpo")
    campaign = reviews.start_campaign("Spring", TODAY + timedelta(days=7), [EWS], actor=dpo.email, today=TODAY)
    reference = _live(EWS)[0]
    seen, loaded = _version(reference), audit_position()
    save_record("activities", {"reference": reference, "owner": "Someone else"}, actor="other@example.org")
    with pytest.raises(StaleRecord):
        reviews.confirm(campaign, reference, dpo, today=TODAY, expected_version=seen)
    db.session.expire_all()
    assert reviews.progress(campaign, TODAY).total.pending == 1
    assert not db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_key == f"Spring / {reference}")).all()
    client = make_client("dpo")
    page = client.post(f"/reviews/{campaign.id}/activities/{reference}/confirm",
                       data={"version": seen, "loaded_audit": loaded}, follow_redirects=True).get_data(as_text=True)
    assert f"{reference} was changed by other@example.org after you opened this page, so it was not confirmed" in page


def test_after_the_due_date_the_reminders_name_the_editors_to_chase(web, make_client, make_user):
    editor = make_user("editor", email="ews.lead@example.org", services=(EWS,))
    campaign = reviews.start_campaign("Spring", TODAY, [EWS, CAMHS], actor="dpo@example.org", today=TODAY)
    assert reviews.reminders(campaign, TODAY) == []  # not overdue on the due date itself
    later = TODAY + timedelta(days=3)
    due = reviews.reminders(campaign, later)
    assert {(r.service, tuple(r.editors)) for r in due} == {(EWS, (editor.email,)), (CAMHS, ())}
    assert all(r.days_overdue == 3 for r in due) and reviews.progress(campaign, later).overdue
    # An activity retired during the campaign leaves the counts and the reminders.
    retired = _live(CAMHS)[0]
    save_record("activities", {"reference": retired, "status": "retired"}, actor="test")
    assert [r.reference for r in reviews.reminders(campaign, later)] == _live(EWS)
    assert reviews.progress(campaign, later).total.total == 1
    save_record("activities", {"reference": retired, "status": "active"}, actor="test")
    campaign.due = TODAY - timedelta(days=2)  # as if the campaign had been started earlier
    db.session.execute(sa.update(ProcessingActivity).where(ProcessingActivity.reference == _live(EWS)[0])
                       .values(name="=HYPERLINK(\"http://x\")"))
    db.session.commit()
    dpo = make_client("dpo")
    page = dpo.get(f"/reviews/{campaign.id}").get_data(as_text=True)
    assert "Reminders: overdue" in page and "ews.lead@example.org" in page and "None: the DPO reviews it" in page
    rows = list(csv.reader(io.StringIO(dpo.get(f"/reviews/{campaign.id}/reminders.csv").get_data(as_text=True))))
    assert rows[0][4] == "Editors to remind" and len(rows) == 3
    assert any(r[1].startswith("'=HYPERLINK") for r in rows[1:])  # never evaluated by a spreadsheet
    assert make_client("editor").get(f"/reviews/{campaign.id}/reminders.csv").status_code == 403


def test_completing_offers_a_signed_off_snapshot_and_closes_the_campaign(web, make_client, make_user):
    dpo_user = make_user("dpo")
    campaign = reviews.start_campaign("Spring", TODAY + timedelta(days=7), [EWS, CAMHS], actor=dpo_user.email,
                                      today=TODAY)
    dpo = make_client("dpo")
    form = {"snapshot_label": "Spring — reviewed", "approved_by": "Jane Smith, Data Protection Officer"}
    refused = dpo.post(f"/reviews/{campaign.id}/complete", data=form)
    assert refused.status_code == 422 and "2 activities are still to review" in refused.get_data(as_text=True)
    for reference in _live(EWS) + _live(CAMHS):
        reviews.confirm(campaign, reference, dpo_user, today=TODAY, expected_version=_version(reference))
    assert dpo.post(f"/reviews/{campaign.id}/complete", data=form).status_code == 303
    db.session.expire_all()
    snapshot = db.session.scalar(sa.select(Snapshot).where(Snapshot.label == "Spring — reviewed"))
    assert snapshot.approved_by == "Jane Smith, Data Protection Officer" and snapshot.approved_at is not None
    # The snapshot holds the register as reviewed: the review dates recorded by the campaign are in it.
    frozen = {a["reference"]: a for a in json.loads(snapshot.content)["activities"]}
    assert frozen[_live(EWS)[0]]["last_reviewed"] == TODAY.isoformat()
    campaign = reviews.find_campaign(campaign.id)
    assert not campaign.is_open and campaign.snapshot_label == "Spring — reviewed"
    page = dpo.get(f"/reviews/{campaign.id}").get_data(as_text=True)
    assert "Completed on" in page and "Spring — reviewed" in page and "Complete the review</h2>" not in page
    with pytest.raises(reviews.ReviewError, match="was completed"):
        reviews.confirm(campaign, _live(EWS)[0], dpo_user, today=TODAY)


def test_completing_with_a_taken_label_fails_whole(web, make_user):
    dpo = make_user("dpo")
    campaign = reviews.start_campaign("Spring", TODAY + timedelta(days=7), [EWS], actor=dpo.email, today=TODAY)
    from ropa.services.snapshots import create_snapshot
    create_snapshot("Taken", actor="test")
    with pytest.raises(reviews.ReviewError, match="already exists"):
        reviews.complete(campaign, actor=dpo.email, snapshot_label="Taken", approved_by="DPO", allow_pending=True,
                         today=TODAY)
    assert reviews.find_campaign(campaign.id).is_open


def test_the_command_line_runs_a_campaign_end_to_end(seeded, run_cli, make_user):
    editor = make_user("editor", email="ecfws.lead@example.org", services=(ECFWS,))
    due = (TODAY + timedelta(days=10)).isoformat()
    started = run_cli("review", "start", "Autumn", "--due", due, "--service", ECFWS)
    assert started.exit_code == 0 and f"{len(_live(ECFWS))} activities to review" in started.output
    first, second = _live(ECFWS)[:2]
    confirmed = run_cli("review", "confirm", "Autumn", first, second, "--as", editor.email)
    assert confirmed.exit_code == 0 and f"{first}: confirmed" in confirmed.output
    refused = run_cli("review", "confirm", "Autumn", _live(EWS)[0], "--as", editor.email)
    assert refused.exit_code == 1 and "is not part of the campaign" in refused.output
    shown = json.loads(run_cli("review", "show", "Autumn", "--format", "json").output)
    assert shown["confirmed"] == 2 and shown["by_service"][0]["service"] == ECFWS
    pending = run_cli("review", "complete", "Autumn")
    assert pending.exit_code == 1 and "still to review" in pending.output
    done = run_cli("review", "complete", "Autumn", "--allow-pending", "--snapshot", "Autumn done",
                   "--signed-off-by", "J Smith, DPO")
    assert done.exit_code == 0, done.output
    assert "completed" in run_cli("review", "list").output
    unknown = run_cli("review", "show", "Nope")
    assert unknown.exit_code == 1 and "campaigns: 'Autumn'" in unknown.output


def test_the_api_runs_a_campaign_and_refuses_what_the_pages_refuse(seeded, make_user):
    dpo, editor = make_user("dpo"), make_user("editor", services=(EWS,))
    api = seeded.test_client(use_cookies=False)

    def call(method, path, user, **kwargs):
        token = create_token(user.email, "t", actor="test")
        return api.open(f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    due = (TODAY + timedelta(days=5)).isoformat()
    started = call("POST", "/reviews", dpo, json={"name": "API review", "due": due, "services": [EWS, CAMHS]})
    assert started.status_code == 201 and started.json["total"] == 2 and started.json["scope"] == [EWS, CAMHS]
    cid = started.json["id"]
    assert call("POST", "/reviews", editor, json={"name": "x", "due": due}).status_code == 403
    assert call("POST", "/reviews", dpo, json={"name": "y", "due": "soon"}).status_code == 400
    typo = call("POST", "/reviews", dpo, json={"name": "y", "due": due, "service": [EWS]})
    assert typo.status_code == 400 and "Unknown field(s) 'service'" in typo.json["error"]
    assert call("POST", "/reviews", dpo, json={"name": "API review", "due": due}).status_code == 422
    detail = call("GET", f"/reviews/{cid}?mine=1", editor).json
    assert [a["reference"] for a in detail["activities"]] == _live(EWS)
    item = detail["activities"][0]
    path = f"/reviews/{cid}/activities/{item['reference']}/confirm"
    assert call("POST", path, editor, json={}).status_code == 428
    assert call("POST", path, editor, json={"version": item["version"] + 5}).status_code == 409
    ok = call("POST", path, editor, json={"version": item["version"]})
    assert ok.status_code == 200 and ok.json == {"reference": item["reference"], "outcome": "confirmed"}
    camhs = _live(CAMHS)[0]
    assert call("POST", f"/reviews/{cid}/activities/{camhs}/confirm", editor,
                json={"version": _version(camhs)}).status_code == 403
    assert call("POST", f"/reviews/{cid}/complete", dpo, json={}).status_code == 422
    done = call("POST", f"/reviews/{cid}/complete", dpo, json={"allow_pending": True})
    assert done.status_code == 200 and done.json["status"] == "completed" and done.json["pending"] == 1
    listed = call("GET", "/reviews", editor).json["campaigns"]
    assert [c["name"] for c in listed] == ["API review"]
    assert call("GET", "/reviews/999", editor).status_code == 404
