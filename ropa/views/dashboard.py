"""The dashboard: the state of the register at a glance, with a link to every thing that needs attention."""

from datetime import UTC, datetime

from flask import Blueprint, render_template
from flask_login import current_user

from ropa.auth import role_required
from ropa.services.findings import current_findings
from ropa.services.queries import contracts_ending, last_signed_off, reviews_due
from ropa.services.reviews import open_progress, to_review_count

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@role_required()
def index():
    """Counts, findings by severity, reviews and contracts falling due, review campaigns' progress by service,
    transfers out of the UK, last sign-off."""
    today = datetime.now(UTC).date()
    found = current_findings(today)
    return render_template("dashboard/index.html", found=found, today=today, reviews=reviews_due(today, head=found.head),
                           contracts=contracts_ending(today, head=found.head), snapshot=last_signed_off(),
                           campaigns=open_progress(today), waiting=to_review_count(current_user))
