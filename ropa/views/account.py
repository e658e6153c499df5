"""A user's own account: multi-factor authentication (set up, turn off) and their password.

Also the rule that a role which must use MFA (ROPA_MFA_REQUIRED_ROLES) does nothing else until it is set up.
"""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup

from ropa.auth import STAMP, password_stamp, role_required
from ropa.forms.account import DisableMfaForm, EnrolForm, PasswordForm
from ropa.services import mfa
from ropa.services.users import ACCOUNT_LIMIT, AccountError, change_password, sign_in_code

bp = Blueprint("account", __name__, url_prefix="/account")
signed_in = role_required()
SETUP = "mfa_setup"  # the session key of a secret being set up, sealed

#: What a user who must set up MFA may still reach: the set-up itself, signing out, and what needs no session.
OPEN_DURING_ENROLMENT = {"account.mfa_setup", "auth.logout", "auth.login", "auth.login_code", "static"}


@bp.before_app_request
def enrolment_first():
    if request.endpoint in OPEN_DURING_ENROLMENT or request.blueprint in ("api", "health"):
        return None
    if current_user.is_authenticated and mfa.must_enrol(current_user):
        flash(f"Your role ({current_user.role.value}) must use multi-factor authentication. "
              "Set it up before you continue.", "error")
        return redirect(url_for("account.mfa_setup"))
    return None


@bp.get("")
@signed_in
def index():
    """How this user signs in, and what they can change about it."""
    left = mfa.recovery_codes_left(current_user) if current_user.mfa_enabled else 0
    return render_template("account/index.html", left=left, required=current_user.role in mfa.required_roles(),
                           disable_form=DisableMfaForm(), problems=[])


@bp.route("/mfa", methods=["GET", "POST"])
@signed_in
def mfa_setup():
    """Set up TOTP: a QR code and the secret as text, confirmed with a code; the recovery codes are shown once."""
    if current_user.is_sso:
        flash("You sign in with single sign-on; multi-factor authentication is set by your organisation.", "success")
        return redirect(url_for("account.index"))
    if current_user.mfa_enabled:
        flash("Multi-factor authentication is already on.", "success")
        return redirect(url_for("account.index"))
    secret = mfa.unseal(session[SETUP]) if SETUP in session else None
    if secret is None or request.method == "GET":
        secret = mfa.new_secret()
        session[SETUP] = mfa.seal(secret)
    form, status = EnrolForm(), 200
    if form.validate_on_submit():
        try:
            codes = mfa.enrol(current_user, secret, form.code.data, actor=current_user.email)
        except mfa.MfaError as refused:
            form.code.errors.append(str(refused))
        else:
            session.pop(SETUP, None)
            return render_template("account/recovery_codes.html", codes=codes)
    if request.method == "POST":
        status = 422
    uri = mfa.provisioning_uri(current_user.email, secret)
    return render_template("account/mfa_setup.html", form=form, secret=secret, problems=[],
                           qr=Markup(mfa.qr_svg(uri)), required=mfa.must_enrol(current_user)), status


@bp.post("/mfa/disable")
@signed_in
def mfa_disable():
    """Turn MFA off, with a current code (a wrong one counts towards the lock-out, as at sign-in)."""
    form = DisableMfaForm()
    problems = []
    if form.validate_on_submit() and current_user.mfa_enabled:
        outcome = sign_in_code(current_user.id, form.code.data, request.remote_addr or "")
        if outcome.user is not None:
            mfa.disable(current_user, actor=current_user.email, reason="turned off by its owner")
            flash("Multi-factor authentication is off." + (" Your role must use it: set it up again now."
                                                         if mfa.must_enrol(current_user) else ""), "success")
            return redirect(url_for("account.index"))
        if outcome.locked_until:
            problems = [outcome.message]
        else:
            form.code.errors.append(f"{outcome.message}. {outcome.failures} of {ACCOUNT_LIMIT} failed attempts "
                                    "before signing in is paused")
    left = mfa.recovery_codes_left(current_user) if current_user.mfa_enabled else 0
    return render_template("account/index.html", left=left, required=current_user.role in mfa.required_roles(),
                           disable_form=form, problems=problems), 422


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def password():
    """Change one's own password: the current one, then the new one twice. Other sessions are signed out."""
    form, status = PasswordForm(), 200
    if current_user.is_sso:
        return render_template("account/password.html", form=None, problems=[])
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.password.data, request.remote_addr or "")
        except AccountError as refused:
            message = str(refused)
            (form[refused.field].errors if refused.field in form else form.password.errors).append(
                message[0].upper() + message[1:])
        else:
            session[STAMP] = password_stamp(current_user)  # this session goes on; the others end
            flash("Your password has been changed. Any other sessions of yours have been signed out.", "success")
            return redirect(url_for("account.index"))
    if request.method == "POST":
        status = 422
    return render_template("account/password.html", form=form, problems=[]), status
