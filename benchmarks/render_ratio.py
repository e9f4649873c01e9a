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

from datetime import UTC, datetime, timedelta

from flask import Flask, render_template, template_rendered
from flask_login import login_user

from benchmarks.harness import (
    PASSWORD,
    TRAINER_EMAIL,
    describe,
    enrol_learners,
    median_seconds,
    options,
    person,
    report,
    seeded_app,
    served,
)
from lms.accounts.models import User
from lms.cohorts.models import Cohort, Membership, MembershipRole, ModuleCalendar
from lms.curriculum.models import Module
from lms.curriculum.services import load_path_file, shipped_path_file
from lms.extensions import db
from lms.learning import views as learning_views
from lms.learning.cohort_progress import cohort_progress
from lms.learning.manage import heatmap_context
from lms.learning.models import LessonCompletion

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
    trainer = person(TRAINER_EMAIL, "Fatou Formatrice")
    db.session.add(Membership(user=trainer, cohort=cohort, role=MembershipRole.TRAINER))
    db.session.flush()
    midway = _enrol_learners(cohort, modules, learners)
    return cohort.id, trainer.id, midway


def _enrol_learners(cohort: Cohort, modules: list[Module], count: int) -> int:
    """Enrol learners at stages 0..5 modules done, every other one midway in the next."""
    lessons = {
        module.id: [lesson.id for lesson in module.lessons if lesson.is_required]
        for module in modules
    }
    open_modules = [module for module in modules if CALENDAR[module.code][0] < 0]
    start = datetime(2025, 1, 6, 9, tzinfo=UTC)
    ids = enrol_learners(cohort, count)
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


def main(argv: list[str] | None = None) -> None:
    """Seed, measure and print the heatmap and dashboard rendering ratios."""
    args = options(__doc__.splitlines()[0], argv, learners=500, repeat=15, warmup=3)
    with seeded_app(args.database_url, lambda: seed(args.learners)) as (app, ids):
        cohort_id, trainer_id, learner_id = ids
        describe(app, learners=args.learners, modules=len(CALENDAR))
        with app.app_context():
            learner_email = db.session.get(User, learner_id).email
        heatmap = served(app, TRAINER_EMAIL, f"/manage/cohorts/{cohort_id}/progress")
        dashboard = served(app, learner_email, "/dashboard")
        report(
            "heatmap",
            median_seconds(heatmap, args.repeat, args.warmup),
            heatmap_floor(app, cohort_id, trainer_id, args.repeat, args.warmup),
            TARGETS["heatmap"],
        )
        report(
            "dashboard",
            median_seconds(dashboard, args.repeat, args.warmup),
            dashboard_floor(app, learner_id, args.repeat, args.warmup),
            TARGETS["dashboard"],
        )


if __name__ == "__main__":
    main()
