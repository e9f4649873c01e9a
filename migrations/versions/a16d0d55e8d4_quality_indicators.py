"""quality indicators: learners' withdrawals and the published indicators

Revision ID: a16d0d55e8d4
Revises: a16b0b55e8b2
Create Date: 2026-12-05 16:09:32.925234

A learner's withdrawal (« abandon ») from a cohort, one per membership, with its date and reason
(``learner_withdrawals``), which the dropout indicator counts; and the indicators the organisation
publishes per path code and calendar year (``published_indicators``). No existing row changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a16d0d55e8d4"
down_revision = "a16b0b55e8b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "published_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_code", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "year BETWEEN 2000 AND 2100", name=op.f("ck_published_indicators_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_published_indicators_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_indicators")),
        sa.UniqueConstraint(
            "path_code",
            "year",
            "indicator",
            name=op.f("uq_published_indicators_path_code_year_indicator"),
        ),
    )
    op.create_table(
        "learner_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(trim(reason)) > 0", name=op.f("ck_learner_withdrawals_reason_given")
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_learner_withdrawals_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_learner_withdrawals_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_withdrawals")),
        sa.UniqueConstraint("membership_id", name=op.f("uq_learner_withdrawals_membership_id")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("learner_withdrawals")
    op.drop_table("published_indicators")
