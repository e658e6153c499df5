"""The snapshots page: frozen, signed-off copies of the register, each checked against its SHA-256."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ropa.auth import role_required
from ropa.diff import KIND_TITLES
from ropa.enums import Role
from ropa.services.audit_log import snapshot_labels, snapshot_rows
from ropa.services.diff import PAGES, diff_snapshots, existing
from ropa.services.snapshots import SnapshotError, create_snapshot

bp = Blueprint("snapshots", __name__)
WRITERS = (Role.ADMIN, Role.DPO)


class SnapshotForm(FlaskForm):
    label = StringField("Label", validators=[DataRequired("Enter a label, e.g. “DSPT 2025-26 submission”"),
                                             Length(max=300)],
                        description="What the snapshot is for, e.g. “DSPT 2025-26 submission”. "
                                    "Labels are never reused.")
    approved_by = StringField("Signed off by", validators=[Length(max=320)],
                              description="The name and role of whoever approves the register as it stands, e.g. "
                                          "“Jane Smith, Data Protection Officer”. Leave empty to freeze it unsigned.")


def _signer() -> str:
    name = current_user.name or current_user.email
    return f"{name}, Data Protection Officer" if current_user.role == Role.DPO else ""


def _page(form: SnapshotForm, status: int = 200):
    return render_template("snapshots/index.html", rows=snapshot_rows(), form=form,
                           may_create=current_user.role in WRITERS), status


@bp.get("/snapshots")
@role_required()
def index():
    """Every snapshot with its sign-off and integrity; the form to take one (admin, dpo)."""
    return _page(SnapshotForm(data={"approved_by": _signer()}))


@bp.post("/snapshots")
@role_required(*WRITERS)
def create():
    """Freeze the register now under a label, signed off (or not) by the name given."""
    form = SnapshotForm()
    if form.validate_on_submit():
        try:
            snapshot = create_snapshot(form.label.data, actor=current_user.email,
                                       approved_by=(form.approved_by.data or "").strip())
        except SnapshotError as exc:
            form.label.errors.append(str(exc)[:1].upper() + str(exc)[1:])
        else:
            flash(f"Snapshot “{snapshot.label}” taken"
                  + (f", signed off by {snapshot.approved_by}." if snapshot.approved_by else " (not signed off)."),
                  "success")
            return redirect(url_for("snapshots.index"), code=303)
    return _page(form, 422)


@bp.get("/snapshots/diff")
@role_required()
def diff():
    """What changed from one snapshot to another (or to now): records by kind, field by field, and findings."""
    labels = snapshot_labels()
    source = (request.args.get("from") or "").strip()
    target = (request.args.get("to") or "").strip()
    result, found, error = None, set(), ""
    if source:
        try:
            result = diff_snapshots(source, target or None)
        except SnapshotError as exc:
            error = str(exc)[:1].upper() + str(exc)[1:]
        else:
            found = existing(result)
    elif labels:
        source = labels[0]  # the newest, against now: what changed since the last snapshot
    return render_template("snapshots/diff.html", labels=labels, source=source, target=target, result=result,
                           existing=found, pages=PAGES, titles=KIND_TITLES, error=error), 422 if error else 200
