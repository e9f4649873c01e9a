"""The assessment kinds as a small registry (after CTFd's challenge types, without ``request``).

Each kind is one ``AssessmentType`` instance in ``ASSESSMENT_TYPES``; the loader and the pages
dispatch through it instead of testing ``assessment.kind`` everywhere.
"""

from __future__ import annotations

from typing import ClassVar

from flask_babel import lazy_gettext as _l

from lms.assessments.models import Assessment, AssessmentKind


class AssessmentType:
    """What differs between kinds: grading, submission, maximum score."""

    kind: ClassVar[AssessmentKind]
    label: ClassVar[str]
    is_auto_graded: ClassVar[bool] = False  # scored by the server, no trainer involved
    has_submission: ClassVar[bool] = False  # the learner hands in work (text, files)
    uses_rubric: ClassVar[bool] = True  # graded by a trainer with a rubric

    def max_score(self, assessment: Assessment) -> int:
        """Return the highest reachable score: the rubric's best total."""
        return assessment.rubric.max_points if assessment.rubric else 0


class QuizType(AssessmentType):
    kind = AssessmentKind.QUIZ
    label = _l("Quiz")
    is_auto_graded = True
    uses_rubric = False

    def max_score(self, assessment: Assessment) -> int:
        """Return the sum of the questions' points."""
        return sum(question.points for question in assessment.questions)


class AssignmentType(AssessmentType):
    kind = AssessmentKind.ASSIGNMENT
    label = _l("Assignment")
    has_submission = True


class EvaluationType(AssessmentType):
    kind = AssessmentKind.EVALUATION
    label = _l("Evaluation")


ASSESSMENT_TYPES: dict[str, AssessmentType] = {
    kind_type.kind: kind_type for kind_type in (QuizType(), AssignmentType(), EvaluationType())
}
