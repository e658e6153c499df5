"""review campaigns: the DPO asks every owner to confirm or update their activities by a date

A campaign has a name, a due date and a scope (every service, or some); an item per activity in scope records the
activity's version when the campaign began and who reviewed it when (confirmed unchanged, or updated).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:39:36.064812

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('all_services', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('completed_by', sa.String(length=320), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('snapshot_label', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_campaigns')),
    sa.UniqueConstraint('name', name=op.f('uq_review_campaigns_name'))
    )
    op.create_table('review_campaign_services',
    sa.Column('review_campaigns_id', sa.Integer(), nullable=False),
    sa.Column('services_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_campaigns_id'], ['review_campaigns.id'], name=op.f('fk_review_campaign_services_review_campaigns_id_review_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['services_id'], ['services.id'], name=op.f('fk_review_campaign_services_services_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_campaigns_id', 'services_id', name=op.f('pk_review_campaign_services'))
    )
    op.create_table('review_items',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('start_version', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('pending', 'confirmed', 'updated', name='reviewoutcome', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('reviewed_by', sa.String(length=320), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_review_items_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['review_campaigns.id'], name=op.f('fk_review_items_campaign_id_review_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'activity_id', name=op.f('pk_review_items'))
    )


def downgrade():
    op.drop_table('review_items')
    op.drop_table('review_campaign_services')
    op.drop_table('review_campaigns')
