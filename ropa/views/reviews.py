"""The review campaign pages: start one (DPO, admin), confirm or update your activities (editors), follow progress
by service with the overdue reminders, and complete it with a signed-off snapshot."""

import csv
import io
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from ropa.auth import can_edit_activity, role_required
from ropa.enums import ReviewOutcome, Role
from ropa.exchange.problems import ImportFailed
from ropa.exchange.values import escape_cell
from ropa.services import reviews as service
from ropa.services.records import StaleRecord, audit_position
from ropa.views.editing import int_or_none

bp = Blueprint("reviews", __name__, url_prefix="/reviews")
WRITERS = (Role.ADMIN, Role.DPO)
EDITORS = (Role.ADMIN, Role.DPO, Role.EDITOR)


class CampaignForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name, e.g. “Annual review 2026-27”"),
                                           Length(max=300)],
                       description="What the review is for, e.g. “Annual review 2026-27”.")
    due = DateField("Due date", validators=[DataRequired("Enter the date by which every activity is reviewed")],
                    description="The day by which owners confirm or update their activities.")
    services = SelectMultipleField("Services in scope", choices=[],
                                   description="Tick none to review every service (and the activities with none).")


class CompleteForm(FlaskForm):
    snapshot_label = StringField("Snapshot label", validators=[Length(max=300)],
                                 description="Freeze the register as reviewed, signed off. Leave empty to complete "
                                             "without a snapshot.")
    approved_by = StringField("Signed off by", validators=[Length(max=320)],
                              description="The name and role of whoever approves the register, e.g. “Jane Smith, "
                                          "Data Protection Officer”.")
    allow_pending = BooleanField("Complete with the activities still to review recorded as not reviewed")


def _today():
    return datetime.now(UTC).date()


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _campaign(campaign_id: int):
    campaign = service.find_campaign(campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _signer() -> str:
    name = current_user.name or current_user.email
    return f"{name}, Data Protection Officer" if current_user.role == Role.DPO else ""


def _index(form: CampaignForm, status: int = 200):
    today = _today()
    rows = [service.progress(c, today) for c in service.campaigns()]
    return render_template("reviews/index.html", rows=rows, form=form, may_start=current_user.role in WRITERS,
                           waiting=service.to_review_count(current_user)), status


def _campaign_form() -> CampaignForm:
    form = CampaignForm()
    form.services.choices = [(s, s) for s in service.reviewable_services()]
    if request.method == "GET":
        form.due.data = _today() + timedelta(days=28)
    return form


@bp.get("")
@role_required()
def index():
    """Every campaign with its progress; the form to start one (DPO, admin)."""
    return _index(_campaign_form())


@bp.post("")
@role_required(*WRITERS)
def start():
    """Start a campaign: every live activity in scope is to be confirmed or updated by the due date."""
    form = _campaign_form()
    if form.validate_on_submit():
        try:
            campaign = service.start_campaign(form.name.data, form.due.data, form.services.data,
                                              actor=current_user.email, today=_today())
        except service.ReviewError as exc:
            form.name.errors.append(_sentence(str(exc)))
        else:
            flash(f"Review “{campaign.name}” started: {len(campaign.items)} activities to review by "
                  f"{campaign.due.isoformat()}.", "success")
            return redirect(url_for(".detail", campaign_id=campaign.id), code=303)
    return _index(form, 422)


def _detail(campaign, complete_form: CompleteForm, status: int = 200):
    today = _today()
    args = request.args
    mine = args.get("show", "mine" if current_user.role == Role.EDITOR else "all") == "mine"
    shown, matching = service.items(campaign, current_user, service=args.get("service", "").strip(),
                                    outcome=args.get("outcome", "").strip(), mine=mine)
    editable = {i.activity.reference for i in shown
                if can_edit_activity(current_user, i.activity.service.name if i.activity.service else None)}
    return render_template("reviews/detail.html", c=campaign, progress=service.progress(campaign, today),
                           review_items=shown, matching=matching, editable=editable, mine=mine, args=args,
                           reminders=service.reminders(campaign, today), form=complete_form,
                           may_complete=current_user.role in WRITERS and campaign.is_open,
                           may_review=current_user.role in EDITORS and campaign.is_open,
                           loaded_at=audit_position(), outcomes=ReviewOutcome, today=today), status


@bp.get("/<int(max=2147483647):campaign_id>")
@role_required()
def detail(campaign_id: int):
    """One campaign: progress by service, the activities to review (an editor's own by default), the overdue
    reminders and, for the DPO, completing it."""
    campaign = _campaign(campaign_id)
    form = CompleteForm(data={"snapshot_label": f"{campaign.name} — reviewed", "approved_by": _signer()})
    return _detail(campaign, form)


@bp.post("/<int(max=2147483647):campaign_id>/activities/<reference>/confirm")
@role_required(*EDITORS)
def confirm(campaign_id: int, reference: str):
    """Confirm one activity as reviewed (it is recorded as "updated" if it was edited since the campaign began)."""
    campaign = _campaign(campaign_id)
    back = request.form.get("back") or ""
    if not (back.startswith(f"/reviews/{campaign_id}") or back == url_for("activities.detail", reference=reference)):
        back = url_for(".detail", campaign_id=campaign_id)  # only back to this review or this activity's page
    try:
        outcome = service.confirm(campaign, reference, current_user, today=_today(),
                                  months=current_app.config.get("ROPA_REVIEW_MONTHS", 12),
                                  expected_version=int_or_none(request.form.get("version")),
                                  loaded_at=int_or_none(request.form.get("loaded_audit")))
    except LookupError:
        abort(404)
    except service.NotYours:
        abort(403)
    except StaleRecord as stale:
        who = ", ".join(sorted({e.actor for e in stale.since})) or "someone else"
        flash(f"{reference} was changed by {who} after you opened this page, so it was not confirmed. Open it to "
              "see what changed, then confirm it again.", "error")
    except (service.ReviewError, ImportFailed) as exc:
        flash(_sentence(str(exc) if isinstance(exc, service.ReviewError)
                        else "; ".join(p.reason for p in exc.problems)), "error")
    else:
        flash(f"{reference} {'confirmed as reviewed' if outcome == ReviewOutcome.CONFIRMED else 'reviewed (updated)'}"
              f"; its next review is due in {current_app.config.get('ROPA_REVIEW_MONTHS', 12)} months.", "success")
    return redirect(back, code=303)


@bp.post("/<int(max=2147483647):campaign_id>/complete")
@role_required(*WRITERS)
def complete(campaign_id: int):
    """Close the campaign, optionally freezing the register in a signed-off snapshot."""
    campaign = _campaign(campaign_id)
    form = CompleteForm()
    if form.validate_on_submit():
        try:
            service.complete(campaign, actor=current_user.email, snapshot_label=form.snapshot_label.data or "",
                             approved_by=form.approved_by.data or "", allow_pending=form.allow_pending.data,
                             today=_today())
        except service.ReviewError as exc:
            form.snapshot_label.errors.append(_sentence(str(exc)))
        else:
            flash(f"Review “{campaign.name}” completed"
                  + (f"; snapshot “{campaign.snapshot_label}” taken and signed off." if campaign.snapshot_label
                     else "."), "success")
            return redirect(url_for(".detail", campaign_id=campaign_id), code=303)
    return _detail(campaign, form, 422)


@bp.get("/<int(max=2147483647):campaign_id>/reminders.csv")
@role_required(*WRITERS)
def reminders_csv(campaign_id: int):
    """The overdue reminders as CSV (for a mail merge): activity, service, owner, editors to remind, days late."""
    campaign = _campaign(campaign_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Reference", "Activity", "Service", "Owner", "Editors to remind", "Days overdue"])
    for r in service.reminders(campaign, _today()):
        writer.writerow([escape_cell(v) for v in (r.reference, r.name, r.service, r.owner, "; ".join(r.editors))]
                        + [r.days_overdue])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=ropa-review-{campaign_id}-reminders.csv"})
