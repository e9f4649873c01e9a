"""When a learner may see a grade: the one rule every result page and receiver uses.

A grade is released to its learner when a trainer released it to them (state ``released``, with
its ``released_at``), or when it is complete (state ``graded``) and its assessment was released to
a cohort the learner is a learner of (a ``GradeRelease``; it is released since then). Grades in
progress or returned for revision are never released. Before that moment nothing derived from the
grade (score, pass, feedback, competency level, module completion) reaches the learner.

Both the condition and the release time are SQL expressions correlated to ``Grade``, so that
callers filter and sort released grades inside their one query.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, or_

from lms.assessments.models import Grade, GradeRelease, GradeState
from lms.cohorts.models import Membership, MembershipRole
from lms.extensions import db


def cohort_release_time():
    """Return when the grade's assessment was first released to one of its learner's cohorts."""
    return (
        db.select(func.min(GradeRelease.released_at))
        .join(
            Membership,
            and_(
                Membership.cohort_id == GradeRelease.cohort_id,
                Membership.role == MembershipRole.LEARNER,
            ),
        )
        .where(
            GradeRelease.assessment_id == Grade.assessment_id,
            Membership.user_id == Grade.learner_id,
        )
        .correlate(Grade)
        .scalar_subquery()
    )


def is_released():
    """Return the SQL condition "this grade is released to its learner" (see the module doc)."""
    return or_(
        Grade.state == GradeState.RELEASED,
        and_(Grade.state == GradeState.GRADED, cohort_release_time().is_not(None)),
    )


def released_at():
    """Return the SQL expression of when the grade was released (None while it is not)."""
    return case(
        (Grade.state == GradeState.RELEASED, Grade.released_at),
        (Grade.state == GradeState.GRADED, cohort_release_time()),
        else_=None,
    )
