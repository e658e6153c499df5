"""Signing in and out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from ropa.auth import role_required, safe_next, start_session
from ropa.forms import LoginForm
from ropa.services.users import ACCOUNT_LIMIT, LOCK_FOR, sign_in

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page; public by necessity. Failed sign-ins count towards the account and address lock-outs."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target or url_for("dashboard.index"))
    form, problems, status = LoginForm(), [], 200
    if form.validate_on_submit():
        outcome = sign_in(form.email.data, form.password.data, request.remote_addr or "")
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
    return render_template("auth/login.html", form=form, problems=problems, account_limit=ACCOUNT_LIMIT,
                           lock_minutes=int(LOCK_FOR.total_seconds() // 60)), status


@bp.post("/logout")
@role_required()
def logout():
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))
