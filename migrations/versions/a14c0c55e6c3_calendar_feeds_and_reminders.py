"""calendar feeds and reminders: each person's private calendar address (the SHA-256 of its
token only), the reminders sent (one row each, never twice) and the choice of optional reminders

Revision ID: a14c0c55e6c3
Revises: a14b0b55e6b2
Create Date: 2026-12-05 10:30:00.000000

``uq_sent_reminders_kind_user_id_subject_key`` is what makes each reminder leave once, even
when two runs overlap.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a14c0c55e6c3"
down_revision = "a14b0b55e6b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(token_sha256) = 64",
            name=op.f("ck_calendar_feeds_token_sha256_is_hex_digest"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_calendar_feeds_token_sha256")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    op.create_table(
        "reminder_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("deadlines", sa.Boolean(), nullable=False),
        sa.Column("sessions", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reminder_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reminder_preferences")),
    )
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=120), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sent_reminders_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_reminders")),
        sa.UniqueConstraint(
            "kind",
            "user_id",
            "subject_key",
            name=op.f("uq_sent_reminders_kind_user_id_subject_key"),
        ),
    )
    with op.batch_alter_table("sent_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_reminders_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("sent_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_reminders_user_id"))
    op.drop_table("sent_reminders")
    op.drop_table("reminder_preferences")
    op.drop_table("calendar_feeds")
