"""Configuration: sources and their precedence, production checks, database connection rules."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import exc, select, text

from lms import create_app
from lms.accounts.models import User
from lms.config import DEFAULT_SECRET_KEY, ENV_SETTINGS, ConfigError
from lms.core.db import UTCDateTime
from lms.extensions import db
from tests.factories import UserFactory

GOOD_SECRET = "a-random-production-secret-of-more-than-32-chars"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Remove every ``LMS_*`` setting of the developer's shell and use a fresh instance folder."""
    for name in ENV_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))


def test_defaults_then_environment_then_mapping(monkeypatch):
    assert create_app().config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024

    monkeypatch.setenv("LMS_MAX_CONTENT_LENGTH", "1000")
    monkeypatch.setenv("LMS_DEFAULT_LOCALE", "en")
    from_environment = create_app().config
    assert from_environment["MAX_CONTENT_LENGTH"] == 1000
    assert from_environment["BABEL_DEFAULT_LOCALE"] == "en"

    from_mapping = create_app({"MAX_CONTENT_LENGTH": 5}).config
    assert from_mapping["MAX_CONTENT_LENGTH"] == 5
    assert from_mapping["BABEL_DEFAULT_LOCALE"] == "en"


def test_environment_values_are_parsed(monkeypatch):
    monkeypatch.setenv("LMS_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("LMS_DEFAULT_TIMEZONE", "Europe/Brussels")
    monkeypatch.setenv("LMS_SECRET_KEY", "12345")  # kept as text, never read as a number
    config = create_app().config
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Brussels"
    assert config["SECRET_KEY"] == "12345"


def test_instance_config_file_comes_before_the_environment(monkeypatch, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "lms.cfg").write_text('BABEL_DEFAULT_TIMEZONE = "UTC"\nMAX_CONTENT_LENGTH = 7\n')
    monkeypatch.setenv("LMS_MAX_CONTENT_LENGTH", "9")
    config = create_app().config
    assert config["BABEL_DEFAULT_TIMEZONE"] == "UTC"
    assert config["MAX_CONTENT_LENGTH"] == 9


def test_importing_lms_reads_no_setting_and_builds_no_app():
    # A fresh interpreter, because this one imported lms long ago.
    script = textwrap.dedent(
        """
        import collections.abc, importlib, os, pkgutil

        class Spy(collections.abc.MutableMapping):
            def __init__(self, data):
                self.data, self.read = data, set()
            def _note(self, key):
                if str(key).startswith("LMS_"):
                    self.read.add(key)
            def __getitem__(self, key):
                self._note(key)
                return self.data[key]
            def __contains__(self, key):
                self._note(key)
                return key in self.data
            def __setitem__(self, key, value):
                self.data[key] = value
            def __delitem__(self, key):
                del self.data[key]
            def __iter__(self):
                return iter(self.data)
            def __len__(self):
                return len(self.data)

        os.environ = spy = Spy(os.environ)
        import flask, lms
        for module in pkgutil.walk_packages(lms.__path__, "lms."):
            importlib.import_module(module.name)
        print("READ", sorted(spy.read), "APP", flask.has_app_context())
        """
    )
    env = {"LMS_ENV": "production", "LMS_SECRET_KEY": "short", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(  # noqa: S603  our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "READ [] APP False"


def test_sqlite_database_is_in_the_instance_folder(tmp_path):
    app = create_app()
    assert app.instance_path == str(tmp_path / "instance")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "sqlite:///" + str(tmp_path / "instance" / "lms.sqlite3")
    )


def test_instance_path_variable_moves_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    app = create_app()
    assert app.instance_path == str(tmp_path / "elsewhere")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/elsewhere/lms.sqlite3")


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://lms@db/lms", "postgresql+psycopg://lms@db/lms"),
        ("postgres://lms:pw@db:5433/lms", "postgresql+psycopg://lms:pw@db:5433/lms"),
        ("postgresql+psycopg://lms@db/lms", "postgresql+psycopg://lms@db/lms"),
        ("sqlite:////srv/lms.sqlite3", "sqlite:////srv/lms.sqlite3"),
    ],
)
def test_database_urls_use_psycopg_3(monkeypatch, given, used):
    monkeypatch.setenv("LMS_DATABASE_URL", given)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == used


@pytest.mark.parametrize("secret", [None, "", DEFAULT_SECRET_KEY, "x" * 31])
def test_production_refuses_a_missing_default_or_short_secret_key(monkeypatch, secret):
    monkeypatch.setenv("LMS_ENV", "production")
    if secret is not None:
        monkeypatch.setenv("LMS_SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="LMS_SECRET_KEY must be set to a random value"):
        create_app()


def test_production_refuses_debug(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("LMS_SECRET_KEY", GOOD_SECRET)
    with pytest.raises(ConfigError, match="DEBUG must be off"):
        create_app({"DEBUG": True})


def test_production_cookies_are_secure_by_default(monkeypatch, production_settings):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("LMS_SECRET_KEY", GOOD_SECRET)
    for name, value in production_settings.items():
        monkeypatch.setenv(f"LMS_{name}", value)
    config = create_app().config
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert create_app({"SECRET_KEY": "x" * 32}).config["SECRET_KEY"] == "x" * 32

    monkeypatch.setenv("LMS_SESSION_COOKIE_SECURE", "false")  # an explicit setting still wins
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def test_development_cookies_work_over_http():
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def test_sqlite_connections_enforce_foreign_keys(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "fk.sqlite3")})
    with app.app_context():
        db.create_all()
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        with pytest.raises(exc.IntegrityError):
            db.session.execute(
                text(
                    "INSERT INTO memberships (user_id, cohort_id, role, created_at) "
                    "VALUES (999, 999, 'learner', CURRENT_TIMESTAMP)"
                )
            )
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_utc_datetime_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1, 12, 0), db.engine.dialect)
    with pytest.raises(exc.StatementError, match="naive datetime"):
        UserFactory(created_at=datetime(2026, 1, 1, 12, 0))


def test_utc_datetime_returns_aware_utc_datetimes():
    paris_summer = timezone(timedelta(hours=2))
    user = UserFactory(created_at=datetime(2026, 6, 1, 14, 30, tzinfo=paris_summer))
    db.session.expire_all()
    stored = db.session.scalar(select(User.created_at).where(User.id == user.id))
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
