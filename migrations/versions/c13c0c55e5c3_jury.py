"""The certification jury: the path's jury rules, jury sessions, members, votes, recusals and
minutes; a decision may come from a jury and validate some blocks only (outcome ``partial``).

Revision ID: c13c0c55e5c3
Revises: d2bd52b1470a
Create Date: 2026-12-05 07:10:33.525118
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c13c0c55e5c3"
down_revision = "c13b0b55e5b2"
branch_labels = None
depends_on = None

OUTCOMES = "outcome IN (%s)"
PARTIAL = (
    "(outcome = 'partial' AND length(validated_blocks) > 0)"
    " OR (outcome <> 'partial' AND validated_blocks = '')"
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "path_juries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("min_external_share", sa.Integer(), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column(
            "majority",
            sa.Enum(
                "simple",
                "two_thirds",
                name="jury_majority",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("seats", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "min_external_share >= 0 AND min_external_share <= 100",
            name=op.f("ck_path_juries_share_is_percent"),
        ),
        sa.CheckConstraint(
            "quorum >= 1 AND quorum <= size", name=op.f("ck_path_juries_quorum_within_size")
        ),
        sa.CheckConstraint("size >= 2", name=op.f("ck_path_juries_collegial")),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_path_juries_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_path_juries")),
        sa.UniqueConstraint("path_id", name=op.f("uq_path_juries_path_id")),
        info={"path_definition": True},
    )
    op.create_table(
        "juries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("is_remote", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "open",
                "closed",
                name="jury_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state <> 'closed' OR closed_at IS NOT NULL", name=op.f("ck_juries_closed_has_date")
        ),
        sa.CheckConstraint(
            "state = 'draft' OR opened_at IS NOT NULL", name=op.f("ck_juries_opened_has_date")
        ),
        sa.CheckConstraint(
            "is_remote OR length(trim(place)) > 0", name=op.f("ck_juries_place_or_remote")
        ),
        sa.CheckConstraint(
            "reopened_at IS NULL OR length(trim(reopen_reason)) > 0",
            name=op.f("ck_juries_reopen_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["users.id"],
            name=op.f("fk_juries_closed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_juries_cohort_id_cohorts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reopened_by_id"],
            ["users.id"],
            name=op.f("fk_juries_reopened_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_juries")),
    )
    with op.batch_alter_table("juries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_juries_cohort_id"), ["cohort_id"], unique=False)

    op.create_table(
        "jury_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jury_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seat", sa.String(length=40), nullable=False),
        sa.Column("is_external", sa.Boolean(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("is_president", sa.Boolean(), nullable=False),
        sa.Column("access_ends_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jury_id"],
            ["juries.id"],
            name=op.f("fk_jury_members_jury_id_juries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_jury_members_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jury_members")),
        sa.UniqueConstraint("jury_id", "user_id", name=op.f("uq_jury_members_jury_id_user_id")),
    )
    with op.batch_alter_table("jury_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jury_members_jury_id"), ["jury_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jury_members_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_jury_members_president",
            ["jury_id"],
            unique=True,
            sqlite_where=sa.text("is_president"),
            postgresql_where=sa.text("is_president"),
        )

    op.create_table(
        "jury_minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jury_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["jury_id"],
            ["juries.id"],
            name=op.f("fk_jury_minutes_jury_id_juries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jury_minutes")),
        sa.UniqueConstraint("jury_id", "version", name=op.f("uq_jury_minutes_jury_id_version")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_jury_minutes_storage_key")),
    )
    with op.batch_alter_table("jury_minutes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jury_minutes_jury_id"), ["jury_id"], unique=False)

    op.create_table(
        "jury_recusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jury_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "trained",
                "marked",
                name="recusal_reason",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["jury_id"],
            ["juries.id"],
            name=op.f("fk_jury_recusals_jury_id_juries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_jury_recusals_learner_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["jury_members.id"],
            name=op.f("fk_jury_recusals_member_id_jury_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jury_recusals")),
        sa.UniqueConstraint(
            "jury_id",
            "member_id",
            "learner_id",
            name=op.f("uq_jury_recusals_jury_id_member_id_learner_id"),
        ),
    )
    with op.batch_alter_table("jury_recusals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jury_recusals_jury_id"), ["jury_id"], unique=False)

    op.create_table(
        "jury_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jury_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column(
            "proposal",
            sa.Enum(
                "award_path",
                "award_blocks",
                "defer",
                "refuse",
                name="jury_proposal",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("blocks", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("recommendations", sa.Text(), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(proposal = 'award_blocks' AND length(blocks) > 0) OR (proposal <> 'award_blocks' AND blocks = '')",
            name=op.f("ck_jury_votes_blocks_match_proposal"),
        ),
        sa.ForeignKeyConstraint(
            ["jury_id"],
            ["juries.id"],
            name=op.f("fk_jury_votes_jury_id_juries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_jury_votes_learner_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["jury_members.id"],
            name=op.f("fk_jury_votes_member_id_jury_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jury_votes")),
        sa.UniqueConstraint(
            "jury_id",
            "member_id",
            "learner_id",
            name=op.f("uq_jury_votes_jury_id_member_id_learner_id"),
        ),
    )
    with op.batch_alter_table("jury_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jury_votes_jury_id"), ["jury_id"], unique=False)

    with op.batch_alter_table("certification_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jury_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("validated_blocks", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.create_index(
            batch_op.f("ix_certification_decisions_jury_id"), ["jury_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_certification_decisions_jury_id_juries"),
            "juries",
            ["jury_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.drop_constraint(op.f("ck_certification_decisions_decision_outcome"), type_="check")
        batch_op.create_check_constraint(
            "decision_outcome", OUTCOMES % "'awarded', 'partial', 'deferred', 'refused'"
        )
        batch_op.create_check_constraint("partial_names_blocks", PARTIAL)
    with op.batch_alter_table("certification_decisions", schema=None) as batch_op:
        batch_op.alter_column("validated_blocks", server_default=None)


def downgrade() -> None:
    """Revert this revision."""
    op.execute(
        "DELETE FROM certification_decisions WHERE outcome = 'partial' OR jury_id IS NOT NULL"
    )
    with op.batch_alter_table("certification_decisions", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_certification_decisions_partial_names_blocks"), type_="check"
        )
        batch_op.drop_constraint(op.f("ck_certification_decisions_decision_outcome"), type_="check")
        batch_op.create_check_constraint(
            "decision_outcome", OUTCOMES % "'awarded', 'deferred', 'refused'"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_certification_decisions_jury_id_juries"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_certification_decisions_jury_id"))
        batch_op.drop_column("validated_blocks")
        batch_op.drop_column("jury_id")

    with op.batch_alter_table("jury_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jury_votes_jury_id"))

    op.drop_table("jury_votes")
    with op.batch_alter_table("jury_recusals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jury_recusals_jury_id"))

    op.drop_table("jury_recusals")
    with op.batch_alter_table("jury_minutes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jury_minutes_jury_id"))

    op.drop_table("jury_minutes")
    with op.batch_alter_table("jury_members", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_jury_members_president",
            sqlite_where=sa.text("is_president"),
            postgresql_where=sa.text("is_president"),
        )
        batch_op.drop_index(batch_op.f("ix_jury_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_jury_members_jury_id"))

    op.drop_table("jury_members")
    with op.batch_alter_table("juries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_juries_cohort_id"))

    op.drop_table("juries")
    op.drop_table("path_juries")
