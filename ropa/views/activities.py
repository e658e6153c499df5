"""The activities screens."""

from flask import Blueprint, render_template, request

from ropa.auth import role_required
from ropa.services.queries import register_counts
from ropa.services.activities import activity_page

bp = Blueprint("activities", __name__)


@bp.get("/activities")
@role_required()
def index():
    """The register: one line per processing activity."""
    page = activity_page(after=request.args.get("after", ""), size=50)
    return render_template("activities/index.html", page=page, counts=register_counts())
