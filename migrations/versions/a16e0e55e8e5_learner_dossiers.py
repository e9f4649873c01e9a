"""quality: learner dossiers

Revision ID: a16e0e55e8e5
Revises: a16d0d55e8d4
Create Date: 2026-12-05 16:09:13.820817

The builds of the learners' dossiers (``learner_dossiers``): one row per build of one learner's
archive in one cohort, its version, state, and the stored ZIP's key, SHA-256 and size once ready;
at most one build under way per learner and cohort (a partial unique index). No existing row
changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a16e0e55e8e5"
down_revision = "a16d0d55e8d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "learner_dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "building",
                "ready",
                "failed",
                name="dossier_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("storage_key", sa.String(length=32), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state <> 'failed' OR (error <> '' AND finished_at IS NOT NULL)",
            name=op.f("ck_learner_dossiers_failure_explained"),
        ),
        sa.CheckConstraint(
            "state <> 'ready' OR (storage_key IS NOT NULL AND sha256 IS NOT NULL AND size IS NOT NULL AND finished_at IS NOT NULL)",
            name=op.f("ck_learner_dossiers_ready_recorded"),
        ),
        sa.CheckConstraint(
            "state = 'ready' OR (storage_key IS NULL AND sha256 IS NULL AND size IS NULL)",
            name=op.f("ck_learner_dossiers_archive_only_when_ready"),
        ),
        sa.CheckConstraint(
            "size IS NULL OR size > 0", name=op.f("ck_learner_dossiers_size_positive")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_learner_dossiers_version_positive")),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_learner_dossiers_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_learner_dossiers_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_learner_dossiers_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_dossiers")),
        sa.UniqueConstraint(
            "learner_id",
            "cohort_id",
            "version",
            name=op.f("uq_learner_dossiers_learner_id_cohort_id_version"),
        ),
        sa.UniqueConstraint("storage_key", name=op.f("uq_learner_dossiers_storage_key")),
    )
    with op.batch_alter_table("learner_dossiers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learner_dossiers_cohort_learner", ["cohort_id", "learner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_learner_dossiers_learner_id"), ["learner_id"], unique=False
        )
        batch_op.create_index(
            "uq_learner_dossiers_live",
            ["learner_id", "cohort_id"],
            unique=True,
            sqlite_where=sa.text("state IN ('queued', 'building')"),
            postgresql_where=sa.text("state IN ('queued', 'building')"),
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("learner_dossiers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_learner_dossiers_live",
            sqlite_where=sa.text("state IN ('queued', 'building')"),
            postgresql_where=sa.text("state IN ('queued', 'building')"),
        )
        batch_op.drop_index(batch_op.f("ix_learner_dossiers_learner_id"))
        batch_op.drop_index("ix_learner_dossiers_cohort_learner")

    op.drop_table("learner_dossiers")
