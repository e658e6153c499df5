"""The organisations screens: the list, one organisation's page (its roles across the register and what depends on
it), and the create and edit forms."""

from flask import Blueprint, abort, render_template, request, url_for

from ropa.auth import role_required
from ropa.enums import Role
from ropa.services.findings import current_findings
from ropa.services.parties import (
    impact_for,
    keeping_the_register,
    organisation_page,
    organisation_roles,
    summary_of,
)
from ropa.services.picture_cache import register_graph
from ropa.services.records import history, load_record
from ropa.views.editing import edit_record

bp = Blueprint("organisations", __name__)

FIELDSETS = [
    ("Identity", ["name", "kind", "is_self", "is_public_authority", "registration_number", "country"]),
    ("Contact", ["address", "email", "telephone", "website"]),
    ("Data protection", ["ico_registration", "dspt_status", "dpo_name", "dpo_contact", "representative_name",
                         "representative_contact", "privacy_notice_url"]),
    ("Notes", ["notes"]),
]


@bp.get("/organisations")
@role_required()
def index():
    """Every organisation the register names, by name, searchable."""
    q = request.args.get("q", "")
    return render_template("organisations/index.html", q=q,
                           page=organisation_page(q=q, after=request.args.get("after", "")))


@bp.get("/organisations/<path:name>")
@role_required()
def detail(name: str):
    """One organisation: its details, findings, roles, what depends on it, and its history."""
    loaded = load_record("organisations", name)
    if loaded is None:
        abort(404)
    found = current_findings()
    roles = organisation_roles(loaded.row)
    findings = found.for_entity("organisation", name) + found.for_entities(
        "engagement", [e.reference for e in roles.engagements])
    graph = register_graph()
    return render_template("organisations/detail.html", org=loaded.row, fields=summary_of("organisations", loaded.row),
                           findings=findings, roles=roles, impact=impact_for(graph, name), graph=graph, found=found,
                           history=history("organisations", name))


@bp.route("/organisations/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def new():
    """Add an organisation."""
    # Unknown until someone records otherwise: a DSPT status must never default to one that reassures.
    return edit_record("organisations", None, title="Add an organisation", fieldsets=FIELDSETS,
                       initial={"kind": "other", "dspt_status": "unknown"}, check=_one_us,
                       done=lambda values: url_for(".detail", name=values["name"]), cancel=url_for(".index"),
                       template="organisations/new.html")


@bp.route("/organisations/<path:name>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def edit(name: str):
    """Change an organisation's details (its name is its key and stays)."""
    return edit_record("organisations", name, title=f"Edit {name}", fieldsets=FIELDSETS,
                       done=lambda values: url_for(".detail", name=name), cancel=url_for(".detail", name=name),
                       check=_one_us, template="organisations/edit.html", name=name)


def _one_us(form) -> list[str]:
    """Only one organisation keeps the register: say which one already does, on the field."""
    us = keeping_the_register()
    if form.is_self.data == "yes" and us not in (None, form.name.data):
        form.is_self.errors = [*form.is_self.errors, f"{us} is already marked as the organisation keeping this "
                               f"register: change it to No there first"]
    return []
