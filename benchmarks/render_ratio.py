"""Rendering budget (PERFORMANCE.md target 5): a page through the app vs its template alone.

Seeds a cohort of the shipped 8-module path with ``--learners`` learners at different stages
(deterministic), then measures, with medians of ``time.perf_counter`` after a warm-up:

- ``heatmap``: the trainer's progress heatmap fully served (test client, logged-in trainer)
  against the same template rendered from a ``CohortProgress`` already computed in memory;
- ``dashboard``: the learner dashboard served against the same template rendered from the very
  context its view computed.

Run ``python -m benchmarks.render_ratio [--database-url URL] [--learners 500]``. Without a URL the
data goes into a temporary SQLite file; a given database is emptied and filled (use a scratch one).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask, render_template, template_rendered
from flask_login import login_user

from lms import create_app
from lms.accounts.models import User
from lms.cohorts.models import Cohort, Membership, MembershipRole, ModuleCalendar
from lms.curriculum.models import Module
from lms.curriculum.services import load_path_file, shipped_path_file
from lms.extensions import db
from lms.learning import views as learning_views
from lms.learning.manage import heatmap_context
from lms.learning.models import LessonCompletion
from lms.learning.services import cohort_progress

PASSWORD = "benchmark password, long enough 2024"  # noqa: S105 (seeded scratch data)
# Days from now when each module opens and closes: M3 closed already, M6-M8 still ahead.
CALENDAR = {
    "M1": (-120, -90),
    "M2": (-95, -60),
    "M3": (-70, -10),
    "M4": (-70, 20),
    "M5": (-40, None),
    "M6": (10, None),
    "M7": (40, None),
    "M8": (75, None),
}
TARGETS = {"heatmap": 3.0, "dashboard": 2.0}


def seed(learners: int) -> tuple[int, int, int]:
    """Fill the database; return the ids of the cohort, its trainer and a midway learner."""
    path = load_path_file(shipped_path_file()).path
    now = datetime.now(UTC)
    today = now.date()
    cohort = Cohort(
        name="Promotion de mesure",
        path=path,
        starts_on=today - timedelta(days=130),
        ends_on=today + timedelta(days=200),
        capacity=None,
    )
    db.session.add(cohort)
    modules = list(
        db.session.scalars(db.select(Module).filter_by(path_id=path.id).order_by(Module.position))
    )
    for module in modules:
        opens, closes = CALENDAR[module.code]
        db.session.add(
            ModuleCalendar(
                cohort=cohort,
                module=module,
                opens_at=now + timedelta(days=opens),
                closes_at=None if closes is None else now + timedelta(days=closes),
            )
        )
    trainer = _person("formatrice@bench.example", "Fatou Formatrice")
    db.session.add(Membership(user=trainer, cohort=cohort, role=MembershipRole.TRAINER))
    db.session.flush()
    midway = _enrol_learners(cohort, modules, learners)
    db.session.commit()
    return cohort.id, trainer.id, midway


def _person(email: str, name: str) -> User:
    """Create a user who can log in."""
    user = User(email=email, display_name=name)
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def _enrol_learners(cohort: Cohort, modules: list[Module], count: int) -> int:
    """Bulk-insert learners at stages 0..5 modules done, every other one midway in the next."""
    lessons = {
        module.id: [lesson.id for lesson in module.lessons if lesson.is_required]
        for module in modules
    }
    open_modules = [module for module in modules if CALENDAR[module.code][0] < 0]
    start = datetime(2025, 1, 6, 9, tzinfo=UTC)
    users = [
        {"email": f"learner{i:04d}@bench.example", "display_name": f"Apprenant·e {i:04d}"}
        for i in range(count)
    ]
    db.session.execute(db.insert(User), users)
    ids = list(
        db.session.scalars(
            db.select(User.id).where(User.email.like("learner%@bench.example")).order_by(User.email)
        )
    )
    db.session.execute(
        db.insert(Membership),
        [{"user_id": i, "cohort_id": cohort.id, "role": MembershipRole.LEARNER} for i in ids],
    )
    completions = []
    for index, user_id in enumerate(ids):
        stage = index % (len(open_modules) + 1)
        done = [lesson for module in open_modules[:stage] for lesson in lessons[module.id]]
        if index % 2 and stage < len(open_modules):
            done += lessons[open_modules[stage].id][:1]
        completions += [
            {
                "user_id": user_id,
                "lesson_id": lesson,
                "completed_at": start + timedelta(hours=n + index % 50),
            }
            for n, lesson in enumerate(done)
        ]
    db.session.execute(db.insert(LessonCompletion), completions)
    midway = ids[3]
    db.session.get(User, midway).set_password(PASSWORD)
    return midway


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


def served(app: Flask, email: str, url: str) -> Callable[[], object]:
    """Return a callable that fetches ``url`` as the user with this e-mail (logged in once)."""
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})

    def fetch() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data()

    fetch()
    return fetch


def heatmap_floor(app: Flask, cohort_id: int, trainer_id: int, repeat: int, warmup: int) -> float:
    """Time the heatmap template alone, from a CohortProgress computed beforehand."""
    with app.test_request_context(f"/manage/cohorts/{cohort_id}/progress"):
        login_user(db.session.get(User, trainer_id))
        context = heatmap_context(cohort_progress(db.session.get(Cohort, cohort_id)), {})
        return median_seconds(
            lambda: render_template("learning/manage/heatmap.html", **context), repeat, warmup
        )


def dashboard_floor(app: Flask, learner_id: int, repeat: int, warmup: int) -> float:
    """Time the dashboard template alone, from the context its view computed once."""
    with app.test_request_context("/dashboard"):
        login_user(db.session.get(User, learner_id))
        standard = set(_standard_context_keys(app))
        captured: list = []

        def capture(sender, template, context, **extra) -> None:
            captured.append(
                (template.name, {k: v for k, v in context.items() if k not in standard})
            )

        with template_rendered.connected_to(capture, app):
            learning_views.dashboard()
        name, context = captured[0]
        return median_seconds(lambda: render_template(name, **context), repeat, warmup)


def _standard_context_keys(app: Flask) -> dict:
    """Return what Flask and the context processors put in every template context."""
    context: dict = {}
    app.update_template_context(context)
    return context


def report(name: str, value: float, floor: float) -> None:
    """Print one figure in the PERFORMANCE.md format."""
    ratio = value / floor
    print(
        f"{name}: {value * 1000:.1f} ms (floor: {floor * 1000:.1f} ms, ratio: {ratio:.2f}, "
        f"target: ≤ {TARGETS[name]:.0f}×) {'OK' if ratio <= TARGETS[name] else 'OVER'}"
    )


def main(argv: list[str] | None = None) -> None:
    """Seed, measure and print the heatmap and dashboard rendering ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a scratch database (emptied); default: temporary SQLite"
    )
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/render_ratio.sqlite3"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "benchmark-" + "k" * 40,
                "INSTANCE_PATH": folder,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            db.drop_all()
            db.create_all()
            cohort_id, trainer_id, learner_id = seed(args.learners)
            trainer_email = db.session.get(User, trainer_id).email
            learner_email = db.session.get(User, learner_id).email
            db.session.remove()
        print(f"database: {url.split(':')[0]}, learners: {args.learners}, modules: 8")
        heatmap = served(app, trainer_email, f"/manage/cohorts/{cohort_id}/progress")
        dashboard = served(app, learner_email, "/dashboard")
        report(
            "heatmap",
            median_seconds(heatmap, args.repeat, args.warmup),
            heatmap_floor(app, cohort_id, trainer_id, args.repeat, args.warmup),
        )
        report(
            "dashboard",
            median_seconds(dashboard, args.repeat, args.warmup),
            dashboard_floor(app, learner_id, args.repeat, args.warmup),
        )
        if args.database_url is None:
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
