"""Many members quote one token at once: one live quote per member and mint, not one open order per mint

Revision ID: 0009_member_quotes
Revises: 0008_token_images
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_member_quotes'
down_revision = '0008_token_images'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('trade_orders', schema=None) as batch_op:
        batch_op.drop_index('one_open_order_per_mint',
                            postgresql_where=sa.text("status IN ('awaiting_signature', 'sent')"))
        batch_op.create_index('one_live_quote_per_member', ['mint', 'user_id'], unique=True,
                              postgresql_where=sa.text("status = 'awaiting_signature'"))


def downgrade():
    # several open orders per mint cannot fit the old index: close all but the newest of each mint first
    op.execute("UPDATE trade_orders SET status = 'expired', error = 'closed by a downgrade' "
               "WHERE status = 'awaiting_signature' AND id NOT IN (SELECT max(id) FROM trade_orders "
               "WHERE status IN ('awaiting_signature', 'sent') GROUP BY mint)")
    with op.batch_alter_table('trade_orders', schema=None) as batch_op:
        batch_op.drop_index('one_live_quote_per_member', postgresql_where=sa.text("status = 'awaiting_signature'"))
        batch_op.create_index('one_open_order_per_mint', ['mint'], unique=True,
                              postgresql_where=sa.text("status IN ('awaiting_signature', 'sent')"))
