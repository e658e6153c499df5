"""The users screens (administrators only): accounts, roles, services for editors, passwords, lock-outs, API tokens.

Passwords and tokens are shown once, in the response to the request that made them, and never kept anywhere else.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ropa.auth import STAMP, password_stamp, role_required
from ropa.enums import Role
from ropa.forms.users import EditUserForm, NewUserForm, TokenForm, service_choices
from ropa.models.base import utcnow
from ropa.services import mfa
from ropa.services.records import audit_position
from ropa.services.users import (
    AccountError, StaleUser, create_token, create_user, generate_password, get_user, reset_password, revoke_token,
    service_names, unlock_user, update_user, user_history, user_page, user_tokens,
)
from ropa.views.editing import int_or_none

bp = Blueprint("users", __name__, url_prefix="/users")
admin_only = role_required(Role.ADMIN)


@bp.get("")
@admin_only
def index():
    """Everyone who can sign in, 50 to a page."""
    page = user_page(after=request.args.get("after", ""))
    return render_template("users/index.html", page=page, now=utcnow())


@bp.route("/new", methods=["GET", "POST"])
@admin_only
def new():
    """Add a user with a typed or generated password (a generated one is shown once, on the next page)."""
    form = NewUserForm()
    form.services.choices = service_choices(service_names())
    problems = []
    if form.validate_on_submit():
        generated = form.password_choice.data == "generate"
        password = generate_password() if generated else form.password.data
        try:
            user = create_user(form.email.data, Role(form.role.data), password, actor=current_user.email,
                               name=form.name.data or "", services=form.services.data)
        except AccountError as refused:
            problems = _place(form, refused)
        else:
            if generated:
                return render_template("users/password.html", user=user, password=password, created=True)
            flash(f"{user.email} added. Give them their password by a different route than their email address.",
                  "success")
            return redirect(url_for("users.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("users/new.html", form=form, problems=problems), status


@bp.route("/<path:email>/edit", methods=["GET", "POST"])
@admin_only
def edit(email: str):
    """Name, role, services and active; refused if someone changed the user since the page was opened."""
    user = get_user(email) or abort(404)
    choices = service_choices(service_names())
    if request.method == "GET":
        form = EditUserForm(data={"name": user.name, "role": user.role.value, "active": user.active,
                                  "services": [s.name for s in user.services], "version": user.version,
                                  "loaded_audit": audit_position()})
    else:
        form = EditUserForm()
    form.services.choices = choices
    problems, conflict = [], None
    if form.validate_on_submit():
        try:
            changes = update_user(user.email, name=form.name.data or "", role=Role(form.role.data),
                                  services=form.services.data, active=form.active.data, actor=current_user.email,
                                  expected_version=int_or_none(form.version.data), loaded_at=int_or_none(form.loaded_audit.data) or 0)
        except StaleUser as stale:
            conflict, problems = stale.since, [str(stale)]
            form.version.data, form.loaded_audit.data = get_user(email).version, audit_position()
        except AccountError as refused:
            problems = _place(form, refused)
        else:
            flash(f"{user.email} saved." if changes else f"Nothing changed for {user.email}.", "success")
            return redirect(url_for("users.index"))
    status = 409 if conflict is not None else (422 if request.method == "POST" else 200)
    return render_template("users/edit.html", form=form, user=user, problems=problems, conflict=conflict,
                           history=user_history(user.email), tokens=user_tokens(user), now=utcnow()), status


@bp.post("/<path:email>/reset-password", endpoint="reset_password")
@admin_only
def reset_password_view(email: str):
    """A new generated password, shown once; any lock-out is lifted and the user's open sessions end."""
    try:
        password = reset_password(email, actor=current_user.email)
    except LookupError:
        abort(404)
    user = get_user(email)
    if user.id == current_user.id:  # keep the administrator's own session going with the new password
        session[STAMP] = password_stamp(user)
    return render_template("users/password.html", user=user, password=password, created=False)


@bp.post("/<path:email>/reset-mfa")
@admin_only
def reset_mfa(email: str):
    """Turn off another user's MFA (a lost phone and no recovery codes left); audited. They set it up again at
    their next sign-in if their role requires it."""
    user = get_user(email) or abort(404)
    if user.id == current_user.id:
        flash("Turn your own multi-factor authentication off from your Account page, with a current code.", "error")
        return redirect(url_for("users.edit", email=email))
    done = mfa.disable(user, actor=current_user.email, reason="reset by an administrator")
    flash(f"Multi-factor authentication of {user.email} turned off." if done
          else f"{user.email} did not have multi-factor authentication on.", "success")
    return redirect(url_for("users.edit", email=email))


@bp.post("/<path:email>/unlock")
@admin_only
def unlock(email: str):
    """Lift a lock-out before it ends by itself."""
    try:
        unlocked = unlock_user(email, actor=current_user.email)
    except LookupError:
        abort(404)
    flash(f"{email} can sign in again." if unlocked else f"{email} was not locked out.", "success")
    return redirect(url_for("users.edit", email=email))


@bp.get("/<path:email>/tokens")
@admin_only
def tokens(email: str):
    """A user's API tokens, and the form to issue one."""
    user = get_user(email) or abort(404)
    return render_template("users/tokens.html", user=user, tokens=user_tokens(user), form=TokenForm(), problems=[])


@bp.post("/<path:email>/tokens")
@admin_only
def issue_token(email: str):
    """Issue a token: shown on the next page once, stored only as its SHA-256."""
    user = get_user(email) or abort(404)
    form, problems = TokenForm(), []
    if form.validate_on_submit():
        try:
            token = create_token(user.email, form.name.data, actor=current_user.email)
        except AccountError as refused:
            problems = _place(form, refused)
        else:
            return render_template("users/issue_token.html", user=user, token=token, name=form.name.data.strip())
    return render_template("users/tokens.html", user=user, tokens=user_tokens(user), form=form,
                           problems=problems), 422


@bp.post("/<path:email>/tokens/<int:token_id>/revoke", endpoint="revoke_token")
@admin_only
def revoke_token_view(email: str, token_id: int):
    """Stop a token working; the row stays, marked revoked."""
    try:
        token = revoke_token(email, token_id, actor=current_user.email)
    except LookupError:
        abort(404)
    flash(f"Token “{token.name}” revoked: it no longer works.", "success")
    return redirect(url_for("users.tokens", email=email))


def _place(form, refused: AccountError) -> list[str]:
    """Put a service's refusal on the field it is about (so the summary links to it), or return it for the page."""
    message = str(refused)
    message = message[0].upper() + message[1:]
    if refused.field and refused.field in form:
        form[refused.field].errors.append(message)
        return []
    return [message]

