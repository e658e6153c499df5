"""Review campaigns over JSON: list and read them with their progress by service and the overdue reminders, start
one (DPO, admin), confirm an activity as reviewed (editors: their own services), complete one."""

from datetime import UTC, date, datetime

from flask import abort, current_app, jsonify, request

from ropa.api import bp
from ropa.api.auth import api_user, token_required
from ropa.api.records import _body, _conflict, _expected_version, _sentence
from ropa.enums import Role
from ropa.exchange.problems import ImportFailed
from ropa.services import reviews as service
from ropa.services.records import StaleRecord, load_record

WRITERS = (Role.ADMIN, Role.DPO)
EDITORS = (Role.ADMIN, Role.DPO, Role.EDITOR)


def _today() -> date:
    return datetime.now(UTC).date()


def _campaign(campaign_id: str):
    """The campaign of a path's id; any id that is not one (text, a negative or huge number) is 404, not 405."""
    number = int(campaign_id) if campaign_id.isascii() and campaign_id.isdigit() and len(campaign_id) < 10 else 0
    campaign = service.find_campaign(number) if number else None
    if campaign is None:
        abort(404, f"There is no review campaign {campaign_id}")
    return campaign


def _only(body: dict, *names: str) -> dict:
    """The body, refused with 400 if it holds any name the operation does not take (a typo is not ignored)."""
    unknown = sorted(set(body) - set(names))
    if unknown:
        abort(400, f"Unknown field(s) {', '.join(map(repr, unknown))}: this takes {', '.join(names)}")
    return body


def _refused(message: str):
    return jsonify(error=_sentence(message)), 422


def _item(item) -> dict:
    a = item.activity
    return {"reference": a.reference, "name": a.name, "service": a.service.name if a.service else None,
            "owner": a.owner, "version": a.version, "outcome": item.outcome.value,
            "edited_since_start": a.version > item.start_version, "reviewed_by": item.reviewed_by or None,
            "reviewed_at": item.reviewed_at.isoformat(timespec="seconds") if item.reviewed_at else None}


@bp.get("/reviews")
@token_required()
def list_reviews():
    """Every review campaign, open ones first, with its progress."""
    today = _today()
    return jsonify(campaigns=[service.progress(c, today).as_dict() for c in service.campaigns()])


@bp.post("/reviews")
@token_required(*WRITERS)
def start_review():
    """Start a campaign: {"name", "due": "YYYY-MM-DD", "services": [names] (none or empty: every service)}."""
    body = _only(_body(), "name", "due", "services")
    name, due, services = body.get("name"), body.get("due"), body.get("services", [])
    if not isinstance(name, str):
        abort(400, "name must be text, e.g. \"Annual review 2026-27\"")
    try:
        due = date.fromisoformat(due) if isinstance(due, str) and len(due) == 10 else None
    except ValueError:
        due = None
    if due is None:
        abort(400, "due must be a date written YYYY-MM-DD")
    if services is None:
        services = []
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        abort(400, "services must be a list of service names")
    try:
        campaign = service.start_campaign(name, due, services, actor=api_user().email, today=_today())
    except service.ReviewError as exc:
        return _refused(str(exc))
    return jsonify(service.progress(campaign, _today()).as_dict()), 201


@bp.get("/reviews/<campaign_id>")
@token_required()
def get_review(campaign_id: str):
    """One campaign: progress by service, reminders after the due date, and its activities (?service=,
    ?outcome=pending|done|confirmed|updated, ?mine=1 for those the caller may review; at most 200, with how many
    match in all)."""
    campaign, today = _campaign(campaign_id), _today()
    mine = request.args.get("mine", "0")
    if mine not in ("0", "1"):
        abort(400, "mine is 1 (only the activities you may review) or 0")
    shown, matching = service.items(campaign, api_user(), service=request.args.get("service", "").strip(),
                                    outcome=request.args.get("outcome", "").strip(), mine=mine == "1")
    return jsonify(service.progress(campaign, today).as_dict()
                   | {"reminders": [r.as_dict() for r in service.reminders(campaign, today)],
                      "activities": [_item(i) for i in shown], "matching": matching})


@bp.post("/reviews/<campaign_id>/activities/<path:reference>/confirm")
@token_required(*EDITORS)
def confirm_review(campaign_id: str, reference: str):
    """Confirm one activity as reviewed, sending the version read (body "version" or If-Match): "updated" if it was
    edited since the campaign began, else "confirmed". A stale version is refused with 409 and what changed."""
    campaign = _campaign(campaign_id)
    body = request.get_json(silent=True)
    expected = _expected_version(_only(body, "version").get("version") if isinstance(body, dict) else None)
    try:
        outcome = service.confirm(campaign, reference, api_user(), today=_today(), expected_version=expected,
                                  months=current_app.config.get("ROPA_REVIEW_MONTHS", 12))
    except LookupError as exc:
        abort(404, _sentence(str(exc.args[0])))
    except service.NotYours as exc:
        abort(403, _sentence(str(exc)))
    except StaleRecord as stale:
        loaded = load_record("activities", reference)
        return _conflict(stale, loaded.version if loaded else expected)
    except service.ReviewError as exc:
        return _refused(str(exc))
    except ImportFailed as failed:
        return _refused("; ".join(p.reason for p in failed.problems))
    return jsonify(reference=reference, outcome=outcome.value)


@bp.post("/reviews/<campaign_id>/complete")
@token_required(*WRITERS)
def complete_review(campaign_id: str):
    """Close the campaign: {"snapshot": label (optional), "approved_by": who signs it off, "allow_pending": true to
    complete with activities still to review}."""
    campaign, body = _campaign(campaign_id), _only(_body(), "snapshot", "approved_by", "allow_pending")
    label, approved_by = body.get("snapshot") or "", body.get("approved_by") or ""
    allow = body.get("allow_pending", False)
    if not isinstance(label, str) or not isinstance(approved_by, str) or not isinstance(allow, bool):
        abort(400, "snapshot and approved_by are text; allow_pending is true or false")
    try:
        service.complete(campaign, actor=api_user().email, snapshot_label=label, approved_by=approved_by,
                         allow_pending=allow, today=_today())
    except service.ReviewError as exc:
        return _refused(str(exc))
    return jsonify(service.progress(campaign, _today()).as_dict())
