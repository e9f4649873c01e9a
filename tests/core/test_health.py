"""Health probes: /healthz answers while the process is up, /readyz checks its dependencies."""

from __future__ import annotations

import socket

import pytest

from lms import create_app
from lms.extensions import db
from tests.factories import UserFactory
from tests.web.helpers import log_in


def closed_port() -> int:
    """Return a loopback port on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_on(database_url: str, tmp_path):
    """Create an application on ``database_url``, with no Redis and in-memory rate limits."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def test_healthz_says_ok_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_does_not_touch_the_database(client, query_counter):
    with query_counter as queries:
        client.get("/healthz")
    assert queries.count == 0


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"]["database"]["status"] == "ok"
    assert "redis" not in response.json["checks"]  # no Redis configured
    assert response.headers["Cache-Control"] == "no-store"


def test_probes_answer_a_logged_in_visitor_too(client):
    log_in(client, UserFactory())
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize(
    "unreachable_url",
    [
        "sqlite:////nonexistent-folder/for/lms.sqlite3",
        "postgresql://postgres@127.0.0.1:{port}/lms",
    ],
    ids=["sqlite-missing-folder", "postgresql-closed-port"],
)
def test_readyz_is_503_when_the_database_is_unreachable(unreachable_url, tmp_path):
    app = app_on(unreachable_url.format(port=closed_port()), tmp_path)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["database"] == {
        "status": "error",
        "error": "OperationalError",
        "duration_ms": response.json["checks"]["database"]["duration_ms"],
    }
    assert app.test_client().get("/healthz").status_code == 200  # the process itself is up
    with app.app_context():
        db.engine.dispose()


def test_readyz_is_503_when_redis_is_configured_but_unreachable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{closed_port()}/15")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["status"] == "ok"
    assert response.json["checks"]["redis"]["status"] == "error"
    assert response.json["checks"]["redis"]["error"] == "ConnectionError"
    assert response.json["checks"]["redis"]["duration_ms"] < 3000  # failed fast, not hung


def test_readyz_checks_a_reachable_redis(app, client, monkeypatch, redis_url):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["redis"]["status"] == "ok"
