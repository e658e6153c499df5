"""The recipients and data-sharing screens: the list, one recipient's page (each activity sharing with it and the
sharing details: legal gateway and data-sharing agreement), and the forms for a recipient and for one sharing row."""

from flask import Blueprint, abort, render_template, request, url_for

from ropa.auth import role_required
from ropa.enums import Role
from ropa.services.findings import current_findings
from ropa.services.parties import recipient_page, recipient_sharing, summary_of
from ropa.services.records import history, load_record
from ropa.views.editing import edit_record

bp = Blueprint("recipients", __name__)

FIELDSETS = [
    ("Recipient", ["name", "kind", "organisation", "description"]),
    ("Notes", ["notes"]),
]
SHARING_FIELDSETS = [
    ("Legal gateway", ["legal_gateway"]),
    ("Data-sharing agreement", ["agreement_reference", "agreement_start", "agreement_end", "agreement_review"]),
    ("Notes", ["notes"]),
]


@bp.get("/recipients")
@role_required()
def index():
    """Every recipient (named organisation or category), by name, with how many activities share with it."""
    q = request.args.get("q", "")
    return render_template("recipients/index.html", q=q,
                           page=recipient_page(q=q, after=request.args.get("after", "")))


@bp.get("/recipients/<path:name>")
@role_required()
def detail(name: str):
    """One recipient: its details, each activity sharing with it and the sharing details, findings, history."""
    loaded = load_record("recipients", name)
    if loaded is None:
        abort(404)
    sharing, total = recipient_sharing(loaded.row, after=request.args.get("after", ""))
    found = current_findings()
    # S01 is raised on the activity; it concerns this recipient where this row has no legal gateway.
    without = [d.activity.reference for d in sharing.rows if not d.legal_gateway]
    gaps = {f.entity_ref: f for f in found.for_entities("activity", without) if f.rule == "S01"}
    return render_template("recipients/detail.html", recipient=loaded.row, fields=summary_of("recipients", loaded.row),
                           sharing=sharing, total=total, gaps=gaps, found=found,
                           findings=found.for_entity("recipient", name) + list(gaps.values()),
                           history=history("recipients", name))


@bp.route("/recipients/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def new():
    """Add a recipient."""
    return edit_record("recipients", None, title="Add a recipient", fieldsets=FIELDSETS, initial={"kind": "category"},
                       done=lambda values: url_for(".detail", name=values["name"]), cancel=url_for(".index"),
                       template="recipients/new.html")


@bp.route("/recipients/<path:name>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def edit(name: str):
    """Change a recipient's details (its name is its key and stays)."""
    return edit_record("recipients", name, title=f"Edit {name}", fieldsets=FIELDSETS,
                       done=lambda values: url_for(".detail", name=name), cancel=url_for(".detail", name=name),
                       template="recipients/edit.html", name=name)


@bp.route("/recipients/<path:name>/sharing/<reference>", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def edit_sharing(name: str, reference: str):
    """Record the legal gateway and data-sharing agreement of one activity's sharing with this recipient."""
    back = url_for(".detail", name=name)
    # The activity and recipient are the sharing row's key: fixed here, so not on the form.
    return edit_record("disclosures", f"{reference} / {name}", title=f"Sharing with {name} for {reference}",
                       fieldsets=SHARING_FIELDSETS, exclude=("activity", "recipient"), done=lambda values: back,
                       cancel=back, template="recipients/edit_sharing.html", name=name, reference=reference)
