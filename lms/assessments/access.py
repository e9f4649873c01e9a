"""Who may open an assessment page as a learner: the check every learner's assessment route uses.

``learner_assessment_or_403`` reuses the learning domain's gating of the module
(``lms.learning.access.open_module_or_403``) so that an assessment is open exactly when its module
is, and a locked module answers the same 403 page saying why. Trainer pages load their cohort with
``lms.cohorts.access.staff_cohort_or_403``, and grading pages ask
``lms.cohorts.access.is_staff_of_learner``.

Markers (``lms.assessments.marking``) reach their own markings only (``own_marking_or_403``:
somebody else's marking is denied without a word of its content or its marker), and the files
of the work they mark (``is_marker_of_submission``), only while they are still in the marking's
pool (``still_in_pool``): a trainer's marking closes when they no longer train the cohort, an
external assessor's when their access ends (``is_assessor_of``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.permissions import deny
from lms.assessments.models import Assessment, Grade, MarkerPool, Marking
from lms.cohorts.access import is_assessor_of, is_trainer_of
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.access import open_module_or_403
from lms.learning.chronology import ModuleState
from lms.learning.services import learner_cohort_for_path

__all__ = [
    "LearnerAssessment",
    "is_marker_of_submission",
    "learner_assessment_or_403",
    "own_marking_or_403",
    "still_in_pool",
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

    ``cohort_of(grade)`` returns the work's cohort: the marking is refused (403) once its marker
    left its pool there (a trainer no longer of the cohort, an assessor whose access ended).
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
    if not still_in_pool(current_user, marking, cohort_of(marking.grade)):
        deny()
    return marking


def still_in_pool(user, marking: Marking, cohort: Cohort | None) -> bool:
    """Tell whether the marker still belongs to their marking's pool in the work's cohort.

    A trainer pool's marker must still train the cohort; an external assessor's access must not
    have ended (one query).
    """
    if cohort is None:
        return False
    if marking.pool == MarkerPool.EXTERNAL:
        return is_assessor_of(user, cohort)
    return is_trainer_of(user, cohort)


def is_marker_of_submission(user, submission_id: int) -> bool:
    """Tell whether ``user`` marks this submission's grade and is still in that marking's pool."""
    marking = db.session.scalar(
        db.select(Marking)
        .options(joinedload(Marking.grade).joinedload(Grade.assessment))
        .join(Grade, Grade.id == Marking.grade_id)
        .where(Grade.submission_id == submission_id, Marking.marker_id == user.id)
        .limit(1)
    )
    if marking is None:
        return False
    grade = marking.grade
    return still_in_pool(
        user, marking, learner_cohort_for_path(grade.learner, grade.assessment.path_id)
    )
