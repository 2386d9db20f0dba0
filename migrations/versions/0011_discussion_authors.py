"""Discussions by author: the feed finds comments on the threads a member started without a scan

Revision ID: 0011_discussion_authors
Revises: 0010_community
Create Date: 2026-12-06

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_discussion_authors'
down_revision = '0010_community'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('discussions', schema=None) as batch_op:
        batch_op.create_index('ix_discussions_author', ['author_id'], unique=False)


def downgrade():
    with op.batch_alter_table('discussions', schema=None) as batch_op:
        batch_op.drop_index('ix_discussions_author')
