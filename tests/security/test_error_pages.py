"""A failing view shows the generic 500 page with a correlation id, nothing else (D20)."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import text

from lms import create_app
from lms.config import ConfigError
from lms.extensions import db

LEAKS = ("Traceback", "no_such_table", "SELECT", "OperationalError", "sqlite", "SECRET_KEY")


@pytest.fixture
def failing_app(tmp_path):
    """Return an application, served as in production, with a view whose SQL fails."""
    app = create_app(
        {
            "SECRET_KEY": "a-secret-key-for-the-failing-application-0123",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "failing.sqlite3"),
            "INSTANCE_PATH": str(tmp_path),
        }
    )

    @app.get("/failing")
    def failing():
        """Run a query on a table that does not exist."""
        db.session.execute(text("SELECT secret FROM no_such_table"))

    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_failing_view_shows_the_generic_page_with_the_request_id(failing_app, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get("/failing")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    correlation_id = re.search(r'class="correlation-id">([0-9a-f]{32})<', html).group(1)
    assert response.headers["X-Request-ID"] == correlation_id
    assert response.headers["Cache-Control"] == "no-store"
    assert not [leak for leak in LEAKS if leak in html]
    [logged] = [r for r in caplog.records if correlation_id in r.getMessage()]
    assert logged.exc_info is not None  # the details go to the log, not to the page


def test_production_refuses_debug(tmp_path):
    with pytest.raises(ConfigError):
        create_app(
            {
                "ENV_NAME": "production",
                "DEBUG": True,
                "SECRET_KEY": "a-production-secret-key-of-sufficient-length-0123",
                "INSTANCE_PATH": str(tmp_path),
            }
        )
