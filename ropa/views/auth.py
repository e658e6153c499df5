"""Signing in (password, then a code when the account has MFA; or single sign-on) and out."""

import time

from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from joserfc.errors import JoseError
from requests import RequestException

from ropa.auth import role_required, safe_next, start_session
from ropa.forms import LoginForm
from ropa.forms.account import CodeForm
from ropa.oidc import configured
from ropa.services.mfa import recovery_codes_left
from ropa.services.sso import sign_in_with_claims
from ropa.services.users import ACCOUNT_LIMIT, LOCK_FOR, sign_in, sign_in_code

bp = Blueprint("auth", __name__)

#: The session key of a sign-in waiting for its code, and how long it may wait.
PENDING, PENDING_FOR = "mfa_pending", 600


def _login_page(form, problems=(), status=200):
    sso = configured()
    return render_template("auth/login.html", form=form, problems=list(problems), account_limit=ACCOUNT_LIMIT,
                           lock_minutes=int(LOCK_FOR.total_seconds() // 60),
                           sso_name=sso[1].name if sso else None), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page; public by necessity. Failed sign-ins count towards the account and address lock-outs."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target or url_for("dashboard.index"))
    form, problems, status = LoginForm(), [], 200
    if form.validate_on_submit():
        outcome = sign_in(form.email.data, form.password.data, request.remote_addr or "")
        if outcome.needs_code:
            session.clear()
            session[PENDING] = {"user": outcome.user.id, "at": int(time.time()), "next": target}
            return redirect(url_for("auth.login_code"))
        if outcome.user is not None:
            start_session(outcome.user)
            return redirect(target or url_for("dashboard.index"))
        if outcome.locked_until:
            problems, status = [outcome.message], 429
        else:
            form.password.errors.append(outcome.message)
            status = 422
    elif request.method == "POST":
        status = 422
    return _login_page(form, problems, status)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of signing in with MFA: public, but only reachable just after the right password."""
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_FOR:
        session.pop(PENDING, None)
        if request.method == "POST":
            flash("Your sign-in took too long. Sign in again.", "error")
        return redirect(url_for("auth.login"))
    form, problems, status, failures = CodeForm(), [], 200, None
    if form.validate_on_submit():
        outcome = sign_in_code(pending["user"], form.code.data, request.remote_addr or "")
        if outcome.user is not None:
            start_session(outcome.user)
            if outcome.used_recovery:
                left = recovery_codes_left(outcome.user)
                flash(f"You signed in with a recovery code; it cannot be used again. {left} recovery code"
                      f"{'' if left == 1 else 's'} left: set up MFA again from Account to get new ones.", "success")
            return redirect(pending.get("next") or url_for("dashboard.index"))
        if outcome.locked_until:
            session.pop(PENDING, None)
            problems, status = [outcome.message], 429
        else:
            form.code.errors.append(outcome.message)
            status, failures = 422, outcome.failures
    elif request.method == "POST":
        status = 422
    return render_template("auth/code.html", form=form, problems=problems, failures=failures,
                           account_limit=ACCOUNT_LIMIT, lock_minutes=int(LOCK_FOR.total_seconds() // 60),
                           locked=status == 429), status


@bp.post("/login/sso")
def sso_start():
    """Off to the identity provider (public; 404 when single sign-on is not configured)."""
    sso = configured() or abort(404)
    session["sso_next"] = safe_next(request.args.get("next"))
    return sso[0].authorize_redirect(url_for("auth.sso_callback", _external=True))


@bp.get("/login/sso/callback")
def sso_callback():
    """Back from the identity provider: Authlib checks the state, exchanges the code and validates the ID token
    (signature from the provider's keys, issuer, audience, nonce, expiry); then the role comes from its claims."""
    sso = configured() or abort(404)
    client, provider = sso
    if request.args.get("error"):
        return _sso_refused(f"{provider.name} did not sign you in: "
                            f"{request.args.get('error_description') or request.args['error']}")
    try:
        # Authlib checks the audience only when told to: without this, a token issued to another client that
        # names ropa only as its azp would pass.
        token = client.authorize_access_token(claims_options={
            "iss": {"essential": True, "values": [client.load_server_metadata().get("issuer")]},
            "aud": {"essential": True, "values": [client.client_id]}})
    except (AuthlibBaseError, JoseError) as refused:  # a bad state, or an ID token that does not validate
        why = getattr(refused, "description", "") or ""
        return _sso_refused(f"The sign-in from {provider.name} could not be accepted "
                            f"({getattr(refused, 'error', 'invalid token')}{': ' + why if why else ''}). Try again")
    except RequestException:
        return _sso_refused(f"{provider.name} could not be reached to finish signing in. Try again", 502)
    claims = token.get("userinfo")
    if not claims:
        return _sso_refused(f"{provider.name} sent no ID token. Try again")
    outcome = sign_in_with_claims(claims, provider)
    if outcome.user is None:
        return _sso_refused(outcome.message, 403)
    target = session.get("sso_next")
    start_session(outcome.user)
    return redirect(target or url_for("dashboard.index"))


def _sso_refused(message: str, status: int = 400):
    session.pop("sso_next", None)
    return _login_page(LoginForm(formdata=None), [message], status)


@bp.post("/logout")
@role_required()
def logout():
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))
