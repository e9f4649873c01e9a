"""A quiz in M1 of the §6 path, with markers on its correct options and explanations.

Correct options contain ``RIGHT_MARK`` and explanations ``EXPLAIN_MARK``, so a test can tell at a
glance that a page leaks the answer key; wrong options contain neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.accounts.models import User
from lms.assessments.models import Assessment, Question
from lms.extensions import db
from tests.factories import AssessmentFactory, QuestionFactory, QuizAttemptFactory
from tests.learning.helpers import BienVivrePath, make_bien_vivre_path

RIGHT_MARK = "zqright"
EXPLAIN_MARK = "zqexplain"


@dataclass
class QuizWorld:
    """The path, an M1 quiz with one single- and one multiple-choice question, a learner."""

    bien_vivre: BienVivrePath
    quiz: Assessment
    single: Question
    multiple: Question
    learner: User

    def option_ids(self, question: Question, correct: bool) -> list[int]:
        """Return the ids of the question's correct (or wrong) options."""
        return [o.id for o in question.options if o.is_correct == correct]

    def right_answers(self) -> dict[int, list[int]]:
        """Return the answers that earn every point."""
        return {q.id: self.option_ids(q, True) for q in (self.single, self.multiple)}

    def form(self, answers: dict[int, list[int]]) -> dict[str, list[str]]:
        """Return the answers as posted by the attempt form."""
        return {f"question_{qid}": [str(oid) for oid in ids] for qid, ids in answers.items()}


def make_quiz_world(module_code: str = "M1", **quiz_fields) -> QuizWorld:
    """Create the path (M1 open, M2 locked), a quiz in ``module_code`` and a learner."""
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"), opened=("M1", "M2"))
    fields = {"pass_mark_percent": 60, "max_attempts": 2, "shuffle_options": True} | quiz_fields
    quiz = AssessmentFactory(
        quiz=True,
        module=bien_vivre.modules[module_code],
        title="Quiz du bien-vivre",
        instructions="Répondez **sans aide**.",
        **fields,
    )
    single = QuestionFactory(
        assessment=quiz,
        position=1,
        points=2,
        prompt="Qu'est-ce que le bien-vivre ?",
        explanation=f"Le bien-vivre {EXPLAIN_MARK} relie les personnes.",
        options=[(f"Un art de vivre ensemble {RIGHT_MARK}", True), ("Un produit", False)],
    )
    multiple = QuestionFactory(
        assessment=quiz,
        multiple=True,
        position=2,
        points=3,
        prompt="Quels acteurs du territoire ?",
        explanation=f"Tous ceux qui agissent {EXPLAIN_MARK}.",
        options=[
            (f"Les associations {RIGHT_MARK}", True),
            (f"Les communes {RIGHT_MARK}", True),
            ("Personne", False),
        ],
    )
    learner = bien_vivre.enrol_learner()
    db.session.commit()
    return QuizWorld(bien_vivre, quiz, single, multiple, learner)


def security_world_quizzes(bien_vivre: BienVivrePath, other: BienVivrePath, users) -> dict:
    """Return the quiz objects of the security world (tests/security/world.py), by name.

    ``quiz`` (optional, so that M1 stays completed) holds an open attempt of each learner of the
    cohort; ``done_quiz`` a submitted, reviewable attempt of each; ``other_quiz`` is on the other
    cohort's path.
    """
    module = bien_vivre.modules["M1"]
    quiz = AssessmentFactory(quiz=True, optional=True, module=module, max_attempts=None)
    done_quiz = AssessmentFactory(quiz=True, optional=True, module=module)
    other_quiz = AssessmentFactory(quiz=True, optional=True, module=other.modules["M1"])
    objects = {"quiz": quiz, "done_quiz": done_quiz, "other_quiz": other_quiz}
    for assessment in (quiz, done_quiz, other_quiz):
        QuestionFactory(assessment=assessment, position=1, explanation=EXPLAIN_MARK)
    for name in ("learner_a", "learner_b"):
        objects[f"{name}_open_attempt"] = _world_attempt(quiz, users[name])
        objects[f"{name}_submitted_attempt"] = _world_attempt(done_quiz, users[name], True)
    db.session.commit()
    return objects


def _world_attempt(quiz: Assessment, user: User, submitted: bool = False):
    """Create an attempt at ``quiz`` with its options in position order."""
    [question] = quiz.questions
    order = {str(question.id): [option.id for option in question.options]}
    return QuizAttemptFactory(
        assessment=quiz, user=user, max_score=1, option_order=order, submitted=submitted
    )
