"""The assessments' rules kept by the database itself (constraints, keys, optimistic lock)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from lms.assessments.models import (
    Assessment,
    AssessmentKind,
    AttemptAnswer,
    GradeChoice,
    GradeEvent,
    GradeState,
    Submission,
)
from lms.assessments.registry import max_score_of
from lms.extensions import db
from tests import factories as f


def refused(make) -> None:
    """Check that the database refuses what ``make`` adds, then leave the session usable."""
    with pytest.raises(IntegrityError):  # noqa: PT012  adding may flush already
        make()
        db.session.flush()
    db.session.rollback()


def test_every_factory_builds_a_valid_row():
    grade = f.GradeFactory(released=True)
    assert grade.state is GradeState.RELEASED
    assert grade.assessment.kind is AssessmentKind.ASSIGNMENT
    assert grade.assessment.path_id == grade.assessment.module.path_id
    for factory in (
        f.AttemptAnswerFactory,
        f.SubmissionFileFactory,
        f.DeadlineExtensionFactory,
        f.GradeChoiceFactory,
        f.GradeEventFactory,
        f.GradeReleaseFactory,
    ):
        assert factory().id is not None
    assert f.GradeFactory(evaluation=True).submission is None
    assert f.QuizAttemptFactory(submitted=True).is_open is False


def test_max_score_per_kind():
    quiz = f.AssessmentFactory(quiz=True)
    f.QuestionFactory(assessment=quiz, points=2)
    f.QuestionFactory(assessment=quiz, points=3)
    assert max_score_of(quiz) == 5
    rubric = f.RubricFactory(criteria=2)  # levels worth 0, 1, 2 points
    module = f.ModuleFactory(path=rubric.path)
    assignment = f.AssessmentFactory(module=module, rubric=rubric)
    assert max_score_of(assignment) == 4
    assert max_score_of(f.AssessmentFactory(module=module, rubric=rubric, evaluation=True)) == 4
    assert f.GradeFactory(graded=True, submission__assessment=assignment).score == 4


def test_quiz_with_a_rubric_is_refused():
    assessment = f.AssessmentFactory()
    refused(
        lambda: f.AssessmentFactory(
            module=assessment.module, rubric=assessment.rubric, quiz=True, kind=AssessmentKind.QUIZ
        )
    )


def test_assignment_and_evaluation_need_a_rubric():
    module = f.ModuleFactory()
    for kind in (AssessmentKind.ASSIGNMENT, AssessmentKind.EVALUATION):
        refused(
            lambda kind=kind: db.session.add(
                Assessment(module=module, code="X1", kind=kind, title="X", position=1)
            )
        )


def test_rubric_of_another_path_is_refused():
    module = f.ModuleFactory()
    foreign = f.RubricFactory()  # a rubric of another path
    refused(
        lambda: db.session.add(
            Assessment(
                module=module,
                code="X1",
                kind=AssessmentKind.EVALUATION,
                title="X",
                position=1,
                rubric=foreign,
            )
        )
    )


def test_assessment_code_is_unique_in_the_path():
    first = f.AssessmentFactory(quiz=True)
    other_module = f.ModuleFactory(path=first.module.path)
    refused(lambda: f.AssessmentFactory(module=other_module, quiz=True, code=first.code))
    assert f.AssessmentFactory(quiz=True, code=first.code).id  # another path may reuse it


@pytest.mark.parametrize(
    "values",
    [
        {"pass_mark_percent": 101},
        {"pass_mark_percent": -1},
        {"weight": -1},
        {"max_attempts": 0},
        {"due_days": -1},
        {"max_file_mb": 0},
        {"accepts_text": False, "accepts_files": False},
    ],
    ids=str,
)
def test_assessment_settings_out_of_range_are_refused(values):
    refused(lambda: f.AssessmentFactory(**values))


def test_time_limit_belongs_to_a_quiz():
    assert f.AssessmentFactory(quiz=True, time_limit_minutes=20).time_limit_minutes == 20
    refused(lambda: f.AssessmentFactory(time_limit_minutes=20))
    refused(lambda: f.AssessmentFactory(quiz=True, time_limit_minutes=0))


def test_levels_have_points_and_proficiency_not_negative():
    refused(lambda: f.RubricLevelFactory(points=-1))
    refused(lambda: f.RubricLevelFactory(proficiency=-1))


def test_question_points_are_positive():
    refused(lambda: f.QuestionFactory(points=0))


def test_attempt_numbers_are_unique_per_learner_and_quiz():
    attempt = f.QuizAttemptFactory(submitted=True)
    refused(
        lambda: f.QuizAttemptFactory(
            assessment=attempt.assessment, user=attempt.user, number=1, submitted=True
        )
    )
    assert f.QuizAttemptFactory(assessment=attempt.assessment, user=attempt.user, number=2).id


def test_one_open_attempt_per_learner_and_quiz():
    attempt = f.QuizAttemptFactory()
    refused(
        lambda: f.QuizAttemptFactory(assessment=attempt.assessment, user=attempt.user, number=2)
    )


def test_submitted_attempt_is_scored_within_its_maximum():
    refused(lambda: f.QuizAttemptFactory(submitted_at=datetime.now(UTC)))
    refused(lambda: f.QuizAttemptFactory(submitted=True, max_score=2, score=3))


def test_answer_ticks_an_option_of_its_question():
    answer = f.AttemptAnswerFactory()
    other = f.QuestionFactory(assessment=answer.attempt.assessment)
    refused(
        lambda: db.session.add(
            AttemptAnswer(attempt=answer.attempt, question=other, option=answer.option)
        )
    )
    refused(
        lambda: db.session.add(
            AttemptAnswer(attempt=answer.attempt, question=answer.question, option=answer.option)
        )
    )


def test_submission_versions_are_unique():
    submission = f.SubmissionFactory()
    refused(
        lambda: f.SubmissionFactory(
            assessment=submission.assessment, user=submission.user, version=1
        )
    )
    refused(lambda: f.SubmissionFactory(version=0))


def test_storage_keys_are_unique():
    stored = f.SubmissionFileFactory()
    refused(lambda: f.SubmissionFileFactory(storage_key=stored.storage_key))


def test_one_grade_per_submission_and_per_evaluated_learner():
    grade = f.GradeFactory()
    refused(lambda: f.GradeFactory(submission=grade.submission))
    evaluation = f.GradeFactory(evaluation=True)
    refused(
        lambda: f.GradeFactory(
            evaluation=True, assessment=evaluation.assessment, learner=evaluation.learner
        )
    )


@pytest.mark.parametrize(
    "values",
    [
        {"state": GradeState.GRADED},  # no score
        {"state": GradeState.RELEASED, "score": 0, "passed": False},  # no release date
        {"score": 5, "max_score": 4},
    ],
    ids=str,
)
def test_grade_rules(values):
    refused(lambda: f.GradeFactory(**values))


def test_one_choice_per_criterion_of_a_grade():
    choice = f.GradeChoiceFactory()
    refused(lambda: f.GradeChoiceFactory(grade=choice.grade, criterion=choice.criterion))


def test_chosen_level_belongs_to_the_criterion():
    choice = f.GradeChoiceFactory()
    other = f.CriterionFactory(rubric=choice.criterion.rubric, levels=1)
    refused(
        lambda: db.session.add(GradeChoice(grade=choice.grade, criterion=other, level=choice.level))
    )


def test_concurrent_grade_save_is_detected():
    grade = f.GradeFactory()
    assert grade.version_id == 1
    db.session.execute(
        # Another request saved it meanwhile (this session does not see the new version).
        db.update(type(grade))
        .where(type(grade).id == grade.id)
        .values(version_id=2)
        .execution_options(synchronize_session=False)
    )
    grade.feedback = "Bien."
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_grade_save_increments_the_version():
    grade = f.GradeFactory()
    grade.feedback = "Très bien."
    db.session.commit()
    assert grade.version_id == 2


def test_grade_history_is_append_only():
    event = f.GradeEventFactory()
    event.action = "grade.rewrite"
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(GradeEvent, event.id))
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_learner_work_keeps_its_assessment():
    submission = f.SubmissionFactory()
    assessment_id = submission.assessment_id
    refused(lambda: db.session.execute(db.delete(Assessment).where(Assessment.id == assessment_id)))
    assert db.session.get(Submission, submission.id) is not None


def test_release_once_per_assessment_and_cohort():
    release = f.GradeReleaseFactory()
    refused(lambda: f.GradeReleaseFactory(assessment=release.assessment, cohort=release.cohort))


def test_module_lists_its_assessments_in_order():
    module = f.ModuleFactory()
    second = f.AssessmentFactory(module=module, quiz=True, position=2)
    first = f.AssessmentFactory(module=module, quiz=True, position=1)
    db.session.expire(module)
    assert module.assessments == [first, second]
