"""findings kept fresh off the request path

Stored findings indexed by entity, rule and severity (pages read them by query); the routes out of the UK stored with
them; the findings state's audit count (writes since) and its refresh lease (one refresh at a time across workers).

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-07 03:30:52.359714

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity', sa.Text(), nullable=False),
    sa.Column('activity_name', sa.Text(), nullable=False),
    sa.Column('categories', sa.Text(), nullable=False),
    sa.Column('special_categories', sa.Text(), nullable=False),
    sa.Column('subjects', sa.Text(), nullable=False),
    sa.Column('via', sa.Text(), nullable=False),
    sa.Column('destination', sa.Text(), nullable=False),
    sa.Column('destination_label', sa.Text(), nullable=False),
    sa.Column('transfer_status', sa.Text(), nullable=False),
    sa.Column('mechanism', sa.Text(), nullable=False),
    sa.Column('tra_date', sa.Text(), nullable=True),
    sa.Column('transfer', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('certification', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_routes'))
    )
    with op.batch_alter_table('stored_routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_routes_activity'), ['activity'], unique=False)

    with op.batch_alter_table('findings_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('refresh_owner', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('refresh_until', sa.DateTime(), nullable=True))

    with op.batch_alter_table('stored_findings', schema=None) as batch_op:
        batch_op.create_index('ix_stored_findings_entity', ['entity_type', 'entity_ref'], unique=False)
        batch_op.create_index('ix_stored_findings_rule', ['rule', 'severity'], unique=False)
        batch_op.create_index('ix_stored_findings_severity', ['severity'], unique=False)



def downgrade():
    with op.batch_alter_table('stored_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_stored_findings_severity')
        batch_op.drop_index('ix_stored_findings_rule')
        batch_op.drop_index('ix_stored_findings_entity')

    with op.batch_alter_table('findings_state', schema=None) as batch_op:
        batch_op.drop_column('refresh_until')
        batch_op.drop_column('refresh_owner')
        batch_op.drop_column('audit_count')

    with op.batch_alter_table('stored_routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_routes_activity'))

    op.drop_table('stored_routes')
