"""Payouts keep their mint's decimals, so pages show token units without asking the chain

Revision ID: 0007_payout_decimals
Revises: 0006_staking
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007_payout_decimals'
down_revision = '0006_staking'
branch_labels = None
depends_on = None

NATIVE_SOL = 'So11111111111111111111111111111111111111112'


def upgrade():
    op.add_column('payouts', sa.Column('decimals', sa.SmallInteger(), nullable=True))
    # Rows asked for before: SOL has 9 decimals; tracked tokens have theirs in the tokens table.
    op.execute(f"UPDATE payouts SET decimals = 9 WHERE mint = '{NATIVE_SOL}'")
    op.execute("UPDATE payouts SET decimals = tokens.decimals FROM tokens WHERE tokens.mint = payouts.mint")


def downgrade():
    op.drop_column('payouts', 'decimals')
