"""The entry quiz a path declares (``[positioning] entry_quiz``) and its results.

The quiz is an assessment of the path like any other (its page, its attempts); the positioning
shows its best submitted score, which says where a learner starts, and nothing more: the shipped
path's entry quiz is optional and weighs nothing (docs/quality-positioning.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lms.assessments.models import Assessment, QuizAttempt
from lms.extensions import db
from lms.quality.positioning.models import PathPositioning


@dataclass(frozen=True)
class EntryQuiz:
    """The path's entry quiz: its assessment id, code and title."""

    id: int
    code: str
    title: str


@dataclass(frozen=True)
class QuizResult:
    """A learner's best submitted attempt at the entry quiz."""

    score: int
    max_score: int
    passed: bool

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0


@dataclass(frozen=True)
class PathRules:
    """What the path declares for the positioning: instructions (Markdown) and entry quiz."""

    instructions: str
    quiz: EntryQuiz | None


def path_rules(path_id: int) -> PathRules:
    """Return the path's instructions and entry quiz (one query)."""
    row = db.session.execute(
        db.select(PathPositioning.instructions, Assessment.id, Assessment.code, Assessment.title)
        .outerjoin(
            Assessment,
            (Assessment.path_id == PathPositioning.path_id)
            & (Assessment.code == PathPositioning.entry_quiz_code),
        )
        .where(PathPositioning.path_id == path_id)
    ).first()
    if row is None:
        return PathRules("", None)
    quiz = EntryQuiz(row.id, row.code, row.title) if row.id is not None else None
    return PathRules(row.instructions, quiz)


def best_results(quiz: EntryQuiz | None, learner_ids: Sequence[int]) -> dict[int, QuizResult]:
    """Return each learner's best submitted attempt at the quiz, by user id (one query)."""
    if quiz is None or not learner_ids:
        return {}
    rows = db.session.execute(
        db.select(QuizAttempt.user_id, QuizAttempt.score, QuizAttempt.max_score, QuizAttempt.passed)
        .where(
            QuizAttempt.assessment_id == quiz.id,
            QuizAttempt.user_id.in_(list(learner_ids)),
            QuizAttempt.submitted_at.is_not(None),
        )
        .order_by(QuizAttempt.user_id, QuizAttempt.number)
    )
    best: dict[int, QuizResult] = {}
    for user_id, score, max_score, passed in rows:
        result = QuizResult(score or 0, max_score, bool(passed))
        current = best.get(user_id)
        if current is None or result.percent > current.percent:
            best[user_id] = result
    return best
