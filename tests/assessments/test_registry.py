"""The registry of assessment kinds: flags, maximum scores, definition keys per kind."""

from __future__ import annotations

import pytest

from lms.assessments.models import AssessmentKind, QuizReview
from lms.assessments.registry import (
    ASSESSMENT_TYPES,
    AssignmentType,
    EvaluationType,
    QuizType,
    max_score_of,
    type_of,
)
from lms.extensions import db
from tests import factories as f


def test_every_kind_has_exactly_one_type():
    assert set(ASSESSMENT_TYPES) == set(AssessmentKind)
    for kind, kind_type in ASSESSMENT_TYPES.items():
        assert kind_type.kind == kind
        assert str(kind_type.label)


@pytest.mark.parametrize(
    ("kind", "auto", "submission", "rubric"),
    [
        (AssessmentKind.QUIZ, True, False, False),
        (AssessmentKind.ASSIGNMENT, False, True, True),
        (AssessmentKind.EVALUATION, False, False, True),
    ],
)
def test_kind_flags(kind, auto, submission, rubric):
    kind_type = ASSESSMENT_TYPES[kind]
    assert (kind_type.is_auto_graded, kind_type.has_submission, kind_type.uses_rubric) == (
        auto,
        submission,
        rubric,
    )
    assert ("rubric" in kind_type.fields) is rubric
    assert ("questions" in kind_type.fields) is auto


def test_assessment_dispatches_to_its_type():
    assert isinstance(type_of(f.AssessmentFactory(quiz=True)), QuizType)
    assert isinstance(type_of(f.AssessmentFactory()), AssignmentType)
    assert isinstance(type_of(f.AssessmentFactory(evaluation=True)), EvaluationType)


def test_quiz_max_score_is_the_sum_of_points():
    quiz = f.AssessmentFactory(quiz=True)
    assert ASSESSMENT_TYPES["quiz"].max_score(quiz) == 0
    for points in (1, 2, 4):
        f.QuestionFactory(assessment=quiz, points=points)
    db.session.expire(quiz)
    assert ASSESSMENT_TYPES["quiz"].max_score(quiz) == 7


def test_rubric_max_score_takes_each_criterion_s_highest_level():
    rubric = f.RubricFactory()
    for points in ((0, 1, 3), (0, 2, 5, 8)):
        criterion = f.CriterionFactory(rubric=rubric)
        for position, value in enumerate(points, start=1):
            f.RubricLevelFactory(criterion=criterion, position=position, points=value)
    module = f.ModuleFactory(path=rubric.path)
    db.session.expire(rubric)
    assignment = f.AssessmentFactory(module=module, rubric=rubric)
    evaluation = f.AssessmentFactory(module=module, rubric=rubric, evaluation=True)
    assert max_score_of(assignment) == max_score_of(evaluation) == rubric.max_points == 11


def test_quiz_definition_loads_and_exports_the_same_values():
    quiz = f.AssessmentFactory(quiz=True)
    values = {
        "time_limit_minutes": 10,
        "shuffle_options": False,
        "review": "never",
        "questions": [
            {
                "prompt": "Deux et deux ?",
                "kind": "single",
                "points": 2,
                "explanation": "Quatre.",
                "options": [{"text": "4", "correct": True}, {"text": "5", "correct": False}],
            }
        ],
    }
    ASSESSMENT_TYPES["quiz"].load(values, quiz, {})
    db.session.commit()
    assert (quiz.review, max_score_of(quiz)) == (QuizReview.NEVER, 2)
    assert ASSESSMENT_TYPES["quiz"].export(quiz) == values


def test_assignment_definition_loads_and_exports_the_same_values():
    assignment = f.AssessmentFactory()
    values = {
        "rubric": assignment.rubric.code,
        "accepts_text": False,
        "accepts_files": True,
        "allowed_extensions": ["pdf", "odt"],
        "max_file_mb": 3,
    }
    ASSESSMENT_TYPES["assignment"].load(values, assignment, {values["rubric"]: assignment.rubric})
    db.session.commit()
    assert assignment.allowed_extensions == "pdf,odt"
    assert ASSESSMENT_TYPES["assignment"].export(assignment) == values


def test_validation_names_each_problem_where_it_is():
    problems = ASSESSMENT_TYPES["assignment"].validate_definition(
        {"rubric": "R9", "accepts_text": True, "allowed_extensions": ["PDF"], "max_file_mb": 0},
        "here",
        {"R1": {}},
    )
    assert problems == [
        "here.rubric: unknown rubric R9",
        "here.allowed_extensions: PDF is not a file extension "
        "(lower-case letters and digits, no dot)",
        "here.max_file_mb: must be 1 or more",
    ]
    assert (
        ASSESSMENT_TYPES["evaluation"].validate_definition({"rubric": "R1"}, "x", {"R1": {}}) == []
    )
