"""quality: positioning and satisfaction surveys

Revision ID: a16a0a55e8a1
Revises: a15d0d55e7d4
Create Date: 2026-12-05 16:05:02.612950

The entry positioning (``path_positionings`` from the definition file, then ``positionings`` and
``positioning_levels`` per learner and cohort) and the satisfaction surveys (``surveys`` and
``survey_questions`` from the definition file; ``survey_campaigns``, ``survey_participations``,
``survey_responses`` and ``survey_answers`` as they are put and answered). No existing row changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a16a0a55e8a1"
down_revision = "a15d0d55e7d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "path_positionings",
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("entry_quiz_code", sa.String(length=20), nullable=True),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_path_positionings_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("path_id", name=op.f("pk_path_positionings")),
        info={"path_definition": True},
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "module_hot",
                "path_hot",
                "path_cold",
                "funder",
                name="survey_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("introduction", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("delay_days", sa.Integer(), nullable=True),
        sa.Column("scale_labels", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'path_cold') = (delay_days IS NOT NULL)",
            name=op.f("ck_surveys_delay_for_cold_surveys"),
        ),
        sa.CheckConstraint(
            "delay_days IS NULL OR delay_days BETWEEN 1 AND 730",
            name=op.f("ck_surveys_delay_range"),
        ),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_surveys_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("path_id", "code", name=op.f("uq_surveys_path_id_code")),
        info={"path_definition": True},
    )
    op.create_table(
        "positionings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("self_assessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("adjustments", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_positionings_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_positionings_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_positionings_reviewed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positionings")),
        sa.UniqueConstraint(
            "cohort_id", "learner_id", name=op.f("uq_positionings_cohort_id_learner_id")
        ),
    )
    with op.batch_alter_table("positionings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_positionings_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "survey_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "closes_at > opens_at", name=op.f("ck_survey_campaigns_closes_after_opening")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_survey_campaigns_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_survey_campaigns_module_id_modules"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_campaigns_survey_id_surveys"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_campaigns")),
    )
    with op.batch_alter_table("survey_campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_campaigns_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            "uq_survey_campaigns_module",
            ["survey_id", "cohort_id", "module_id"],
            unique=True,
            sqlite_where=sa.text("module_id IS NOT NULL"),
            postgresql_where=sa.text("module_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_survey_campaigns_path",
            ["survey_id", "cohort_id"],
            unique=True,
            sqlite_where=sa.text("module_id IS NULL"),
            postgresql_where=sa.text("module_id IS NULL"),
        )

    op.create_table(
        "survey_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "scale",
                "choice",
                "text",
                name="survey_question_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_questions_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_questions")),
        sa.UniqueConstraint("survey_id", "code", name=op.f("uq_survey_questions_survey_id_code")),
        sa.UniqueConstraint(
            "survey_id", "position", name=op.f("uq_survey_questions_survey_id_position")
        ),
        info={"path_definition": True},
    )
    op.create_table(
        "positioning_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("positioning_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("self_level", sa.Integer(), nullable=True),
        sa.Column("self_comment", sa.Text(), nullable=False),
        sa.Column("entry_level", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "entry_level IS NULL OR entry_level >= 0",
            name=op.f("ck_positioning_levels_entry_level_not_negative"),
        ),
        sa.CheckConstraint(
            "self_level IS NULL OR self_level >= 0",
            name=op.f("ck_positioning_levels_self_level_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competencies.id"],
            name=op.f("fk_positioning_levels_competency_id_competencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["positioning_id"],
            ["positionings.id"],
            name=op.f("fk_positioning_levels_positioning_id_positionings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positioning_levels")),
        sa.UniqueConstraint(
            "positioning_id",
            "competency_id",
            name=op.f("uq_positioning_levels_positioning_id_competency_id"),
        ),
    )
    with op.batch_alter_table("positioning_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_positioning_levels_positioning_id"), ["positioning_id"], unique=False
        )

    op.create_table(
        "survey_participations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "(learner_id IS NULL) <> (email IS NULL)",
            name=op.f("ck_survey_participations_learner_or_contact"),
        ),
        sa.CheckConstraint(
            "token_sha256 IS NULL OR (email IS NOT NULL AND expires_at IS NOT NULL)",
            name=op.f("ck_survey_participations_links_for_contacts"),
        ),
        sa.CheckConstraint(
            "token_sha256 IS NULL OR length(token_sha256) = 64",
            name=op.f("ck_survey_participations_token_sha256_is_hex_digest"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["survey_campaigns.id"],
            name=op.f("fk_survey_participations_campaign_id_survey_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_survey_participations_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_participations")),
        sa.UniqueConstraint(
            "campaign_id", "email", name=op.f("uq_survey_participations_campaign_id_email")
        ),
        sa.UniqueConstraint(
            "campaign_id",
            "learner_id",
            name=op.f("uq_survey_participations_campaign_id_learner_id"),
        ),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_survey_participations_token_sha256")),
    )
    with op.batch_alter_table("survey_participations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_participations_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_participations_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("participation_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(participation_id IS NULL) = (submitted_at IS NULL)",
            name=op.f("ck_survey_responses_named_with_time"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["survey_campaigns.id"],
            name=op.f("fk_survey_responses_campaign_id_survey_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["survey_participations.id"],
            name=op.f("fk_survey_responses_participation_id_survey_participations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("participation_id", name=op.f("uq_survey_responses_participation_id")),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_responses_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("scale_value", sa.Integer(), nullable=True),
        sa.Column("choice", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN scale_value IS NULL THEN 0 ELSE 1 END) + (CASE WHEN choice IS NULL THEN 0 ELSE 1 END) + (CASE WHEN text IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_survey_answers_one_value"),
        ),
        sa.CheckConstraint(
            "scale_value IS NULL OR scale_value >= 1",
            name=op.f("ck_survey_answers_scale_value_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_questions.id"],
            name=op.f("fk_survey_answers_question_id_survey_questions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_survey_answers_response_id_survey_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
        sa.UniqueConstraint(
            "response_id", "question_id", name=op.f("uq_survey_answers_response_id_question_id")
        ),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_answers_question_id"), ["question_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_answers_response_id"), ["response_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_answers_response_id"))
        batch_op.drop_index(batch_op.f("ix_survey_answers_question_id"))

    op.drop_table("survey_answers")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_responses_campaign_id"))

    op.drop_table("survey_responses")
    with op.batch_alter_table("survey_participations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_participations_learner_id"))
        batch_op.drop_index(batch_op.f("ix_survey_participations_campaign_id"))

    op.drop_table("survey_participations")
    with op.batch_alter_table("positioning_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_positioning_levels_positioning_id"))

    op.drop_table("positioning_levels")
    op.drop_table("survey_questions")
    with op.batch_alter_table("survey_campaigns", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_survey_campaigns_path",
            sqlite_where=sa.text("module_id IS NULL"),
            postgresql_where=sa.text("module_id IS NULL"),
        )
        batch_op.drop_index(
            "uq_survey_campaigns_module",
            sqlite_where=sa.text("module_id IS NOT NULL"),
            postgresql_where=sa.text("module_id IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_survey_campaigns_cohort_id"))

    op.drop_table("survey_campaigns")
    with op.batch_alter_table("positionings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_positionings_learner_id"))

    op.drop_table("positionings")
    op.drop_table("surveys")
    op.drop_table("path_positionings")
