"""Grading pages (blueprint ``grading``): the trainers' queue, the grading page, releases.

Trainer routes keyed by a cohort use ``staff_cohort_or_403``; routes keyed by a grade or a
submission use ``_grader_or_403``: the user trains a cohort (of the assessment's path) where the
learner is a learner, or administers (both rules in ``lms.cohorts.access``). The learner's
evaluation page lives in ``views``, on the same blueprint (``lms.assessments.grading.blueprint``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.permissions import deny, login_required
from lms.assessments.assignments.services import can_return
from lms.assessments.grading import display, history, notify, services
from lms.assessments.grading import queue as work_queue
from lms.assessments.grading.blueprint import bp
from lms.assessments.grading.forms import ACTIONS, GradeForm, chosen_levels, field_name
from lms.assessments.models import Assessment, Grade, GradeState, Submission
from lms.cohorts.access import is_staff_of_learner, staff_cohort_or_403
from lms.cohorts.models import Cohort
from lms.core.markdown import render_markdown
from lms.core.transactions import unit_of_work
from lms.extensions import db

# The state a release or a return aims at (recorded with a refused attempt).
AIMED_STATES = {"release": "released", "return": "returned"}


def _grader_or_403(learner_id: int, assessment: Assessment) -> None:
    """Deny the request unless the current user may grade this learner's work."""
    if not current_user.is_authenticated or not is_staff_of_learner(
        current_user, learner_id, assessment.path_id
    ):
        deny()


def _int_arg(name: str) -> int | None:
    """Return a positive integer query argument, or None (absent or not a number)."""
    return work_queue.positive_int(request.args.get(name))


def _filters() -> work_queue.QueueFilters:
    """Return the queue's filters as this request carries them (grading pages keep them)."""
    return work_queue.QueueFilters.from_args(request.args)


@bp.get("/manage/grading")
@login_required
def queue():
    """List the work to grade in the user's cohorts, oldest first, filtered and paged."""
    filters = _filters()
    page = _int_arg("page") or 1
    cohorts, assessments = work_queue.filter_choices(current_user)
    if not cohorts and not current_user.is_admin:
        deny()
    items, total = work_queue.queue_page(current_user, filters, page)
    return render_template(
        "assessments/grading/queue.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // work_queue.PAGE_SIZE)),
        filters=filters,
        cohorts=cohorts,
        assessments=assessments,
        modules=list({a.module_id: a.module for a in assessments}.values()),
        states=work_queue.STATES,
        words=history.state_words(),
    )


@bp.post("/manage/grading/submissions/<int:submission_id>/start")
@login_required
def start_submission(submission_id: int):
    """Open (or create) the grade of a submission, then show its grading page."""
    submission = db.get_or_404(Submission, submission_id)
    _grader_or_403(submission.user_id, submission.assessment)
    return _started(lambda: services.start_grading(current_user, submission))


@bp.post("/manage/grading/evaluations/<int:assessment_id>/learners/<int:learner_id>/start")
@login_required
def start_evaluation(assessment_id: int, learner_id: int):
    """Open (or create) the grade of a learner's evaluation, then show its grading page."""
    assessment = db.get_or_404(Assessment, assessment_id)
    learner = db.get_or_404(User, learner_id)
    _grader_or_403(learner.id, assessment)
    return _started(
        lambda: services.start_grading(current_user, learner=learner, assessment=assessment)
    )


def _started(start):
    """Run a start service, commit and go to the grade's page (or back to the queue)."""
    kept = _filters().as_args()
    with unit_of_work(error_redirect=url_for("grading.queue", **kept)):
        grade = start()
    return redirect(url_for("grading.grade", grade_id=grade.id, **kept))


def _grade_or_403(grade_id: int) -> Grade:
    """Load a grade the current user may work on."""
    grade = db.get_or_404(Grade, grade_id)
    _grader_or_403(grade.learner_id, grade.assessment)
    return grade


@bp.route("/manage/grading/grades/<int:grade_id>", methods=["GET", "POST"])
@login_required
def grade(grade_id: int):
    """Show the work beside the rubric; save, mark graded, release or return it."""
    grade = _grade_or_403(grade_id)
    form = GradeForm(obj=grade) if request.method == "GET" else GradeForm()
    if request.method == "GET":
        form.version.data = grade.version_id
        return _grading_page(grade, form)
    action = request.form.get("action", "save")
    if action not in ACTIONS or not form.validate():
        return _grading_page(grade, form, _posted_choices(grade)[0], status=422)
    if action in ("release", "return"):
        return _change_state(grade, form, action)
    return _save(grade, form, action)


def _posted_choices(grade: Grade) -> tuple[dict[int, int], dict[int, str]]:
    """Return the levels posted for the grade's criteria, and errors for malformed ones."""
    return chosen_levels(request.form, grade.assessment.rubric.criteria)


def _save(grade: Grade, form: GradeForm, action: str):
    """Save the grade (marking it graded for "finish" and "next"); answer 409 on a conflict."""
    choices, errors = _posted_choices(grade)
    if errors:
        return _grading_page(grade, form, choices, errors=errors, status=422)
    finish = action in ("finish", "next")
    grade_id = grade.id  # read now: a save refused at the flush leaves the grade unreadable
    try:
        with unit_of_work():
            services.save_grade(
                current_user,
                grade,
                expected_version=form.version.data,
                choices=choices,
                feedback=form.feedback.data,
                finish=finish,
            )
            released = grade.state == GradeState.RELEASED
    except services.GradeConflict:
        return _conflict(grade_id, form, choices, "graded" if finish else "grading")
    except services.ChoiceErrors as error:
        return _grading_page(grade, form, choices, errors=error.errors, status=422)
    except services.GradingError as error:
        return _grading_page(grade, form, choices, message=str(error), status=422)
    if released:
        notify.notify_released([grade])
    flash(
        _(
            "The grade is saved: %(score)s / %(max)s.",
            score=grade.score if grade.score is not None else "–",
            max=grade.max_score,
        ),
        "success",
    )
    if action == "next":
        return _go_to_next(grade)
    return redirect(url_for("grading.grade", grade_id=grade.id, **_filters().as_args()))


def _conflict(grade_id: int, form: GradeForm, choices: dict[int, int], aimed_state: str):
    """Record the refused save in the history, answer 409 keeping the user's input.

    The grade is loaded again by its id: after a flush refused by the database, the session
    is rolled back (by the unit of work) and the grade it held is read afresh.
    """
    grade = db.session.get(Grade, grade_id)
    attempted = history.attempted_snapshot(choices, form.feedback.data, aimed_state)
    with unit_of_work():
        history.record_rejected_save(current_user, grade, attempted)
        changed_by, changed_at = history.last_change(grade)
    theirs = display.grade_view(grade)
    form.version.data = grade.version_id
    return _grading_page(
        grade,
        form,
        choices,
        status=409,
        conflict={"by": changed_by, "at": changed_at, "theirs": theirs},
    )


def _change_state(grade: Grade, form: GradeForm, action: str):
    """Release the grade or return the work for revision, then tell the learner."""
    grade_id, choices = grade.id, _posted_choices(grade)[0]  # read before any flush can fail
    if form.version.data != grade.version_id:
        return _conflict(grade_id, form, choices, AIMED_STATES[action])
    try:
        with unit_of_work():
            if action == "release":
                services.release_grade(current_user, grade)
            else:
                services.return_for_revision(current_user, grade, form.feedback.data)
    except services.GradeConflict:
        return _conflict(grade_id, form, choices, AIMED_STATES[action])
    except services.GradingError as error:
        return _grading_page(grade, form, choices, message=str(error), status=422)
    if action == "release":
        notify.notify_released([grade])
        flash(_("The grade is released to the learner."), "success")
    else:
        notify.notify_returned(grade)
        flash(_("The work is returned to the learner for revision."), "success")
    return redirect(url_for("grading.grade", grade_id=grade.id, **_filters().as_args()))


def _go_to_next(current: Grade):
    """Open the next item of the same filtered queue (starting it), or go back to the queue."""
    filters = _filters()
    item = work_queue.next_item(current_user, filters, after_grade_id=current.id)
    if item is None:
        flash(_("Nothing left to grade in your queue."), "info")
        return redirect(url_for("grading.queue", **filters.as_args()))
    if item.grade_id is not None:
        return redirect(url_for("grading.grade", grade_id=item.grade_id, **filters.as_args()))
    return _started(lambda: _start_item(item))


def _start_item(item: work_queue.QueueItem) -> Grade:
    """Start grading a queue item that has no grade yet."""
    if item.submission_id is not None:
        return services.start_grading(current_user, db.session.get(Submission, item.submission_id))
    return services.start_grading(
        current_user,
        learner=db.session.get(User, item.learner_id),
        assessment=db.session.get(Assessment, item.assessment_id),
    )


def _grading_page(
    grade, form, choices=None, *, errors=None, message=None, status=200, conflict=None
):
    """Render the grading page: the work beside the rubric form."""
    if grade.assessment.is_marked and grade.state not in (GradeState.GRADED, GradeState.RELEASED):
        # Blind until the final grade: nothing of the markings, not even who marks (J37).
        return render_template("assessments/grading/marked.html", grade=grade), status
    if choices is None:
        choices = {choice.criterion_id: choice.level_id for choice in grade.choices}
    submission = grade.submission
    page = render_template(
        "assessments/grading/grade.html",
        grade=grade,
        form=form,
        view=display.grade_view(grade),
        choices=choices,
        errors=errors or {},
        message=message,
        conflict=conflict,
        submission=submission,
        can_return=submission is not None and can_return(submission),
        submission_html=render_markdown(submission.text) if submission else None,
        instructions=render_markdown(grade.assessment.instructions),
        field_name=field_name,
        words=history.state_words(),
        kept=_filters().as_args(),
        history=grade.events,
        reasons=history.settled_reasons(grade),
        event_words=history.event_words(),
        event_label=history.event_label,
        can_download="assignments.download" in _endpoints(),
    )
    return page, status


def _endpoints() -> set[str]:
    """Return the application's endpoint names."""
    from flask import current_app

    return set(current_app.view_functions)


@bp.post("/manage/grading/cohorts/<int:cohort_id>/assessments/<int:assessment_id>/release")
@login_required
def release_cohort(cohort_id: int, assessment_id: int):
    """Release the assessment's grades to the whole cohort (and later ones once graded)."""
    cohort = staff_cohort_or_403(cohort_id, joinedload(Cohort.path))
    assessment = db.get_or_404(Assessment, assessment_id)
    if assessment.path_id != cohort.path_id:
        abort(404)  # not an assessment of this cohort
    with unit_of_work(error_redirect=url_for("grading.queue", cohort=cohort.id)):
        released = services.release_for_cohort(current_user, assessment, cohort)
    notify.notify_released(released)
    flash(
        _(
            "“%(title)s” is released to %(cohort)s: %(count)d grades now visible.",
            title=assessment.title,
            cohort=cohort.name,
            count=len(released),
        ),
        "success",
    )
    return redirect(url_for("grading.queue", cohort=cohort.id, assessment=assessment.id))
