"""Staff allocation page (blueprint ``marking``): who marks what, per cohort and assessment.

Cohort trainers and administrators (``staff_cohort_or_403``) see each learner's work with its
markers and whether each marking is submitted, never its levels, points or feedback until the
final grade is set (nobody reads a marking's content before agreement but the third reader).
A trainer who marks a work of the page sees only their own marking of it until its final grade
is set: the others are left out of the row, so that they learn neither who the other marker is
nor how far they are.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.permissions import login_required
from lms.assessments.marking import allocation, bulk, notify
from lms.assessments.marking.blueprint import bp
from lms.assessments.marking.forms import AllocateForm, ReallocateForm
from lms.assessments.models import (
    Assessment,
    Grade,
    GradeState,
    Marking,
    MarkingState,
    Submission,
)
from lms.assessments.registry import type_of
from lms.cohorts.access import staff_cohort_or_403
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.transactions import unit_of_work
from lms.extensions import db
from lms.learning.services import learner_cohort_for_path


def _context(cohort_id: int, assessment_id: int) -> tuple[Cohort, Assessment]:
    cohort = staff_cohort_or_403(cohort_id, joinedload(Cohort.path))
    assessment = db.get_or_404(Assessment, assessment_id)
    if assessment.path_id != cohort.path_id or not assessment.is_marked:
        abort(404)
    return cohort, assessment


def _works(cohort: Cohort, assessment: Assessment) -> list[dict]:
    """Return each learner's work (latest version or evaluation) and its markings (4 queries)."""
    learners = db.session.scalars(
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER)
        .order_by(User.display_name, User.id)
    ).all()
    ids = [learner.id for learner in learners]
    latest = {}
    if type_of(assessment).has_submission:
        for submission in db.session.scalars(
            db.select(Submission)
            .where(Submission.assessment_id == assessment.id, Submission.user_id.in_(ids))
            .order_by(Submission.version)
        ):
            latest[submission.user_id] = submission
    grades = db.session.scalars(
        db.select(Grade).where(Grade.assessment_id == assessment.id, Grade.learner_id.in_(ids))
    ).all()
    by_work = {(g.learner_id, g.submission_id): g for g in grades}
    markings_of: dict[int, list[Marking]] = {}
    for marking in db.session.scalars(
        db.select(Marking)
        .where(Marking.grade_id.in_([g.id for g in grades]))
        .options(joinedload(Marking.marker))
        .order_by(Marking.id)
    ):
        markings_of.setdefault(marking.grade_id, []).append(marking)
    rows = []
    for learner in learners:
        submission = latest.get(learner.id)
        if type_of(assessment).has_submission and submission is None:
            rows.append({"learner": learner, "submission": None, "grade": None, "markings": []})
            continue
        grade = by_work.get((learner.id, submission.id if submission else None))
        markings = markings_of.get(grade.id, []) if grade else []
        final = grade is not None and grade.state in (GradeState.GRADED, GradeState.RELEASED)
        if not final and any(m.marker_id == current_user.id for m in markings):
            markings = [m for m in markings if m.marker_id == current_user.id]
        rows.append(
            {"learner": learner, "submission": submission, "grade": grade, "markings": markings}
        )
    return rows


def _people(cohort: Cohort, assessment: Assessment) -> list[User]:
    """Return the people of the assessment's pools in the cohort (one query)."""
    pools = set(assessment.marker_pools) | {assessment.third_reader_pool}
    ids = db.union(*(allocation.pool_ids(pool, cohort.id) for pool in pools)).subquery()
    return list(
        db.session.scalars(
            db.select(User).where(User.id.in_(db.select(ids.c[0]))).order_by(User.display_name)
        )
    )


@bp.get("/manage/marking/cohorts/<int:cohort_id>/assessments/<int:assessment_id>")
@login_required
def allocations(cohort_id: int, assessment_id: int):
    """Show who marks each learner's work, with allocate and change-marker actions."""
    cohort, assessment = _context(cohort_id, assessment_id)
    rows = _works(cohort, assessment)
    needs_submission = type_of(assessment).has_submission
    return render_template(
        "assessments/marking/allocations.html",
        cohort=cohort,
        assessment=assessment,
        rows=rows,
        remaining=any(
            not row["markings"] and (row["submission"] or not needs_submission) for row in rows
        ),
        people=_people(cohort, assessment),
        allocate_form=AllocateForm(),
        submitted=MarkingState.SUBMITTED,
    )


@bp.post(
    "/manage/marking/cohorts/<int:cohort_id>/assessments/<int:assessment_id>/learners/<int:learner_id>/allocate"
)
@login_required
def allocate(cohort_id: int, assessment_id: int, learner_id: int):
    """Allocate the markers of one learner's work (its latest version, or the evaluation)."""
    cohort, assessment = _context(cohort_id, assessment_id)
    learner = db.get_or_404(User, learner_id)
    back = url_for("marking.allocations", cohort_id=cohort.id, assessment_id=assessment.id)
    if not AllocateForm().validate():
        abort(400)
    submission = db.session.scalar(
        db.select(Submission)
        .filter_by(assessment_id=assessment.id, user_id=learner.id)
        .order_by(Submission.version.desc())
        .limit(1)
    )
    if type_of(assessment).has_submission and submission is None:
        abort(404)
    if not db.session.scalar(
        db.select(Membership.id).filter_by(
            cohort_id=cohort.id, user_id=learner.id, role=MembershipRole.LEARNER
        )
    ):
        abort(404)
    try:
        with unit_of_work():
            made = allocation.allocate_work(current_user, cohort, assessment, learner, submission)
    except allocation.AllocationConflict as error:
        return render_template(
            "assessments/marking/conflict.html", message=str(error), back=back
        ), 409
    except allocation.MarkingError as error:
        flash(str(error), "error")
        return redirect(back)
    notify.notify_allocated(made)
    flash(_("The markers are allocated."), "success")
    return redirect(back)


@bp.post("/manage/marking/cohorts/<int:cohort_id>/assessments/<int:assessment_id>/allocate")
@login_required
def allocate_all(cohort_id: int, assessment_id: int):
    """Allocate, balanced, every work of the assessment and cohort not allocated yet."""
    cohort, assessment = _context(cohort_id, assessment_id)
    back = url_for("marking.allocations", cohort_id=cohort.id, assessment_id=assessment.id)
    if not AllocateForm().validate():
        abort(400)
    try:
        with unit_of_work():
            outcome = bulk.allocate_remaining(current_user, cohort, assessment)
    except allocation.AllocationConflict as error:
        return render_template(
            "assessments/marking/conflict.html", message=str(error), back=back
        ), 409
    except allocation.MarkingError as error:
        flash(str(error), "error")
        return redirect(back)
    notify.notify_allocated(outcome.made)
    if outcome.works:
        message = ngettext("%(num)d work allocated.", "%(num)d works allocated.", outcome.works)
        flash(message, "success")
    for reason in dict.fromkeys(why for _name, why in outcome.refused):
        names = ", ".join(name for name, why in outcome.refused if why == reason)
        flash(_("Not allocated (%(names)s): %(reason)s", names=names, reason=reason), "error")
    return redirect(back)


@bp.post("/manage/marking/markings/<int:marking_id>/reallocate")
@login_required
def reallocate(marking_id: int):
    """Give a marking not submitted yet to another person of its pool."""
    marking = db.get_or_404(Marking, marking_id)
    grade = marking.grade
    cohort = allocation_cohort(grade)
    cohort = staff_cohort_or_403(cohort.id) if cohort else abort(404)
    if marking.marker_id == current_user.id or allocation.marks_work(current_user, grade):
        abort(404)  # a marker of this work never handles its other markings
    back = url_for("marking.allocations", cohort_id=cohort.id, assessment_id=grade.assessment_id)
    form = ReallocateForm()
    if not form.validate():
        flash(_("Choose a person."), "error")
        return redirect(back)
    marker = db.get_or_404(User, form.marker.data)
    try:
        with unit_of_work():
            allocation.reallocate(
                current_user, marking, marker, cohort, expected_version=form.version.data
            )
    except allocation.AllocationConflict as error:
        return render_template(
            "assessments/marking/conflict.html", message=str(error), back=back
        ), 409
    except allocation.MarkingError as error:
        flash(str(error), "error")
        return redirect(back)
    notify.notify_allocated([marking])
    flash(_("The marking is given to %(name)s.", name=marker.display_name), "success")
    return redirect(back)


def allocation_cohort(grade: Grade) -> Cohort | None:
    """Return the cohort of the work's learner on the assessment's path."""
    return learner_cohort_for_path(grade.learner, grade.assessment.path_id)
