"""Query-count table per page (PERFORMANCE.md target 4): the same for 12 and for 512 learners.

The demo instance (``lms demo``: 12 learners at every stage, quizzes passed, graded work, a
certificate) is measured as it is, then with 500 more learners in its cohort (bulk-inserted,
each with M1's lessons done), and every page's SQL statement count is printed for both, as one
person of each role sees it. ``python -m benchmarks.query_counts [--database-url URL]``; on
PostgreSQL the database given is emptied first.

A page passes when its count does not change with the cohort's size and stays ≤ 15.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, url_for
from sqlalchemy import text

from benchmarks.harness import benchmark_app, describe, enrol_learners
from lms.accounts.models import User
from lms.assessments.models import Assessment, AssessmentKind, Grade, QuizAttempt
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort
from lms.curriculum.models import Lesson, Module
from lms.demo import COHORT_NAME, DEMO_DOMAIN
from lms.extensions import db
from lms.learning.models import LessonCompletion
from tests.clients import IsolatedClient
from tests.factories import DEFAULT_PASSWORD
from tests.queries import QueryCounter
from tests.web.helpers import log_in

BUDGET = 15
EXTRA_LEARNERS = 500


@dataclass(frozen=True)
class Page:
    """A page to measure: who looks at it, and how to build its address from the data."""

    persona: str  # the demo account's slug, or "" for the public
    name: str
    url: Callable[[], str | None]


def _first(query) -> int | None:
    return db.session.scalar(query.limit(1))


def _cohort_id() -> int:
    return db.session.scalar(db.select(Cohort.id).filter_by(name=COHORT_NAME))


def _user_id(slug: str) -> int:
    return db.session.scalar(db.select(User.id).filter_by(email=f"{slug}@{DEMO_DOMAIN}"))


def _module_id(code: str) -> int:
    return db.session.scalar(db.select(Module.id).filter_by(code=code))


def _assessment_id(kind: AssessmentKind, code: str = "M1") -> int | None:
    query = (
        db.select(Assessment.id).join(Module).filter(Module.code == code, Assessment.kind == kind)
    )
    return _first(query.order_by(Assessment.position))


def _url(endpoint: str, **ids: Callable[[], int | None]) -> Callable[[], str | None]:
    """Return a builder of the page's address, None when the data lacks one of its objects."""

    def build() -> str | None:
        values = {name: find() for name, find in ids.items()}
        return None if None in values.values() else url_for(endpoint, **values)

    return build


def _lesson_id() -> int | None:
    query = db.select(Lesson.id).join(Module).filter(Module.code == "M1")
    return _first(query.order_by(Lesson.position))


def _attempt_id() -> int | None:
    query = db.select(QuizAttempt.id).filter_by(user_id=_user_id("jade"))
    return _first(query.where(QuizAttempt.submitted_at.is_not(None)).order_by(QuizAttempt.id))


def _certificate(column) -> Callable[[], object]:
    return lambda: _first(db.select(column).order_by(Certificate.id))


def _verify_url(endpoint: str) -> Callable[[], str | None]:
    def build() -> str | None:
        code = _certificate(Certificate.code)()
        return url_for(endpoint, code=code) if code else None

    return build


PAGES = (
    Page("jade", "learner dashboard", _url("learning.dashboard")),
    Page("jade", "module page", _url("learning.module", module_id=lambda: _module_id("M1"))),
    Page(
        "jade",
        "lesson page",
        _url("learning.lesson", module_id=lambda: _module_id("M1"), lesson_id=_lesson_id),
    ),
    Page("jade", "competency profile", _url("learning.competencies")),
    Page(
        "jade",
        "quiz page",
        _url("quizzes.show", assessment_id=lambda: _assessment_id(AssessmentKind.QUIZ)),
    ),
    Page(
        "jade",
        "quiz review",
        _url(
            "quizzes.review",
            assessment_id=lambda: _assessment_id(AssessmentKind.QUIZ),
            attempt_id=_attempt_id,
        ),
    ),
    Page(
        "jade",
        "assignment page",
        _url(
            "assignments.show",
            assessment_id=lambda: _assessment_id(AssessmentKind.ASSIGNMENT, "M2"),
        ),
    ),
    Page("jade", "my certificates", _url("my_certificates.my_certificates")),
    Page("formatrice", "trainer's cohorts", _url("cohorts_manage.my_cohorts")),
    Page("formatrice", "progress heatmap", _url("learning_manage.heatmap", cohort_id=_cohort_id)),
    Page(
        "formatrice",
        "learner page",
        _url("learning_manage.learner", cohort_id=_cohort_id, user_id=lambda: _user_id("jade")),
    ),
    Page("formatrice", "progress CSV", _url("learning_manage.progress_csv", cohort_id=_cohort_id)),
    Page("formatrice", "grading queue", _url("grading.queue")),
    Page(
        "formatrice",
        "grading page",
        _url("grading.grade", grade_id=lambda: _first(db.select(Grade.id).order_by(Grade.id))),
    ),
    Page("formatrice", "gradebook", _url("gradebook.show", cohort_id=_cohort_id)),
    Page("formatrice", "gradebook CSV", _url("gradebook.export", cohort_id=_cohort_id)),
    Page("admin", "admin overview", _url("admin.overview")),
    Page("admin", "users", _url("admin.users")),
    Page("admin", "audit log", _url("admin.audit")),
    Page("admin", "cohort members", _url("cohorts_admin.members", cohort_id=_cohort_id)),
    Page("admin", "eligibility", _url("certificates_admin.eligibility", cohort_id=_cohort_id)),
    Page(
        "admin",
        "eligibility CSV",
        _url("certificates_admin.eligibility_csv", cohort_id=_cohort_id),
    ),
    Page(
        "admin",
        "learner certification",
        _url("certificates_admin.learner", cohort_id=_cohort_id, user_id=lambda: _user_id("jade")),
    ),
    Page("admin", "certificates", _url("certificates_admin.certificate_list")),
    Page(
        "admin",
        "certificate detail",
        _url("certificates_admin.certificate_detail", certificate_id=_certificate(Certificate.id)),
    ),
    Page("", "public verification", _verify_url("certificates.verify")),
    Page("", "public verification JSON", _verify_url("certificates.verify_json")),
)


@contextmanager
def demo_app(database_url: str | None) -> Iterator[Flask]:
    """Yield an app on a scratch database holding the demo instance."""
    with tempfile.TemporaryDirectory() as folder:
        app = benchmark_app(database_url or f"sqlite:///{folder}/bench.sqlite3", folder)
        with app.app_context():
            db.drop_all()
            db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        logging.getLogger("lms.security").disabled = True  # one line per login is noise here
        result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
        if result.exit_code != 0:
            raise SystemExit(f"lms demo failed:\n{result.output}")
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def grow_cohort(count: int) -> None:
    """Add ``count`` learners to the demo cohort, each having done M1's lessons."""
    cohort = db.session.get(Cohort, _cohort_id())
    ids = enrol_learners(cohort, count)
    lessons = db.session.scalars(
        db.select(Lesson.id).join(Module).filter(Module.code == "M1")
    ).all()
    db.session.execute(
        db.insert(LessonCompletion),
        [{"user_id": user, "lesson_id": lesson} for user in ids for lesson in lessons],
    )
    db.session.commit()


def measure(app: Flask) -> dict[str, int | None]:
    """Return the statement count of every page, as its persona sees it (None: no such page)."""
    counts: dict[str, int | None] = {}
    with app.test_request_context():
        urls = {page.name: page.url() for page in PAGES}
    # One application context for the run, as in the tests; each request starts with a fresh g.
    app.test_client_class = IsolatedClient
    clients = {}
    with app.app_context():
        for page in PAGES:
            url = urls[page.name]
            if url is None:
                counts[page.name] = None
                continue
            if page.persona not in clients:
                clients[page.persona] = _client_of(app, page.persona)
            db.session.expire_all()
            with QueryCounter() as counter:
                response = clients[page.persona].get(url)
            if response.status_code != 200:
                raise SystemExit(f"{page.name}: {url} answered {response.status_code}")
            counts[page.name] = counter.count
    return counts


def _client_of(app: Flask, persona: str):
    """Return a test client logged in as the demo account ``persona`` (anonymous for "")."""
    client = app.test_client()
    if persona:
        user = db.session.get(User, _user_id(persona))
        user.set_password(DEFAULT_PASSWORD)
        db.session.commit()
        log_in(client, user)
    return client


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a scratch database (emptied)")
    options = parser.parse_args(argv)
    with demo_app(options.database_url) as app:
        describe(app)
        small = measure(app)
        with app.app_context():
            grow_cohort(EXTRA_LEARNERS)
        large = measure(app)
    failures = 0
    print(f"{'page':<28} {'12 learners':>12} {'512 learners':>13}  verdict")
    for page in PAGES:
        few, many = small[page.name], large[page.name]
        if few is None:
            print(f"{page.name:<28} {'n/a':>12} {'n/a':>13}  (no such object in the demo)")
            continue
        verdict = "OK" if few == many and many <= BUDGET else "OVER"
        failures += verdict == "OVER"
        print(f"{page.name:<28} {few:>12} {many:>13}  {verdict}")
    print(
        f"pages within budget: {len(PAGES) - failures} of {len(PAGES)} "
        f"(target: same count at both sizes, ≤ {BUDGET})"
    )


if __name__ == "__main__":
    main()
