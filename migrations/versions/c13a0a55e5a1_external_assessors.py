"""external assessors: a cohort role with an end date

Revision ID: c13a0a55e5a1
Revises: d2bd52b1470a
Create Date: 2026-12-01 09:00:00.000000

``memberships.role`` accepts "assessor" (the column widens from 7 to 8 characters, the length
``enum_column_type`` gives the longest value) and ``memberships.access_ends_on`` holds the last day
of an assessor's access; ``ck_memberships_assessor_has_end_date`` requires it of assessors and
refuses it to the other roles. The downgrade deletes the assessor memberships first.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c13a0a55e5a1"
down_revision = "d2bd52b1470a"
branch_labels = None
depends_on = None

ROLE_CHECK = "ck_memberships_membership_role"
END_DATE_CHECK = "ck_memberships_assessor_has_end_date"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_ends_on", sa.Date(), nullable=True))
        batch_op.drop_constraint(op.f(ROLE_CHECK), type_="check")
        batch_op.alter_column(
            "role", existing_type=sa.String(length=7), type_=sa.String(length=8), nullable=False
        )
        batch_op.create_check_constraint(
            op.f(ROLE_CHECK), "role IN ('learner', 'trainer', 'assessor')"
        )
        batch_op.create_check_constraint(
            op.f(END_DATE_CHECK), "(role = 'assessor') = (access_ends_on IS NOT NULL)"
        )


def downgrade() -> None:
    """Revert this revision: the assessors lose their memberships."""
    op.execute("DELETE FROM memberships WHERE role = 'assessor'")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(END_DATE_CHECK), type_="check")
        batch_op.drop_constraint(op.f(ROLE_CHECK), type_="check")
        batch_op.alter_column(
            "role", existing_type=sa.String(length=8), type_=sa.String(length=7), nullable=False
        )
        batch_op.create_check_constraint(op.f(ROLE_CHECK), "role IN ('learner', 'trainer')")
        batch_op.drop_column("access_ends_on")
