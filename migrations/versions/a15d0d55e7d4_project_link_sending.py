"""project links: when each single-use link of a later ex post evaluation was sent

Revision ID: a15d0d55e7d4
Revises: a15a0a55e7a1
Create Date: 2026-12-05 14:00:00.000000

``project_invitations.sent_at`` says when the link left by e-mail. A link planned for the date of
the later ex post evaluation is a row without it: ``lms send-project-invitations`` claims it
(``UPDATE … WHERE sent_at IS NULL``), gives it its token and sends it, once. A link is used only
after it was sent (``ck_project_invitations_used_after_sent``). Existing links were sent when
they were created.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a15d0d55e7d4"
down_revision = "a15a0a55e7a1"
branch_labels = None
depends_on = None

USED_AFTER_SENT = "ck_project_invitations_used_after_sent"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("project_invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE project_invitations SET sent_at = created_at")
    with op.batch_alter_table("project_invitations", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f(USED_AFTER_SENT), "used_at IS NULL OR sent_at IS NOT NULL"
        )


def downgrade() -> None:
    """Revert this revision: links planned and not sent yet are deleted."""
    op.execute("DELETE FROM project_invitations WHERE sent_at IS NULL")
    with op.batch_alter_table("project_invitations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(USED_AFTER_SENT), type_="check")
        batch_op.drop_column("sent_at")
