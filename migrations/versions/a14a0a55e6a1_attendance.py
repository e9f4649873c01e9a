"""attendance: the path's attendance rules, training sessions, attendance sheets, their records
and PDF versions; a learner's membership names who funds their training

Revision ID: a14a0a55e6a1
Revises: c13c0c55e5c3
Create Date: 2026-12-05 10:03:46.103477

A session is in person with a place or remote with a link (``ck_training_sessions_place_or_link``);
a closed sheet has its closing time and trainer; a late record has its arrival time, an excused one
its reason; the first PDF of a sheet is its closing, every later version a correction with its
reason. ``memberships.funder`` is one of the ``Funder`` values, for learners only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a14a0a55e6a1"
down_revision = "c13c0c55e5c3"
branch_labels = None
depends_on = None

FUNDER_CHECK = "ck_memberships_funder"
FUNDER_OF_LEARNER_CHECK = "ck_memberships_funder_of_learner"
FUNDERS = "'cpf', 'opco', 'employer', 'france_travail', 'self', 'other'"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "path_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("minimum_percent", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "minimum_percent BETWEEN 1 AND 100",
            name=op.f("ck_path_attendance_minimum_is_percentage"),
        ),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_path_attendance_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_path_attendance")),
        sa.UniqueConstraint("path_id", name=op.f("uq_path_attendance_path_id")),
    )
    op.create_table(
        "module_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("minimum_percent", sa.Integer(), nullable=True),
        sa.Column("remote_hours", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "minimum_percent IS NULL OR minimum_percent BETWEEN 1 AND 100",
            name=op.f("ck_module_attendance_minimum_is_percentage"),
        ),
        sa.CheckConstraint(
            "remote_hours >= 0", name=op.f("ck_module_attendance_remote_hours_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_module_attendance_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_attendance")),
        sa.UniqueConstraint("module_id", name=op.f("uq_module_attendance_module_id")),
    )
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "modality",
            sa.Enum(
                "in_person",
                "remote",
                name="session_modality",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(modality = 'in_person' AND place IS NOT NULL) OR (modality = 'remote' AND link IS NOT NULL)",
            name=op.f("ck_training_sessions_place_or_link"),
        ),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_training_sessions_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_training_sessions_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_training_sessions_module_id_modules"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_sessions_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_sessions_starts_at"), ["starts_at"], unique=False
        )

    op.create_table(
        "attendance_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "closed",
                name="attendance_sheet_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(state = 'closed') = (closed_at IS NOT NULL AND closed_by_id IS NOT NULL)",
            name=op.f("ck_attendance_sheets_closed_has_time_and_trainer"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["users.id"],
            name=op.f("fk_attendance_sheets_closed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_attendance_sheets_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_sheets")),
        sa.UniqueConstraint("session_id", name=op.f("uq_attendance_sheets_session_id")),
    )
    op.create_table(
        "training_session_trainers",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_training_session_trainers_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_training_session_trainers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_training_session_trainers")),
    )
    op.create_table(
        "attendance_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "present",
                "late",
                "absent",
                "excused",
                name="attendance_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "recorded_by",
            sa.Enum(
                "code",
                "trainer",
                "correction",
                name="attendance_recorded_by",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorder_id", sa.Integer(), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("file_key", sa.String(length=100), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'late') = (arrived_at IS NOT NULL)",
            name=op.f("ck_attendance_records_late_has_arrival"),
        ),
        sa.CheckConstraint(
            "status <> 'excused' OR reason IS NOT NULL",
            name=op.f("ck_attendance_records_excused_has_reason"),
        ),
        sa.CheckConstraint(
            "status = 'excused' OR (reason IS NULL AND file_key IS NULL)",
            name=op.f("ck_attendance_records_reason_only_when_excused"),
        ),
        sa.CheckConstraint(
            "(file_key IS NULL) = (file_sha256 IS NULL)",
            name=op.f("ck_attendance_records_file_has_sha256"),
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_attendance_records_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorder_id"],
            ["users.id"],
            name=op.f("fk_attendance_records_recorder_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["attendance_sheets.id"],
            name=op.f("fk_attendance_records_sheet_id_attendance_sheets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_records")),
        sa.UniqueConstraint(
            "sheet_id", "learner_id", name=op.f("uq_attendance_records_sheet_id_learner_id")
        ),
    )
    with op.batch_alter_table("attendance_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_records_learner_id"), ["learner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendance_records_sheet_id"), ["sheet_id"], unique=False
        )

    op.create_table(
        "attendance_sheet_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(version = 1) = (reason IS NULL)",
            name=op.f("ck_attendance_sheet_documents_correction_has_reason"),
        ),
        sa.CheckConstraint(
            "version >= 1", name=op.f("ck_attendance_sheet_documents_version_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_attendance_sheet_documents_created_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["attendance_sheets.id"],
            name=op.f("fk_attendance_sheet_documents_sheet_id_attendance_sheets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_sheet_documents")),
        sa.UniqueConstraint(
            "sheet_id", "version", name=op.f("uq_attendance_sheet_documents_sheet_id_version")
        ),
        sa.UniqueConstraint("storage_key", name=op.f("uq_attendance_sheet_documents_storage_key")),
    )
    with op.batch_alter_table("attendance_sheet_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_sheet_documents_sheet_id"), ["sheet_id"], unique=False
        )

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("funder", sa.String(length=14), nullable=True))
        batch_op.create_check_constraint(op.f(FUNDER_CHECK), f"funder IN ({FUNDERS})")
        batch_op.create_check_constraint(
            op.f(FUNDER_OF_LEARNER_CHECK), "role = 'learner' OR funder IS NULL"
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(FUNDER_OF_LEARNER_CHECK), type_="check")
        batch_op.drop_constraint(op.f(FUNDER_CHECK), type_="check")
        batch_op.drop_column("funder")

    with op.batch_alter_table("attendance_sheet_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_sheet_documents_sheet_id"))

    op.drop_table("attendance_sheet_documents")
    with op.batch_alter_table("attendance_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_records_sheet_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_records_learner_id"))

    op.drop_table("attendance_records")
    op.drop_table("training_session_trainers")
    op.drop_table("attendance_sheets")
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_sessions_starts_at"))
        batch_op.drop_index(batch_op.f("ix_training_sessions_cohort_id"))

    op.drop_table("training_sessions")
    op.drop_table("module_attendance")
    op.drop_table("path_attendance")
