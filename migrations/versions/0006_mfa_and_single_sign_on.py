"""multi-factor authentication and single sign-on

A user may have a TOTP secret (encrypted), the last time step accepted (no replay) and one-time recovery codes
(hashed); a user who signs in through OpenID Connect is known by the issuer and subject of their identity.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('totp_secret', sa.String(length=300), nullable=True))
        batch.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('mfa_enabled_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('oidc_issuer', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch.create_unique_constraint('uq_users_oidc_identity', ['oidc_issuer', 'oidc_subject'])
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=200), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint('uq_users_oidc_identity', type_='unique')
        for column in ('oidc_subject', 'oidc_issuer', 'mfa_enabled_at', 'totp_last_step', 'totp_secret'):
            batch.drop_column(column)
