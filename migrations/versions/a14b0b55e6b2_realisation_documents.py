"""realisation documents: the certificats de réalisation and attestations de fin de formation
produced for learners, and batches of issuance that produce them

Revision ID: a14b0b55e6b2
Revises: a14a0a55e6a1
Create Date: 2026-12-05 10:15:00.000000

Every production is a new row numbered per learner and kind (unique learner, kind, version); the
period covered ends on or before its ``as_of`` day; the remote minutes are part of the realised
ones. A batch of issuance that produces documents names their kind and day (and may name a
funder); a batch of certificates names none of them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a14b0b55e6b2"
down_revision = "a14a0a55e6a1"
branch_labels = None
depends_on = None

KINDS = "'realisation', 'completion'"
FUNDERS = "'cpf', 'opco', 'employer', 'france_travail', 'self', 'other'"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("issuance_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_kind", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("as_of", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("funder", sa.String(length=14), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_issuance_batches_realisation_kind"), f"document_kind IN ({KINDS})"
        )
        batch_op.create_check_constraint(
            op.f("ck_issuance_batches_funder"), f"funder IN ({FUNDERS})"
        )
        batch_op.create_check_constraint(
            op.f("ck_issuance_batches_document_batch_dated"),
            "(document_kind IS NULL) = (as_of IS NULL)"
            " AND (document_kind IS NOT NULL OR funder IS NULL)",
        )

    op.create_table(
        "realisation_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=11), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("realised_minutes", sa.Integer(), nullable=False),
        sa.Column("remote_minutes", sa.Integer(), nullable=False),
        sa.Column("funder", sa.String(length=14), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("storage_key", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("template_version", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            f"kind IN ({KINDS})", name=op.f("ck_realisation_records_realisation_kind")
        ),
        sa.CheckConstraint(f"funder IN ({FUNDERS})", name=op.f("ck_realisation_records_funder")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_realisation_records_version_positive")),
        sa.CheckConstraint(
            "ends_on >= starts_on AND as_of >= ends_on",
            name=op.f("ck_realisation_records_period_ordered"),
        ),
        sa.CheckConstraint(
            "remote_minutes >= 0 AND realised_minutes >= remote_minutes",
            name=op.f("ck_realisation_records_minutes_consistent"),
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_realisation_records_size_positive")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["issuance_batches.id"],
            name=op.f("fk_realisation_records_batch_id_issuance_batches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_realisation_records_cohort_id_cohorts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_realisation_records_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_realisation_records_learner_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_realisation_records")),
        sa.UniqueConstraint(
            "learner_id",
            "kind",
            "version",
            name=op.f("uq_realisation_records_learner_id_kind_version"),
        ),
        sa.UniqueConstraint("reference", name=op.f("uq_realisation_records_reference")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_realisation_records_storage_key")),
    )
    with op.batch_alter_table("realisation_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_realisation_records_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_realisation_records_batch_id"), ["batch_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("realisation_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_realisation_records_batch_id"))
        batch_op.drop_index(batch_op.f("ix_realisation_records_cohort_id"))

    op.drop_table("realisation_records")
    with op.batch_alter_table("issuance_batches", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_issuance_batches_document_batch_dated"), type_="check")
        batch_op.drop_constraint(op.f("ck_issuance_batches_funder"), type_="check")
        batch_op.drop_constraint(op.f("ck_issuance_batches_realisation_kind"), type_="check")
        batch_op.drop_column("funder")
        batch_op.drop_column("as_of")
        batch_op.drop_column("document_kind")
