"""retention: a cohort's own evidence period, and submissions erased by the purge

Revision ID: a16f0f55e8f6
Revises: a16a0a55e8a1
Create Date: 2026-12-05 16:10:00.000000

``cohorts.evidence_retention_years`` keeps a cohort's evidence until 31 December of its end's
year plus that many years when it differs from the setting (10 with EU funds or when the
convention says so), between 1 and 50 (``ck_cohorts_evidence_retention_years_range``); None
follows ``RETENTION_EVIDENCE_YEARS``. ``submissions.purged_at`` says when ``lms purge`` erased a
submission's text and files (``lms.quality.retention``); its grade stays.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a16f0f55e8f6"
down_revision = "a16a0a55e8a1"
branch_labels = None
depends_on = None

RANGE = "evidence_retention_years IS NULL OR evidence_retention_years BETWEEN 1 AND 50"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence_retention_years", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("evidence_retention_years_range", RANGE)
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cohorts_evidence_retention_years_range"), type_="check")
        batch_op.drop_column("evidence_retention_years")
