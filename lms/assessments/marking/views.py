"""The markers' pages: their queue, a marking (rubric, save, submit), the third reader's page.

Every route keyed by a marking loads it with ``own_marking_or_403``: somebody else's marking is
denied (403) without a word of it. A first or second marker's page reads their own marking only
(blind); the third reader's page shows both submitted markings side by side.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import login_required
from lms.assessments.access import own_marking_or_403
from lms.assessments.grading.display import grade_view
from lms.assessments.grading.forms import chosen_levels, field_name
from lms.assessments.marking import notify, services
from lms.assessments.marking import queue as marking_queue
from lms.assessments.marking.blueprint import bp
from lms.assessments.marking.forms import ACTIONS, MarkingForm, reason_name, settled_choices
from lms.assessments.marking.reconciliation import by_role, disputed, is_final, level_of
from lms.assessments.models import Grade, Marking, MarkingRole, MarkingState
from lms.core.markdown import render_markdown
from lms.core.transactions import unit_of_work
from lms.extensions import db
from lms.learning.services import learner_cohort_for_path


def _cohort_of(grade: Grade):
    return learner_cohort_for_path(grade.learner, grade.assessment.path_id)


@bp.get("/marking")
@login_required
def queue():
    """List the user's markings: to mark, waiting for the other marking, to settle, done."""
    return render_template(
        "assessments/marking/queue.html", sections=marking_queue.marker_queue(current_user)
    )


@bp.route("/marking/<int:marking_id>", methods=["GET", "POST"])
@login_required
def marking(marking_id: int):
    """Show the work beside the rubric; save or submit the marking (or settle, third reader)."""
    own = own_marking_or_403(marking_id, _cohort_of)
    form = MarkingForm(obj=own) if request.method == "GET" else MarkingForm()
    if request.method == "GET":
        form.version.data = own.version_id
        return _page(own, form)
    criteria = own.grade.assessment.rubric.criteria
    if own.role == MarkingRole.THIRD:
        return _settle(own, form)
    action = request.form.get("action", "save")
    choices, errors = chosen_levels(request.form, criteria)
    if action not in ACTIONS or not form.validate() or errors:
        return _page(own, form, choices, errors=errors, status=422)
    marking_id = own.id
    try:
        with unit_of_work():
            outcome = services.save_marking(
                current_user,
                own,
                expected_version=form.version.data,
                choices=choices,
                feedback=form.feedback.data,
                submit=action == "submit",
            )
    except (services.MarkingConflict, services.MarkingFrozen) as error:
        return _refused(marking_id, form, choices, str(error))
    except services.MarkingChoiceErrors as error:
        return _page(own, form, choices, errors=error.errors, status=422)
    except services.MarkingError as error:
        return _page(own, form, choices, message=str(error), status=422)
    notify.after_submission(outcome)
    if action == "submit":
        flash(_("Your marking is submitted."), "success")
        return redirect(url_for("marking.queue"))
    flash(_("Your marking is saved."), "success")
    return redirect(url_for("marking.marking", marking_id=marking_id))


def _settle(own: Marking, form: MarkingForm):
    """Record the third reader's settlement: a level and a reason per disputed criterion."""
    first, second = _both(own)
    criteria = disputed(first, second, own.grade.assessment.marking_tolerance or 0)
    settled = settled_choices(request.form, criteria)
    choices = {cid: level for cid, (level, _reason) in settled.items() if level}
    if not form.validate():
        return _page(own, form, choices, status=422)
    marking_id = own.id
    try:
        with unit_of_work():
            outcome = services.settle(
                current_user,
                own,
                expected_version=form.version.data,
                settled=settled,
                feedback=form.feedback.data,
            )
    except (services.MarkingConflict, services.MarkingFrozen) as error:
        return _refused(marking_id, form, choices, str(error))
    except services.MarkingChoiceErrors as error:
        return _page(own, form, choices, errors=error.errors, status=422)
    except services.MarkingError as error:
        return _page(own, form, choices, message=str(error), status=422)
    notify.after_submission(outcome)
    flash(_("The disagreement is settled: the final grade is set."), "success")
    return redirect(url_for("marking.queue"))


def _refused(marking_id: int, form: MarkingForm, choices, message: str):
    """Answer 409 with the marking as it is now, keeping what the user typed."""
    own = db.session.get(Marking, marking_id)
    form.version.data = own.version_id
    return _page(own, form, choices, message=message, status=409)


def _both(own: Marking) -> tuple[Marking, Marking]:
    """Return the first and second markings of the third reader's work."""
    markings = by_role(
        list(db.session.scalars(db.select(Marking).filter_by(grade_id=own.grade_id)))
    )
    return markings[MarkingRole.FIRST], markings[MarkingRole.SECOND]


def _page(own: Marking, form, choices=None, *, errors=None, message=None, status=200):
    """Render the marking page (the third reader's: both markings side by side)."""
    grade = own.grade
    submission = grade.submission
    if choices is None:
        choices = {choice.criterion_id: choice.level_id for choice in own.choices}
    context = {}
    if own.role == MarkingRole.THIRD:
        first, second = _both(own)
        gaps = disputed(first, second, grade.assessment.marking_tolerance or 0)
        context = {
            "first": first,
            "second": second,
            "disputed": {c.id for c in gaps},
            "level_of": level_of,
            "first_html": render_markdown(first.feedback),
            "second_html": render_markdown(second.feedback),
            "reasons": {c.criterion_id: c.reason for c in own.choices},
            "posted_reasons": request.form if request.method == "POST" else {},
            "reason_name": reason_name,
        }
    page = render_template(
        "assessments/marking/mark.html",
        own=own,
        grade=grade,
        form=form,
        view=grade_view(grade),
        choices=choices,
        errors=errors or {},
        message=message,
        submission=submission,
        submission_html=render_markdown(submission.text) if submission else None,
        instructions=render_markdown(grade.assessment.instructions),
        field_name=field_name,
        frozen=own.state == MarkingState.SUBMITTED,
        final=is_final(grade),
        **context,
    )
    return page, status
