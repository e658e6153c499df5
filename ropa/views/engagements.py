"""Processor engagements: the contracts with processors (Art. 28; DSPT 10.1.2 and 10.2.2)."""

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template, request, url_for

from ropa.auth import role_required
from ropa.enums import Role
from ropa.forms.catalogue import RecordForm
from ropa.services.findings import current_findings
from ropa.services.processors import activities_using, engagement_page, ending_horizon, next_reference
from ropa.services.records import history, load_record
from ropa.views.editing import edit_record
from ropa.views.transfers import hinted_form

bp = Blueprint("engagements", __name__, url_prefix="/processors")

FIELDSETS = [
    ("Processor and services", ["reference", "processor", "services", "description", "sub_processors"]),
    ("Contract", ["contract_reference", "contract_url", "art28_confirmed", "start_date", "end_date"]),
    ("Where the data goes", ["countries", "processing_location"]),
    ("Notes", ["notes"]),
]

HINTS = {
    "processor": "The organisation processing personal data on our behalf. Add it under Organisations first if "
                 "it is not listed.",
    "services": "Our services this contract covers.",
    "description": "DSPT 10.1.2: the products or services the supplier provides.",
    "sub_processors": "Organisations the processor engages in turn (Art. 28(2) needs our authorisation).",
    "contract_reference": "The contract's number or title, as the contracts register holds it.",
    "art28_confirmed": "Yes once someone has checked the contract holds the Art. 28(3) processor terms.",
    "end_date": "The checks warn 90 days before this date and flag the contract once it has passed.",
    "countries": "Every country where the processor or its sub-processors process or can access the data. "
                 "Outside the UK, record a transfer too.",
    "processing_location": "Only when the country is not known, e.g. \u201cOutside the UK and EEA\u201d.",
}


def _today():
    return datetime.now(UTC).date()


@bp.get("")
@role_required()
def index():
    """Every engagement, by reference; optionally only contracts that have ended or end within 90 days."""
    today = _today()
    ending = request.args.get("contracts") == "ending"
    page = engagement_page(after=request.args.get("after", ""), ending_by=ending_horizon(today) if ending else None)
    return render_template("engagements/index.html", page=page, today=today, ending=ending,
                           args={"contracts": "ending"} if ending else {})


@bp.get("/<path:reference>")
@role_required()
def detail(reference: str):
    """One engagement: every field, its findings and its processor's, the activities using it, its history."""
    loaded = load_record("engagements", reference)
    if loaded is None:
        abort(404)
    found = current_findings()
    processor = loaded.record["processor"]
    activities, using = activities_using(processor)
    return render_template("engagements/detail.html", e=loaded.row, today=_today(), found=found,
                           findings=found.for_entity("engagement", reference),
                           processor_findings=found.for_entity("organisation", processor),
                           activities=activities, using=using, history=history("engagements", reference))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def new():
    """Record a new engagement (the next free reference is proposed)."""
    initial = {"reference": next_reference("engagements"), "processor": request.args.get("processor", "")}
    return edit_record("engagements", None, title="Record a processor engagement", initial=initial,
                       form_type=hinted_form("engagements", HINTS, editing=False),
                       done=lambda values: url_for(".detail", reference=values["reference"]),
                       cancel=url_for(".index"), fieldsets=FIELDSETS, check=_dates_in_order,
                       template="engagements/new.html")


@bp.route("/<path:reference>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def edit(reference: str):
    """Change an engagement."""
    return edit_record("engagements", reference, title=f"Change processor engagement {reference}",
                       form_type=hinted_form("engagements", HINTS, editing=True),
                       done=lambda values: url_for(".detail", reference=reference),
                       cancel=url_for(".detail", reference=reference), fieldsets=FIELDSETS, check=_dates_in_order,
                       template="engagements/edit.html")


def _dates_in_order(form: RecordForm) -> list[str]:
    """A contract cannot end before it starts (the database refuses it too; say so on the field)."""
    start, end = form.start_date.data, form.end_date.data
    if start and end and end < start:
        form.end_date.errors = list(form.end_date.errors) + [
            f"The end date must be on or after the start date ({start.isoformat()})"]
    return []
