"""a signed-off snapshot never changes: database triggers refuse UPDATE and DELETE of its row

A snapshot is what the register said on the day it was signed off (a DSPT submission, an audit). Once signed off
(approved_at set, or approved_by not empty) the database itself refuses to change or delete it, whoever asks: on
PostgreSQL a plpgsql trigger (and a TRUNCATE guard), on SQLite a pair of RAISE(ABORT) triggers. Unsigned snapshots
stay writable, so one can still be signed off later.

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-07 03:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None

SIGNED = "(OLD.approved_at IS NOT NULL OR COALESCE(OLD.approved_by, '') <> '')"
MESSAGE = "a signed-off snapshot can never change or be deleted"

SQLITE = [
    f"""CREATE TRIGGER snapshots_signed_off_no_update BEFORE UPDATE ON snapshots
        WHEN {SIGNED}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER snapshots_signed_off_no_delete BEFORE DELETE ON snapshots
        WHEN {SIGNED}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
# No '%' and no ':' in these: SQLAlchemy's text() and the driver would read them as parameters.
POSTGRESQL = [
    f"""CREATE FUNCTION snapshots_signed_off_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF {SIGNED} THEN
            RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
              MESSAGE = '{MESSAGE} (snapshot "' || OLD.label || '")';
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER snapshots_signed_off BEFORE UPDATE OR DELETE ON snapshots
        FOR EACH ROW EXECUTE FUNCTION snapshots_signed_off_unchanged()""",
    f"""CREATE FUNCTION snapshots_signed_off_not_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM snapshots WHERE approved_at IS NOT NULL OR COALESCE(approved_by, '') <> '') THEN
            RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = '{MESSAGE} (TRUNCATE refused)';
          END IF;
          RETURN NULL;
        END $$""",
    """CREATE TRIGGER snapshots_signed_off_truncate BEFORE TRUNCATE ON snapshots
        FOR EACH STATEMENT EXECUTE FUNCTION snapshots_signed_off_not_truncated()""",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS snapshots_signed_off_no_update")
        op.execute("DROP TRIGGER IF EXISTS snapshots_signed_off_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS snapshots_signed_off_truncate ON snapshots")
        op.execute("DROP TRIGGER IF EXISTS snapshots_signed_off ON snapshots")
        op.execute("DROP FUNCTION IF EXISTS snapshots_signed_off_not_truncated()")
        op.execute("DROP FUNCTION IF EXISTS snapshots_signed_off_unchanged()")
