"""Races on PostgreSQL (SECURITY.md H32): two starts open one attempt, two submits score once."""

from __future__ import annotations

import threading

import pytest

import lms.assessments.quizzes.views as quiz_views
from lms.assessments.models import QuizAttempt
from lms.assessments.quizzes import services
from lms.core.time import utcnow
from lms.extensions import db
from tests.assessments.quizzes.support import make_quiz_world
from tests.conftest import TEST_DATABASE_URL
from tests.web.helpers import log_in

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="real concurrency needs PostgreSQL (SQLite serialises writers)",
)


def _attempts(quiz_id: int) -> list[QuizAttempt]:
    """Return the quiz's attempts as the database has them now."""
    db.session.rollback()
    return list(db.session.scalars(db.select(QuizAttempt).filter_by(assessment_id=quiz_id)))


def _race(app, learner, requests) -> list:
    """Send each (method, url, data) at once from its own logged-in client; return responses."""
    clients = [app.test_client() for _ in requests]
    for client in clients:
        log_in(client, learner)
    db.session.commit()  # hold no transaction while the requests run
    responses, errors = [], []

    def send(client, method, url, data) -> None:
        with app.app_context():
            try:
                responses.append(client.open(url, method=method, data=data))
            except Exception as error:  # reported below, with the responses
                errors.append(error)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=send, args=(c, *r)) for c, r in zip(clients, requests, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return responses


def test_two_simultaneous_starts_open_one_attempt(app, monkeypatch):
    world = make_quiz_world()
    barrier, real = threading.Barrier(2), services.open_attempt

    def blind(assessment, learner):
        barrier.wait(timeout=10)  # both requests looked and saw no attempt before either writes
        return None

    monkeypatch.setattr(services, "open_attempt", blind)
    url = f"/assessments/{world.quiz.id}/quiz/attempts"
    responses = _race(app, world.learner, [("POST", url, {})] * 2)
    monkeypatch.setattr(services, "open_attempt", real)
    [attempt] = _attempts(world.quiz.id)
    expected = f"{url}/{attempt.id}"
    assert [r.headers.get("Location") for r in responses] == [expected, expected]


def test_two_simultaneous_submits_score_the_attempt_once(app, monkeypatch):
    world = make_quiz_world()
    attempt = services.start_attempt(world.quiz, world.learner, world.bien_vivre.cohort, utcnow())
    db.session.commit()
    barrier, outcomes = threading.Barrier(2), []
    real_find, real_submit = quiz_views.find_attempt, quiz_views.submit_attempt

    def find_together(*args, **kwargs):
        barrier.wait(timeout=10)  # both requests reach the row lock at the same moment
        return real_find(*args, **kwargs)

    def recording_submit(*args, **kwargs):
        outcomes.append(real_submit(*args, **kwargs))
        return outcomes[-1]

    monkeypatch.setattr(quiz_views, "find_attempt", find_together)
    monkeypatch.setattr(quiz_views, "submit_attempt", recording_submit)
    url = f"/assessments/{world.quiz.id}/quiz/attempts/{attempt.id}/submit"
    data = world.form(world.right_answers())
    responses = _race(app, world.learner, [("POST", url, data)] * 2)
    assert outcomes == [services.SubmitOutcome.SCORED]
    assert [r.status_code for r in responses] == [302, 302]
    [scored] = _attempts(world.quiz.id)
    assert (scored.score, scored.passed) == (5, True)
