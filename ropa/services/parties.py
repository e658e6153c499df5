"""Read-side queries for the pages about who and what the register names: organisations, services, systems and
recipients — their lists (searched by name, keyset-paginated), the activities that use each one, and an
organisation's roles across the register. Relations are loaded in bulk, so a page costs a few queries however
large the register is."""

import threading
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy.orm import load_only, selectinload

from ropa.enums import OurRole
from ropa.exchange.schema import BY_NAME, REF, REFS
from ropa.extensions import db
from ropa.labels import LONG_TEXT, label
from ropa.graph import Impact, impact_of
from ropa.models import (
    Disclosure, Organisation, ProcessingActivity, ProcessorEngagement, Recipient, Service, System, Transfer,
)
from ropa.models.activity import activity_joint_controllers, activity_processors, activity_systems
from ropa.models.parties import service_partners
from ropa.models.processors import engagement_services, engagement_subprocessors
from ropa.services.catalogue import key_of
from ropa.services.queries import Page

PAGE_SIZE = 50
#: How many activities an organisation's page lists under each role before saying how many more there are.
ROLE_LIMIT = 20


# --- Lists ------------------------------------------------------------------------------------------------------


@dataclass
class Listed:
    """One row of a list page: the record and the counts shown beside it."""

    row: object
    activities: int = 0
    without_gateway: int = 0  # recipients: disclosures with no legal gateway recorded


def _name_page(model, q: str, after: str, size: int, options: list) -> tuple[list, str | None]:
    """Rows ordered by name after a name (keyset, so deep pages cost the same as the first), optionally searched."""
    query = sa.select(model).order_by(model.name).limit(size + 1).options(*options)
    if q.strip():
        query = query.where(model.name.icontains(q.strip(), autoescape=True))
    if after:
        query = query.where(model.name > after)
    rows = db.session.scalars(query).all()
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].name if more else None)


def _counts(column, ids: list[int], where=None) -> dict[int, int]:
    if not ids:
        return {}
    query = sa.select(column, sa.func.count()).where(column.in_(ids)).group_by(column)
    if where is not None:
        query = query.where(where)
    return dict(db.session.execute(query).all())


def organisation_page(q: str = "", after: str = "", size: int = PAGE_SIZE) -> Page:
    """Organisations by name, with their country."""
    rows, next_after = _name_page(Organisation, q, after, size, [selectinload(Organisation.country)])
    return Page([Listed(r) for r in rows], next_after, bool(after))


def service_page(q: str = "", after: str = "", size: int = PAGE_SIZE) -> Page:
    """Services by name, with their provider, partners and how many activities each has."""
    rows, next_after = _name_page(Service, q, after, size,
                                  [selectinload(Service.provider), selectinload(Service.partners)])
    counts = _counts(ProcessingActivity.service_id, [r.id for r in rows])
    return Page([Listed(r, counts.get(r.id, 0)) for r in rows], next_after, bool(after))


def system_page(q: str = "", after: str = "", size: int = PAGE_SIZE) -> Page:
    """Systems by name, with supplier, hosting country and how many activities hold data in each."""
    rows, next_after = _name_page(System, q, after, size,
                                  [selectinload(System.supplier), selectinload(System.hosting_country)])
    counts = _counts(activity_systems.c.systems_id, [r.id for r in rows])
    return Page([Listed(r, counts.get(r.id, 0)) for r in rows], next_after, bool(after))


def recipient_page(q: str = "", after: str = "", size: int = PAGE_SIZE) -> Page:
    """Recipients by name, with how many activities share with each and how many of those have no legal gateway."""
    rows, next_after = _name_page(Recipient, q, after, size, [selectinload(Recipient.organisation)])
    ids = [r.id for r in rows]
    counts = _counts(Disclosure.recipient_id, ids)
    missing = _counts(Disclosure.recipient_id, ids, where=sa.func.coalesce(Disclosure.legal_gateway, "") == "")
    return Page([Listed(r, counts.get(r.id, 0), missing.get(r.id, 0)) for r in rows], next_after, bool(after))


# --- Detail pages -----------------------------------------------------------------------------------------------


@dataclass
class Shown:
    """One field of a record as a detail page shows it. For references, value is a list of (target entity, key,
    text) so the page can link each one."""

    name: str
    label: str
    kind: str  # text, long, int, bool, date, enum, ref (one), refs (a list)
    value: object


def summary_of(entity_name: str, row) -> list[Shown]:
    """Every field of one record, in catalogue order, ready for a summary list."""
    entity = BY_NAME[entity_name]
    shown = []
    for f in entity.fields:
        value = getattr(row, f.name)
        if f.kind in (REF, REFS):
            objects = value if f.kind == REFS else ([value] if value is not None else [])
            value = [(f.target, key_of(BY_NAME[f.target], o), _ref_text(f.target, o)) for o in objects]
            kind = f.kind
        else:
            kind = "long" if f.name in LONG_TEXT else f.kind
        shown.append(Shown(f.name, label(f.name), kind, value))
    return shown


def _ref_text(target: str, obj) -> str:
    if target == "countries":
        return f"{obj.name} ({obj.code})"
    return key_of(BY_NAME[target], obj)


def _activity_query():
    """Activities with just what a line of an activity table shows (their long texts are not needed here)."""
    A = ProcessingActivity
    return sa.select(A).options(load_only(A.reference, A.name, A.our_role, A.status, A.service_id, A.controller_id),
                                selectinload(A.service), selectinload(A.controller))


def _activity_page(condition, after: str, size: int) -> Page:
    query = (_activity_query().where(condition).order_by(ProcessingActivity.reference).limit(size + 1))
    if after:
        query = query.where(ProcessingActivity.reference > after)
    rows = db.session.scalars(query).all()
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, rows[-1].reference if more else None, bool(after))


def _count(condition) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProcessingActivity).where(condition))


def service_activities(service: Service, after: str = "", size: int = PAGE_SIZE) -> tuple[Page, int]:
    """The service's activities by reference (keyset-paginated), and how many there are."""
    condition = ProcessingActivity.service_id == service.id
    return _activity_page(condition, after, size), _count(condition)


def service_engagements(service: Service) -> list[ProcessorEngagement]:
    """The processor engagements that cover this service."""
    return db.session.scalars(
        sa.select(ProcessorEngagement).join(engagement_services, engagement_services.c.engagements_id == ProcessorEngagement.id)
        .where(engagement_services.c.services_id == service.id).order_by(ProcessorEngagement.reference)
        .options(selectinload(ProcessorEngagement.processor))).all()


def system_activities(system: System, after: str = "", size: int = PAGE_SIZE) -> tuple[Page, int]:
    """The activities that hold data in this system (keyset-paginated), and how many there are."""
    condition = ProcessingActivity.id.in_(sa.select(activity_systems.c.activities_id)
                                          .where(activity_systems.c.systems_id == system.id))
    return _activity_page(condition, after, size), _count(condition)


def system_transfers(system: System) -> list[Transfer]:
    """The transfers recorded as going through this system."""
    return db.session.scalars(sa.select(Transfer).where(Transfer.system_id == system.id)
                              .order_by(Transfer.reference)
                              .options(selectinload(Transfer.activity), selectinload(Transfer.country))).all()


def recipient_sharing(recipient: Recipient, after: str = "", size: int = PAGE_SIZE) -> tuple[Page, int]:
    """The sharing rows (one per activity) of a recipient, by activity reference, and how many there are."""
    query = (sa.select(Disclosure).join(Disclosure.activity).where(Disclosure.recipient_id == recipient.id)
             .order_by(ProcessingActivity.reference).limit(size + 1)
             .options(selectinload(Disclosure.activity).load_only(ProcessingActivity.reference, ProcessingActivity.name)))
    if after:
        query = query.where(ProcessingActivity.reference > after)
    rows = db.session.scalars(query).all()
    more = len(rows) > size
    rows = rows[:size]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Disclosure)
                              .where(Disclosure.recipient_id == recipient.id))
    return Page(rows, rows[-1].activity.reference if more else None, bool(after)), total


def keeping_the_register() -> str | None:
    """The name of the organisation marked as the one keeping this register (there can be only one)."""
    return db.session.scalar(sa.select(Organisation.name).where(Organisation.is_self.is_(True)))


# --- An organisation's roles ------------------------------------------------------------------------------------


@dataclass
class ActivityRole:
    """The activities in which an organisation has one role (the first ROLE_LIMIT of them, and how many)."""

    title: str
    activities: list[ProcessingActivity]
    total: int


@dataclass
class Roles:
    """Everything the register records an organisation as: its roles in activities, the systems it supplies, the
    processor engagements it is processor or sub-processor in, the services it provides or partners in, and the
    recipient entries that name it."""

    activities: list[ActivityRole] = field(default_factory=list)
    systems: list[System] = field(default_factory=list)
    system_activities: ActivityRole | None = None  # the activities holding data in the systems it supplies
    engagements: list[ProcessorEngagement] = field(default_factory=list)
    sub_processor_in: list[ProcessorEngagement] = field(default_factory=list)
    provides: list[Service] = field(default_factory=list)
    partner_in: list[Service] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (any(r.total for r in self.activities) or self.systems or self.engagements
                    or self.sub_processor_in or self.provides or self.partner_in or self.recipients)


def organisation_roles(org: Organisation, limit: int = ROLE_LIMIT) -> Roles:
    """The organisation's roles across the register. The organisation keeping the register is controller, joint
    controller or processor of each activity by the activity's "our role"."""
    A = ProcessingActivity

    def linked(table, column) -> sa.ColumnElement:
        return A.id.in_(sa.select(table.c.activities_id).where(column == org.id))

    def ours(role: OurRole) -> sa.ColumnElement:
        return A.our_role == role if org.is_self else sa.false()

    conditions = [
        ("Controller of", sa.or_(A.controller_id == org.id, ours(OurRole.CONTROLLER))),
        ("Joint controller of", sa.or_(linked(activity_joint_controllers, activity_joint_controllers.c.organisations_id),
                                       ours(OurRole.JOINT_CONTROLLER))),
        ("Processor for", sa.or_(linked(activity_processors, activity_processors.c.organisations_id),
                                 ours(OurRole.PROCESSOR))),
        ("Recipient in", A.id.in_(sa.select(Disclosure.activity_id).join(Disclosure.recipient)
                                  .where(Recipient.organisation_id == org.id))),
    ]
    supplied = A.id.in_(sa.select(activity_systems.c.activities_id)
                        .join(System, System.id == activity_systems.c.systems_id).where(System.supplier_id == org.id))

    def role(title: str, condition) -> ActivityRole:
        rows = db.session.scalars(_activity_query().where(condition).order_by(A.reference).limit(limit)).all()
        return ActivityRole(title, rows, len(rows) if len(rows) < limit else _count(condition))

    roles = Roles([role(title, condition) for title, condition in conditions],
                  system_activities=role("Systems it supplies are used by", supplied))
    roles.systems = db.session.scalars(sa.select(System).where(System.supplier_id == org.id)
                                       .order_by(System.name)).all()
    engagement = sa.select(ProcessorEngagement).options(selectinload(ProcessorEngagement.processor),
                                                        selectinload(ProcessorEngagement.services))
    roles.engagements = db.session.scalars(engagement.where(ProcessorEngagement.processor_id == org.id)
                                           .order_by(ProcessorEngagement.reference)).all()
    roles.sub_processor_in = db.session.scalars(
        engagement.where(ProcessorEngagement.id.in_(sa.select(engagement_subprocessors.c.engagements_id)
                                                    .where(engagement_subprocessors.c.organisations_id == org.id)))
        .order_by(ProcessorEngagement.reference)).all()
    roles.provides = db.session.scalars(sa.select(Service).where(Service.provider_id == org.id)
                                        .order_by(Service.name)).all()
    roles.partner_in = db.session.scalars(
        sa.select(Service).where(Service.id.in_(sa.select(service_partners.c.services_id)
                                                .where(service_partners.c.organisations_id == org.id)))
        .order_by(Service.name)).all()
    roles.recipients = db.session.scalars(sa.select(Recipient).where(Recipient.organisation_id == org.id)
                                          .order_by(Recipient.name)).all()
    return roles


# --- What depends on an organisation ----------------------------------------------------------------------------

_impacts: WeakKeyDictionary = WeakKeyDictionary()  # graph -> {organisation: Impact}
_impacts_lock = threading.Lock()


def impact_for(graph, organisation: str) -> Impact | None:
    """What depends on an organisation (graph.impact_of), or None if the graph does not name it. Worked out once per
    graph: the findings' graph is rebuilt when the register changes, and for the organisation keeping the register
    the walk covers every activity (about 0.3 s at 10,000)."""
    with _impacts_lock:
        known = _impacts.setdefault(graph, {})
        if organisation not in known:
            try:
                known[organisation] = impact_of(graph, organisation)
            except KeyError:
                known[organisation] = None
        return known[organisation]


def system_suppliers(names: set[str]) -> dict[str, str]:
    """The supplier of each of these systems that has one, by system name."""
    if not names:
        return {}
    return dict(db.session.execute(sa.select(System.name, Organisation.name).join(System.supplier)
                                   .where(System.name.in_(sorted(names)))).all())
