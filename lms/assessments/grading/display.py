"""What pages show of grades: the learner's released grade and a grade's lines for display.

``released_grade`` applies the one release rule of ``lms.assessments.results.released``
(released to the learner, or graded and released to one of their cohorts), so that the grading
pages, the assignment page, the gradebook and the competency ratings never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.assessments.models import (
    Assessment,
    Criterion,
    Grade,
    GradeChoice,
    Rubric,
    RubricLevel,
)
from lms.assessments.results.released import is_released
from lms.core.markdown import render_markdown
from lms.extensions import db


def released_grade(learner: User, assessment: Assessment) -> Grade | None:
    """Return the learner's latest released grade of the assessment, or None until released."""
    query = (
        db.select(Grade)
        .filter_by(assessment_id=assessment.id, learner_id=learner.id)
        .where(is_released())
        .order_by(Grade.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


@dataclass(frozen=True)
class CriterionResult:
    """One line of a grade: the criterion, the chosen level (if any) and its points."""

    criterion: Criterion
    level: RubricLevel | None
    points: int | None
    max_points: int


@dataclass(frozen=True)
class GradeView:
    """What a page shows of a grade: its lines, score, pass and feedback."""

    grade: Grade
    rubric: Rubric
    rows: list[CriterionResult]
    score: int | None
    max_score: int
    passed: bool | None
    feedback: str
    feedback_html: Markup


def grade_view(grade: Grade) -> GradeView:
    """Return the grade's criteria with the chosen levels and points, for display (two queries)."""
    # The whole rubric in one joined query: a few criteria of a few levels each.
    rubric = (
        db.session.scalars(
            db.select(Rubric)
            .where(Rubric.id == grade.assessment.rubric_id)
            .options(
                joinedload(Rubric.criteria).options(
                    joinedload(Criterion.levels), joinedload(Criterion.competency)
                )
            )
        )
        .unique()
        .one()
    )
    chosen = dict(
        db.session.execute(
            db.select(GradeChoice.criterion_id, GradeChoice.level_id).filter_by(grade_id=grade.id)
        ).all()
    )
    rows = []
    for criterion in rubric.criteria:
        level = next((lv for lv in criterion.levels if lv.id == chosen.get(criterion.id)), None)
        rows.append(
            CriterionResult(criterion, level, level.points if level else None, criterion.max_points)
        )
    return GradeView(
        grade,
        rubric,
        rows,
        grade.score,
        grade.max_score,
        grade.passed,
        grade.feedback,
        render_markdown(grade.feedback),
    )
