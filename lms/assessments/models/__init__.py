"""The assessments' tables, split by concern; import them all from here.

- ``definitions``: what the path definition declares (rubrics, assessments, questions).
- ``work``: what learners do (quiz attempts, submissions, deadline extensions).
- ``grading``: what trainers decide (grades, choices per criterion, history, releases).
- ``marking``: independent markings that feed a grade (double marking, third reader).
"""

from lms.assessments.models.definitions import (
    Assessment,
    AssessmentKind,
    Criterion,
    MarkerPool,
    MarkingAgreement,
    Option,
    Question,
    QuestionKind,
    QuizReview,
    Rubric,
    RubricLevel,
)
from lms.assessments.models.grading import (
    Grade,
    GradeChoice,
    GradeEvent,
    GradeRelease,
    GradeState,
)
from lms.assessments.models.marking import (
    Marking,
    MarkingChoice,
    MarkingRole,
    MarkingState,
)
from lms.assessments.models.work import (
    AttemptAnswer,
    DeadlineExtension,
    QuizAttempt,
    Submission,
    SubmissionFile,
    SubmissionState,
)

__all__ = [
    "Assessment",
    "AssessmentKind",
    "AttemptAnswer",
    "Criterion",
    "DeadlineExtension",
    "Grade",
    "GradeChoice",
    "GradeEvent",
    "GradeRelease",
    "GradeState",
    "MarkerPool",
    "Marking",
    "MarkingAgreement",
    "MarkingChoice",
    "MarkingRole",
    "MarkingState",
    "Option",
    "Question",
    "QuestionKind",
    "QuizAttempt",
    "QuizReview",
    "Rubric",
    "RubricLevel",
    "Submission",
    "SubmissionFile",
    "SubmissionState",
]
