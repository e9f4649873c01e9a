"""Double marking: markings of a work feeding its final grade, and the assessments' settings.

Revision ID: c13b0b55e5b2
Revises: c13a0a55e5a1
Create Date: 2026-12-05 07:09:47.398827
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c13b0b55e5b2"
down_revision = "c13a0a55e5a1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "markings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grade_id", sa.Integer(), nullable=False),
        sa.Column("marker_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "first",
                "second",
                "third",
                name="marking_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "pool",
            sa.Enum(
                "trainer", "external", name="marker_pool", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "allocated",
                "in_progress",
                "submitted",
                name="marking_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("allocated_by_id", sa.Integer(), nullable=True),
        sa.Column("allocated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state <> 'submitted' OR (submitted_at IS NOT NULL AND score IS NOT NULL)",
            name=op.f("ck_markings_submitted_is_scored"),
        ),
        sa.CheckConstraint(
            "score IS NULL OR score >= 0", name=op.f("ck_markings_score_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["allocated_by_id"],
            ["users.id"],
            name=op.f("fk_markings_allocated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grade_id"],
            ["grades.id"],
            name=op.f("fk_markings_grade_id_grades"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marker_id"],
            ["users.id"],
            name=op.f("fk_markings_marker_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_markings")),
        sa.UniqueConstraint("grade_id", "marker_id", name=op.f("uq_markings_grade_id_marker_id")),
        sa.UniqueConstraint("grade_id", "role", name=op.f("uq_markings_grade_id_role")),
    )
    with op.batch_alter_table("markings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_markings_grade_id"), ["grade_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_markings_marker_id"), ["marker_id"], unique=False)

    op.create_table(
        "marking_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.Column("settles", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "NOT settles OR (reason IS NOT NULL AND length(reason) > 0)",
            name=op.f("ck_marking_choices_settled_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criteria.id"],
            name=op.f("fk_marking_choices_criterion_id_criteria"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["level_id", "criterion_id"],
            ["rubric_levels.id", "rubric_levels.criterion_id"],
            name=op.f("fk_marking_choices_level_id_rubric_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["marking_id"],
            ["markings.id"],
            name=op.f("fk_marking_choices_marking_id_markings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_choices")),
        sa.UniqueConstraint(
            "marking_id", "criterion_id", name=op.f("uq_marking_choices_marking_id_criterion_id")
        ),
    )
    with op.batch_alter_table("marking_choices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marking_choices_criterion_id"), ["criterion_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_marking_choices_level_id"), ["level_id"], unique=False)

    # Enum columns as text with their named CHECK (added explicitly: ADD COLUMN would not).
    pools = "('trainer', 'external')"
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        for column in ("first_marker_pool", "second_marker_pool"):
            batch_op.add_column(sa.Column(column, sa.String(8), nullable=True))
        batch_op.add_column(sa.Column("marking_tolerance", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("marking_agreement", sa.String(6), nullable=True))
        batch_op.add_column(sa.Column("third_reader_pool", sa.String(8), nullable=True))
        for column in ("first_marker_pool", "second_marker_pool", "third_reader_pool"):
            batch_op.create_check_constraint(
                op.f(f"ck_assessments_{column}"), f"{column} IN {pools}"
            )
        batch_op.create_check_constraint(
            op.f("ck_assessments_marking_agreement"),
            "marking_agreement IN ('lower', 'higher', 'mean')",
        )
        batch_op.create_check_constraint(
            op.f("ck_assessments_marking_settings"),
            "(first_marker_pool IS NULL AND second_marker_pool IS NULL"
            " AND marking_tolerance IS NULL AND marking_agreement IS NULL"
            " AND third_reader_pool IS NULL)"
            " OR (kind <> 'quiz' AND first_marker_pool IS NOT NULL AND marking_tolerance >= 0"
            " AND marking_agreement IS NOT NULL AND third_reader_pool IS NOT NULL)",
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        for name in (
            "marking_settings",
            "marking_agreement",
            "third_reader_pool",
            "second_marker_pool",
            "first_marker_pool",
        ):
            batch_op.drop_constraint(op.f(f"ck_assessments_{name}"), type_="check")
        for column in (
            "third_reader_pool",
            "marking_agreement",
            "marking_tolerance",
            "second_marker_pool",
            "first_marker_pool",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("marking_choices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marking_choices_level_id"))
        batch_op.drop_index(batch_op.f("ix_marking_choices_criterion_id"))

    op.drop_table("marking_choices")
    with op.batch_alter_table("markings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_markings_marker_id"))
        batch_op.drop_index(batch_op.f("ix_markings_grade_id"))

    op.drop_table("markings")
