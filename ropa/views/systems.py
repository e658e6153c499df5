"""The systems (information assets) screens: the list, one system's page (the activities holding data in it and the
transfers through it), and the create and edit forms."""

from flask import Blueprint, abort, render_template, request, url_for

from ropa.auth import role_required
from ropa.enums import Role
from ropa.services.findings import current_findings
from ropa.services.parties import summary_of, system_activities, system_page, system_transfers
from ropa.services.records import history, load_record
from ropa.views.editing import edit_record

bp = Blueprint("systems", __name__)

FIELDSETS = [
    ("System", ["name", "description", "software", "supplier"]),
    ("Where the data is held", ["hosting_country", "location"]),
    ("Ownership and support (DSPT 1.1.2)", ["owner", "support_arrangements", "impact_of_loss"]),
    ("Notes", ["notes"]),
]


@bp.get("/systems")
@role_required()
def index():
    """The information asset register: every system, by name, with supplier, hosting and use."""
    q = request.args.get("q", "")
    return render_template("systems/index.html", q=q, page=system_page(q=q, after=request.args.get("after", "")))


@bp.get("/systems/<path:name>")
@role_required()
def detail(name: str):
    """One system: its details, the activities using it (paginated), transfers through it, findings, history."""
    loaded = load_record("systems", name)
    if loaded is None:
        abort(404)
    activities, total = system_activities(loaded.row, after=request.args.get("after", ""))
    found = current_findings()
    transfers = system_transfers(loaded.row)
    findings = found.for_entity("system", name) + found.for_entities("transfer", [t.reference for t in transfers])
    return render_template("systems/detail.html", system=loaded.row, fields=summary_of("systems", loaded.row),
                           activities=activities, total=total, transfers=transfers, findings=findings, found=found,
                           history=history("systems", name))


@bp.route("/systems/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def new():
    """Add a system."""
    return edit_record("systems", None, title="Add a system", fieldsets=FIELDSETS,
                       done=lambda values: url_for(".detail", name=values["name"]), cancel=url_for(".index"),
                       template="systems/new.html")


@bp.route("/systems/<path:name>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def edit(name: str):
    """Change a system's details (its name is its key and stays)."""
    return edit_record("systems", name, title=f"Edit {name}", fieldsets=FIELDSETS,
                       done=lambda values: url_for(".detail", name=name), cancel=url_for(".detail", name=name),
                       template="systems/edit.html", name=name)
