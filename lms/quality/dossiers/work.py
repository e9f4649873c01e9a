"""The learner's work in a dossier: submissions and their files, released grades, quizzes,
and the competency profile (see ``lms.quality.dossiers.evidence``)."""

from __future__ import annotations

from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.assessments.assignments.uploads import upload_folder
from lms.assessments.models import (
    Assessment,
    Grade,
    GradeChoice,
    QuizAttempt,
    Submission,
    SubmissionFile,
)
from lms.assessments.results.released import is_released, released_at
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.competencies import competency_profile
from lms.quality.dossiers.contents import Document, Evidence, archive_path, safe_name
from lms.quality.dossiers.contents import when as _when


def _path_assessments(cohort: Cohort):
    return db.select(Assessment.id).where(Assessment.path_id == cohort.path_id)


def _modules(cohort: Cohort) -> dict[int, str]:
    rows = db.session.execute(
        db.select(Module.id, Module.code).where(Module.path_id == cohort.path_id)
    )
    return dict(rows.tuples().all())


def submissions(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """List every version of the learner's work with its files, and copy the files."""
    submissions = db.session.scalars(
        db.select(Submission)
        .options(joinedload(Submission.assessment), selectinload(Submission.files))
        .where(
            Submission.user_id == learner.id,
            Submission.assessment_id.in_(_path_assessments(cohort)),
        )
        .order_by(Submission.assessment_id, Submission.attempt, Submission.version)
    ).all()
    rows = []
    for submission in submissions:
        folder = safe_name(
            f"{submission.assessment.code}-a{submission.attempt}-v{submission.version}"
        )
        files = sorted(submission.files, key=lambda item: item.id)
        names = [
            _submission_document(evidence, folder, number, item)
            for number, item in enumerate(files, 1)
        ]
        rows.append(
            {
                "assessment": submission.assessment.code,
                "assessment_title": submission.assessment.title,
                "attempt": submission.attempt,
                "version": submission.version,
                "submitted_at": _when(submission.submitted_at),
                "is_late": submission.is_late,
                "state": str(submission.state),
                "text": submission.text,
                "text_sha256": submission.content_sha256,
                "files": " ".join(names),
            }
        )
    evidence.sections["submissions"] = rows


def _submission_document(evidence: Evidence, folder: str, number: int, item: SubmissionFile) -> str:
    path = archive_path(
        "documents", "submissions", folder, f"{number:02d}-{safe_name(item.original_name)}"
    )
    evidence.documents.append(
        Document(
            "submissions",
            path,
            item.original_name,
            str(upload_folder()),
            item.storage_key,
            item.sha256,
        )
    )
    return path


def grades(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """List the learner's released grades with their feedback and the rubric levels chosen."""
    query = (
        db.select(Grade, released_at().label("released"))
        .options(
            joinedload(Grade.assessment),
            selectinload(Grade.choices).joinedload(GradeChoice.criterion),
            selectinload(Grade.choices).joinedload(GradeChoice.level),
        )
        .where(
            Grade.learner_id == learner.id,
            Grade.assessment_id.in_(_path_assessments(cohort)),
            is_released(),
        )
        .order_by(Grade.assessment_id, Grade.id)
    )
    modules = _modules(cohort)
    rows = []
    for grade, when in db.session.execute(query).tuples():
        choices = sorted(grade.choices, key=lambda choice: choice.criterion.position)
        rows.append(
            {
                "module": modules.get(grade.assessment.module_id),
                "assessment": grade.assessment.code,
                "assessment_title": grade.assessment.title,
                "kind": str(grade.assessment.kind),
                "score": grade.score,
                "max_score": grade.max_score,
                "passed": grade.passed,
                "released_at": _when(when),
                "feedback": grade.feedback,
                "criteria": "; ".join(
                    f"{choice.criterion.title}: {choice.level.title} ({choice.level.points})"
                    for choice in choices
                ),
            }
        )
    evidence.sections["grades"] = rows


def quiz_attempts(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """List the learner's submitted quiz attempts (auto-graded: their score is theirs to see)."""
    attempts = db.session.scalars(
        db.select(QuizAttempt)
        .options(joinedload(QuizAttempt.assessment))
        .where(
            QuizAttempt.user_id == learner.id,
            QuizAttempt.assessment_id.in_(_path_assessments(cohort)),
            QuizAttempt.submitted_at.is_not(None),
        )
        .order_by(QuizAttempt.assessment_id, QuizAttempt.number)
    )
    evidence.sections["quiz_attempts"] = [
        {
            "assessment": attempt.assessment.code,
            "assessment_title": attempt.assessment.title,
            "attempt": attempt.number,
            "submitted_at": _when(attempt.submitted_at),
            "score": attempt.score,
            "max_score": attempt.max_score,
            "passed": attempt.passed,
        }
        for attempt in attempts
    ]


def competencies(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """Write the learner's competency profile: per competency, the level against the required."""
    profile = competency_profile(learner, cohort, audience=None)
    evidence.sections["competencies"] = [
        {
            "block": block.code,
            "block_title": block.title,
            "competency": line.code,
            "competency_title": line.title,
            "required_level": line.required_level,
            "level": line.level,
            "level_label": profile.label(line.level) if line.level is not None else None,
            "status": str(line.status),
            "rated_at": _when(line.rated_at),
        }
        for block in profile.blocks
        for line in block.competencies
    ]
