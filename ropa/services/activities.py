"""Processing activities for the pages: the list (searched, filtered, sorted, keyset-paginated), one activity with
everything linked to it, the lawful-basis rules a save must keep, and the review and retire actions."""

import calendar
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ropa.checks import run_checks
from ropa.enums import ActivityStatus, DataKind
from ropa.exchange.schema import BY_NAME
from ropa.extensions import db
from ropa.models import (
    DataCategory,
    Disclosure,
    LawfulBasis,
    Organisation,
    ProcessingActivity,
    Service,
    Transfer,
)
from ropa.models.activity import activity_bases, activity_categories
from ropa.services.queries import Page
from ropa.services.record_rows import link_of
from ropa.services.records import save_record
from ropa.services.register import ImportSummary
from ropa.services.sql import ids_in

SORTS = {"reference": "Reference", "name": "Name", "review": "Next review due"}
_NEVER = date(1, 1, 1)  # sorts activities never given a review date first


@dataclass
class Filters:
    """What the activity list is narrowed to; empty strings mean "any"."""

    q: str = ""
    service: str = ""
    role: str = ""
    basis: str = ""  # a lawful basis code, or "none" for no Art. 6 basis
    special: str = ""  # "yes" | "no"
    transfers: str = ""  # "recorded" | "abroad" (any route out of the UK) | "none"
    status: str = ""
    review: str = ""  # "overdue" | "soon"
    sort: str = "reference"
    abroad: frozenset[str] = field(default_factory=frozenset)  # references with a route out of the UK

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for links that keep them)."""
        names = ("q", "service", "role", "basis", "special", "transfers", "status", "review", "sort")
        return {n: getattr(self, n) for n in names if getattr(self, n) and not (n == "sort" and self.sort == "reference")}


@dataclass
class Listed:
    """One row of the activity list: what the list shows, read as columns rather than as an ORM activity."""

    reference: str
    name: str
    service: str | None  # its name
    our_role: str
    controller: str | None  # its name
    status: str
    next_review_due: date | None
    special: bool  # any special-category or criminal-offence data
    lawful_bases: list = field(default_factory=list)  # (code, label) rows


def activity_page(filters: Filters | None = None, after: str = "", size: int = 50, today: date | None = None) -> Page:
    """One page of activities, filtered and sorted, keyset-paginated (no OFFSET, so deep pages stay fast)."""
    f = filters or Filters()
    today = today or date.today()
    A = ProcessingActivity
    # Aliased, so that the filters' EXISTS over services and organisations are not correlated with these joins.
    service, controller = sa.orm.aliased(Service), sa.orm.aliased(Organisation)
    query = (sa.select(A.id, A.reference, A.name, service.name.label("service"), A.our_role,
                       controller.name.label("controller"), A.status, A.next_review_due)
             .select_from(A).outerjoin(A.service.of_type(service)).outerjoin(A.controller.of_type(controller)))
    for condition in _conditions(f, today):
        query = query.where(condition)
    sort_column = {"name": A.name, "review": sa.func.coalesce(A.next_review_due, _NEVER)}.get(f.sort)
    if sort_column is None:
        if after:
            query = query.where(A.reference > after)
        query = query.order_by(A.reference)
    else:
        if after:
            value, _, reference = after.partition("\x1f")
            if f.sort == "review":
                value = date.fromisoformat(value)
            query = query.where(sa.tuple_(sort_column, A.reference) > sa.tuple_(sa.literal(value), sa.literal(reference)))
        query = query.order_by(sort_column, A.reference)
    rows = db.session.execute(query.limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    ids = [r.id for r in rows]
    bases, special = _bases_of(ids), _special_of(ids)
    listed = [Listed(r.reference, r.name, r.service, r.our_role, r.controller, r.status, r.next_review_due,
                     r.id in special, bases.get(r.id, [])) for r in rows]
    return Page(listed, _cursor(listed[-1], f.sort) if more else None, bool(after))


def _special_of(ids: list[int]) -> set[int]:
    """Those of these activities that record special-category or criminal-offence data (by id lookups, which
    PostgreSQL plans better than an EXISTS per row of the list)."""
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(activity_categories.c.activities_id).distinct()
                                  .join(DataCategory, DataCategory.id == activity_categories.c.data_categories_id)
                                  .where(ids_in(activity_categories.c.activities_id, ids),
                                         DataCategory.kind != DataKind.PERSONAL)))


def _bases_of(ids: list[int]) -> dict[int, list]:
    """{activity id: its lawful bases as (code, label) rows}, in one query."""
    if not ids:
        return {}
    found: dict[int, list] = {}
    for row in db.session.execute(sa.select(activity_bases.c.activities_id, LawfulBasis.code, LawfulBasis.label)
                                  .join(LawfulBasis, LawfulBasis.id == activity_bases.c.lawful_bases_id)
                                  .where(ids_in(activity_bases.c.activities_id, ids))).all():
        found.setdefault(row.activities_id, []).append(row)
    return found


def _cursor(row: Listed, sort: str) -> str:
    if sort == "name":
        return f"{row.name}\x1f{row.reference}"
    if sort == "review":
        return f"{(row.next_review_due or _NEVER).isoformat()}\x1f{row.reference}"
    return row.reference


def _conditions(f: Filters, today: date) -> list:
    A = ProcessingActivity
    out = []
    if f.q:
        like = f"%{f.q.strip()}%"
        out.append(sa.or_(A.reference.ilike(like), A.name.ilike(like), A.purpose.ilike(like)))
    if f.service:
        out.append(A.service.has(Service.name == f.service))
    if f.role:
        out.append(A.our_role == f.role)
    if f.status:
        out.append(A.status == f.status)
    if f.basis == "none":
        out.append(~sa.exists().where(activity_bases.c.activities_id == A.id,
                                      activity_bases.c.lawful_bases_id == LawfulBasis.id,
                                      LawfulBasis.code.like("6(%")))
    elif f.basis:
        out.append(A.lawful_bases.any(LawfulBasis.code == f.basis))
    if f.special:
        special = sa.exists().where(activity_categories.c.activities_id == A.id,
                                    activity_categories.c.data_categories_id == DataCategory.id,
                                    DataCategory.kind.in_([DataKind.SPECIAL, DataKind.CRIMINAL]))
        out.append(special if f.special == "yes" else ~special)
    if f.transfers == "recorded":
        out.append(A.transfers.any())
    elif f.transfers == "none":
        out.append(~A.transfers.any())
    elif f.transfers == "abroad":
        out.append(A.reference.in_(sorted(f.abroad)) if f.abroad else sa.false())
    if f.review == "overdue":
        out.append(sa.or_(A.next_review_due < today, A.next_review_due.is_(None)))
    elif f.review == "soon":
        out.append(A.next_review_due.between(today, _add_months(today, 1)))
    return out


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The options of the list's filters that come from the register itself."""
    services = db.session.scalars(sa.select(Service.name).order_by(Service.name)).all()
    bases = db.session.execute(sa.select(LawfulBasis.code, LawfulBasis.label).order_by(LawfulBasis.id)).all()
    return {"service": [(s, s) for s in services],
            "basis": [("none", "No Art. 6 basis recorded")] + [(code, f"{code} {label}") for code, label in bases]}


def activity_detail(reference: str) -> "ActivityView | None":
    """One activity with everything a detail page shows, in a few queries: the activity with its single references
    joined; its lists of reference data (joint controllers, subjects, data, bases, systems, processors) as names
    in one query; its sharing and transfers as rows."""
    A = ProcessingActivity
    row = db.session.scalar(sa.select(A).where(A.reference == reference).options(
        joinedload(A.service), joinedload(A.controller), joinedload(A.retention_rule),
        selectinload(A.disclosures).selectinload(Disclosure.recipient),
        selectinload(A.transfers).selectinload(Transfer.country)))
    return ActivityView(row, _named_lists(row.id)) if row is not None else None


@dataclass(frozen=True)
class Entry:
    """An entry of an activity's list as its page shows it: a name (a lawful basis's code), and for a data
    category its kind, for a lawful basis its label."""

    name: str
    kind: DataKind | None = None
    label: str = ""

    @property
    def code(self) -> str:
        return self.name


class ActivityView:
    """An activity for its page: the ORM row, with its lists of reference data as Entry values (read in one
    query rather than six, and without an ORM object for each)."""

    def __init__(self, row: ProcessingActivity, lists: dict[str, list[Entry]]) -> None:
        self._row = row
        self.__dict__.update(lists)

    def __getattr__(self, name: str):
        return getattr(self._row, name)


#: The lists ActivityView holds, and what each entry carries besides its name (a lawful basis's is its code).
_LISTS = ("joint_controllers", "data_subjects", "data_categories", "lawful_bases", "systems", "processors")
_EXTRA = {"data_categories": sa.cast(DataCategory.kind, sa.String), "lawful_bases": LawfulBasis.label}


def _named_lists(activity_id: int) -> dict[str, list[Entry]]:
    """{list: its entries, in the order of the targets' ids} for one activity, in one UNION ALL query over the
    link tables (each joined to its target, as record_rows reads the API's lists)."""
    entity = BY_NAME["activities"]
    branches = []
    for number, name in enumerate(_LISTS):
        parent_column, link_join, target_key = link_of(ProcessingActivity, name, entity.field(name).target)
        extra = _EXTRA.get(name, sa.literal(""))
        branches.append(sa.select(sa.literal(number).label("list"), target_key.table.c.id.label("target"),
                                  target_key.label("shown"), extra.label("extra"))
                        .select_from(link_join).where(parent_column == activity_id))
    union = sa.union_all(*branches).subquery()
    found: dict[str, list[Entry]] = {name: [] for name in _LISTS}
    for number, _, shown, extra_value in db.session.execute(
            sa.select(union).order_by(union.c.list, union.c.target)).all():
        name = _LISTS[number]
        if name == "data_categories":
            found[name].append(Entry(shown, kind=DataKind(extra_value)))
        elif name == "lawful_bases":
            found[name].append(Entry(shown, label=extra_value or ""))
        else:
            found[name].append(Entry(shown))
    return found


def next_reference(prefix: str = "PA-") -> str:
    """The next free activity reference after the highest number used with this prefix (PA-029 after PA-028)."""
    refs = db.session.scalars(sa.select(ProcessingActivity.reference)
                              .where(ProcessingActivity.reference.like(f"{prefix}%"))).all()
    numbers = [r[len(prefix):] for r in refs if r[len(prefix):].isdigit()]
    if not numbers:
        return f"{prefix}001"
    width = max(len(n) for n in numbers)
    return f"{prefix}{max(int(n) for n in numbers) + 1:0{width}d}"


# --- The lawful-basis rules a save keeps ------------------------------------------------------------------------

#: The checks a form enforces, and the field each one is about.
ENFORCED = {"L01": "lawful_bases", "L02": "lawful_bases", "L03": "lawful_bases", "L04": "lawful_bases",
            "L05": "policy_document_url", "L06": "consent_record_url", "L07": "lia_url", "L09": "lawful_bases",
            "O01": "controller"}


def basis_problems(values: dict, before: dict | None) -> list[tuple[str, str]]:
    """(field, message) for each lawful-basis rule the saved activity would break that it did not break before.

    The same rules as the checks (one catalogue), run on this one activity. A draft may be incomplete; an
    existing gap (the seed leaves many bases unknown on purpose) does not block an unrelated edit, but a save may
    not add one: choosing consent without its record, special category data without an Art. 9 condition...
    """
    if values.get("status") == ActivityStatus.DRAFT:
        return []
    after = _broken(values)
    already = _broken(before) if before else set()
    return [(ENFORCED[rule], message) for rule, message in sorted(after - already)]


def _broken(record: dict) -> set[tuple[str, str]]:
    bases = [{"code": b.code, "kind": b.kind.value, "label": b.label, "needs_schedule_1": b.needs_schedule_1,
              "needs_policy_document": b.needs_policy_document} for b in db.session.scalars(sa.select(LawfulBasis))]
    categories = [{"name": c.name, "kind": c.kind.value}
                  for c in db.session.scalars(sa.select(DataCategory)
                                              .where(DataCategory.name.in_(record.get("data_categories") or [])))]
    named = {n for n in [record.get("controller"), *(record.get("joint_controllers") or [])] if n}
    organisations = [{"name": o.name, "is_self": o.is_self, "is_public_authority": o.is_public_authority}
                     for o in db.session.scalars(sa.select(Organisation).where(
                         sa.or_(Organisation.is_self.is_(True), Organisation.name.in_(named))))]
    activity = {k: v for k, v in record.items()} | {"status": "active", "recipients": [], "processors": [],
                                                    "systems": [], "service": None, "retention_rule": None}
    register = {"activities": [activity], "lawful_bases": bases, "data_categories": categories,
                "organisations": organisations}
    return {(f.rule, f.message) for f in run_checks(register) if f.rule in ENFORCED and f.entity_type == "activity"}


# --- Actions ----------------------------------------------------------------------------------------------------

def mark_reviewed(reference: str, *, actor: str, expected_version: int | None, today: date,
                  months: int = 12, loaded_at: int | None = None) -> ImportSummary:
    """Record today's review and set the next one (12 months on by default: DSPT 1.1.2's annual approval)."""
    return save_record("activities", {"reference": reference, "last_reviewed": today.isoformat(),
                                      "next_review_due": _add_months(today, months).isoformat()},
                       actor=actor, expected_version=expected_version, loaded_at=loaded_at)


def retire_activity(reference: str, *, actor: str, expected_version: int | None,
                    loaded_at: int | None = None) -> ImportSummary:
    """Mark an activity retired: kept in the register and its history, but no longer checked or exported as live."""
    return save_record("activities", {"reference": reference, "status": ActivityStatus.RETIRED.value},
                       actor=actor, expected_version=expected_version, loaded_at=loaded_at)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
