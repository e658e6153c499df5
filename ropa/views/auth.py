"""Signing in and out."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from ropa.auth import authenticate, role_required
from ropa.forms import LoginForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page; public by necessity."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("dashboard.index"))
        form.password.errors.append("The email address or password is not right")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@role_required()
def logout():
    logout_user()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))
