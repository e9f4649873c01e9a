"""territories and projects: the organisation's territories and their local administrators,
each cohort on a territory, the path's common project grid, the learners' projects, their ex
ante and ex post evaluations and the single-use links of the later ones

Revision ID: a15a0a55e7a1
Revises: a14c0c55e6c3
Create Date: 2026-12-05 13:21:00.426193

Existing cohorts are placed on one territory created for them (code ``origine``, to be renamed
by an administrator): a cohort always belongs to a territory.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a15a0a55e7a1"
down_revision = "a14c0c55e6c3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "territories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("code <> ''", name=op.f("ck_territories_code_not_empty")),
        sa.CheckConstraint("name <> ''", name=op.f("ck_territories_name_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_territories")),
        sa.UniqueConstraint("code", name=op.f("uq_territories_code")),
        sa.UniqueConstraint("name", name=op.f("uq_territories_name")),
    )
    op.create_table(
        "project_dimensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_project_dimensions_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_dimensions")),
        sa.UniqueConstraint("path_id", "code", name=op.f("uq_project_dimensions_path_id_code")),
        sa.UniqueConstraint(
            "path_id", "position", name=op.f("uq_project_dimensions_path_id_position")
        ),
        info={"path_definition": True},
    )
    op.create_table(
        "project_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_project_domains_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_domains")),
        sa.UniqueConstraint("path_id", "code", name=op.f("uq_project_domains_path_id_code")),
        sa.UniqueConstraint(
            "path_id", "position", name=op.f("uq_project_domains_path_id_position")
        ),
        info={"path_definition": True},
    )
    op.create_table(
        "project_grid_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "value BETWEEN 0 AND 10", name=op.f("ck_project_grid_levels_value_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_project_grid_levels_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_grid_levels")),
        sa.UniqueConstraint("path_id", "value", name=op.f("uq_project_grid_levels_path_id_value")),
        info={"path_definition": True},
    )
    op.create_table(
        "project_grid_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("assessment_code", sa.String(length=20), nullable=False),
        sa.Column("assessment_title", sa.String(length=200), nullable=False),
        sa.Column(
            "moment",
            sa.Enum(
                "ex_ante",
                "ex_post",
                "ex_post_later",
                name="evaluation_moment",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("dimension_codes", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_project_grid_uses_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_grid_uses")),
        sa.UniqueConstraint(
            "path_id", "assessment_code", name=op.f("uq_project_grid_uses_path_id_assessment_code")
        ),
        sa.UniqueConstraint(
            "path_id", "position", name=op.f("uq_project_grid_uses_path_id_position")
        ),
        info={"path_definition": True},
    )
    op.create_table(
        "project_grids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("later_ex_post_months", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "later_ex_post_months BETWEEN 1 AND 60", name=op.f("ck_project_grids_months_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_paths.id"],
            name=op.f("fk_project_grids_path_id_training_paths"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_grids")),
        sa.UniqueConstraint("path_id", name=op.f("uq_project_grids_path_id")),
        info={"path_definition": True},
    )
    op.create_table(
        "territory_administrators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("named_by_id", sa.Integer(), nullable=True),
        sa.Column("named_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["named_by_id"],
            ["users.id"],
            name=op.f("fk_territory_administrators_named_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_territory_administrators_territory_id_territories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_territory_administrators_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_territory_administrators")),
        sa.UniqueConstraint(
            "territory_id", "user_id", name=op.f("uq_territory_administrators_territory_id_user_id")
        ),
    )
    with op.batch_alter_table("territory_administrators", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_territory_administrators_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("partners", sa.Text(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "idea",
                "experimentation",
                "financed",
                "running",
                name="project_stage",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("later_ex_post_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("title <> ''", name=op.f("ck_projects_title_not_empty")),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_projects_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_projects_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_projects_territory_id_territories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint(
            "cohort_id", "learner_id", name=op.f("uq_projects_cohort_id_learner_id")
        ),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_learner_id"), ["learner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_projects_territory_id"), ["territory_id"], unique=False
        )

    op.create_table(
        "project_domain_links",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["domain_id"],
            ["project_domains.id"],
            name=op.f("fk_project_domain_links_domain_id_project_domains"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_domain_links_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "domain_id", name=op.f("pk_project_domain_links")),
    )
    op.create_table(
        "project_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_project_invitations_expires_after_creation")
        ),
        sa.CheckConstraint(
            "length(token_sha256) = 64",
            name=op.f("ck_project_invitations_token_sha256_is_hex_digest"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_project_invitations_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_invitations_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_invitations")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_project_invitations_token_sha256")),
    )
    op.create_table(
        "project_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "moment",
            sa.Enum(
                "ex_ante",
                "ex_post",
                "ex_post_later",
                name="evaluation_moment",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("evaluated_by_id", sa.Integer(), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("evaluator_name", sa.String(length=120), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(evaluated_by_id IS NULL) <> (invitation_id IS NULL)",
            name=op.f("ck_project_evaluations_one_evaluator"),
        ),
        sa.ForeignKeyConstraint(
            ["evaluated_by_id"],
            ["users.id"],
            name=op.f("fk_project_evaluations_evaluated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["project_invitations.id"],
            name=op.f("fk_project_evaluations_invitation_id_project_invitations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_evaluations_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_evaluations")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_project_evaluations_invitation_id")),
        sa.UniqueConstraint(
            "project_id", "moment", name=op.f("uq_project_evaluations_project_id_moment")
        ),
    )
    op.create_table(
        "project_evaluation_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "justification <> ''", name=op.f("ck_project_evaluation_values_justification_not_empty")
        ),
        sa.CheckConstraint(
            "value BETWEEN 0 AND 10", name=op.f("ck_project_evaluation_values_value_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["dimension_id"],
            ["project_dimensions.id"],
            name=op.f("fk_project_evaluation_values_dimension_id_project_dimensions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["project_evaluations.id"],
            name=op.f("fk_project_evaluation_values_evaluation_id_project_evaluations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_evaluation_values")),
        sa.UniqueConstraint(
            "evaluation_id",
            "dimension_id",
            name=op.f("uq_project_evaluation_values_evaluation_id_dimension_id"),
        ),
    )
    with op.batch_alter_table("project_evaluation_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_evaluation_values_dimension_id"), ["dimension_id"], unique=False
        )

    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("territory_id", sa.Integer(), nullable=True))
    _place_existing_cohorts()
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.alter_column("territory_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_cohorts_territory_id"), ["territory_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cohorts_territory_id_territories"),
            "territories",
            ["territory_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def _place_existing_cohorts() -> None:
    """Put the cohorts already there on one territory, created only when there are some."""
    connection = op.get_bind()
    if not connection.scalar(sa.text("SELECT count(*) FROM cohorts")):
        return
    connection.execute(
        sa.text(
            "INSERT INTO territories (code, name, area, company, description, created_at)"
            " VALUES ('origine', 'Territoire d''origine', '', '', '', CURRENT_TIMESTAMP)"
        )
    )
    territory_id = connection.scalar(sa.text("SELECT id FROM territories WHERE code = 'origine'"))
    connection.execute(
        sa.text("UPDATE cohorts SET territory_id = :territory_id"), {"territory_id": territory_id}
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_cohorts_territory_id_territories"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_cohorts_territory_id"))
        batch_op.drop_column("territory_id")

    with op.batch_alter_table("project_evaluation_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_evaluation_values_dimension_id"))

    op.drop_table("project_evaluation_values")
    op.drop_table("project_evaluations")
    op.drop_table("project_invitations")
    op.drop_table("project_domain_links")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_territory_id"))
        batch_op.drop_index(batch_op.f("ix_projects_learner_id"))

    op.drop_table("projects")
    with op.batch_alter_table("territory_administrators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_territory_administrators_user_id"))

    op.drop_table("territory_administrators")
    op.drop_table("project_grids")
    op.drop_table("project_grid_uses")
    op.drop_table("project_grid_levels")
    op.drop_table("project_domains")
    op.drop_table("project_dimensions")
    op.drop_table("territories")
