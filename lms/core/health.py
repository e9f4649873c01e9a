"""Health probes for the proxy or orchestrator: ``/healthz`` (alive) and ``/readyz`` (ready).

``/healthz`` answers as long as the worker process serves requests, and touches nothing else: a
load balancer may restart a worker that stops answering it. ``/readyz`` says whether the
instance can serve real pages: the database answers ``SELECT 1`` and, when ``REDIS_URL`` is
set, Redis answers ``PING``; any failure answers 503 so that traffic goes elsewhere. Each
check waits at most ``HEALTH_CHECK_TIMEOUT`` seconds, so a probe never hangs. Answers name the
error's type only (the details go to the log): the probes are public and need no session.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from lms.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Say that the process is up, without touching the database."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Check the database (and Redis when configured); 503 when any check fails."""
    checks = {"database": _timed(_check_database)}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _timed(_check_redis)
    ready = all(check["status"] == "ok" for check in checks.values())
    body = jsonify(status="ok" if ready else "unavailable", checks=checks)
    return body, 200 if ready else 503


def _timed(check: Callable[[float], None]) -> dict[str, object]:
    """Run one check; return its status, its duration and, on failure, the error's type."""
    started = time.perf_counter()
    try:
        check(float(current_app.config["HEALTH_CHECK_TIMEOUT"]))
    except Exception as error:  # every failure is an answer here, never a 500
        current_app.logger.warning("readyz.%s failed: %r", check.__name__, error)
        result: dict[str, object] = {"status": "error", "error": type(error).__name__}
    else:
        result = {"status": "ok"}
    result["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_database(timeout: float) -> None:
    """Run ``SELECT 1`` on a connection of the application's own pool."""
    engine = db.engine
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # A server that accepts connections but hangs on queries must not hold the probe.
            milliseconds = int(timeout * 1000)
            connection.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))
        connection.execute(text("SELECT 1")).scalar_one()
        connection.rollback()


def _check_redis(timeout: float) -> None:
    """Send ``PING`` to Redis with short connect and read timeouts."""
    from lms.core.jobs import redis_connection

    redis_connection(timeout=timeout).ping()
