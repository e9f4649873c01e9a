"""Migrations: one head, upgrade and downgrade on SQLite and PostgreSQL, no drift from the models.

Each test migrates a scratch database of its own (never the session's), through a second
application bound to it.
"""

from __future__ import annotations

import logging
import os
import secrets

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from lms import ROOT, create_app
from lms.config import normalise_database_url
from lms.extensions import db

MIGRATIONS = str(ROOT / "migrations")
SERVER_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def scratch_url(request, tmp_path):
    """Return the URL of an empty scratch database, dropped afterwards."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "scratch.sqlite3")
        return
    if not SERVER_URL.startswith(("postgresql", "postgres:")):
        pytest.skip("migrations on PostgreSQL need LMS_TEST_DATABASE_URL=postgresql://...")
    name = f"lms_migrations_{secrets.token_hex(6)}"
    server = create_engine(normalise_database_url(SERVER_URL), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(normalise_database_url(SERVER_URL))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def scratch_app(scratch_url, tmp_path):
    """Return an application bound to the scratch database, inside its own app context."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "scratch-secret-key-that-is-long-enough-0123",
            "SQLALCHEMY_DATABASE_URI": scratch_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def table_names() -> set[str]:
    """Return the tables of the current application's database."""
    return set(inspect(db.engine).get_table_names())


def test_upgrade_then_downgrade_leaves_no_table(scratch_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}

    flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
    assert table_names() == {"alembic_version"}


def test_migrations_have_exactly_one_head_and_one_base():
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    scripts = ScriptDirectory.from_config(config)
    assert len(scripts.get_heads()) == 1, scripts.get_heads()
    assert len(scripts.get_bases()) == 1, scripts.get_bases()


def test_migrated_schema_matches_the_models(scratch_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def constraint_names(engine) -> dict[str, set[tuple]]:
    """Return, per table, the named CHECK and foreign-key constraints (with their ON DELETE)."""
    inspector = inspect(engine)
    found: dict[str, set[tuple]] = {}
    for table in db.metadata.tables:
        checks = {("check", c["name"]) for c in inspector.get_check_constraints(table)}
        foreign_keys = {
            ("fk", fk["name"], (fk.get("options") or {}).get("ondelete"))
            for fk in inspector.get_foreign_keys(table)
        }
        found[table] = checks | foreign_keys
    return found


def test_migrated_constraints_match_the_models(scratch_app):
    # compare_metadata ignores CHECK constraints and constraint names: compare them with the
    # schema that create_all builds from the models on the same database.
    flask_migrate.upgrade(directory=MIGRATIONS)
    migrated = constraint_names(db.engine)
    flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
    db.create_all()
    assert migrated == constraint_names(db.engine)
    assert ("check", "ck_cohorts_cohort_state") in migrated["cohorts"]
    assert ("fk", "fk_cohorts_path_id_training_paths", "RESTRICT") in migrated["cohorts"]


def test_migrating_leaves_the_host_logging_alone(scratch_app):
    logger = logging.getLogger("lms.migrations-test")
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert not logger.disabled


def test_cohorts_already_there_are_placed_on_one_territory(scratch_app):
    """Territories arrive with cohorts in the database: each goes to the territory made for them."""
    flask_migrate.upgrade(directory=MIGRATIONS, revision="a14c0c55e6c3")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO training_paths (id, code, version, title, description, certifier,"
                " rating_rule, definition_sha256, loaded_at) VALUES (1, 'p', 1, 'P', '', 'C',"
                " 'latest', :sha, CURRENT_TIMESTAMP)"
            ),
            {"sha": "0" * 64},
        )
        for number in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO cohorts (id, name, path_id, starts_on, ends_on, state, created_at)"
                    " VALUES (:id, :name, 1, '2026-01-05', '2026-12-18', 'active',"
                    " CURRENT_TIMESTAMP)"
                ),
                {"id": number, "name": f"Promotion {number}"},
            )
    flask_migrate.upgrade(directory=MIGRATIONS)
    with db.engine.connect() as connection:
        placed = connection.execute(
            text(
                "SELECT cohorts.name, territories.code FROM cohorts"
                " JOIN territories ON territories.id = cohorts.territory_id ORDER BY cohorts.id"
            )
        ).all()
    assert [tuple(row) for row in placed] == [
        ("Promotion 1", "origine"),
        ("Promotion 2", "origine"),
    ]


def test_rebuilding_a_table_keeps_the_rows_that_refer_to_it(scratch_app):
    """SQLite rebuilds a table to alter it (copy, drop, rename): dropping it must not cascade.

    The territories migration rebuilds ``cohorts``; with foreign keys enforced, dropping the old
    table would delete the members (ON DELETE CASCADE) or fail on a certificate (RESTRICT).
    """
    flask_migrate.upgrade(directory=MIGRATIONS, revision="a14c0c55e6c3")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO training_paths (id, code, version, title, description, certifier,"
                " rating_rule, definition_sha256, loaded_at) VALUES (1, 'p', 1, 'P', '', 'C',"
                " 'latest', :sha, CURRENT_TIMESTAMP)"
            ),
            {"sha": "0" * 64},
        )
        connection.execute(
            text(
                "INSERT INTO cohorts (id, name, path_id, starts_on, ends_on, state, created_at)"
                " VALUES (1, 'Promotion 1', 1, '2026-01-05', '2026-12-18', 'active',"
                " CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO users (id, email, display_name, is_admin, is_active, locale,"
                " created_at) VALUES (1, 'lea@example.org', 'Léa', :no, :yes, 'fr',"
                " CURRENT_TIMESTAMP)"
            ),
            {"no": False, "yes": True},
        )
        connection.execute(
            text(
                "INSERT INTO memberships (id, user_id, cohort_id, role, created_at)"
                " VALUES (1, 1, 1, 'learner', CURRENT_TIMESTAMP)"
            )
        )
    flask_migrate.upgrade(directory=MIGRATIONS)
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM memberships")) == 1
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_dangling_reference_stops_the_upgrade_on_sqlite(scratch_app, caplog):
    """With foreign keys off while migrating, every reference is checked before committing."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL enforces every foreign key at once")
    flask_migrate.upgrade(directory=MIGRATIONS, revision="a14c0c55e6c3")
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.execute(
            text(
                "INSERT INTO memberships (id, user_id, cohort_id, role, created_at)"
                " VALUES (1, 41, 42, 'learner', CURRENT_TIMESTAMP)"
            )
        )
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
        flask_migrate.upgrade(directory=MIGRATIONS)
    assert "the migration left dangling references" in caplog.text
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "a14c0c55e6c3"


def test_an_empty_database_gets_no_territory(scratch_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM territories")) == 0
