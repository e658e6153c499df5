"""The services screens: the list, one service's page (its activities, provider, partners and processors), and the
create and edit forms."""

from flask import Blueprint, abort, render_template, request, url_for

from ropa.auth import role_required
from ropa.enums import Role
from ropa.services.findings import current_findings
from ropa.services.parties import service_activities, service_engagements, service_page, summary_of
from ropa.services.records import history, load_record
from ropa.views.editing import edit_record

bp = Blueprint("services", __name__)

FIELDSETS = [
    ("Service", ["name", "description"]),
    ("Who provides it", ["provider", "partners"]),
    ("Notes", ["notes"]),
]


@bp.get("/services")
@role_required()
def index():
    """Every service line, by name, with its provider and how many activities it has."""
    q = request.args.get("q", "")
    return render_template("services/index.html", q=q, page=service_page(q=q, after=request.args.get("after", "")))


@bp.get("/services/<path:name>")
@role_required()
def detail(name: str):
    """One service: its details, its activities (paginated), processors, findings and history."""
    loaded = load_record("services", name)
    if loaded is None:
        abort(404)
    activities, total = service_activities(loaded.row, after=request.args.get("after", ""))
    return render_template("services/detail.html", service=loaded.row, fields=summary_of("services", loaded.row),
                           activities=activities, total=total, engagements=service_engagements(loaded.row),
                           found=(found := current_findings()), findings=found.for_entity("service", name),
                           history=history("services", name))


@bp.route("/services/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def new():
    """Add a service."""
    return edit_record("services", None, title="Add a service", fieldsets=FIELDSETS,
                       done=lambda values: url_for(".detail", name=values["name"]), cancel=url_for(".index"),
                       template="services/new.html")


@bp.route("/services/<path:name>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def edit(name: str):
    """Change a service's details (its name is its key and stays)."""
    return edit_record("services", name, title=f"Edit {name}", fieldsets=FIELDSETS,
                       done=lambda values: url_for(".detail", name=name), cancel=url_for(".detail", name=name),
                       template="services/edit.html", name=name)
