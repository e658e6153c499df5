"""transfer regions and the points of Art. 49(1)

A destination may be a region (the EEA, the EU) rather than one country, and an Art. 49 transfer may name the point of
Art. 49(1) it relies on. SQLite cannot alter a CHECK constraint, so the table is rebuilt there (batch mode).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 07:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD = ('none_recorded', 'adequacy', 'uk_us_data_bridge', 'idta', 'uk_addendum', 'bcr', 'other_art46', 'legacy_sccs',
       'art49_exception')
NEW = OLD + ('art49_explicit_consent', 'art49_contract_with_subject', 'art49_contract_for_subject',
             'art49_public_interest', 'art49_legal_claims', 'art49_vital_interests', 'art49_public_register',
             'art49_compelling_interests')
REGIONS = ('none', 'eea', 'eu')


def _mechanisms(batch, values: tuple[str, ...]) -> None:
    batch.drop_constraint(op.f('ck_transfers_transfermechanism'), type_='check')
    batch.create_check_constraint(op.f('ck_transfers_transfermechanism'), sa.column('mechanism').in_(values))


def upgrade():
    with op.batch_alter_table('transfers') as batch:
        batch.add_column(sa.Column('region', sa.String(length=40), server_default='none', nullable=False))
        batch.create_check_constraint(op.f('ck_transfers_region'), sa.column('region').in_(REGIONS))
        _mechanisms(batch, NEW)


def downgrade():
    op.execute("UPDATE transfers SET mechanism = 'art49_exception' WHERE mechanism LIKE 'art49_%'")
    with op.batch_alter_table('transfers') as batch:
        _mechanisms(batch, OLD)
        batch.drop_constraint(op.f('ck_transfers_region'), type_='check')
        batch.drop_column('region')
