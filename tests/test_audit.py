"""The audit log: every write recorded with field-level before/after, hash-chained, tampering detected."""

import json

import sqlalchemy as sa

from ropa.extensions import db
from ropa.models import AuditEntry
from ropa.services.audit import verify_chain
from ropa.services.records import save_record


def _entries(entity_key: str) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_key == entity_key)
                              .order_by(AuditEntry.id)).all()


def test_a_write_is_audited_with_field_level_before_and_after(app):
    save_record("organisations", {"name": "Acme Health Ltd", "kind": "company"}, actor="dpo@example.org")
    save_record("organisations", {"name": "Acme Health Ltd", "telephone": "0300 000 0000"}, actor="ig@example.org")
    created, updated = _entries("Acme Health Ltd")
    assert (created.action, created.actor) == ("create", "dpo@example.org")
    assert json.loads(created.changes)["kind"] == [None, "company"]
    assert (updated.action, updated.actor) == ("update", "ig@example.org")
    assert json.loads(updated.changes) == {"telephone": ["", "0300 000 0000"]}
    assert updated.prev_hash == created.hash


def test_saving_the_same_values_writes_no_audit_entry(app):
    save_record("organisations", {"name": "Acme Health Ltd", "kind": "company"}, actor="dpo")
    summary = save_record("organisations", {"name": "Acme Health Ltd", "kind": "company"}, actor="dpo")
    assert summary.audit_entries == 0 and len(_entries("Acme Health Ltd")) == 1


def test_verify_passes_on_a_fresh_register_and_names_an_altered_entry(app, run_cli):
    save_record("organisations", {"name": "Acme Health Ltd"}, actor="dpo")
    result = run_cli("audit", "verify")
    assert result.exit_code == 0 and "intact" in result.output
    target = _entries("Acme Health Ltd")[0].id
    db.session.execute(sa.text("UPDATE audit_entries SET actor = 'someone else' WHERE id = :id"), {"id": target})
    db.session.commit()
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert f"entry {target}" in result.output


def test_verify_detects_a_deleted_entry(app):
    save_record("organisations", {"name": "A Ltd"}, actor="dpo")
    save_record("organisations", {"name": "B Ltd"}, actor="dpo")
    middle = _entries("A Ltd")[0].id
    db.session.execute(sa.text("DELETE FROM audit_entries WHERE id = :id"), {"id": middle})
    db.session.commit()
    verdict = verify_chain()
    assert not verdict.ok and verdict.first_bad == _entries("B Ltd")[0].id


def test_verify_detects_entries_cut_from_the_end(app):
    save_record("organisations", {"name": "A Ltd"}, actor="dpo")
    last = _entries("A Ltd")[0].id
    db.session.execute(sa.text("DELETE FROM audit_entries WHERE id = :id"), {"id": last})
    db.session.commit()
    verdict = verify_chain()
    assert not verdict.ok and "removed" in verdict.reason
