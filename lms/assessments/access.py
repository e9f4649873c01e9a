"""Who may open an assessment page: the one access check every assessment route goes through.

Learner pages call ``learner_assessment_or_403``: it reuses the learning domain's gating of the
module (``lms.learning.views.open_module_or_403``) so that an assessment is open exactly when its
module is, and a locked module answers the same 403 page saying why. Trainer pages call
``staff_cohort_or_403``, the learning domain's check for a cohort's trainers and administrators.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.permissions import deny
from lms.assessments.models import Assessment
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.chronology import ModuleState
from lms.learning.manage import load_cohort_for_staff
from lms.learning.views import open_module_or_403

__all__ = ["LearnerAssessment", "learner_assessment_or_403", "staff_cohort_or_403"]


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


def staff_cohort_or_403(cohort_id: int) -> Cohort:
    """Return the cohort when the current user trains it or administers; deny everyone else."""
    return load_cohort_for_staff(cohort_id)
