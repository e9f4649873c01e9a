"""Test fixtures: one application per session, tables emptied after every test.

The database is SQLite in a temporary folder, or PostgreSQL when ``LMS_TEST_DATABASE_URL``
is set (``.ci/run`` runs the suite both ways).
"""

from __future__ import annotations

import os

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from lms import create_app
from lms.extensions import db, limiter
from tests.clients import IsolatedClient
from tests.queries import QueryCounter

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL")


def pytest_collection_modifyitems(config, items) -> None:
    """Skip, saying why, the tests that render PDFs when WeasyPrint cannot load (no Pango).

    They are the tests marked ``pdf`` and every test of tests/certificates, most of which issue.
    """
    rendering = [
        item for item in items if "pdf" in item.keywords or "tests/certificates/" in item.nodeid
    ]
    if not rendering:
        return
    from lms.certificates.rendering import renderer_problem

    if problem := renderer_problem():
        for item in rendering:
            item.add_marker(pytest.mark.skip(reason=problem))


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory) -> str:
    """Return the URL of the database the suite runs on (one per pytest-xdist worker)."""
    if TEST_DATABASE_URL:
        worker = getattr(request.config, "workerinput", {}).get("workerid")
        return worker_database(TEST_DATABASE_URL, worker) if worker else TEST_DATABASE_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def worker_database(url: str, worker: str) -> str:
    """Return the URL of the worker's own PostgreSQL database beside ``url``, created if needed."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from lms.config import normalise_database_url

    base = make_url(normalise_database_url(url))
    name = f"{base.database}_{worker}"
    server = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            query = text("SELECT 1 FROM pg_database WHERE datname = :name")
            if connection.scalar(query, {"name": name}) is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """Create the application once, with a fresh schema."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            # Tests read messages in their source language; tests/i18n checks the French UI.
            "BABEL_DEFAULT_LOCALE": "en",
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "CERTIFICATE_SIGNATORY_NAME": "Claire Martin",
            "CERTIFICATE_SIGNATORY_TITLE": "Directrice de la certification",
            "CERTIFICATE_PLACE": "Lyon",
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _fast_sqlite_commits(app):
    """Skip SQLite's fsync on commit: tests commit thousands of times, durability is moot here.

    The application's own SQLite set-up (``lms.core.db``) is unchanged; only the suite's
    throwaway database skips the sync.
    """
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            yield
            return
        event.listen(db.engine, "connect", _no_sync)
        db.engine.dispose()  # reconnect, with the pragma
        yield
        event.remove(db.engine, "connect", _no_sync)


def _no_sync(connection, record) -> None:
    connection.execute("PRAGMA synchronous = OFF")


@pytest.fixture(autouse=True)
def _app_context(app):
    """Run each test inside an application context and empty every table afterwards."""
    with app.app_context():
        yield
        db.session.rollback()
        _empty_tables()
        db.session.remove()


def _empty_tables() -> None:
    """Delete every row a test left, and start the ids again from 1.

    One query finds the tables that hold rows (most tests touch a few of the ~70), and only
    those are emptied, children first: ``TRUNCATE`` of every table costs PostgreSQL a new file
    per table on each test, far more than the deletes. On PostgreSQL the emptied tables' id
    sequences restart at 1 (SQLite reuses the freed ids by itself), as ``TRUNCATE … RESTART
    IDENTITY`` did.
    """
    tables = db.metadata.sorted_tables
    used = _tables_with_rows(tables)
    for table in reversed(tables):
        if table.name in used:
            _unlink_rows(table)
            db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        for table in tables:
            if table.name in used and _has_id_sequence(table):
                # Table names come from the metadata, never from input.
                sql = f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), 1, false)"
                db.session.execute(text(sql))
    db.session.commit()


def _tables_with_rows(tables) -> set[str]:
    """Return the names of the tables that hold at least one row (one query)."""
    # Table names come from the metadata, never from input.
    probes = " UNION ALL ".join(
        f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")"  # noqa: S608
        for table in tables
    )
    return set(db.session.scalars(text(probes)))


def _has_id_sequence(table) -> bool:
    column = table.columns.get("id")
    return column is not None and column.autoincrement is not False and column.primary_key


def _unlink_rows(table) -> None:
    """Clear a table's references to itself (a re-issued certificate names the one it replaces).

    SQLite applies ``ON DELETE RESTRICT`` row by row, so one DELETE of such a chain fails.
    """
    columns = [key.parent for key in table.foreign_keys if key.column.table is table]
    if columns:
        db.session.execute(table.update().values({column.name: None for column in columns}))


@pytest.fixture(scope="session")
def production_settings(tmp_path_factory) -> dict[str, str]:
    """Return what production requires besides a secret: its address, a signing identity and a
    credential key it accepts."""
    from lms.certificates.credentials.keys import create_key_file
    from tests.signing import PASSPHRASE, write_identity

    path = write_identity(tmp_path_factory.mktemp("production-keys"))
    credential_keys = tmp_path_factory.mktemp("production-credential-keys")
    create_key_file(credential_keys, development=False)
    return {
        "BASE_URL": "https://formation.example.org",
        "SIGNING_PKCS12": str(path),
        "SIGNING_PKCS12_PASSPHRASE": PASSPHRASE,
        "CREDENTIAL_KEYS_FOLDER": str(credential_keys),
    }


@pytest.fixture(scope="session")
def development_identity(tmp_path_factory):
    """Return a development signing identity (PKCS#12 and its CA), made once per session."""
    from lms.core.pades_identity import create_development_identity

    return create_development_identity(tmp_path_factory.mktemp("dev-keys"), "Bien-vivre SCIC")


@pytest.fixture
def signing(app, development_identity, monkeypatch):
    """Sign every PDF issued during the test with the development identity."""
    from lms.core.pades import reset_signing_cache

    monkeypatch.setitem(app.config, "SIGNING_PKCS12", str(development_identity.pkcs12))
    reset_signing_cache()
    yield development_identity
    reset_signing_cache()


@pytest.fixture(autouse=True)
def _forget_rate_limits():
    """Start each test with no throttled attempt on record (login limits are per address)."""
    limiter.reset()


# Tests that need Redis use this database only, and empty it before and after each test.
TEST_REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url(request) -> str:
    """Return the URL of an empty Redis database for one test; skip when Redis is unreachable.

    Each pytest-xdist worker counts down from that database (gw0: 15, gw1: 14, …), so that
    workers never empty each other's.
    """
    from redis import Redis
    from redis.exceptions import RedisError

    worker = getattr(request.config, "workerinput", {}).get("workerid", "gw0")
    base = TEST_REDIS_URL.rsplit("/", 1)
    url = f"{base[0]}/{int(base[1]) - int(worker.removeprefix('gw'))}"
    client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.flushdb()
    except RedisError as error:
        pytest.skip(f"Redis is not reachable at {url}: {error}")
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def smtp_server(app, monkeypatch):
    """Run a real SMTP server on loopback for one test; return the list of received messages."""
    from tests.smtp import running_smtp_server

    with running_smtp_server() as (port, messages):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        yield messages


@pytest.fixture
def live_server(app) -> str:
    """Serve the application on loopback for one test (tests/live.py); return its base URL."""
    from tests.live import serving

    db.session.commit()  # hold no transaction while the server's requests run
    with serving(app) as url:
        yield url


@pytest.fixture
def client(app) -> FlaskClient:
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner bound to the application."""
    return app.test_cli_runner()


@pytest.fixture
def csrf_enabled(app, monkeypatch):
    """Turn CSRF protection on for one test (it is off elsewhere to keep tests short)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def query_counter() -> QueryCounter:
    """Return a counter: ``with query_counter as queries: ...`` then ``queries.count``."""
    return QueryCounter()


def pytest_sessionfinish(session) -> None:
    """Hand a pytest-xdist worker's security figures to the controller, which prints them."""
    from tests.security.figures import FIGURES

    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["security_figures"] = dict(FIGURES)


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: unknown when it is not installed
def pytest_testnodedown(node, error) -> None:
    """Add up the security figures of a pytest-xdist worker that finished."""
    from tests.security.figures import merge

    merge(getattr(node, "workeroutput", {}).get("security_figures", {}))


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the security figures (routes classified, pairs checked, fuzzed inputs...)."""
    from tests.security.figures import FIGURES

    if FIGURES:
        terminalreporter.section("security figures")
        for label, value in FIGURES.items():
            terminalreporter.write_line(f"{label}: {value}")
