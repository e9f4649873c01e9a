"""Quiz services: starting and resuming, saving, scoring on the server, time limits, review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.assessments.models import QuizAttempt, QuizReview
from lms.assessments.quizzes.services import (
    AlreadySubmitted,
    QuizError,
    SubmitOutcome,
    best_attempt,
    chosen_options,
    deadline_for,
    find_attempt,
    learner_attempts,
    review_available,
    save_answers,
    shown_questions,
    start_attempt,
    submit_attempt,
)
from lms.cohorts.models import ModuleCalendar
from lms.extensions import db
from tests.assessments.quizzes.support import make_quiz_world
from tests.factories import DeadlineExtensionFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _start(world, now=NOW, **kwargs) -> QuizAttempt:
    """Start an attempt for the world's learner."""
    cohort = world.bien_vivre.cohort
    return start_attempt(world.quiz, world.learner, cohort, now, **kwargs)


def _submit(world, answers, now=NOW, **kwargs) -> QuizAttempt:
    """Start an attempt and submit these answers at once; return the scored attempt."""
    attempt = _start(world, now)
    submit_attempt(attempt, answers, now, **kwargs)
    return attempt


def test_start_numbers_the_attempt_and_stores_every_question_option_order():
    world = make_quiz_world()
    attempt = _start(world, shuffle=lambda ids: ids.reverse())
    assert attempt.number == 1
    assert attempt.max_score == 5
    assert attempt.deadline_at is None
    assert attempt.option_order == {
        str(world.single.id): [o.id for o in reversed(world.single.options)],
        str(world.multiple.id): [o.id for o in reversed(world.multiple.options)],
    }
    assert [len(options) for _q, options in shown_questions(attempt)] == [2, 3]
    assert shown_questions(attempt)[0][1][0].id == world.single.options[-1].id


def test_options_keep_their_position_order_when_the_quiz_does_not_shuffle():
    world = make_quiz_world(shuffle_options=False)
    attempt = _start(world, shuffle=lambda ids: ids.reverse())
    assert attempt.option_order[str(world.single.id)] == [o.id for o in world.single.options]


def test_starting_again_resumes_the_open_attempt():
    world = make_quiz_world()
    first = _start(world)
    assert _start(world, NOW + timedelta(minutes=5)) is first
    assert len(learner_attempts(world.quiz, world.learner)) == 1


def test_the_time_limit_sets_the_attempt_deadline():
    world = make_quiz_world(time_limit_minutes=20)
    assert _start(world).deadline_at == NOW + timedelta(minutes=20)


def test_no_attempt_starts_once_all_are_used():
    world = make_quiz_world(max_attempts=2)
    _submit(world, {})
    second = _submit(world, {})
    assert second.number == 2
    with pytest.raises(QuizError, match="used all your attempts"):
        _start(world)


def test_unlimited_attempts_keep_counting():
    world = make_quiz_world(max_attempts=None)
    numbers = [_submit(world, {}).number for _ in range(4)]
    assert numbers == [1, 2, 3, 4]


def test_no_attempt_starts_after_the_deadline_of_the_module_calendar():
    world = make_quiz_world(due_days=7)
    calendar = db.session.scalar(
        db.select(ModuleCalendar).filter_by(module_id=world.quiz.module_id)
    )
    due_at = calendar.opens_at + timedelta(days=7)
    assert deadline_for(world.quiz, world.learner, world.bien_vivre.cohort) == due_at
    assert _start(world, due_at).number == 1  # still on time at the deadline itself
    db.session.rollback()
    with pytest.raises(QuizError, match="deadline of this quiz has passed"):
        _start(world, due_at + timedelta(seconds=1))


def test_an_extension_replaces_the_deadline_for_its_learner_only():
    world = make_quiz_world(due_days=0)
    later = NOW + timedelta(days=400)
    DeadlineExtensionFactory(assessment=world.quiz, user=world.learner, due_at=later)
    assert deadline_for(world.quiz, world.learner, world.bien_vivre.cohort) == later
    other = world.bien_vivre.enrol_learner()
    assert deadline_for(world.quiz, other, world.bien_vivre.cohort) != later
    assert _start(world, later - timedelta(days=1)).number == 1


def test_no_deadline_without_due_days():
    world = make_quiz_world(due_days=None)
    assert deadline_for(world.quiz, world.learner, world.bien_vivre.cohort) is None


def test_all_right_answers_earn_every_point_and_pass():
    world = make_quiz_world()
    attempt = _submit(world, world.right_answers())
    assert (attempt.score, attempt.max_score, attempt.passed) == (5, 5, True)
    assert attempt.submitted_at == NOW


def test_a_single_choice_question_scores_only_its_correct_option():
    world = make_quiz_world()
    wrong = world.option_ids(world.single, False)
    attempt = _submit(world, {world.single.id: wrong})
    assert attempt.score == 0
    assert attempt.passed is False


@pytest.mark.parametrize(
    ("pick", "points"),
    [
        (lambda right, wrong: right, 3),  # exactly the correct set
        (lambda right, wrong: right[:1], 0),  # one correct option missing
        (lambda right, wrong: right + wrong, 0),  # a wrong option too
        (lambda right, wrong: [], 0),  # nothing ticked
    ],
)
def test_a_multiple_choice_question_scores_only_the_exact_set_of_correct_options(pick, points):
    world = make_quiz_world()
    right = world.option_ids(world.multiple, True)
    wrong = world.option_ids(world.multiple, False)
    attempt = _submit(world, {world.multiple.id: pick(right, wrong)})
    assert attempt.score == points


def test_the_pass_mark_is_a_percentage_of_the_maximum():
    world = make_quiz_world(pass_mark_percent=60)  # 3 of 5 points
    attempt = _submit(world, {world.multiple.id: world.option_ids(world.multiple, True)})
    assert (attempt.score, attempt.passed) == (3, True)
    world.quiz.pass_mark_percent = 61
    other = _submit(world, {world.multiple.id: world.option_ids(world.multiple, True)})
    assert (other.score, other.passed) == (3, False)


def test_the_score_comes_from_the_stored_options_not_from_the_attempt():
    world = make_quiz_world()
    attempt = _start(world)
    attempt.score = 5  # whatever was there before is recomputed
    submit_attempt(attempt, {world.single.id: world.option_ids(world.single, False)}, NOW)
    assert attempt.score == 0


def test_saving_replaces_the_answers_of_the_questions_given_only():
    world = make_quiz_world()
    attempt = _start(world)
    save_answers(attempt, world.right_answers(), NOW)
    wrong = world.option_ids(world.single, False)
    save_answers(attempt, {world.single.id: wrong}, NOW)
    chosen = chosen_options(attempt)
    assert chosen[world.single.id] == set(wrong)
    assert chosen[world.multiple.id] == set(world.option_ids(world.multiple, True))


def test_submitting_without_answers_scores_the_saved_ones():
    world = make_quiz_world()
    attempt = _start(world)
    save_answers(attempt, world.right_answers(), NOW)
    assert submit_attempt(attempt, None, NOW) == SubmitOutcome.SCORED
    assert attempt.score == 5


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (lambda w: {w.single.id: w.option_ids(w.multiple, True)[:1]}, "not an option"),
        (lambda w: {w.single.id: [o.id for o in w.single.options]}, "only one answer"),
        (lambda w: {999_999: []}, "not part of the quiz"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(answers, message):
    world = make_quiz_world()
    attempt = _start(world)
    with pytest.raises(QuizError, match=message):
        save_answers(attempt, answers(world), NOW)
    assert chosen_options(attempt) == {}


def test_answers_within_the_grace_period_count():
    world = make_quiz_world(time_limit_minutes=10)
    attempt = _start(world)
    on_time = NOW + timedelta(minutes=10, seconds=30)
    grace = timedelta(seconds=30)
    assert submit_attempt(attempt, world.right_answers(), on_time, grace) == SubmitOutcome.SCORED
    assert attempt.score == 5


def test_answers_after_the_limit_and_grace_do_not_count():
    world = make_quiz_world(time_limit_minutes=10)
    attempt = _start(world)
    save_answers(attempt, {world.single.id: world.option_ids(world.single, True)}, NOW)
    late = NOW + timedelta(minutes=10, seconds=31)
    grace = timedelta(seconds=30)
    outcome = submit_attempt(attempt, world.right_answers(), late, grace)
    assert outcome == SubmitOutcome.SCORED_LATE
    assert attempt.score == 2  # only the single-choice answer, saved before the limit
    assert chosen_options(attempt)[world.multiple.id] == set()


def test_saving_after_the_limit_is_refused():
    world = make_quiz_world(time_limit_minutes=10)
    attempt = _start(world)
    with pytest.raises(QuizError, match="time limit has passed"):
        save_answers(attempt, world.right_answers(), NOW + timedelta(minutes=11))
    assert chosen_options(attempt) == {}


def test_a_second_submit_changes_nothing():
    world = make_quiz_world()
    attempt = _submit(world, world.right_answers())
    later = NOW + timedelta(minutes=1)
    wrong = {world.single.id: world.option_ids(world.single, False)}
    assert submit_attempt(attempt, wrong, later) == SubmitOutcome.ALREADY_SUBMITTED
    assert (attempt.score, attempt.submitted_at) == (5, NOW)
    with pytest.raises(QuizError, match="already been submitted"):
        save_answers(attempt, wrong, later)


def test_a_submit_that_lost_a_race_raises_and_scores_nothing():
    world = make_quiz_world()
    attempt = _start(world)
    db.session.commit()
    assert attempt.is_open  # what this request read...
    with db.engine.begin() as other_request:  # ...before another one scored it (no row lock)
        other_request.execute(
            db.update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id)
            .values(score=2, passed=False, submitted_at=NOW)
        )
    with pytest.raises(AlreadySubmitted):
        submit_attempt(attempt, world.right_answers(), NOW + timedelta(seconds=1))
    db.session.rollback()
    assert (attempt.score, attempt.submitted_at) == (2, NOW)


def test_the_best_attempt_is_the_highest_score():
    world = make_quiz_world(max_attempts=None)
    _submit(world, {})
    best = _submit(world, world.right_answers())
    _submit(world, {})
    _start(world)  # open: not a result
    assert best_attempt(learner_attempts(world.quiz, world.learner)) is best


def test_an_attempt_is_found_only_for_its_learner():
    world = make_quiz_world()
    attempt = _start(world)
    other = world.bien_vivre.enrol_learner()
    assert find_attempt(world.quiz, world.learner, attempt.id) is attempt
    assert find_attempt(world.quiz, other, attempt.id) is None
    assert find_attempt(world.quiz, world.learner, attempt.id, lock=True) is attempt


@pytest.mark.parametrize(
    ("review", "due_in", "has_open", "expected"),
    [
        (QuizReview.AFTER_SUBMISSION, None, False, True),
        (QuizReview.AFTER_SUBMISSION, None, True, False),  # another attempt is open
        (QuizReview.NEVER, None, False, False),
        (QuizReview.AFTER_DEADLINE, None, False, False),  # no deadline: never
        (QuizReview.AFTER_DEADLINE, timedelta(days=1), False, False),
        (QuizReview.AFTER_DEADLINE, timedelta(days=-1), False, True),
    ],
)
def test_review_follows_the_quiz_setting(review, due_in, has_open, expected):
    world = make_quiz_world(review=review)
    attempt = _submit(world, {})
    due_at = None if due_in is None else NOW + due_in
    assert review_available(attempt, due_at, NOW, has_open) is expected


def test_an_open_attempt_is_never_reviewable():
    world = make_quiz_world()
    assert review_available(_start(world), None, NOW, True) is False
