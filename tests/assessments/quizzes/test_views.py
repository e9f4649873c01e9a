"""The learner's quiz pages: start, resume, answer, submit once, time limit, review, access."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import gettext

import lms.assessments.quizzes.views as quiz_views
from lms.assessments.models import QuizAttempt, QuizReview
from lms.extensions import db
from tests.assessments.quizzes.support import EXPLAIN_MARK, make_quiz_world
from tests.factories import AssessmentFactory, QuizAttemptFactory
from tests.web.helpers import log_in, text

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Freeze the quiz pages' clock at NOW; ``clock.move(delta)`` moves it."""

    class Clock:
        now = NOW

        def move(self, delta: timedelta) -> None:
            self.now = NOW + delta

    frozen = Clock()
    monkeypatch.setattr(quiz_views, "utcnow", lambda: frozen.now)
    return frozen


def _quiz_url(world, suffix: str = "") -> str:
    """Return the address of the world's quiz page (plus a suffix)."""
    return f"/assessments/{world.quiz.id}/quiz{suffix}"


def _attempts(world) -> list[QuizAttempt]:
    """Return the learner's attempts, freshly read."""
    db.session.expire_all()
    query = db.select(QuizAttempt).filter_by(assessment_id=world.quiz.id).order_by("number")
    return list(db.session.scalars(query))


def _start(client, world) -> QuizAttempt:
    """Start an attempt through the page; return it."""
    response = client.post(_quiz_url(world, "/attempts"))
    attempt = _attempts(world)[-1]
    assert response.headers["Location"] == _quiz_url(world, f"/attempts/{attempt.id}")
    return attempt


@pytest.fixture
def world(client):
    """Return the quiz world with its learner logged in."""
    built = make_quiz_world()
    log_in(client, built.learner)
    return built


def test_the_quiz_page_shows_instructions_attempts_and_a_start_button(client, world):
    html = client.get(_quiz_url(world)).get_data(as_text=True)
    assert "<strong>sans aide</strong>" in html
    assert text("%(used)d used of %(allowed)d", used=0, allowed=2) in html
    assert gettext("Start an attempt") in html
    assert gettext("Resume the attempt") not in html


def test_starting_opens_the_attempt_page_with_radios_and_checkboxes(client, world):
    attempt = _start(client, world)
    html = client.get(_quiz_url(world, f"/attempts/{attempt.id}")).get_data(as_text=True)
    single, multiple = f"question_{world.single.id}", f"question_{world.multiple.id}"
    assert len(re.findall(rf'type="radio" name="{single}"', html)) == 2
    assert len(re.findall(rf'type="checkbox" name="{multiple}"', html)) == 3
    shown = [int(i) for i in re.findall(rf'name="{multiple}" value="(\d+)"', html)]
    assert shown == attempt.option_order[str(world.multiple.id)]


def test_the_page_offers_to_resume_and_starting_again_resumes(client, world):
    attempt = _start(client, world)
    assert gettext("Resume the attempt") in client.get(_quiz_url(world)).get_data(as_text=True)
    assert _start(client, world).id == attempt.id
    assert len(_attempts(world)) == 1


def test_a_passing_submission_is_scored_and_shown(client, world):
    attempt = _start(client, world)
    url = _quiz_url(world, f"/attempts/{attempt.id}/submit")
    response = client.post(url, data=world.form(world.right_answers()))
    assert response.headers["Location"] == _quiz_url(world)
    [scored] = _attempts(world)
    assert (scored.score, scored.passed) == (5, True)
    html = client.get(_quiz_url(world)).get_data(as_text=True)
    assert (
        text(
            "Attempt submitted: %(score)d / %(max)d (%(result)s).",
            score=5,
            max=5,
            result=gettext("passed"),
        )
        in html
    )
    assert 'id="quiz-best">5 / 5' in html


def test_a_failing_submission_is_scored_and_not_passed(client, world):
    attempt = _start(client, world)
    wrong = {world.single.id: world.option_ids(world.single, False)}
    client.post(_quiz_url(world, f"/attempts/{attempt.id}/submit"), data=world.form(wrong))
    [scored] = _attempts(world)
    assert (scored.score, scored.passed) == (0, False)


def test_a_posted_score_changes_nothing(client, world):
    attempt = _start(client, world)
    data = {"score": "100", "passed": "y", "max_score": "1", "user_id": "1", "number": "9"}
    client.post(_quiz_url(world, f"/attempts/{attempt.id}/submit"), data=data)
    [scored] = _attempts(world)
    assert (scored.score, scored.max_score, scored.passed, scored.number) == (0, 5, False, 1)
    assert scored.user_id == world.learner.id


def test_saving_keeps_the_answers_and_shows_them_ticked(client, world):
    attempt = _start(client, world)
    url = _quiz_url(world, f"/attempts/{attempt.id}")
    partial = {world.single.id: world.option_ids(world.single, True)}
    assert client.post(url + "/answers", data=world.form(partial)).headers["Location"] == url
    html = client.get(url).get_data(as_text=True)
    [right] = partial[world.single.id]
    assert re.search(rf'value="{right}" checked', html)
    assert _attempts(world)[0].is_open


def test_a_forged_option_is_a_form_error_and_saves_nothing(client, world):
    attempt = _start(client, world)
    url = _quiz_url(world, f"/attempts/{attempt.id}/answers")
    forged = {world.single.id: world.option_ids(world.multiple, True)[:1]}
    response = client.post(url, data=world.form(forged))
    assert response.status_code == 422
    assert "form-errors" in response.get_data(as_text=True)
    assert _attempts(world)[0].answers == []


def test_two_ticks_on_a_single_choice_question_are_refused(client, world):
    attempt = _start(client, world)
    both = {world.single.id: [o.id for o in world.single.options]}
    response = client.post(
        _quiz_url(world, f"/attempts/{attempt.id}/submit"), data=world.form(both)
    )
    assert response.status_code == 422
    assert text("Choose only one answer.") in response.get_data(as_text=True)
    assert _attempts(world)[0].is_open


def test_submitting_twice_records_one_submission(client, world, clock):
    attempt = _start(client, world)
    url = _quiz_url(world, f"/attempts/{attempt.id}/submit")
    client.post(url, data=world.form(world.right_answers()))
    clock.move(timedelta(minutes=1))
    wrong = {world.single.id: world.option_ids(world.single, False)}
    assert client.post(url, data=world.form(wrong)).headers["Location"] == _quiz_url(world)
    [scored] = _attempts(world)
    assert (scored.score, scored.submitted_at) == (5, NOW)


def test_saving_a_submitted_attempt_goes_back_to_the_quiz(client, world):
    attempt = _start(client, world)
    client.post(_quiz_url(world, f"/attempts/{attempt.id}/submit"))
    url = _quiz_url(world, f"/attempts/{attempt.id}")
    response = client.post(url + "/answers", data=world.form(world.right_answers()))
    assert response.headers["Location"] == _quiz_url(world)
    assert _attempts(world)[0].score == 0
    assert client.get(url).headers["Location"] == _quiz_url(world)


def test_no_attempt_starts_once_all_are_used(client, world):
    for _ in range(2):
        attempt = _start(client, world)
        client.post(_quiz_url(world, f"/attempts/{attempt.id}/submit"))
    response = client.post(_quiz_url(world, "/attempts"), follow_redirects=True)
    assert text("You have used all your attempts at this quiz.") in response.get_data(as_text=True)
    assert len(_attempts(world)) == 2


def test_no_attempt_starts_after_the_deadline(client, clock):
    world = make_quiz_world(due_days=1)
    log_in(client, world.learner)
    clock.now = datetime.now(UTC) + timedelta(days=1)  # the module opened yesterday
    response = client.post(_quiz_url(world, "/attempts"), follow_redirects=True)
    assert text("The deadline of this quiz has passed.") in response.get_data(as_text=True)
    assert _attempts(world) == []


def test_the_time_left_is_shown_and_late_answers_do_not_count(client, clock):
    world = make_quiz_world(time_limit_minutes=10)
    log_in(client, world.learner)
    attempt = _start(client, world)
    url = _quiz_url(world, f"/attempts/{attempt.id}")
    clock.move(timedelta(minutes=4))
    html = client.get(url).get_data(as_text=True)
    assert "Time left: 6 min 0 s" in html
    saved = {world.single.id: world.option_ids(world.single, True)}
    client.post(url + "/answers", data=world.form(saved))
    clock.move(timedelta(minutes=10, seconds=31))
    client.post(url + "/submit", data=world.form(world.right_answers()))
    [scored] = _attempts(world)
    assert scored.score == 2  # the saved single-choice answer only
    assert scored.submitted_at == NOW + timedelta(minutes=10, seconds=31)


def test_answers_within_the_grace_period_count(client, clock):
    world = make_quiz_world(time_limit_minutes=10)
    log_in(client, world.learner)
    attempt = _start(client, world)
    clock.move(timedelta(minutes=10, seconds=30))
    url = _quiz_url(world, f"/attempts/{attempt.id}/submit")
    client.post(url, data=world.form(world.right_answers()))
    assert _attempts(world)[0].score == 5


def test_saving_after_the_limit_submits_what_was_saved(client, clock):
    world = make_quiz_world(time_limit_minutes=10)
    log_in(client, world.learner)
    attempt = _start(client, world)
    clock.move(timedelta(minutes=11))
    url = _quiz_url(world, f"/attempts/{attempt.id}")
    assert gettext("Time is up") in client.get(url).get_data(as_text=True)
    response = client.post(
        url + "/answers", data=world.form(world.right_answers()), follow_redirects=True
    )
    assert text("Time was up: only the answers saved before the limit were counted.") in (
        response.get_data(as_text=True)
    )
    [scored] = _attempts(world)
    assert (scored.score, scored.is_open) == (0, False)


def test_the_review_shows_chosen_and_correct_options_after_submission(client, world):
    attempt = _start(client, world)
    client.post(_quiz_url(world, f"/attempts/{attempt.id}/submit"))
    review = _quiz_url(world, f"/attempts/{attempt.id}/review")
    assert review in client.get(_quiz_url(world)).get_data(as_text=True)
    html = client.get(review).get_data(as_text=True)
    assert EXPLAIN_MARK in html
    assert html.count(gettext("Correct answer")) == 3


def test_no_review_while_another_attempt_is_open(client, world):
    attempt = _start(client, world)
    client.post(_quiz_url(world, f"/attempts/{attempt.id}/submit"))
    _start(client, world)
    review = _quiz_url(world, f"/attempts/{attempt.id}/review")
    assert client.get(review).headers["Location"] == _quiz_url(world)


@pytest.mark.parametrize("review", [QuizReview.NEVER, QuizReview.AFTER_DEADLINE])
def test_no_review_when_the_setting_forbids_it(client, review):
    world = make_quiz_world(review=review)
    log_in(client, world.learner)
    attempt = _start(client, world)
    client.post(_quiz_url(world, f"/attempts/{attempt.id}/submit"))
    url = _quiz_url(world, f"/attempts/{attempt.id}/review")
    assert url not in client.get(_quiz_url(world)).get_data(as_text=True)
    response = client.get(url, follow_redirects=True)
    assert EXPLAIN_MARK not in response.get_data(as_text=True)


def test_an_open_attempt_has_no_review(client, world):
    attempt = _start(client, world)
    url = _quiz_url(world, f"/attempts/{attempt.id}/review")
    assert client.get(url).headers["Location"] == _quiz_url(world)


def test_another_learners_attempt_is_not_found(client, world):
    other = world.bien_vivre.enrol_learner()
    theirs = QuizAttemptFactory(assessment=world.quiz, user=other, max_score=5)
    for suffix in ("", "/review"):
        assert client.get(_quiz_url(world, f"/attempts/{theirs.id}{suffix}")).status_code == 404
    for suffix in ("/answers", "/submit"):
        response = client.post(_quiz_url(world, f"/attempts/{theirs.id}{suffix}"))
        assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(QuizAttempt, theirs.id).is_open


def test_an_attempt_of_another_quiz_is_not_found(client, world):
    other_quiz = AssessmentFactory(quiz=True, module=world.bien_vivre.modules["M1"])
    mine = QuizAttemptFactory(assessment=other_quiz, user=world.learner)
    assert client.get(_quiz_url(world, f"/attempts/{mine.id}")).status_code == 404


def test_an_assessment_that_is_not_a_quiz_is_not_found(client, world):
    assignment = AssessmentFactory(module=world.bien_vivre.modules["M1"])
    assert client.get(f"/assessments/{assignment.id}/quiz").status_code == 404
    assert client.post(f"/assessments/{assignment.id}/quiz/attempts").status_code == 404


def test_a_quiz_of_a_locked_module_is_forbidden(client):
    world = make_quiz_world(module_code="M2")  # M1 not completed: M2 is locked
    log_in(client, world.learner)
    assert client.get(_quiz_url(world)).status_code == 403
    assert client.post(_quiz_url(world, "/attempts")).status_code == 403
    assert _attempts(world) == []


def test_anonymous_visitors_go_to_the_login_page(world, app):
    response = app.test_client().get(_quiz_url(world))
    assert response.headers["Location"].startswith("/login")


def test_answers_that_are_not_option_ids_are_a_form_error(client, world):
    attempt = _start(client, world)
    url = _quiz_url(world, f"/attempts/{attempt.id}/answers")
    for value in ("abc", "\x00", "1.5", str(10**30)):
        response = client.post(url, data={f"question_{world.single.id}": value})
        assert response.status_code == 422, value
    assert _attempts(world)[0].answers == []
