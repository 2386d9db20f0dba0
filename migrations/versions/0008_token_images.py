"""Token pictures uploaded with launch applications, re-encoded and kept in PostgreSQL

Revision ID: 0008_token_images
Revises: 0007_payout_decimals
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0008_token_images'
down_revision = '0007_payout_decimals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'token_images',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_token_images')),
    )
    op.add_column('launch_applications', sa.Column('image_digest', sa.String(length=64), nullable=True))
    op.create_foreign_key(op.f('fk_launch_applications_image_digest_token_images'), 'launch_applications',
                          'token_images', ['image_digest'], ['digest'])
    op.add_column('tokens', sa.Column('image_digest', sa.String(length=64), nullable=True))
    op.create_foreign_key(op.f('fk_tokens_image_digest_token_images'), 'tokens', 'token_images',
                          ['image_digest'], ['digest'])


def downgrade():
    op.drop_constraint(op.f('fk_tokens_image_digest_token_images'), 'tokens', type_='foreignkey')
    op.drop_column('tokens', 'image_digest')
    op.drop_constraint(op.f('fk_launch_applications_image_digest_token_images'), 'launch_applications',
                       type_='foreignkey')
    op.drop_column('launch_applications', 'image_digest')
    op.drop_table('token_images')
