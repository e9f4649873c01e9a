"""A candidate's dossier, read-only for the jury: work, released grades, competencies, eligibility.

Read in a fixed number of queries: the latest submission of each assessment of the path (with
its files), the released grades, the competency profile and the eligibility (their own
services). Files are served by the jury's route, which checks that they belong to the candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.assessments.models import Assessment, Grade, GradeState, Submission, SubmissionFile
from lms.certificates.eligibility import LearnerEligibility, learner_eligibility
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.competencies import CompetencyProfile, competency_profile


@dataclass(frozen=True)
class Dossier:
    """What the jury reads about a candidate."""

    learner: User
    submissions: list[Submission]
    grades: list[Grade]
    profile: CompetencyProfile
    eligibility: LearnerEligibility


def _on_path(cohort: Cohort):
    return db.select(Assessment.id).join(Module).where(Module.path_id == cohort.path_id)


def candidate_dossier(cohort: Cohort, learner: User) -> Dossier:
    """Return the candidate's dossier (the latest submission of each assessment)."""
    rows = db.session.scalars(
        db.select(Submission)
        .where(Submission.user_id == learner.id, Submission.assessment_id.in_(_on_path(cohort)))
        .options(selectinload(Submission.files), selectinload(Submission.assessment))
        .order_by(Submission.assessment_id, Submission.version.desc(), Submission.id.desc())
    )
    latest: dict[int, Submission] = {}
    for submission in rows:
        latest.setdefault(submission.assessment_id, submission)
    grades = list(
        db.session.scalars(
            db.select(Grade)
            .where(
                Grade.learner_id == learner.id,
                Grade.state == GradeState.RELEASED,
                Grade.assessment_id.in_(_on_path(cohort)),
            )
            .options(selectinload(Grade.assessment))
            .order_by(Grade.assessment_id, Grade.id)
        )
    )
    return Dossier(
        learner=learner,
        submissions=sorted(latest.values(), key=lambda s: (s.assessment.position, s.id)),
        grades=grades,
        profile=competency_profile(learner, cohort),
        eligibility=learner_eligibility(cohort, learner),
    )


def candidate_file_or_none(cohort: Cohort, learner: User, file_id: int) -> SubmissionFile | None:
    """Return the file when it belongs to the candidate's work on the cohort's path."""
    return db.session.scalar(
        db.select(SubmissionFile)
        .join(Submission)
        .where(
            SubmissionFile.id == file_id,
            Submission.user_id == learner.id,
            Submission.assessment_id.in_(_on_path(cohort)),
        )
    )
