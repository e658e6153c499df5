"""The activities screens: the register list, one activity, create / edit, mark reviewed, retire."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ropa.auth import can_edit_activity, role_required
from ropa.enums import ActivityStatus, OurRole, Role
from ropa.exchange.problems import ImportFailed
from ropa.labels import enum_choices
from ropa.services import activities as service
from ropa.services.findings import current_findings
from ropa.services.records import StaleRecord, audit_position, history, load_record
from ropa.services.reviews import mark_activity_reviewed, pending_for
from ropa.views.editing import edit_record, int_or_none

bp = Blueprint("activities", __name__, url_prefix="/activities")

FIELDSETS = [
    ("The activity", ["reference", "name", "service", "business_function", "purpose", "owner", "status"]),
    ("Who decides", ["our_role", "controller", "joint_controllers"]),
    ("People and personal data", ["data_subjects", "data_categories", "source"]),
    ("Lawful basis", ["lawful_bases", "legitimate_interests", "lia_url", "consent_record_url",
                      "policy_document_url", "rights_override", "automated_decision_making"]),
    ("Where the data is and goes", ["systems", "location", "recipients", "processors"]),
    ("Retention", ["retention_rule", "retention_policy_url", "retention_compliant", "retention_noncompliance_reason"]),
    ("Security and risk", ["security_measures", "dpia_required", "dpia_progress", "dpia_url", "breach_occurred",
                           "breach_url"]),
    ("Review", ["last_reviewed", "next_review_due"]),
    ("Notes", ["notes"]),
]
EDITORS = (Role.ADMIN, Role.DPO, Role.EDITOR)


def may_edit(service_name: str | None) -> bool:
    """Admin and DPO edit every activity; an editor only those of the services assigned to them."""
    return can_edit_activity(current_user, service_name)


def _today():
    return datetime.now(UTC).date()


@bp.get("")
@role_required()
def index():
    """The register: searched, filtered, sorted, 50 activities a page."""
    args = request.args
    filters = service.Filters(**{name: args.get(name, "").strip() for name in
                                 ("q", "service", "role", "basis", "special", "transfers", "status", "review")},
                              sort=args.get("sort") if args.get("sort") in service.SORTS else "reference")
    if filters.transfers == "abroad":
        filters.abroad = current_findings().route_activities()
    page = service.activity_page(filters, after=args.get("after", ""), today=_today())
    return render_template("activities/index.html", page=page, filters=filters, choices=service.filter_choices(),
                           roles=enum_choices(OurRole, "Any"), statuses=enum_choices(ActivityStatus, "Any"),
                           sorts=service.SORTS, can_create=current_user.role in EDITORS)


@bp.get("/<reference>")
@role_required()
def detail(reference: str):
    """Every Art. 30 field of one activity, what it is linked to, its findings with their fixes, its history."""
    activity = service.activity_detail(reference)
    if activity is None:
        abort(404)
    found = current_findings()
    transfer_findings = found.for_entities("transfer", [t.reference for t in activity.transfers])
    return render_template("activities/detail.html", a=activity, found=found,
                           findings=found.for_entity("activity", reference) + transfer_findings,
                           routes=found.routes_for(reference),
                           history=history("activities", reference), can_edit=may_edit(_service_of(activity)),
                           loaded_at=audit_position(), today=_today(), reviews=pending_for(reference))


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new():
    """A new processing activity."""
    initial = {"reference": service.next_reference(), "status": "active", "our_role": "controller"}
    if current_user.role == Role.EDITOR and len(current_user.services) == 1:
        initial["service"] = current_user.services[0].name
    return edit_record("activities", None, title="Add a processing activity", fieldsets=FIELDSETS,
                       initial=initial, check=lambda form: _check(form, None),
                       done=lambda values: url_for(".detail", reference=values["reference"]),
                       cancel=url_for(".index"))


@bp.route("/<reference>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(reference: str):
    """Edit one activity; a save from a page someone else saved since is refused with what they changed."""
    loaded = load_record("activities", reference)
    if loaded is None:
        abort(404)
    if not may_edit(loaded.record["service"]):
        abort(403)
    return edit_record("activities", reference, title=f"Edit {reference} {loaded.record['name']}",
                       fieldsets=FIELDSETS, check=lambda form: _check(form, loaded.record),
                       done=lambda values: url_for(".detail", reference=reference),
                       cancel=url_for(".detail", reference=reference))


def _check(form, before: dict | None) -> list[str]:
    """The rules a save must keep: an editor stays within their services; no new lawful-basis gap."""
    from ropa.forms.catalogue import values_of

    values = values_of(form)
    if before is not None:
        values["reference"] = before["reference"]
    if not may_edit(values.get("service")):
        form.service.errors = list(form.service.errors) + ["Choose one of the services you look after"]
        return []
    for name, message in service.basis_problems(values, before):
        form[name].errors = list(form[name].errors) + [message]
    return []


@bp.post("/<reference>/reviewed")
@role_required(*EDITORS)
def mark_reviewed(reference: str):
    """Record that the entry was reviewed today; the next review falls due in 12 months (ROPA_REVIEW_MONTHS), and
    the open review campaigns waiting for it have it as reviewed."""
    def act(version, loaded_at) -> str:
        campaigns = mark_activity_reviewed(reference, current_user, expected_version=version, today=_today(),
                                           loaded_at=loaded_at, months=current_app.config.get("ROPA_REVIEW_MONTHS", 12))
        if not campaigns:
            return "Marked as reviewed today."
        return f"Marked as reviewed today, and recorded as reviewed for {', '.join(campaigns)}."

    return _action(reference, act)


@bp.post("/<reference>/retire")
@role_required(Role.ADMIN, Role.DPO)
def retire(reference: str):
    """Retire an activity: it stays in the record and its history, and the checks stop flagging it."""
    return _action(reference, lambda version, loaded_at: service.retire_activity(
        reference, actor=current_user.email, expected_version=version, loaded_at=loaded_at),
        "Activity retired. It stays in the register's history.")


def _action(reference: str, act, done: str = ""):
    """Run act(version, loaded_at) on the activity as posted; flash done, or what act returns, or why it failed."""
    loaded = load_record("activities", reference)
    if loaded is None:
        abort(404)
    if not may_edit(loaded.record["service"]):
        abort(403)
    try:
        said = act(int_or_none(request.form.get("version")), int_or_none(request.form.get("loaded_audit")))
    except StaleRecord as stale:
        flash(stale.problems[0].reason[0].upper() + stale.problems[0].reason[1:], "error")
    except ImportFailed as failed:
        flash("; ".join(p.reason for p in failed.problems), "error")
    else:
        flash(said if isinstance(said, str) else done, "success")
    return redirect(url_for(".detail", reference=reference))


def _service_of(activity) -> str | None:
    return activity.service.name if activity.service else None

