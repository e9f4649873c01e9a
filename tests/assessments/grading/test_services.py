"""Grading services: start, save with optimistic lock, release, return; history and logs."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import update

from lms.accounts.models import AuditEvent
from lms.assessments.grading import display, history, services
from lms.assessments.grading.services import ChoiceErrors, GradeConflict, GradingError
from lms.assessments.models import (
    Grade,
    GradeEvent,
    GradeRelease,
    GradeState,
    SubmissionState,
)
from lms.extensions import db
from tests.assessments.grading.support import make_grading_world, reload
from tests.factories import SubmissionFactory


@pytest.fixture
def world():
    """Return the grading world."""
    return make_grading_world()


def started(world) -> Grade:
    """Start grading the world's submission and commit."""
    grade = services.start_grading(world.trainer, world.submission)
    db.session.commit()
    return grade


def finished(world, *points: int) -> Grade:
    """Grade the world's submission completely with the levels worth ``points``."""
    grade = started(world)
    services.save_grade(
        world.trainer,
        grade,
        expected_version=grade.version_id,
        choices=world.levels(*points),
        feedback="Bien.",
        finish=True,
    )
    db.session.commit()
    return grade


def events_of(grade: Grade) -> list[GradeEvent]:
    """Return the grade's history, oldest first."""
    return list(
        db.session.scalars(
            db.select(GradeEvent).filter_by(grade_id=grade.id).order_by(GradeEvent.id)
        )
    )


def test_starting_creates_one_grade_in_progress_with_its_event(world):
    grade = started(world)
    again = services.start_grading(world.trainer, world.submission)
    assert again.id == grade.id
    assert grade.state == GradeState.GRADING
    assert grade.learner == world.learner
    assert grade.max_score == 4
    assert [e.action for e in events_of(grade)] == ["grade.start"]


def test_an_evaluation_is_started_without_submission(world):
    grade = services.start_grading(
        world.trainer, learner=world.learner, assessment=world.evaluation
    )
    assert grade.submission is None
    assert grade.assessment == world.evaluation
    again = services.start_grading(
        world.trainer, learner=world.learner, assessment=world.evaluation
    )
    assert again.id == grade.id


def test_an_assignment_cannot_be_started_without_its_submission(world):
    with pytest.raises(GradingError, match="Only evaluations"):
        services.start_grading(world.trainer, learner=world.learner, assessment=world.assignment)


def test_a_returned_version_cannot_be_graded(world):
    world.submission.state = SubmissionState.RETURNED
    with pytest.raises(GradingError, match="returned for revision"):
        services.start_grading(world.trainer, world.submission)


def test_a_partial_save_keeps_grading_with_a_partial_score(world):
    grade = started(world)
    choice = dict(list(world.levels(2, 0).items())[:1])
    services.save_grade(
        world.trainer,
        grade,
        expected_version=grade.version_id,
        choices=choice,
        feedback="À suivre",
        finish=False,
    )
    db.session.commit()
    grade = reload(grade)
    assert (grade.state, grade.score, grade.passed, grade.feedback) == (
        GradeState.GRADING,
        2,
        None,
        "À suivre",
    )
    event = events_of(grade)[-1]
    assert event.accepted
    assert event.before["score"] is None
    assert event.after["score"] == 2


@pytest.mark.parametrize(
    ("points", "score", "passed"), [((1, 1), 2, True), ((0, 1), 1, False), ((2, 2), 4, True)]
)
def test_finishing_scores_from_the_levels_and_the_pass_mark(world, points, score, passed):
    grade = reload(finished(world, *points))
    assert (grade.state, grade.score, grade.max_score, grade.passed) == (
        GradeState.GRADED,
        score,
        4,
        passed,
    )
    assert {c.criterion_id: c.level_id for c in grade.choices} == world.levels(*points)


def test_finishing_needs_every_criterion(world):
    grade = started(world)
    first, second = world.criteria()
    with pytest.raises(ChoiceErrors) as raised:
        services.save_grade(
            world.trainer,
            grade,
            expected_version=grade.version_id,
            choices={first.id: first.levels[0].id},
            feedback="",
            finish=True,
        )
    assert set(raised.value.errors) == {second.id}


def test_a_level_of_another_criterion_is_refused_and_nothing_saved(world):
    grade = started(world)
    version = grade.version_id
    first, second = world.criteria()
    with pytest.raises(ChoiceErrors) as raised:
        services.save_grade(
            world.trainer,
            grade,
            expected_version=version,
            choices={first.id: second.levels[1].id},
            feedback="x",
            finish=False,
        )
    assert raised.value.errors == {first.id: "Choose one of this criterion's levels."}
    db.session.rollback()
    grade = reload(grade)
    assert grade.version_id == version
    assert grade.choices == []
    assert grade.feedback == ""


def test_a_criterion_of_another_rubric_is_refused(world):
    grade = started(world)
    foreign = world.criteria(world.evaluation)[0]
    with pytest.raises(ChoiceErrors) as raised:
        services.save_grade(
            world.trainer,
            grade,
            expected_version=grade.version_id,
            choices={foreign.id: foreign.levels[0].id},
            feedback="",
            finish=False,
        )
    assert list(raised.value.errors) == [foreign.id]


def test_a_stale_version_raises_a_conflict_naming_who_changed_it(world):
    grade = finished(world, 1, 1)
    with pytest.raises(GradeConflict) as raised:
        services.save_grade(
            world.learner,
            grade,
            expected_version=grade.version_id - 1,
            choices={},
            feedback="",
            finish=False,
        )
    assert raised.value.changed_by == world.trainer
    assert raised.value.changed_at is not None


def test_a_change_made_between_read_and_write_raises_a_conflict_at_flush(world):
    grade = started(world)
    version = grade.version_id
    # Another request saved the grade meanwhile (its own transaction, committed).
    with db.engine.begin() as connection:
        connection.execute(update(Grade).where(Grade.id == grade.id).values(version_id=version + 1))
    with pytest.raises(GradeConflict):
        services.save_grade(
            world.trainer,
            grade,
            expected_version=version,
            choices=world.levels(1, 1),
            feedback="",
            finish=True,
        )
    db.session.rollback()
    grade = reload(grade)
    assert grade.choices == []
    assert grade.state == GradeState.GRADING


def test_a_rejected_save_is_kept_in_the_history(world):
    grade = started(world)
    attempted = history.attempted_snapshot(world.levels(2, 2), "Mine", "graded")
    history.record_rejected_save(world.learner, grade, attempted)
    db.session.commit()
    event = events_of(grade)[-1]
    assert not event.accepted
    assert event.after["feedback"] == "Mine"
    assert event.before["state"] == "grading"


def test_release_needs_a_graded_grade_then_shows_it(world):
    grade = started(world)
    with pytest.raises(GradingError, match="mark it graded first"):
        services.release_grade(world.trainer, grade)
    grade = finished(world, 2, 1)
    assert display.released_grade(world.learner, world.assignment) is None
    services.release_grade(world.trainer, grade)
    db.session.commit()
    assert display.released_grade(world.learner, world.assignment) == grade
    assert reload(grade).released_at is not None
    with pytest.raises(GradingError, match="already released"):
        services.release_grade(world.trainer, grade)


def test_a_released_grade_can_no_longer_be_changed(world):
    grade = finished(world, 2, 1)
    services.release_grade(world.trainer, grade)
    with pytest.raises(GradingError, match="can no longer be changed"):
        services.save_grade(
            world.trainer,
            grade,
            expected_version=grade.version_id,
            choices={},
            feedback="",
            finish=False,
        )


def test_release_for_cohort_releases_graded_grades_now_and_later_ones_when_graded(world):
    graded = finished(world, 2, 2)
    other = world.bien_vivre.enrol_learner(completed=("M1",))
    late = services.start_grading(world.trainer, world.submit(other))
    released = services.release_for_cohort(world.trainer, world.assignment, world.cohort)
    db.session.commit()
    assert released == [graded]
    assert reload(graded).state == GradeState.RELEASED
    assert display.released_grade(other, world.assignment) is None
    assert (
        db.session.scalar(db.select(GradeRelease).filter_by(cohort_id=world.cohort.id)).released_by
        == world.trainer
    )
    services.save_grade(
        world.trainer,
        late,
        expected_version=late.version_id,
        choices=world.levels(1, 1),
        feedback="",
        finish=True,
    )
    db.session.commit()
    assert reload(late).state == GradeState.RELEASED
    assert display.released_grade(other, world.assignment) == late


def test_release_for_cohort_refuses_an_assessment_of_another_path(world):
    from tests.factories import AssessmentFactory

    foreign = AssessmentFactory()
    with pytest.raises(GradingError, match="not part of the cohort's path"):
        services.release_for_cohort(world.trainer, foreign, world.cohort)


def test_return_for_revision_reopens_the_submission_and_keeps_the_history(world):
    grade = finished(world, 0, 0)
    with pytest.raises(GradingError, match="what to revise"):
        services.return_for_revision(world.trainer, grade, "  ")
    services.return_for_revision(world.trainer, grade, "Ajoutez les financeurs.")
    db.session.commit()
    grade = reload(grade)
    assert grade.state == GradeState.RETURNED
    assert grade.submission.state == SubmissionState.RETURNED
    assert [e.action for e in events_of(grade)] == ["grade.start", "grade.finish", "grade.return"]
    assert display.released_grade(world.learner, world.assignment) is None
    with pytest.raises(GradingError, match="can no longer be returned"):
        services.return_for_revision(world.trainer, grade, "Encore")


def test_an_evaluation_cannot_be_returned(world):
    grade = services.start_grading(
        world.trainer, learner=world.learner, assessment=world.evaluation
    )
    with pytest.raises(GradingError, match="no submitted work"):
        services.return_for_revision(world.trainer, grade, "Refaites")


def test_state_changes_are_audited_and_logged(world, caplog):
    caplog.set_level(logging.INFO, logger="lms.security")
    grade = finished(world, 2, 2)
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_type == "Grade")
    ).all()
    assert actions == ["grade.change", "grade.change"]
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "lms.security"]
    finish = [line for line in lines if line["action"] == "grade.change"][-1]
    assert (finish["old_state"], finish["new_state"], finish["new_score"]) == (
        "grading",
        "graded",
        4,
    )
    assert finish["actor_id"] == world.trainer.id
    assert finish["grade_id"] == grade.id


def test_grade_view_lists_each_criterion_with_its_level(world):
    grade = finished(world, 2, 0)
    view = display.grade_view(grade)
    assert [(row.points, row.max_points) for row in view.rows] == [(2, 2), (0, 2)]
    assert view.score == 2
    assert "Bien." in view.feedback_html


def test_a_replaced_version_cannot_be_graded(world):
    SubmissionFactory(assessment=world.assignment, user=world.learner, version=2, text="v2")
    with pytest.raises(GradingError, match="newer version"):
        services.start_grading(world.trainer, world.submission)
