"""International transfers (UK GDPR Chapter V): the recorded transfers, every route by which personal data leaves
the UK (processors and systems included), and the forms that record a mechanism and a transfer risk assessment."""

from collections import Counter
from functools import partial

from flask import Blueprint, abort, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from ropa.auth import role_required
from ropa.enums import Role
from ropa.exchange.schema import BY_NAME, REF
from ropa.forms.catalogue import RecordForm, form_class
from ropa.services.findings import current_findings
from ropa.services.parties import system_suppliers
from ropa.services.processors import next_reference, transfer_page
from ropa.services.records import choices_for_entity, history, load_record
from ropa.views.editing import edit_record

bp = Blueprint("transfers", __name__)

ROUTES_PER_PAGE = 50

FIELDSETS = [
    ("Where the data goes", ["reference", "activity", "organisation", "system", "country", "region", "destination"]),
    ("Mechanism", ["mechanism", "safeguards", "certification", "certification_checked"]),
    ("Transfer risk assessment", ["tra_date", "tra_outcome", "tra_url"]),
    ("Notes", ["notes"]),
]

HINTS = {
    "activity": "The processing activity whose personal data is transferred.",
    "organisation": "Who receives the data or can access it abroad (often the processor or its sub-processor).",
    "system": "The system the data is held in, if the transfer happens through it.",
    "country": "Leave it as \u201cNot known\u201d only if nobody can tell you the country yet: the checks then flag it.",
    "region": "When the data goes to the EEA or the EU as a whole rather than to one country: every country there is "
              "covered by UK adequacy regulations.",
    "destination": "Only when the country is not known, e.g. \u201cOutside the UK and EEA (country not stated)\u201d.",
    "mechanism": "Adequacy covers EEA and adequate countries. An IDTA, the UK Addendum, BCRs or another Art. 46 "
                 "safeguard needs a transfer risk assessment. The UK-US data bridge needs the US recipient's "
                 "certification. Legacy EU SCCs alone are no longer valid.",
    "safeguards": "For an Art. 49 exception: which exception is relied on and, for compelling legitimate "
                  "interests, the safeguards (ICO template column I).",
    "certification": "For the UK-US data bridge: the recipient's entry on the Data Privacy Framework list, "
                     "including the UK Extension.",
    "certification_checked": "When someone last checked the certification is current.",
    "tra_date": "When the transfer risk assessment (the \u201cdata protection test\u201d) was done.",
    "tra_outcome": "What it concluded, e.g. \u201cprotection not materially lower than in the UK\u201d.",
}


@bp.get("/transfers")
@role_required()
def index():
    """Every recorded transfer, and every route out of the UK the register implies (through processors too)."""
    found = current_findings()
    start = _int(request.args.get("routes_from"))
    page = transfer_page(after=request.args.get("after", ""))
    routes = found.routes_page(start, ROUTES_PER_PAGE)
    counts = Counter(f.entity_ref for f in found.for_entities("transfer", [t.reference for t in page.rows]))
    return render_template("transfers/index.html", page=page, found=found, finding_counts=counts,
                           routes=routes, routes_from=start, routes_total=found.route_count(),
                           routes_per_page=ROUTES_PER_PAGE, record_link=partial(_record_link, suppliers(routes)))


@bp.get("/transfers/<path:reference>")
@role_required()
def detail(reference: str):
    """One transfer in plain words, its transfer findings and its activity's, and its change history."""
    loaded = load_record("transfers", reference)
    if loaded is None:
        abort(404)
    found = current_findings()
    activity = loaded.record["activity"]
    # Routes of the activity no transfer record covers are reported on the activity: show them here too.
    activity_findings = [f for f in found.for_entity("activity", activity) if f.rule.startswith("T")]
    return render_template("transfers/detail.html", t=loaded.row, found=found,
                           findings=found.for_entity("transfer", reference),
                           activity_findings=activity_findings, history=history("transfers", reference))


@bp.route("/transfers/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def new():
    """Record a transfer; ?activity=, organisation=, system=, country= and destination= fill the form in."""
    initial = {"reference": next_reference("transfers")} | {
        name: request.args[name] for name in ("activity", "organisation", "system", "country", "destination")
        if request.args.get(name)}
    return edit_record("transfers", None, title="Record a transfer", initial=initial,
                       form_type=hinted_form("transfers", HINTS, editing=False),
                       done=lambda values: url_for(".detail", reference=values["reference"]),
                       cancel=url_for(".index"), fieldsets=FIELDSETS, template="transfers/new.html")


@bp.route("/transfers/<path:reference>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.DPO)
def edit(reference: str):
    """Change a transfer: typically record its mechanism and transfer risk assessment."""
    return edit_record("transfers", reference, title=f"Change transfer {reference}",
                       form_type=hinted_form("transfers", HINTS, editing=True),
                       done=lambda values: url_for(".detail", reference=reference),
                       cancel=url_for(".detail", reference=reference), fieldsets=FIELDSETS,
                       template="transfers/edit.html")


def hinted_form(entity_name: str, hints: dict[str, str], *, editing: bool) -> type[RecordForm]:
    """The catalogue form with a screen's own hints under the labels (before the catalogue's, e.g. date format);
    an empty country reads "Not known", which is what it means."""
    cls = form_class(entity_name, choices_for_entity(entity_name), editing=editing)
    for f in BY_NAME[entity_name].fields:
        if f.kind == REF and f.target == "countries":
            choices = getattr(cls, f.name).kwargs["choices"]
            choices[0] = SelectChoice("", "Not known")
    for name, hint in hints.items():
        unbound = getattr(cls, name)
        unbound.kwargs["description"] = " ".join(filter(None, [hint, unbound.kwargs.get("description", "")]))
    return cls


def suppliers(routes) -> dict[str, str]:
    """The supplier of each system these routes go through, by system name (who receives the data when a system is
    hosted abroad)."""
    return system_suppliers({r.via[0] for r in routes if r.kind == "system" and r.via})


def _record_link(suppliers: dict[str, str], route) -> str:
    """The form for recording a transfer that covers this route, filled in with what the route tells."""
    args = {"activity": route.activity}
    if route.kind in ("processor", "sub-processor") and route.via:
        args["organisation"] = route.via[-1]
    elif route.kind == "system" and route.via:
        args["system"] = route.via[0]
        if route.via[0] in suppliers:
            args["organisation"] = suppliers[route.via[0]]
    if route.destination.startswith("country:"):
        args["country"] = route.destination.split(":", 1)[1]
    else:
        args["destination"] = route.destination_label
    return url_for(".new", **args)


def _int(text: str | None) -> int:
    try:
        return max(int(text or 0), 0)
    except ValueError:
        return 0
