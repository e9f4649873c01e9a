"""Migration a16f0f55e8f6 adds its columns in place: the rows referring to cohorts stay."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from tests.test_migrations import MIGRATIONS, scratch_app, scratch_url  # noqa: F401  fixtures

ROWS = (
    "INSERT INTO territories (id, code, name, area, company, description, created_at)"
    " VALUES (1, 't', 'T', '', '', '', CURRENT_TIMESTAMP)",
    "INSERT INTO training_paths (id, code, version, title, description, certifier, rating_rule,"
    " definition_sha256, loaded_at) VALUES (1, 'p', 1, 'P', '', 'C', 'latest', :sha,"
    " CURRENT_TIMESTAMP)",
    "INSERT INTO cohorts (id, name, path_id, territory_id, starts_on, ends_on, state, created_at)"
    " VALUES (1, 'Promotion 1', 1, 1, '2019-01-05', '2019-12-18', 'active', CURRENT_TIMESTAMP)",
    "INSERT INTO users (id, email, display_name, is_admin, is_active, locale, created_at)"
    " VALUES (1, 'a@example.org', 'A', false, true, 'fr', CURRENT_TIMESTAMP)",
    "INSERT INTO memberships (id, user_id, cohort_id, role, created_at)"
    " VALUES (1, 1, 1, 'learner', CURRENT_TIMESTAMP)",
)


def memberships() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM memberships"))


def test_upgrading_and_downgrading_keep_the_cohorts_rows(scratch_app):  # noqa: F811
    flask_migrate.upgrade(directory=MIGRATIONS, revision="a16a0a55e8a1")
    with db.engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement), {"sha": "0" * 64})
    flask_migrate.upgrade(directory=MIGRATIONS, revision="a16f0f55e8f6")
    assert memberships() == 1
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE cohorts SET evidence_retention_years = 10"))
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text("UPDATE cohorts SET evidence_retention_years = 0"))
    flask_migrate.downgrade(directory=MIGRATIONS, revision="a16a0a55e8a1")
    assert memberships() == 1
