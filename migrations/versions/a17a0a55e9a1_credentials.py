"""credentials: the issuer's keys, status lists and each certificate's credential

Revision ID: a17a0a55e9a1
Revises: a16f0f55e8f6
Create Date: 2026-12-05 19:20:00.000000

``credential_keys`` publishes every Ed25519 key that signed credentials (public parts only);
``status_lists`` holds the revocation bitstrings; ``issued_credentials`` a certificate's signed
Open Badges 3.0 credential and its entry in a list, unique. New tables only: ``certificates`` is
left as it is (on SQLite, adding a foreign key to it would mean rebuilding it).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a17a0a55e9a1"
down_revision = "a16f0f55e8f6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "credential_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=40), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_keys")),
        sa.UniqueConstraint("kid", name=op.f("uq_credential_keys_kid")),
        sa.UniqueConstraint(
            "public_key_multibase", name=op.f("uq_credential_keys_public_key_multibase")
        ),
    )
    op.create_table(
        "status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("signed", sa.JSON(), nullable=True),
        sa.Column("signed_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "next_index BETWEEN 0 AND size", name=op.f("ck_status_lists_next_index_in_list")
        ),
        sa.CheckConstraint("purpose IN ('revocation')", name=op.f("ck_status_lists_purpose_known")),
        sa.CheckConstraint(
            "size >= 131072 AND size % 8 = 0", name=op.f("ck_status_lists_size_allowed")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lists")),
    )
    op.create_table(
        "issued_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status_index >= 0", name=op.f("ck_issued_credentials_status_index_positive")
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_issued_credentials_certificate_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["credential_keys.id"],
            name=op.f("fk_issued_credentials_key_id_credential_keys"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["status_lists.id"],
            name=op.f("fk_issued_credentials_status_list_id_status_lists"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_credentials")),
        sa.UniqueConstraint("certificate_id", name=op.f("uq_issued_credentials_certificate_id")),
        sa.UniqueConstraint(
            "status_list_id",
            "status_index",
            name=op.f("uq_issued_credentials_status_list_id_status_index"),
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("issued_credentials")
    op.drop_table("status_lists")
    op.drop_table("credential_keys")
