"""Who may open an assessment page as a learner: the check every learner's assessment route uses.

``learner_assessment_or_403`` reuses the learning domain's gating of the module
(``lms.learning.access.open_module_or_403``) so that an assessment is open exactly when its module
is, and a locked module answers the same 403 page saying why. Trainer pages load their cohort with
``lms.cohorts.access.staff_cohort_or_403``, and grading pages ask
``lms.cohorts.access.is_staff_of_learner``.

Markers (``lms.assessments.marking``) reach their own markings only (``own_marking_or_403``:
somebody else's marking is denied without a word of its content or its marker), and the files
of the work they mark (``is_marker_of_submission``); an external assessor's marking closes with
their access (``is_assessor_of``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.permissions import deny
from lms.assessments.models import Assessment, Grade, MarkerPool, Marking
from lms.cohorts.access import is_assessor_of
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.access import open_module_or_403
from lms.learning.chronology import ModuleState

__all__ = [
    "LearnerAssessment",
    "is_marker_of_submission",
    "learner_assessment_or_403",
    "own_marking_or_403",
]


@dataclass(frozen=True)
class LearnerAssessment:
    """An assessment the current learner may open, with its module, their cohort and its state."""

    assessment: Assessment
    module: Module
    cohort: Cohort
    state: ModuleState


def learner_assessment_or_403(assessment_id: int) -> LearnerAssessment:
    """Load an assessment of an open module of the current learner's path, or stop the request.

    Anonymous visitors go to the login page; people who are not learners get 403; an unknown
    assessment, or one of a path none of the learner's cohorts follows, 404; an assessment of a
    locked module, the learning domain's 403 page that says why the module is locked.
    """
    if not current_user.is_authenticated:
        deny()
    # Its module comes in the same query, so that the module's access check finds it loaded.
    assessment = db.first_or_404(
        db.select(Assessment).options(joinedload(Assessment.module)).filter_by(id=assessment_id)
    )
    access = open_module_or_403(assessment.module_id)
    return LearnerAssessment(assessment, access.module, access.cohort, access.state)


def own_marking_or_403(marking_id: int, cohort_of) -> Marking:
    """Load a marking allocated to the current user, or stop the request (403 for others').

    ``cohort_of(grade)`` returns the work's cohort: an external assessor's marking is refused
    (403) once their access to that cohort has ended.
    """
    if not current_user.is_authenticated:
        deny()
    marking = db.first_or_404(
        db.select(Marking)
        .options(joinedload(Marking.grade).joinedload(Grade.assessment))
        .filter_by(id=marking_id)
    )
    if marking.marker_id != current_user.id:
        deny()
    if marking.pool == MarkerPool.EXTERNAL:
        cohort = cohort_of(marking.grade)
        if cohort is None or not is_assessor_of(current_user, cohort):
            deny()
    return marking


def is_marker_of_submission(user, submission_id: int) -> bool:
    """Tell whether ``user`` is allocated a marking of this submission's grade (one query)."""
    query = (
        db.select(Marking.id)
        .join(Grade, Grade.id == Marking.grade_id)
        .where(Grade.submission_id == submission_id, Marking.marker_id == user.id)
        .limit(1)
    )
    return db.session.scalar(query) is not None
