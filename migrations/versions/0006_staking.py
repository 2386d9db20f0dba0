"""Staking and community funds: deposits members sign, positions, and unstakes paid by the payout engine

Revision ID: 0006_staking
Revises: 0005_trading
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006_staking'
down_revision = '0005_trading'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stake_deposits',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('mint', sa.String(length=44), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('wallet', sa.String(length=44), nullable=False),
    sa.Column('wallet_name', sa.String(length=48), nullable=False),
    sa.Column('amount', sa.Numeric(precision=39, scale=0), nullable=False),
    sa.Column('message', sa.LargeBinary(), nullable=False),
    sa.Column('last_valid_block_height', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signature', sa.String(length=88), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('stake', 'fund')", name=op.f('ck_stake_deposits_kind_known')),
    sa.CheckConstraint("status IN ('awaiting_signature', 'sent', 'confirmed', 'expired', 'failed')",
                       name=op.f('ck_stake_deposits_status_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_stake_deposits_amount_positive')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stake_deposits_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stake_deposits')),
    sa.UniqueConstraint('signature', name=op.f('uq_stake_deposits_signature'))
    )
    with op.batch_alter_table('stake_deposits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stake_deposits_mint'), ['mint'], unique=False)
        batch_op.create_index(batch_op.f('ix_stake_deposits_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_stake_deposits_open', ['status'], unique=False,
                              postgresql_where=sa.text("status IN ('awaiting_signature', 'sent')"))

    op.create_table('stake_positions',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('mint', sa.String(length=44), nullable=False),
    sa.Column('wallet', sa.String(length=44), nullable=False),
    sa.Column('amount', sa.Numeric(precision=39, scale=0), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_stake_positions_amount_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stake_positions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stake_positions')),
    sa.UniqueConstraint('user_id', 'mint', name='one_position_per_member_and_mint')
    )
    with op.batch_alter_table('stake_positions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stake_positions_mint'), ['mint'], unique=False)

    op.create_table('stake_withdrawals',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('mint', sa.String(length=44), nullable=False),
    sa.Column('wallet', sa.String(length=44), nullable=False),
    sa.Column('amount', sa.Numeric(precision=39, scale=0), nullable=False),
    sa.Column('payout_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_stake_withdrawals_amount_positive')),
    sa.ForeignKeyConstraint(['payout_id'], ['payouts.id'], name=op.f('fk_stake_withdrawals_payout_id_payouts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stake_withdrawals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stake_withdrawals')),
    sa.UniqueConstraint('payout_id', name=op.f('uq_stake_withdrawals_payout_id'))
    )
    with op.batch_alter_table('stake_withdrawals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stake_withdrawals_mint'), ['mint'], unique=False)
        batch_op.create_index(batch_op.f('ix_stake_withdrawals_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stake_withdrawals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stake_withdrawals_user_id'))
        batch_op.drop_index(batch_op.f('ix_stake_withdrawals_mint'))
    op.drop_table('stake_withdrawals')
    with op.batch_alter_table('stake_positions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stake_positions_mint'))
    op.drop_table('stake_positions')
    with op.batch_alter_table('stake_deposits', schema=None) as batch_op:
        batch_op.drop_index('ix_stake_deposits_open', postgresql_where=sa.text("status IN ('awaiting_signature', 'sent')"))
        batch_op.drop_index(batch_op.f('ix_stake_deposits_user_id'))
        batch_op.drop_index(batch_op.f('ix_stake_deposits_mint'))
    op.drop_table('stake_deposits')
