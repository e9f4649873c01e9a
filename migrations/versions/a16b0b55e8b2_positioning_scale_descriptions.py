"""positioning: the scale's descriptors, and a version for each positioning

Revision ID: a16b0b55e8b2
Revises: a16a0a55e8a1
Create Date: 2026-12-05 16:08:47.041157

``proficiency_levels.description``: what each step of a path's proficiency scale means, which
a learner reads to position themselves (``[[scale]] description`` in the definition file;
existing levels get an empty one). ``positionings.version_id``: the optimistic lock that refuses
the second of two trainers reviewing the same positioning at once (existing rows start at 1).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a16b0b55e8b2"
down_revision = "a16a0a55e8a1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("positionings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version_id", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("proficiency_levels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("positionings", schema=None) as batch_op:
        batch_op.alter_column("version_id", server_default=None)
    with op.batch_alter_table("proficiency_levels", schema=None) as batch_op:
        batch_op.alter_column("description", server_default=None)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("proficiency_levels", schema=None) as batch_op:
        batch_op.drop_column("description")
    with op.batch_alter_table("positionings", schema=None) as batch_op:
        batch_op.drop_column("version_id")
