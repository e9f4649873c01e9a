"""The assessment kinds as a small registry (after CTFd's challenge types, without ``request``).

Each kind is one ``AssessmentType`` instance in ``ASSESSMENT_TYPES``; the loader and the pages
dispatch through it instead of testing ``assessment.kind`` everywhere. A type knows its own keys
of the path-definition file (``fields``), checks them (``validate_definition``), writes them to
an ``Assessment`` (``load``) and reads them back (``export``).

Definition values are plain TOML values in canonical form (see ``lms.assessments.loading``).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.assessments.marking.definition import export_marking, load_marking, read_marking
from lms.assessments.models import (
    Assessment,
    AssessmentKind,
    Option,
    Question,
    QuestionKind,
    QuizReview,
    Rubric,
)
from lms.curriculum.definition.reading import Field, Problems

EXTENSION = re.compile(r"[a-z0-9]{1,10}")

OPTION_FIELDS = {
    "text": Field("line"),
    "correct": Field("bool", required=False, default=False),
}
QUESTION_FIELDS = {
    "prompt": Field("line"),
    "kind": Field("choice", required=False, default=QuestionKind.SINGLE, choices=QuestionKind),
    "points": Field("int", required=False, default=1),
    "explanation": Field("text", required=False, default=""),
    "options": Field("tables", fields=OPTION_FIELDS),
}


class AssessmentType:
    """What differs between kinds: grading, submission, maximum score, definition keys."""

    kind: ClassVar[AssessmentKind]
    label: ClassVar[str]
    endpoint: ClassVar[str]  # the learner's page of an assessment of this kind (``assessment_id``)
    is_auto_graded: ClassVar[bool] = False  # scored by the server, no trainer involved
    has_submission: ClassVar[bool] = False  # the learner hands in work (text, files)
    uses_rubric: ClassVar[bool] = True  # graded by a trainer with a rubric
    fields: ClassVar[dict[str, Field]] = {
        "rubric": Field("line", max_length=20),
        # Independent markings (``lms.assessments.marking.definition``); absent: graded as usual.
        "marking": Field("raw", required=False),
    }

    def max_score(self, assessment: Assessment) -> int:
        """Return the highest reachable score: the rubric's best total."""
        return assessment.rubric.max_points if assessment.rubric else 0

    def validate_definition(
        self, values: dict[str, Any], where: str, rubrics: dict[str, Any]
    ) -> list[str]:
        """Return the problems of this kind's keys (each prefixed with its location)."""
        problems = Problems()
        code = values.get("rubric")
        if code is not None and code not in rubrics:
            problems.add(where + ".rubric", _("unknown rubric %(code)s", code=code))
        if "marking" in values:
            values["marking"] = read_marking(values["marking"], where + ".marking", problems)
        return problems

    def load(self, values: dict[str, Any], assessment: Assessment, rubrics: dict[str, Rubric]):
        """Write this kind's settings (and rows) of a definition to a new assessment."""
        assessment.rubric = rubrics[values["rubric"]]
        load_marking(values.get("marking"), assessment)

    def export(self, assessment: Assessment) -> dict[str, Any]:
        """Return this kind's keys of the definition, as ``load`` received them."""
        return {"rubric": assessment.rubric.code, **export_marking(assessment)}


class QuizType(AssessmentType):
    kind = AssessmentKind.QUIZ
    label = _l("Quiz")
    endpoint = "quizzes.show"
    is_auto_graded = True
    uses_rubric = False
    fields = {
        "time_limit_minutes": Field("int", required=False),
        "shuffle_options": Field("bool", required=False, default=True),
        "review": Field(
            "choice", required=False, default=QuizReview.AFTER_SUBMISSION, choices=QuizReview
        ),
        "questions": Field("tables", fields=QUESTION_FIELDS),
    }

    def max_score(self, assessment: Assessment) -> int:
        """Return the sum of the questions' points."""
        return sum(question.points for question in assessment.questions)

    def validate_definition(
        self, values: dict[str, Any], where: str, rubrics: dict[str, Any]
    ) -> list[str]:
        problems = Problems()
        if values.get("time_limit_minutes", 1) < 1:
            problems.add(where + ".time_limit_minutes", _("must be 1 or more"))
        for index, question in enumerate(values.get("questions", [])):
            _check_question(question, f"{where}.questions[{index}]", problems)
        return problems

    def load(self, values: dict[str, Any], assessment: Assessment, rubrics: dict[str, Rubric]):
        assessment.time_limit_minutes = values.get("time_limit_minutes")
        assessment.shuffle_options = values["shuffle_options"]
        assessment.review = QuizReview(values["review"])
        assessment.questions = [
            Question(
                position=position,
                prompt=question["prompt"],
                kind=QuestionKind(question["kind"]),
                points=question["points"],
                explanation=question["explanation"],
                options=[
                    Option(position=number, text=option["text"], is_correct=option["correct"])
                    for number, option in enumerate(question["options"], start=1)
                ],
            )
            for position, question in enumerate(values["questions"], start=1)
        ]

    def export(self, assessment: Assessment) -> dict[str, Any]:
        exported: dict[str, Any] = {}
        if assessment.time_limit_minutes is not None:
            exported["time_limit_minutes"] = assessment.time_limit_minutes
        exported["shuffle_options"] = assessment.shuffle_options
        exported["review"] = assessment.review.value
        exported["questions"] = [_question_definition(q) for q in assessment.questions]
        return exported


def _check_question(question: dict[str, Any], where: str, problems: Problems) -> None:
    """A question is worth 1+ points; it has 2+ options, with the right number correct."""
    if question.get("points", 1) < 1:
        problems.add(where + ".points", _("must be 1 or more"))
    options = question.get("options")
    if options is None:
        return
    if len(options) < 2:
        problems.add(where + ".options", _("a question needs at least two options"))
    correct = sum(1 for option in options if option.get("correct"))
    if question.get("kind") == QuestionKind.SINGLE and correct != 1:
        problems.add(
            where,
            _(
                "a single-choice question needs exactly one correct option (found %(n)d)",
                n=correct,
            ),
        )
    elif question.get("kind") == QuestionKind.MULTIPLE and correct < 1:
        problems.add(where, _("a multiple-choice question needs at least one correct option"))


def _question_definition(question: Question) -> dict[str, Any]:
    return {
        "prompt": question.prompt,
        "kind": question.kind.value,
        "points": question.points,
        "explanation": question.explanation,
        "options": [{"text": o.text, "correct": o.is_correct} for o in question.options],
    }


class AssignmentType(AssessmentType):
    kind = AssessmentKind.ASSIGNMENT
    label = _l("Assignment")
    endpoint = "assignments.show"
    has_submission = True
    fields = {
        **AssessmentType.fields,
        "accepts_text": Field("bool", required=False, default=True),
        "accepts_files": Field("bool", required=False, default=False),
        "allowed_extensions": Field("codes", required=False, default=()),
        "max_file_mb": Field("int", required=False, default=10),
    }

    def validate_definition(
        self, values: dict[str, Any], where: str, rubrics: dict[str, Any]
    ) -> list[str]:
        problems = Problems(super().validate_definition(values, where, rubrics))
        if values.get("accepts_text") is False and values.get("accepts_files") is False:
            problems.add(where, _("an assignment accepts text, files or both"))
        extensions = values.get("allowed_extensions", ())
        for extension in extensions:
            if not EXTENSION.fullmatch(extension):
                message = _(
                    "%(ext)s is not a file extension (lower-case letters and digits, no dot)",
                    ext=extension,
                )
                problems.add(where + ".allowed_extensions", message)
        if values.get("accepts_files") and not extensions:
            problems.add(
                where + ".allowed_extensions", _("files are accepted: list their extensions")
            )
        if values.get("max_file_mb", 1) < 1:
            problems.add(where + ".max_file_mb", _("must be 1 or more"))
        return problems

    def load(self, values: dict[str, Any], assessment: Assessment, rubrics: dict[str, Rubric]):
        super().load(values, assessment, rubrics)
        assessment.accepts_text = values["accepts_text"]
        assessment.accepts_files = values["accepts_files"]
        assessment.allowed_extensions = ",".join(values["allowed_extensions"])
        assessment.max_file_mb = values["max_file_mb"]

    def export(self, assessment: Assessment) -> dict[str, Any]:
        return {
            **super().export(assessment),
            "accepts_text": assessment.accepts_text,
            "accepts_files": assessment.accepts_files,
            "allowed_extensions": assessment.extensions,
            "max_file_mb": assessment.max_file_mb,
        }


class EvaluationType(AssessmentType):
    kind = AssessmentKind.EVALUATION
    label = _l("Evaluation")
    endpoint = "grading.evaluation"

    def load(self, values: dict[str, Any], assessment: Assessment, rubrics: dict[str, Rubric]):
        super().load(values, assessment, rubrics)
        assessment.accepts_text = False  # nothing is handed in


ASSESSMENT_TYPES: dict[str, AssessmentType] = {
    kind_type.kind: kind_type for kind_type in (QuizType(), AssignmentType(), EvaluationType())
}


def type_of(assessment: Assessment) -> AssessmentType:
    """Return the registered type of the assessment's kind."""
    return ASSESSMENT_TYPES[assessment.kind]


def max_score_of(assessment: Assessment) -> int:
    """Return the highest reachable score, as the assessment's type computes it."""
    return type_of(assessment).max_score(assessment)


def learner_url(assessment: Assessment) -> str | None:
    """Return the learner's page of an assessment, through its type's endpoint.

    None while the application has no such page (a kind whose pages are not installed): callers
    then show the assessment without a link rather than failing.
    """
    endpoint = type_of(assessment).endpoint
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, assessment_id=assessment.id)
