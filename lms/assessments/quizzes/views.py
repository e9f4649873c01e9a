"""The learner's quiz pages: the quiz, starting an attempt, answering, submitting, reviewing.

Every route goes through ``learner_assessment_or_403`` (a learner of the path, the module open)
and answers 404 for assessments that are not quizzes and for attempts of other learners. While
an attempt is open no page carries the answer key: the attempt page shows prompts and options
only, and the review page stays closed (see ``review_available``).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms.assessments.access import LearnerAssessment, learner_assessment_or_403
from lms.assessments.models import AssessmentKind, QuizAttempt
from lms.assessments.quizzes.forms import (
    StartAttemptForm,
    SubmitAttemptForm,
    answers_form,
    field_name,
    posted_answers,
)
from lms.assessments.quizzes.services import (
    AlreadySubmitted,
    QuizError,
    SubmitOutcome,
    attempts_left,
    best_attempt,
    chosen_options,
    deadline_for,
    find_attempt,
    learner_attempts,
    open_attempt,
    review_available,
    save_answers,
    shown_questions,
    start_attempt,
    submit_attempt,
    time_is_up,
)
from lms.assessments.registry import max_score_of
from lms.core.markdown import render_markdown
from lms.core.time import utcnow
from lms.core.transactions import unit_of_work

bp = Blueprint("quizzes", __name__, url_prefix="/assessments/<int:assessment_id>/quiz")


def _quiz_or_404(assessment_id: int) -> LearnerAssessment:
    """Load a quiz the current learner may open; other kinds of assessment answer 404."""
    access = learner_assessment_or_403(assessment_id)
    if access.assessment.kind != AssessmentKind.QUIZ:
        abort(404)
    return access


def _attempt_or_404(access: LearnerAssessment, attempt_id: int, lock=False) -> QuizAttempt:
    """Load the current learner's own attempt at the quiz; anyone else's answers 404."""
    attempt = find_attempt(access.assessment, current_user, attempt_id, lock=lock)
    if attempt is None:
        abort(404)
    return attempt


def _grace() -> timedelta:
    """Return how long after an attempt's time limit answers are still accepted."""
    return timedelta(seconds=current_app.config.get("QUIZ_GRACE_SECONDS", 30))


def _quiz_page(access: LearnerAssessment):
    """Redirect to the quiz page."""
    return redirect(url_for("quizzes.show", assessment_id=access.assessment.id))


@bp.get("")
def show(assessment_id: int):
    """Show the quiz: instructions, attempts, best result, time limit, deadline, past attempts."""
    access = _quiz_or_404(assessment_id)
    attempts = learner_attempts(access.assessment, current_user)
    due_at = deadline_for(access.assessment, current_user, access.cohort, access.state)
    current = next((attempt for attempt in attempts if attempt.is_open), None)
    now = utcnow()
    return render_template(
        "assessments/quizzes/show.html",
        access=access,
        quiz=access.assessment,
        max_score=max_score_of(access.assessment),
        instructions=render_markdown(access.assessment.instructions),
        attempts=attempts,
        current=current,
        best=best_attempt(attempts),
        left=attempts_left(access.assessment, attempts),
        due_at=due_at,
        is_past_due=due_at is not None and now > due_at,
        reviewable={a.id for a in attempts if review_available(a, due_at, now, bool(current))},
        form=StartAttemptForm(),
    )


@bp.post("/attempts")
def start(assessment_id: int):
    """Start an attempt, or resume the one in progress; refuse when none may start."""
    access = _quiz_or_404(assessment_id)
    form = StartAttemptForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return _quiz_page(access)
    try:
        with unit_of_work():
            attempt = start_attempt(access.assessment, current_user, access.cohort, utcnow())
    except QuizError as error:
        flash(str(error), "error")
        return _quiz_page(access)
    except IntegrityError:
        # A concurrent start won the race (rolled back): resume the attempt it opened.
        attempt = open_attempt(access.assessment, current_user)
        if attempt is None:
            raise
    return redirect(_attempt_url(attempt))


def _attempt_url(attempt: QuizAttempt) -> str:
    """Return the address of an attempt's page."""
    return url_for("quizzes.take", assessment_id=attempt.assessment_id, attempt_id=attempt.id)


@bp.get("/attempts/<int:attempt_id>")
def take(assessment_id: int, attempt_id: int):
    """Show an open attempt's questions with the saved answers and the time left."""
    access = _quiz_or_404(assessment_id)
    attempt = _attempt_or_404(access, attempt_id)
    if not attempt.is_open:
        return _quiz_page(access)
    shown = shown_questions(attempt)
    return _take_page(access, attempt, shown, answers_form(shown))


def _take_page(access, attempt, shown, form, status: int = 200):
    """Render the attempt page: questions, ticked options, the time left."""
    now = utcnow()
    chosen = chosen_options(attempt)
    if form.is_submitted():  # show what was posted, not what is stored
        chosen = {q.id: set(form[field_name(q)].data or []) for q, _ in shown}
    page = render_template(
        "assessments/quizzes/take.html",
        access=access,
        quiz=access.assessment,
        max_score=max_score_of(access.assessment),
        attempt=attempt,
        shown=shown,
        chosen=chosen,
        form=form,
        field_name=field_name,
        seconds_left=_seconds_left(attempt, now),
        submit_form=SubmitAttemptForm(),
    )
    return page, status


def _seconds_left(attempt: QuizAttempt, now) -> int | None:
    """Return the seconds left before the attempt's time limit (None: no limit)."""
    if attempt.deadline_at is None:
        return None
    return max(int((attempt.deadline_at - now).total_seconds()), 0)


@bp.post("/attempts/<int:attempt_id>/answers")
def save(assessment_id: int, attempt_id: int):
    """Save the answers of an open attempt (some questions may stay unanswered)."""
    access = _quiz_or_404(assessment_id)
    attempt = _attempt_or_404(access, attempt_id, lock=True)
    if not attempt.is_open:
        flash(_("This attempt has already been submitted."), "info")
        return _quiz_page(access)
    shown = shown_questions(attempt)
    form = answers_form(shown)
    if not form.validate_on_submit():
        return _take_page(access, attempt, shown, form, 422)
    now = utcnow()
    if time_is_up(attempt, now, _grace()):
        return _finish(access, attempt, None)
    with unit_of_work(error_redirect=_attempt_url(attempt)):
        save_answers(attempt, posted_answers(form, shown), now, _grace())
    flash(_("Your answers are saved."), "success")
    return redirect(_attempt_url(attempt))


@bp.post("/attempts/<int:attempt_id>/submit")
def submit(assessment_id: int, attempt_id: int):
    """Submit an attempt: save the last answers, score it on the server, show the result."""
    access = _quiz_or_404(assessment_id)
    attempt = _attempt_or_404(access, attempt_id, lock=True)
    if not attempt.is_open:  # a double click or a retry: the first request scored it
        return _quiz_page(access)
    shown = shown_questions(attempt)
    form = answers_form(shown)
    if not form.validate_on_submit():
        return _take_page(access, attempt, shown, form, 422)
    return _finish(access, attempt, posted_answers(form, shown))


def _finish(access: LearnerAssessment, attempt: QuizAttempt, answers):
    """Score the attempt with these answers (None: the saved ones), commit, say the result."""
    attempt_url = _attempt_url(attempt)
    try:
        with unit_of_work():
            outcome = submit_attempt(attempt, answers, utcnow(), _grace())
    except AlreadySubmitted:  # a concurrent request scored it first: keep its result
        return _quiz_page(access)
    except QuizError as error:
        flash(str(error), "error")
        return redirect(attempt_url)
    if outcome == SubmitOutcome.SCORED_LATE:
        flash(_("Time was up: only the answers saved before the limit were counted."), "info")
    result = _("passed") if attempt.passed else _("not passed")
    flash(
        _(
            "Attempt submitted: %(score)d / %(max)d (%(result)s).",
            score=attempt.score,
            max=attempt.max_score,
            result=result,
        ),
        "success" if attempt.passed else "info",
    )
    # The attempt was just read again (the commit expired it): its quiz id costs no query,
    # unlike ``access.assessment``, which the commit expired too.
    return redirect(url_for("quizzes.show", assessment_id=attempt.assessment_id))


@bp.get("/attempts/<int:attempt_id>/review")
def review(assessment_id: int, attempt_id: int):
    """Show a submitted attempt with the correct options and explanations, when allowed."""
    access = _quiz_or_404(assessment_id)
    attempt = _attempt_or_404(access, attempt_id)
    due_at = deadline_for(access.assessment, current_user, access.cohort, access.state)
    has_open = open_attempt(access.assessment, current_user) is not None
    if not review_available(attempt, due_at, utcnow(), has_open):
        flash(_("The review of this attempt is not available."), "info")
        return _quiz_page(access)
    return render_template(
        "assessments/quizzes/review.html",
        access=access,
        quiz=access.assessment,
        max_score=max_score_of(access.assessment),
        attempt=attempt,
        shown=shown_questions(attempt),
        chosen=chosen_options(attempt),
    )
