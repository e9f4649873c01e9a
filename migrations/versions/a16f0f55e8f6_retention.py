"""retention: a cohort's own evidence period, and submissions erased by the purge

Revision ID: a16f0f55e8f6
Revises: a16e0e55e8e5
Create Date: 2026-12-05 16:10:00.000000

``cohorts.evidence_retention_years`` keeps a cohort's evidence until 31 December of its end's
year plus that many years when it differs from the setting (10 with EU funds or when the
convention says so), between 1 and 50 (``ck_cohorts_evidence_retention_years_range``); None
follows ``RETENTION_EVIDENCE_YEARS``. ``submissions.purged_at`` says when ``lms purge`` erased a
submission's text and files (``lms.quality.retention``); its grade stays.

Both columns are added in place, never by rebuilding the table: on SQLite a rebuild drops the
old table, and with foreign keys on, dropping ``cohorts`` or ``submissions`` would delete (or
refuse to delete) the memberships, grades and certificates that refer to them. SQLite takes the
check as a column constraint of ``ADD COLUMN`` and drops the column with ``DROP COLUMN``
(SQLite 3.35 or later).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a16f0f55e8f6"
down_revision = "a16e0e55e8e5"
branch_labels = None
depends_on = None

CHECK = "ck_cohorts_evidence_retention_years_range"
RANGE = "evidence_retention_years IS NULL OR evidence_retention_years BETWEEN 1 AND 50"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    """Apply this revision."""
    if _sqlite():
        op.execute(
            f"ALTER TABLE cohorts ADD COLUMN evidence_retention_years INTEGER"
            f" CONSTRAINT {CHECK} CHECK ({RANGE})"
        )
        op.execute("ALTER TABLE submissions ADD COLUMN purged_at DATETIME")
        return
    op.add_column("cohorts", sa.Column("evidence_retention_years", sa.Integer(), nullable=True))
    op.create_check_constraint(op.f(CHECK), "cohorts", RANGE)
    op.add_column("submissions", sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    if _sqlite():
        op.execute("ALTER TABLE submissions DROP COLUMN purged_at")
        op.execute("ALTER TABLE cohorts DROP COLUMN evidence_retention_years")
        return
    op.drop_column("submissions", "purged_at")
    op.drop_constraint(op.f(CHECK), "cohorts", type_="check")
    op.drop_column("cohorts", "evidence_retention_years")
