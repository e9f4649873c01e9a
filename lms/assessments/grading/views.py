"""The learner's evaluation page (``grading.evaluation``): instructions, then the released result.

Before the grade is released the page says only that it is not graded yet or awaits release:
never a score, a level or the feedback.
"""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from lms.accounts.permissions import login_required
from lms.assessments.access import learner_assessment_or_403
from lms.assessments.grading.blueprint import bp
from lms.assessments.grading.display import grade_view, released_grade
from lms.assessments.models import AssessmentKind, Grade
from lms.core.markdown import render_markdown
from lms.extensions import db


@bp.get("/assessments/<int:assessment_id>/evaluation")
@login_required
def evaluation(assessment_id: int):
    """Show an evaluation's instructions and, once released, its result."""
    access = learner_assessment_or_403(assessment_id)
    assessment = access.assessment
    if assessment.kind != AssessmentKind.EVALUATION:
        abort(404)
    released = released_grade(current_user, assessment)
    recorded = released is None and db.session.scalar(
        db.select(Grade.id)
        .filter_by(assessment_id=assessment.id, learner_id=current_user.id)
        .limit(1)
    )
    return render_template(
        "assessments/grading/evaluation.html",
        access=access,
        assessment=assessment,
        module=access.module,
        instructions=render_markdown(assessment.instructions),
        released=released,
        awaiting_release=bool(recorded),
    )


@bp.app_template_global("grade_view")
def grade_view_global(grade: Grade):
    """Return the display of a released grade (templates include ``_released_grade.html``)."""
    return grade_view(grade)
