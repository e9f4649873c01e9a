"""What the rendering benchmarks share: options, a seeded app, medians, the report line.

A benchmark script builds its parser with ``options``, fills a database with ``seeded_app``
(a temporary SQLite file, or the scratch database of ``--database-url``, emptied first), times
pages with ``served`` and ``median_seconds``, and prints each figure with ``report`` in the
PERFORMANCE.md format: ``name: value (floor: value, ratio: r, target: t)``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask

from lms import create_app
from lms.accounts.models import User
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.extensions import db

PASSWORD = "benchmark password, long enough 2024"  # noqa: S105 (seeded scratch data)
TRAINER_EMAIL = "formatrice@bench.example"
SECRET_KEY = "benchmark-" + "k" * 40
Seeded = TypeVar("Seeded")


def options(
    description: str, argv: list[str] | None, *, learners: int, repeat: int, warmup: int
) -> argparse.Namespace:
    """Parse the options every benchmark takes (``--database-url``, sizes, repetitions)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--database-url", help="a scratch database (emptied); default: temporary SQLite"
    )
    parser.add_argument("--learners", type=int, default=learners)
    parser.add_argument("--repeat", type=int, default=repeat, help="timed runs (median)")
    parser.add_argument("--warmup", type=int, default=warmup, help="untimed runs first")
    return parser.parse_args(argv)


def benchmark_app(url: str, folder: str, **config: object) -> Flask:
    """Return an app on the database ``url``, instance in ``folder``, CSRF and limits off."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET_KEY,
            "INSTANCE_PATH": folder,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            **config,
        }
    )


@contextmanager
def seeded_app(
    database_url: str | None, seed: Callable[[], Seeded]
) -> Iterator[tuple[Flask, Seeded]]:
    """Yield an app on an emptied database filled by ``seed``, and what ``seed`` returned.

    On PostgreSQL the tables are analysed after seeding, as autovacuum does on a database in
    service: otherwise the planner would guess from empty tables (or not, depending on when
    autovacuum last woke up) and the figures would drift from run to run.
    """
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{folder}/benchmark.sqlite3"
        app = benchmark_app(url, folder)
        with app.app_context():
            db.drop_all()
            db.create_all()
            result = seed()
            db.session.commit()
            if db.engine.dialect.name == "postgresql":
                db.session.execute(db.text("ANALYZE"))
                db.session.commit()
            db.session.remove()
        try:
            yield app, result
        finally:
            with app.app_context():
                db.engine.dispose()  # before the temporary folder (and its SQLite file) goes


def describe(app: Flask, **sizes: int) -> None:
    """Print the database and the sizes measured, before the figures."""
    with app.app_context():
        database = db.engine.dialect.name
    print(", ".join([f"database: {database}"] + [f"{k}: {v}" for k, v in sizes.items()]))


def person(email: str, name: str) -> User:
    """Add a user who can log in with ``PASSWORD``."""
    user = User(email=email, display_name=name)
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def enrol_learners(cohort: Cohort, count: int) -> list[int]:
    """Bulk-insert ``count`` learners of the cohort (no password); return their ids in order."""
    emails = [f"learner{i:04d}@bench.example" for i in range(count)]
    db.session.execute(
        db.insert(User),
        [{"email": e, "display_name": f"Apprenant·e {i:04d}"} for i, e in enumerate(emails)],
    )
    ids = list(
        db.session.scalars(db.select(User.id).where(User.email.in_(emails)).order_by(User.email))
    )
    db.session.execute(
        db.insert(Membership),
        [{"user_id": i, "cohort_id": cohort.id, "role": MembershipRole.LEARNER} for i in ids],
    )
    return ids


def median_seconds(run: Callable[[], object], repeat: int, warmup: int) -> float:
    """Return the median duration of ``run`` over ``repeat`` timed calls after ``warmup`` calls."""
    for _ in range(warmup):
        run()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def served(app: Flask, email: str, url: str) -> Callable[[], bytes]:
    """Return a callable that fetches ``url`` as the user with this e-mail (logged in once)."""
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})

    def fetch() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data()

    fetch()
    return fetch


def report(name: str, value: float, floor: float, target: float) -> None:
    """Print one figure in the PERFORMANCE.md format, with OK or OVER its target ratio."""
    ratio = value / floor
    print(
        f"{name}: {value * 1000:.1f} ms (floor: {floor * 1000:.1f} ms, ratio: {ratio:.2f}, "
        f"target: ≤ {target:g}×) {'OK' if ratio <= target else 'OVER'}"
    )
