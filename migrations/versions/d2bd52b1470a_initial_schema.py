"""initial schema

Revision ID: d2bd52b1470a
Revises:
Create Date: 2026-11-27 18:05:15.704019
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d2bd52b1470a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "training_paths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("certifier", sa.String(length=200), nullable=False),
        sa.Column(
            "rating_rule",
            sa.Enum(
                "latest",
                "best",
                "mean",
                name="rating_rule",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("definition_sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_training_paths_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_paths")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_training_paths_code_version")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("totp_secret_encrypted", sa.String(length=255), nullable=True),
        sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_last_used_step", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("locale IN ('fr', 'en')", name=op.f("ck_users_locale_known")),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_users_email_lower_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("object_type", sa.String(length=80), nullable=False),
        sa.Column("object_id", sa.String(length=80), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "active",
                "archived",
                name="cohort_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity > 0", name=op.f("ck_cohorts_capacity_positive")
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_cohorts_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_cohorts_path_id_training_paths"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
        sa.UniqueConstraint("name", name=op.f("uq_cohorts_name")),
    )
    op.create_table(
        "competency_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("evaluation", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_competency_blocks_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competency_blocks")),
        sa.UniqueConstraint("path_id", "code", name=op.f("uq_competency_blocks_path_id_code")),
        sa.UniqueConstraint(
            "path_id", "position", name=op.f("uq_competency_blocks_path_id_position")
        ),
    )
    op.create_table(
        "modules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "online",
                "in-person",
                "blended",
                name="module_mode",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.CheckConstraint("hours > 0", name=op.f("ck_modules_hours_positive")),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_modules_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modules")),
        sa.UniqueConstraint("id", "path_id", name=op.f("uq_modules_id_path_id")),
        sa.UniqueConstraint("path_id", "code", name=op.f("uq_modules_path_id_code")),
        sa.UniqueConstraint("path_id", "position", name=op.f("uq_modules_path_id_position")),
    )
    op.create_table(
        "password_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "reset",
                "invitation",
                name="password_token_purpose",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("password_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_tokens_token_hash")),
    )
    with op.batch_alter_table("password_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "proficiency_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.CheckConstraint("value >= 0", name=op.f("ck_proficiency_levels_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_proficiency_levels_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proficiency_levels")),
        sa.UniqueConstraint("path_id", "value", name=op.f("uq_proficiency_levels_path_id_value")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "rubrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_rubrics_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubrics")),
        sa.UniqueConstraint("id", "path_id", name=op.f("uq_rubrics_id_path_id")),
        sa.UniqueConstraint("path_id", "code", name=op.f("uq_rubrics_path_id_code")),
        info={"path_definition": True},
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "quiz",
                "assignment",
                "evaluation",
                name="assessment_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("pass_mark_percent", sa.Integer(), nullable=False),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("due_days", sa.Integer(), nullable=True),
        sa.Column("rubric_id", sa.Integer(), nullable=True),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("shuffle_options", sa.Boolean(), nullable=False),
        sa.Column(
            "review",
            sa.Enum(
                "never",
                "after_submission",
                "after_deadline",
                name="quiz_review",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("accepts_text", sa.Boolean(), nullable=False),
        sa.Column("accepts_files", sa.Boolean(), nullable=False),
        sa.Column("allowed_extensions", sa.String(length=200), nullable=False),
        sa.Column("max_file_mb", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'quiz' AND rubric_id IS NULL) OR (kind <> 'quiz' AND rubric_id IS NOT NULL)",
            name=op.f("ck_assessments_rubric_unless_quiz"),
        ),
        sa.CheckConstraint(
            "kind <> 'assignment' OR accepts_text OR accepts_files",
            name=op.f("ck_assessments_assignment_accepts"),
        ),
        sa.CheckConstraint(
            "time_limit_minutes IS NULL OR (kind = 'quiz' AND time_limit_minutes >= 1)",
            name=op.f("ck_assessments_time_limit_of_quiz"),
        ),
        sa.CheckConstraint(
            "due_days IS NULL OR due_days >= 0", name=op.f("ck_assessments_due_days_not_negative")
        ),
        sa.CheckConstraint(
            "max_attempts IS NULL OR max_attempts >= 1",
            name=op.f("ck_assessments_max_attempts_positive"),
        ),
        sa.CheckConstraint("max_file_mb >= 1", name=op.f("ck_assessments_max_file_mb_positive")),
        sa.CheckConstraint(
            "pass_mark_percent >= 0 AND pass_mark_percent <= 100",
            name=op.f("ck_assessments_pass_mark_percent"),
        ),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_assessments_weight_not_negative")),
        sa.ForeignKeyConstraint(
            ["module_id", "path_id"],
            ["modules.id", "modules.path_id"],
            name=op.f("fk_assessments_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_assessments_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rubric_id", "path_id"],
            ["rubrics.id", "rubrics.path_id"],
            name=op.f("fk_assessments_rubric_id_rubrics"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint(
            "module_id", "position", name=op.f("uq_assessments_module_id_position")
        ),
        sa.UniqueConstraint("path_id", "code", name=op.f("uq_assessments_path_id_code")),
        info={"path_definition": True},
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_module_id"), ["module_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_path_id"), ["path_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_rubric_id"), ["rubric_id"], unique=False)

    op.create_table(
        "certification_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "awarded",
                "deferred",
                "refused",
                name="decision_outcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("is_override", sa.Boolean(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "(outcome = 'awarded' AND NOT is_override) OR length(trim(reason)) > 0",
            name=op.f("ck_certification_decisions_reason_given"),
        ),
        sa.CheckConstraint(
            "outcome = 'awarded' OR NOT is_override",
            name=op.f("ck_certification_decisions_override_awards"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_certification_decisions_cohort_id_cohorts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_certification_decisions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_certification_decisions_learner_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_decisions")),
    )
    with op.batch_alter_table("certification_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_certification_decisions_learner_cohort", ["learner_id", "cohort_id"], unique=False
        )

    op.create_table(
        "competencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("required_level", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "required_level >= 1", name=op.f("ck_competencies_required_level_positive")
        ),
        sa.ForeignKeyConstraint(
            ["block_id"],
            ["competency_blocks.id"],
            name=op.f("fk_competencies_block_id_competency_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competencies")),
        sa.UniqueConstraint("block_id", "code", name=op.f("uq_competencies_block_id_code")),
        sa.UniqueConstraint("block_id", "position", name=op.f("uq_competencies_block_id_position")),
    )
    op.create_table(
        "issuance_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "finished",
                "failed",
                name="batch_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("learner_ids", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "issued + failed <= total", name=op.f("ck_issuance_batches_counts_within_total")
        ),
        sa.CheckConstraint(
            "total >= 0 AND issued >= 0 AND failed >= 0",
            name=op.f("ck_issuance_batches_counts_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_issuance_batches_cohort_id_cohorts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_issuance_batches_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuance_batches")),
    )
    op.create_table(
        "lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("page", "link", name="lesson_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind <> 'link' OR url IS NOT NULL", name=op.f("ck_lessons_link_has_url")
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_lessons_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lessons")),
        sa.UniqueConstraint("module_id", "position", name=op.f("uq_lessons_module_id_position")),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "learner",
                "trainer",
                name="membership_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_memberships_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("user_id", "cohort_id", name=op.f("uq_memberships_user_id_cohort_id")),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memberships_user_id"), ["user_id"], unique=False)

    op.create_table(
        "module_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "closes_at IS NULL OR closes_at > opens_at",
            name=op.f("ck_module_calendars_closes_after_open"),
        ),
        sa.CheckConstraint(
            "session_ends_at IS NULL OR session_starts_at IS NULL OR session_ends_at > session_starts_at",
            name=op.f("ck_module_calendars_session_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_module_calendars_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_module_calendars_module_id_modules"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_calendars")),
        sa.UniqueConstraint(
            "cohort_id", "module_id", name=op.f("uq_module_calendars_cohort_id_module_id")
        ),
    )
    op.create_table(
        "module_prerequisites",
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("prerequisite_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "module_id <> prerequisite_id", name=op.f("ck_module_prerequisites_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_module_prerequisites_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prerequisite_id"],
            ["modules.id"],
            name=op.f("fk_module_prerequisites_prerequisite_id_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "module_id", "prerequisite_id", name=op.f("pk_module_prerequisites")
        ),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "path", "block", name="certificate_kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("path_version", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("learner_name", sa.String(length=200), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "valid",
                "revoked",
                "superseded",
                name="certificate_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("pdf_size", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(length=32), nullable=True),
        sa.Column("template_version", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'path' AND block_id IS NULL AND scope = 'path') OR (kind = 'block' AND block_id IS NOT NULL AND scope <> 'path')",
            name=op.f("ck_certificates_kind_matches_scope"),
        ),
        sa.CheckConstraint(
            "state <> 'revoked' OR (revoked_at IS NOT NULL AND length(trim(revocation_reason)) > 0)",
            name=op.f("ck_certificates_revocation_recorded"),
        ),
        sa.CheckConstraint(
            "state <> 'superseded' OR superseded_at IS NOT NULL",
            name=op.f("ck_certificates_supersession_recorded"),
        ),
        sa.ForeignKeyConstraint(
            ["block_id"],
            ["competency_blocks.id"],
            name=op.f("fk_certificates_block_id_competency_blocks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_certificates_cohort_id_cohorts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["certification_decisions.id"],
            name=op.f("fk_certificates_decision_id_certification_decisions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["users.id"],
            name=op.f("fk_certificates_issued_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_certificates_learner_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_certificates_path_id_training_paths"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_certificates_revoked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["certificates.id"],
            name=op.f("fk_certificates_supersedes_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
        sa.UniqueConstraint("number", name=op.f("uq_certificates_number")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_certificates_storage_key")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_certificates_supersedes_id")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_issued_at"), ["issued_at"], unique=False)
        batch_op.create_index(
            "uq_certificates_current",
            ["learner_id", "path_id", "scope"],
            unique=True,
            sqlite_where=sa.text("state = 'valid'"),
            postgresql_where=sa.text("state = 'valid'"),
        )

    op.create_table(
        "criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competencies.id"],
            name=op.f("fk_criteria_competency_id_competencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rubric_id"],
            ["rubrics.id"],
            name=op.f("fk_criteria_rubric_id_rubrics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria")),
        sa.UniqueConstraint("rubric_id", "position", name=op.f("uq_criteria_rubric_id_position")),
        info={"path_definition": True},
    )
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_criteria_competency_id"), ["competency_id"], unique=False
        )

    op.create_table(
        "deadline_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_deadline_extensions_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["users.id"],
            name=op.f("fk_deadline_extensions_granted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_deadline_extensions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_extensions")),
        sa.UniqueConstraint(
            "assessment_id", "user_id", name=op.f("uq_deadline_extensions_assessment_id_user_id")
        ),
    )
    with op.batch_alter_table("deadline_extensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deadline_extensions_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "grade_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_grade_releases_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_grade_releases_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["released_by_id"],
            ["users.id"],
            name=op.f("fk_grade_releases_released_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_releases")),
        sa.UniqueConstraint(
            "assessment_id", "cohort_id", name=op.f("uq_grade_releases_assessment_id_cohort_id")
        ),
    )
    with op.batch_alter_table("grade_releases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grade_releases_cohort_id"), ["cohort_id"], unique=False
        )

    op.create_table(
        "lesson_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lessons.id"],
            name=op.f("fk_lesson_completions_lesson_id_lessons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_lesson_completions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_completions")),
        sa.UniqueConstraint(
            "user_id", "lesson_id", name=op.f("uq_lesson_completions_user_id_lesson_id")
        ),
    )
    with op.batch_alter_table("lesson_completions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lesson_completions_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "module_competencies",
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competencies.id"],
            name=op.f("fk_module_competencies_competency_id_competencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_module_competencies_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("module_id", "competency_id", name=op.f("pk_module_competencies")),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "single",
                "multiple",
                name="question_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.CheckConstraint("points >= 1", name=op.f("ck_questions_points_positive")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_questions_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint(
            "assessment_id", "position", name=op.f("uq_questions_assessment_id_position")
        ),
        info={"path_definition": True},
    )
    op.create_table(
        "quiz_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("option_order", sa.JSON(), nullable=False),
        sa.CheckConstraint("max_score >= 0", name=op.f("ck_quiz_attempts_max_score_not_negative")),
        sa.CheckConstraint("number >= 1", name=op.f("ck_quiz_attempts_number_positive")),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= max_score)",
            name=op.f("ck_quiz_attempts_score_in_range"),
        ),
        sa.CheckConstraint(
            "submitted_at IS NULL OR (score IS NOT NULL AND passed IS NOT NULL)",
            name=op.f("ck_quiz_attempts_submitted_is_scored"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_quiz_attempts_assessment_id_assessments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_quiz_attempts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempts")),
        sa.UniqueConstraint(
            "assessment_id",
            "user_id",
            "number",
            name=op.f("uq_quiz_attempts_assessment_id_user_id_number"),
        ),
    )
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quiz_attempts_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_quiz_attempts_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_quiz_attempts_open",
            ["assessment_id", "user_id"],
            unique=True,
            sqlite_where=sa.text("submitted_at IS NULL"),
            postgresql_where=sa.text("submitted_at IS NULL"),
        )

    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_late", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "submitted",
                "returned",
                "graded",
                name="submission_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "attempt >= 1 AND attempt <= version", name=op.f("ck_submissions_attempt_in_range")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_submissions_version_positive")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_submissions_assessment_id_assessments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_submissions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint(
            "assessment_id",
            "user_id",
            "version",
            name=op.f("uq_submissions_assessment_id_user_id_version"),
        ),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submissions_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_submissions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("grader_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "grading",
                "graded",
                "released",
                "returned",
                name="grade_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state <> 'released' OR released_at IS NOT NULL",
            name=op.f("ck_grades_released_has_date"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('graded', 'released') OR (score IS NOT NULL AND passed IS NOT NULL)",
            name=op.f("ck_grades_graded_is_scored"),
        ),
        sa.CheckConstraint("max_score >= 0", name=op.f("ck_grades_max_score_not_negative")),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= max_score)",
            name=op.f("ck_grades_score_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_grades_assessment_id_assessments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grader_id"], ["users.id"], name=op.f("fk_grades_grader_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_grades_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_grades_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grades")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_grades_submission_id")),
    )
    with op.batch_alter_table("grades", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grades_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_grades_grader_id"), ["grader_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grades_learner_id"), ["learner_id"], unique=False)
        batch_op.create_index(
            "uq_grades_evaluation",
            ["assessment_id", "learner_id"],
            unique=True,
            sqlite_where=sa.text("submission_id IS NULL"),
            postgresql_where=sa.text("submission_id IS NULL"),
        )

    op.create_table(
        "question_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_correct", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_options_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_options")),
        sa.UniqueConstraint("id", "question_id", name=op.f("uq_question_options_id_question_id")),
        sa.UniqueConstraint(
            "question_id", "position", name=op.f("uq_question_options_question_id_position")
        ),
        info={"path_definition": True},
    )
    op.create_table(
        "rubric_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("descriptor", sa.Text(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("proficiency", sa.Integer(), nullable=False),
        sa.CheckConstraint("points >= 0", name=op.f("ck_rubric_levels_points_not_negative")),
        sa.CheckConstraint(
            "proficiency >= 0", name=op.f("ck_rubric_levels_proficiency_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criteria.id"],
            name=op.f("fk_rubric_levels_criterion_id_criteria"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubric_levels")),
        sa.UniqueConstraint(
            "criterion_id", "position", name=op.f("uq_rubric_levels_criterion_id_position")
        ),
        sa.UniqueConstraint("id", "criterion_id", name=op.f("uq_rubric_levels_id_criterion_id")),
        info={"path_definition": True},
    )
    op.create_table(
        "submission_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.CheckConstraint("size >= 0", name=op.f("ck_submission_files_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_files_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_files")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_submission_files_storage_key")),
    )
    with op.batch_alter_table("submission_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_files_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "attempt_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["quiz_attempts.id"],
            name=op.f("fk_attempt_answers_attempt_id_quiz_attempts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["option_id", "question_id"],
            ["question_options.id", "question_options.question_id"],
            name=op.f("fk_attempt_answers_option_id_question_options"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_attempt_answers_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_answers")),
        sa.UniqueConstraint(
            "attempt_id",
            "question_id",
            "option_id",
            name=op.f("uq_attempt_answers_attempt_id_question_id_option_id"),
        ),
    )
    with op.batch_alter_table("attempt_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attempt_answers_option_id"), ["option_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attempt_answers_question_id"), ["question_id"], unique=False
        )

    op.create_table(
        "grade_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grade_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criteria.id"],
            name=op.f("fk_grade_choices_criterion_id_criteria"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grade_id"],
            ["grades.id"],
            name=op.f("fk_grade_choices_grade_id_grades"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["level_id", "criterion_id"],
            ["rubric_levels.id", "rubric_levels.criterion_id"],
            name=op.f("fk_grade_choices_level_id_rubric_levels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_choices")),
        sa.UniqueConstraint(
            "grade_id", "criterion_id", name=op.f("uq_grade_choices_grade_id_criterion_id")
        ),
    )
    with op.batch_alter_table("grade_choices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grade_choices_criterion_id"), ["criterion_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_grade_choices_level_id"), ["level_id"], unique=False)

    op.create_table(
        "grade_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grade_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_grade_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grade_id"],
            ["grades.id"],
            name=op.f("fk_grade_events_grade_id_grades"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_events")),
    )
    with op.batch_alter_table("grade_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grade_events_grade_id"), ["grade_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("grade_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grade_events_grade_id"))

    op.drop_table("grade_events")
    with op.batch_alter_table("grade_choices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grade_choices_level_id"))
        batch_op.drop_index(batch_op.f("ix_grade_choices_criterion_id"))

    op.drop_table("grade_choices")
    with op.batch_alter_table("attempt_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempt_answers_question_id"))
        batch_op.drop_index(batch_op.f("ix_attempt_answers_option_id"))

    op.drop_table("attempt_answers")
    with op.batch_alter_table("submission_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_files_submission_id"))

    op.drop_table("submission_files")
    op.drop_table("rubric_levels")
    op.drop_table("question_options")
    with op.batch_alter_table("grades", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_grades_evaluation",
            sqlite_where=sa.text("submission_id IS NULL"),
            postgresql_where=sa.text("submission_id IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_grades_learner_id"))
        batch_op.drop_index(batch_op.f("ix_grades_grader_id"))
        batch_op.drop_index(batch_op.f("ix_grades_assessment_id"))

    op.drop_table("grades")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_user_id"))
        batch_op.drop_index(batch_op.f("ix_submissions_assessment_id"))

    op.drop_table("submissions")
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_quiz_attempts_open",
            sqlite_where=sa.text("submitted_at IS NULL"),
            postgresql_where=sa.text("submitted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_quiz_attempts_user_id"))
        batch_op.drop_index(batch_op.f("ix_quiz_attempts_assessment_id"))

    op.drop_table("quiz_attempts")
    op.drop_table("questions")
    op.drop_table("module_competencies")
    with op.batch_alter_table("lesson_completions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_completions_user_id"))

    op.drop_table("lesson_completions")
    with op.batch_alter_table("grade_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grade_releases_cohort_id"))

    op.drop_table("grade_releases")
    with op.batch_alter_table("deadline_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_extensions_user_id"))

    op.drop_table("deadline_extensions")
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criteria_competency_id"))

    op.drop_table("criteria")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certificates_current",
            sqlite_where=sa.text("state = 'valid'"),
            postgresql_where=sa.text("state = 'valid'"),
        )
        batch_op.drop_index(batch_op.f("ix_certificates_issued_at"))

    op.drop_table("certificates")
    op.drop_table("module_prerequisites")
    op.drop_table("module_calendars")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_user_id"))
        batch_op.drop_index(batch_op.f("ix_memberships_cohort_id"))

    op.drop_table("memberships")
    op.drop_table("lessons")
    op.drop_table("issuance_batches")
    op.drop_table("competencies")
    with op.batch_alter_table("certification_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_certification_decisions_learner_cohort")

    op.drop_table("certification_decisions")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_rubric_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_path_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_module_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))

    op.drop_table("user_sessions")
    op.drop_table("rubrics")
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))

    op.drop_table("recovery_codes")
    op.drop_table("proficiency_levels")
    with op.batch_alter_table("password_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_tokens_user_id"))

    op.drop_table("password_tokens")
    op.drop_table("modules")
    op.drop_table("competency_blocks")
    op.drop_table("cohorts")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_created_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    op.drop_table("users")
    op.drop_table("training_paths")
