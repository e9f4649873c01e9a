"""Quiz use cases: start or resume an attempt, save answers, submit, score, review.

Scoring rule (always computed here, from the stored correct options, never from the request):
a question earns its points only when the set of options ticked is exactly its set of correct
options. For a single-choice question that is "the one correct option, and nothing else"; for a
multiple-choice question every correct option and no wrong one; there is no partial credit.
An attempt passes when ``score × 100 ≥ pass_mark_percent × max_score`` (integers: no rounding).

Time: every service takes ``now``. An attempt with a time limit accepts answers until
``deadline_at + grace``; answers received later are not counted: the attempt is submitted with
what was saved before the limit. The quiz's own deadline (the module calendar's ``opens_at`` +
``due_days``, or the learner's extension) only stops new attempts from starting.

Concurrency: a double "start" is refused by the database (one open attempt per learner and
quiz, unique attempt numbers): the view rolls back and resumes the attempt that won. Saving and
submitting lock the attempt row (``FOR UPDATE`` on PostgreSQL), so a second submit waits for
the first, then finds ``submitted_at`` set and scores nothing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import inspect
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from lms.accounts.models import User
from lms.assessments.deadlines import deadline_for
from lms.assessments.models import (
    Assessment,
    AttemptAnswer,
    Option,
    Question,
    QuestionKind,
    QuizAttempt,
    QuizReview,
)
from lms.assessments.registry import max_score_of
from lms.cohorts.models import Cohort
from lms.core.transactions import DomainError
from lms.extensions import db

DEFAULT_GRACE = timedelta(seconds=30)

Answers = Mapping[int, Sequence[int]]  # question id -> ticked option ids


class QuizError(DomainError):
    """A quiz action the rules refuse; the message says why."""


class AlreadySubmitted(QuizError):
    """Another request submitted the attempt first: roll back, nothing more to do."""


class SubmitOutcome(StrEnum):
    """What a submit request did."""

    SCORED = "scored"  # scored now, with the answers posted
    SCORED_LATE = "scored_late"  # scored now, with the answers saved before the time limit
    ALREADY_SUBMITTED = "already_submitted"  # an earlier request scored it: nothing done


def learner_attempts(assessment: Assessment, learner: User) -> list[QuizAttempt]:
    """Return the learner's attempts at the quiz, oldest first."""
    query = (
        db.select(QuizAttempt)
        .filter_by(assessment_id=assessment.id, user_id=learner.id)
        .order_by(QuizAttempt.number)
    )
    return list(db.session.scalars(query))


def open_attempt(assessment: Assessment, learner: User) -> QuizAttempt | None:
    """Return the learner's attempt in progress, if any (there is at most one)."""
    query = db.select(QuizAttempt).filter_by(
        assessment_id=assessment.id, user_id=learner.id, submitted_at=None
    )
    return db.session.scalar(query)


def best_attempt(attempts: Sequence[QuizAttempt]) -> QuizAttempt | None:
    """Return the submitted attempt with the highest score (the earliest among equals)."""
    submitted = [attempt for attempt in attempts if not attempt.is_open]
    return max(submitted, key=lambda attempt: (attempt.score, -attempt.number), default=None)


def attempts_left(assessment: Assessment, attempts: Sequence[QuizAttempt]) -> int | None:
    """Return how many attempts the learner may still start (None: unlimited)."""
    if assessment.max_attempts is None:
        return None
    return max(assessment.max_attempts - len(attempts), 0)


def start_attempt(
    assessment: Assessment,
    learner: User,
    cohort: Cohort,
    now: datetime,
    shuffle: Callable[[list], None] = random.shuffle,
) -> QuizAttempt:
    """Open a new attempt, or return the one in progress (starting twice resumes it)."""
    current = open_attempt(assessment, learner)
    if current is not None:
        return current
    due_at = deadline_for(assessment, learner, cohort)
    if due_at is not None and now > due_at:
        raise QuizError(_("The deadline of this quiz has passed."))
    attempts = learner_attempts(assessment, learner)
    if attempts_left(assessment, attempts) == 0:
        raise QuizError(_("You have used all your attempts at this quiz."))
    # The options first: loading them loads the questions, which the maximum score then sums.
    order = _option_order(assessment, shuffle if assessment.shuffle_options else None)
    limit = assessment.time_limit_minutes
    attempt = QuizAttempt(
        assessment=assessment,
        user=learner,
        number=(attempts[-1].number if attempts else 0) + 1,
        started_at=now,
        deadline_at=now + timedelta(minutes=limit) if limit else None,
        max_score=max_score_of(assessment),
        option_order=order,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _option_order(assessment: Assessment, shuffle) -> dict[str, list[int]]:
    """Return each question's option ids in the order this attempt shows them."""
    order = {}
    for question in quiz_questions(assessment):
        ids = [option.id for option in question.options]
        if shuffle is not None:
            shuffle(ids)
        order[str(question.id)] = ids
    return order


def find_attempt(
    assessment: Assessment, learner: User, attempt_id: int, lock: bool = False
) -> QuizAttempt | None:
    """Return the learner's own attempt at this quiz, locked for writing if asked; else None."""
    query = db.select(QuizAttempt).filter_by(
        id=attempt_id, assessment_id=assessment.id, user_id=learner.id
    )
    if lock:
        # Re-read the row under the lock: a concurrent submit may have just committed.
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def quiz_questions(assessment: Assessment) -> list[Question]:
    """Return the quiz's questions in order, their options loaded, in one query for them all.

    They become ``assessment.questions``, so that the checks, the scoring and the maximum score
    later in the request read them without asking again (nor once per question for options).
    """
    if not _options_loaded(assessment):
        questions = db.session.scalars(
            db.select(Question)
            .where(Question.assessment_id == assessment.id)
            .order_by(Question.position)
            .options(joinedload(Question.options))
            .execution_options(populate_existing=True)  # questions loaded without options too
        ).unique()
        set_committed_value(assessment, "questions", list(questions))
    return assessment.questions


def _options_loaded(assessment: Assessment) -> bool:
    """Tell whether the quiz's questions and all their options are loaded already."""
    if "questions" in inspect(assessment).unloaded:
        return False
    return all("options" not in inspect(question).unloaded for question in assessment.questions)


def shown_questions(attempt: QuizAttempt) -> list[tuple[Question, list[Option]]]:
    """Return the questions in order, each with its options in the attempt's stored order."""
    shown = []
    for question in quiz_questions(attempt.assessment):
        by_id = {option.id: option for option in question.options}
        ids = attempt.option_order.get(str(question.id), [])
        shown.append((question, [by_id[i] for i in ids if i in by_id]))
    return shown


def chosen_options(attempt: QuizAttempt) -> dict[int, set[int]]:
    """Return the options the learner ticked, by question id."""
    rows = db.session.execute(
        db.select(AttemptAnswer.question_id, AttemptAnswer.option_id).filter_by(
            attempt_id=attempt.id
        )
    )
    chosen: dict[int, set[int]] = defaultdict(set)
    for question_id, option_id in rows:
        chosen[question_id].add(option_id)
    return chosen


def time_is_up(attempt: QuizAttempt, now: datetime, grace: timedelta = DEFAULT_GRACE) -> bool:
    """Tell whether answers arriving at ``now`` come after the time limit and its grace."""
    return attempt.deadline_at is not None and now > attempt.deadline_at + grace


def save_answers(
    attempt: QuizAttempt, answers: Answers, now: datetime, grace: timedelta = DEFAULT_GRACE
) -> None:
    """Replace the saved answers of the questions given (a partial save is fine)."""
    if not attempt.is_open:
        raise QuizError(_("This attempt has already been submitted."))
    if time_is_up(attempt, now, grace):
        raise QuizError(_("The time limit has passed: these answers were not saved."))
    _check_answers(attempt, answers)
    db.session.execute(
        db.delete(AttemptAnswer).where(
            AttemptAnswer.attempt_id == attempt.id,
            AttemptAnswer.question_id.in_(list(answers)),
        )
    )
    rows = [
        {"attempt_id": attempt.id, "question_id": question_id, "option_id": option_id}
        for question_id, option_ids in answers.items()
        for option_id in set(option_ids)
    ]
    if rows:  # one statement for every answer, rather than one per answer
        db.session.execute(db.insert(AttemptAnswer), rows)
    db.session.expire(attempt, ["answers"])


def _check_answers(attempt: QuizAttempt, answers: Answers) -> None:
    """Refuse answers to other questions, options of other questions, two ticks on a single."""
    questions = {str(q.id): q for q in quiz_questions(attempt.assessment)}
    for question_id, option_ids in answers.items():
        question = questions.get(str(question_id))
        if question is None:
            raise QuizError(_("This question is not part of the quiz."))
        if not set(option_ids) <= set(attempt.option_order.get(str(question_id), [])):
            raise QuizError(_("This answer is not an option of the question."))
        if question.kind == QuestionKind.SINGLE and len(set(option_ids)) > 1:
            raise QuizError(_("Choose only one answer to a single-choice question."))


def submit_attempt(
    attempt: QuizAttempt,
    answers: Answers | None,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> SubmitOutcome:
    """Save the last answers (unless too late), then score the attempt once and for all.

    Call it with the attempt locked (``find_attempt(..., lock=True)``). The final write only
    applies to an attempt still open: where the database cannot lock the row (SQLite), a
    request that lost the race raises ``AlreadySubmitted`` and must roll back.
    """
    if not attempt.is_open:
        return SubmitOutcome.ALREADY_SUBMITTED
    late = time_is_up(attempt, now, grace)
    if answers is not None and not late:
        save_answers(attempt, answers, now, grace)
    score = score_attempt(attempt)
    claimed = db.session.execute(
        db.update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            score=score,
            passed=score * 100 >= attempt.assessment.pass_mark_percent * attempt.max_score,
            submitted_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AlreadySubmitted(_("This attempt has already been submitted."))
    db.session.expire(attempt, ["score", "passed", "submitted_at"])
    return SubmitOutcome.SCORED_LATE if late else SubmitOutcome.SCORED


def score_attempt(attempt: QuizAttempt) -> int:
    """Return the score of the saved answers, by the rule in this module's docstring."""
    chosen = chosen_options(attempt)
    return sum(
        question.points
        for question in quiz_questions(attempt.assessment)
        if chosen.get(question.id, set()) == {o.id for o in question.options if o.is_correct}
    )


def review_available(
    attempt: QuizAttempt, due_at: datetime | None, now: datetime, has_open_attempt: bool
) -> bool:
    """Tell whether the learner may see the answer key of this attempt now.

    Never while any attempt of the quiz is open (the questions are the same). "After the
    deadline" with no deadline set stays closed: there is no moment when everyone is done.
    """
    if attempt.is_open or has_open_attempt:
        return False
    review = attempt.assessment.review
    if review == QuizReview.AFTER_SUBMISSION:
        return True
    return review == QuizReview.AFTER_DEADLINE and due_at is not None and now > due_at
