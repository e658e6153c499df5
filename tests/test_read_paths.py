"""The cheaper read paths answer exactly what the ORM paths did: the API's Core-read records, the activity list's
columns, and the dashboard lists kept per audit head (which must move on after every write)."""

from datetime import UTC, datetime

import sqlalchemy as sa

from ropa.exchange.schema import ENTITIES
from ropa.extensions import db
from ropa.models import ProcessingActivity
from ropa.services.activities import Filters, activity_detail, activity_page, mark_reviewed
from ropa.services.catalogue import MODELS, load_options, record_of
from ropa.services.queries import contracts_ending, reviews_due
from ropa.services.record_rows import records_after
from ropa.services.records import load_record, read_record, record_page


def test_core_records_are_the_orm_records_field_for_field(seeded):
    for entity in ENTITIES:
        if entity.name == "disclosures":
            continue
        model = MODELS[entity.name]
        key = getattr(model, entity.key[0])
        orm = [record_of(entity, row) for row in
               db.session.scalars(sa.select(model).options(*load_options(entity)).order_by(key))]
        assert records_after(entity.name, "", 10_000) == orm, entity.name
        assert orm, f"the seed has no {entity.name}: the comparison would prove nothing"
        for record in orm[:5]:
            name = record[entity.key[0]]
            read, loaded = read_record(entity.name, name), load_record(entity.name, name)
            assert (read.record, read.version) == (loaded.record, loaded.version)
        assert read_record(entity.name, "no such record") is None


def test_api_pages_follow_the_keys_with_nothing_missed_or_repeated(seeded):
    seen, after = [], ""
    while True:
        page = record_page("activities", after, 7)
        seen += [r["reference"] for r in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == sorted(db.session.scalars(sa.select(ProcessingActivity.reference)))


def test_activity_list_rows_show_what_the_activity_holds(seeded):
    rows = activity_page(Filters(), size=500).rows
    by_reference = {a.reference: a for a in db.session.scalars(sa.select(ProcessingActivity))}
    assert len(rows) == len(by_reference)
    for row in rows:
        activity = by_reference[row.reference]
        assert row.service == (activity.service.name if activity.service else None)
        assert row.controller == (activity.controller.name if activity.controller else None)
        assert row.special == any(c.kind != "personal" for c in activity.data_categories)
        assert sorted((b.code, b.label) for b in row.lawful_bases) == sorted(
            (b.code, b.label) for b in activity.lawful_bases)
    assert any(r.special for r in rows) and not all(r.special for r in rows)


def test_activity_page_lists_are_the_activity_relationships(seeded):
    """The detail page reads its lists of reference data in one query: each is the ORM relationship's, entry for
    entry (name or code, a data category's kind, a lawful basis's label), in the same order."""
    activities = db.session.scalars(sa.select(ProcessingActivity)).all()
    compared = 0
    for activity in activities:
        shown = activity_detail(activity.reference)
        for name in ("joint_controllers", "data_subjects", "systems", "processors"):
            assert [e.name for e in getattr(shown, name)] == [o.name for o in getattr(activity, name)], name
            compared += len(getattr(activity, name))
        assert [(e.name, e.kind) for e in shown.data_categories] == [
            (c.name, c.kind) for c in activity.data_categories]
        assert [(e.code, e.label) for e in shown.lawful_bases] == [(b.code, b.label) for b in activity.lawful_bases]
        assert shown.reference == activity.reference and shown.transfers == activity.transfers
    assert compared and any(a.data_categories and a.lawful_bases for a in activities)
    assert activity_detail("no such activity") is None


def test_dashboard_reviews_move_on_after_a_review_is_recorded(seeded):
    today = datetime.now(UTC).date()
    before = reviews_due(today, limit=500)
    assert before.overdue, "the seed has no overdue review: the test would prove nothing"
    assert reviews_due(today, limit=500) == before  # kept: the register has not changed
    first = before.overdue[0].reference
    activity = db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == first))
    mark_reviewed(first, actor="test", expected_version=activity.version, today=today)
    after = reviews_due(today, limit=500)
    assert first not in [a.reference for a in after.overdue]
    assert after.overdue_count == before.overdue_count - 1
    assert contracts_ending(today) == contracts_ending(today)
