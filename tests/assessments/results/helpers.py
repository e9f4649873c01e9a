"""Build assessments, work and grades on the §6 path for the results tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func

from lms.assessments.models import Assessment, Grade, GradeState, Rubric, Submission
from lms.curriculum.models import Competency
from lms.extensions import db
from tests.factories import (
    AssessmentFactory,
    CriterionFactory,
    GradeChoiceFactory,
    GradeFactory,
    QuizAttemptFactory,
    RubricFactory,
    RubricLevelFactory,
    SubmissionFactory,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def rubric_for(path, competency: Competency, levels=(1, 2, 3, 4)) -> Rubric:
    """Create a one-criterion rubric rating ``competency``, with levels of these proficiencies."""
    rubric = RubricFactory(path=path)
    criterion = CriterionFactory(rubric=rubric, competency=competency, title="Analyse")
    for position, proficiency in enumerate(levels, start=1):
        RubricLevelFactory(
            criterion=criterion,
            position=position,
            points=position - 1,
            proficiency=proficiency,
            title=f"Niveau {proficiency}",
        )
    db.session.commit()
    return rubric


def pass_quiz(learner, quiz: Assessment, passed: bool = True, number: int = 1) -> None:
    """Record a submitted attempt at ``quiz``, passed or not."""
    QuizAttemptFactory(
        assessment=quiz, user=learner, number=number, submitted=True, passed=passed, score=0
    )


def grade(
    learner,
    assessment: Assessment,
    *,
    state: GradeState = GradeState.RELEASED,
    passed: bool = True,
    level: int | None = None,
    released_at: datetime | None = T0,
) -> Grade:
    """Grade the learner's work (a submission, unless an evaluation) in ``state``.

    ``level`` picks the rubric's level by proficiency for its first criterion.
    """
    submission = None
    if assessment.kind != "evaluation":
        version = 1 + db.session.scalar(
            db.select(func.count(Submission.id)).filter_by(
                assessment_id=assessment.id, user_id=learner.id
            )
        )
        submission = SubmissionFactory(assessment=assessment, user=learner, version=version)
    result = GradeFactory(
        assessment=assessment,
        learner=learner,
        submission=submission,
        state=state,
        score=0 if state in (GradeState.GRADED, GradeState.RELEASED) else None,
        passed=passed if state in (GradeState.GRADED, GradeState.RELEASED) else None,
        released_at=released_at if state is GradeState.RELEASED else None,
    )
    if level is not None:
        criterion = assessment.rubric.criteria[0]
        chosen = next(lv for lv in criterion.levels if lv.proficiency == level)
        GradeChoiceFactory(grade=result, criterion=criterion, level=chosen)
    return result


def assignment(module, rubric=None, **fields) -> Assessment:
    """Create an assignment of ``module`` (with its own rubric unless given)."""
    if rubric is not None:
        fields["rubric"] = rubric
    return AssessmentFactory(module=module, **fields)


def later(days: int) -> datetime:
    """Return T0 plus ``days`` days."""
    return T0 + timedelta(days=days)
