"""Constraints in the database itself: a buggy caller cannot store what the register forbids."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from ropa.extensions import db
from ropa.models import Organisation, ProcessingActivity
from ropa.services.records import save_record
from ropa.exchange.problems import ImportFailed


def _raw(sql: str, **params) -> None:
    db.session.execute(sa.text(sql), params)
    db.session.commit()


def test_activity_references_are_unique(app):
    db.session.add_all([ProcessingActivity(reference="PA-1", name="a"), ProcessingActivity(reference="PA-1", name="b")])
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_enum_columns_refuse_values_outside_the_vocabulary(app):
    save_record("activities", {"reference": "PA-1", "name": "Care"}, actor="t")
    with pytest.raises(IntegrityError):
        _raw("UPDATE activities SET our_role = 'overlord' WHERE reference = 'PA-1'")


def test_foreign_keys_are_enforced(app):
    save_record("activities", {"reference": "PA-1", "name": "Care"}, actor="t")
    with pytest.raises(IntegrityError):
        _raw("UPDATE activities SET service_id = 999999 WHERE reference = 'PA-1'")


def test_only_one_organisation_is_us(app):
    db.session.add_all([Organisation(name="A", is_self=True), Organisation(name="B", is_self=True)])
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_engagement_dates_must_be_in_order(app):
    save_record("organisations", {"name": "Supplier Ltd"}, actor="t")
    with pytest.raises(ImportFailed) as refused:
        save_record("engagements", {"reference": "PE-1", "processor": "Supplier Ltd", "start_date": "2026-02-01",
                                    "end_date": "2025-01-01"}, actor="t")
    # Located on its field before the database's own constraint is reached (that would say only "refused").
    [problem] = refused.value.problems
    assert problem.column == "end_date" and "before the start date (2026-02-01)" in problem.reason
    save_record("engagements", {"reference": "PE-1", "processor": "Supplier Ltd", "start_date": "2026-02-01"},
                actor="t")
    with pytest.raises(ImportFailed, match="end date .2025-01-01. is before the start date"):
        save_record("engagements", {"reference": "PE-1", "end_date": "2025-01-01"}, actor="t")  # with the kept start


def test_a_stale_edit_is_refused_not_merged(app):
    save_record("activities", {"reference": "PA-1", "name": "Care"}, actor="dpo1")
    activity = db.session.scalar(sa.select(ProcessingActivity).where(ProcessingActivity.reference == "PA-1"))
    loaded_version = activity.version
    save_record("activities", {"reference": "PA-1", "purpose": "First editor's purpose"}, actor="dpo1",
                expected_version=loaded_version)
    with pytest.raises(ImportFailed, match="was changed by .+ after you opened it"):
        save_record("activities", {"reference": "PA-1", "purpose": "Second editor's purpose"}, actor="dpo2",
                    expected_version=loaded_version)
    db.session.expire_all()
    assert db.session.scalar(sa.select(ProcessingActivity.purpose)) == "First editor's purpose"


def test_the_orm_refuses_a_concurrent_overwrite(app):
    save_record("activities", {"reference": "PA-1", "name": "Care"}, actor="t")
    activity = db.session.scalar(sa.select(ProcessingActivity))
    db.session.commit()
    activity.name  # loaded in this session at version 1
    with db.engine.begin() as other:  # someone else saves meanwhile
        other.execute(sa.text("UPDATE activities SET purpose = 'elsewhere', version = version + 1"))
    activity.purpose = "mine"
    with pytest.raises(StaleDataError):
        db.session.commit()


def test_bad_values_are_refused_by_save_record_with_the_field_named(app):
    with pytest.raises(ImportFailed) as failed:
        save_record("activities", {"reference": "PA-1", "name": "Care", "last_reviewed": "yesterday"}, actor="t")
    assert str(failed.value.problems[0]).startswith("form:1:last_reviewed: malformed date")
    with pytest.raises((ImportFailed, StatementError)):
        save_record("activities", {"reference": "PA-2", "name": "Care", "our_role": "boss"}, actor="t")
