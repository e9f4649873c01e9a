"""Login limits kept in Redis are shared by every web worker (stateless workers, DESIGN.md §8).

Two separate processes stand for two gunicorn workers: five failed logins in the first, the
sixth in the second is refused. Skipped when no Redis answers (the ``redis_url`` fixture).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

WORKER = textwrap.dedent(
    """
    import json, sys
    from lms import create_app
    from lms.extensions import db

    database, storage, attempts = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database,
        "SECRET_KEY": "throttling-test-" + "k" * 40,
        "WTF_CSRF_ENABLED": False,
        "INSTANCE_PATH": database.removeprefix("sqlite:///").rsplit("/", 1)[0],
        "RATELIMIT_STORAGE_URI": storage,
    })
    with app.app_context():
        db.create_all()
    client = app.test_client()
    form = {"email": "someone@example.org", "password": "not the right password"}
    print(json.dumps([client.post("/login", data=form).status_code for _ in range(attempts)]))
    """
)


def worker(database: str, redis_url: str, attempts: int) -> list[int]:
    """Run failed logins in a fresh process (a web worker); return the statuses."""
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", WORKER, database, redis_url, str(attempts)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_limit_reached_in_one_worker_holds_in_another(redis_url, tmp_path):
    from redis import Redis

    database = f"sqlite:///{tmp_path / 'workers.sqlite3'}"

    assert worker(database, redis_url, 5) == [200] * 5
    assert worker(database, redis_url, 1) == [429]
    with Redis.from_url(redis_url) as redis:
        assert redis.dbsize() > 0  # the counters live in Redis, not in a process
