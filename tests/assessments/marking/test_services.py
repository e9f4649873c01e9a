"""Allocation, blind markings, agreement, the third reader: the marking services."""

from __future__ import annotations

import pytest

from lms.assessments.marking import allocation, services
from lms.assessments.marking.reconciliation import agreed_level
from lms.assessments.models import (
    GradeEvent,
    GradeRelease,
    GradeState,
    MarkingAgreement,
    MarkingRole,
    MarkingState,
)
from lms.extensions import db
from tests.assessments.marking.support import make_marking_world


@pytest.fixture
def world():
    """Return the marking world."""
    return make_marking_world()


def allocate(world):
    """Allocate the world's submission; return its two markings, first then second."""
    made = allocation.allocate_submission(world.submission, world.cohort)
    db.session.flush()
    return made


def submit(marking, levels, feedback="Bien."):
    """Submit a marking with these levels."""
    return services.save_marking(
        marking.marker,
        marking,
        expected_version=marking.version_id,
        choices=levels,
        feedback=feedback,
        submit=True,
    )


def test_allocation_is_balanced_and_never_the_same_person_twice(world):
    first, second = allocate(world)
    assert (first.role, second.role) == (MarkingRole.FIRST, MarkingRole.SECOND)
    assert first.marker_id != second.marker_id
    # The next work goes to the two trainers who have no open marking yet.
    other = world.bien_vivre.enrol_learner(completed=("M1",))
    third, fourth = allocation.allocate_submission(world.submit(other), world.cohort)
    assert {third.marker_id, fourth.marker_id}.isdisjoint({first.marker_id, second.marker_id})
    events = db.session.scalars(db.select(GradeEvent).filter_by(grade_id=first.grade_id)).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("marking.allocate", first.marker_id),
        ("marking.allocate", second.marker_id),
    ]


def test_a_second_allocation_of_the_same_work_is_refused(world):
    allocate(world)
    with pytest.raises(allocation.AllocationConflict):
        allocation.allocate_work(
            world.trainer, world.cohort, world.assignment, world.learner, world.submission
        )


def test_a_learner_never_marks_their_own_work_nor_anyone_without_a_pool(world):
    for trainer in world.trainers[1:]:
        db.session.delete(next(m for m in world.cohort.memberships if m.user_id == trainer.id))
    db.session.flush()
    with pytest.raises(allocation.MarkingError, match="No other trainer"):
        allocate(world)


def test_agreement_within_tolerance_makes_the_final_grade_by_the_rule(world):
    first, second = allocate(world)
    outcome = submit(first, world.levels(2, 1), "Premier avis.")
    assert not outcome.finalised
    assert first.grade.state == GradeState.GRADING
    assert first.grade.score is None  # nothing of a marking reaches the grade before agreement
    outcome = submit(second, world.levels(1, 1), "Second avis.")
    grade = first.grade
    assert outcome.finalised
    assert (grade.state, grade.score, grade.grader_id) == (GradeState.GRADED, 2, second.marker_id)
    assert "Premier avis." in grade.feedback
    assert "Second avis." in grade.feedback
    actions = [
        e.action
        for e in db.session.scalars(
            db.select(GradeEvent).filter_by(grade_id=grade.id).order_by(GradeEvent.id)
        )
    ]
    assert actions[-3:] == ["marking.submit", "marking.submit", "marking.agree"]


def test_a_submitted_marking_is_frozen(world):
    first, _second = allocate(world)
    submit(first, world.levels(2, 2))
    with pytest.raises(services.MarkingFrozen):
        submit(first, world.levels(0, 0))


def test_a_stale_version_is_a_conflict(world):
    first, _second = allocate(world)
    with pytest.raises(services.MarkingConflict):
        services.save_marking(
            first.marker, first, expected_version=first.version_id + 1, choices={}, feedback=""
        )


def test_submitting_needs_every_criterion(world):
    first, _second = allocate(world)
    criterion = world.criteria()[0]
    with pytest.raises(services.MarkingChoiceErrors) as caught:
        submit(first, {criterion.id: world.levels(1, 1)[criterion.id]})
    assert list(caught.value.errors) == [world.criteria()[1].id]


def test_disagreement_calls_a_third_reader_who_settles_with_reasons(world):
    first, second = allocate(world)
    submit(first, world.levels(2, 1))
    outcome = submit(second, world.levels(0, 1))
    third = outcome.third
    assert third is not None
    assert third.role == MarkingRole.THIRD
    assert third.marker_id not in {first.marker_id, second.marker_id}
    disputed, _agreed = world.criteria()
    with pytest.raises(services.MarkingChoiceErrors) as caught:
        services.settle(
            third.marker,
            third,
            expected_version=third.version_id,
            settled={disputed.id: (world.levels(1, 1)[disputed.id], " ")},
            feedback="Final.",
        )
    assert list(caught.value.errors) == [disputed.id]
    outcome = services.settle(
        third.marker,
        third,
        expected_version=third.version_id,
        settled={disputed.id: (world.levels(1, 1)[disputed.id], "Carte incomplète.")},
        feedback="Avis final.",
    )
    grade = first.grade
    assert (grade.state, grade.score, grade.grader_id) == (GradeState.GRADED, 2, third.marker_id)
    assert grade.feedback == "Avis final."
    assert third.state == MarkingState.SUBMITTED
    assert {c.criterion_id: c.reason for c in third.choices} == {disputed.id: "Carte incomplète."}


def test_a_cohort_release_releases_the_final_grade_at_once(world):
    db.session.add(GradeRelease(assessment=world.assignment, cohort=world.cohort))
    first, second = allocate(world)
    submit(first, world.levels(1, 1))
    outcome = submit(second, world.levels(1, 1))
    assert outcome.released
    assert first.grade.state == GradeState.RELEASED


def test_reallocation_before_submission_only(world):
    first, second = allocate(world)
    spare = next(t for t in world.trainers if t.id not in {first.marker_id, second.marker_id})
    allocation.reallocate(
        world.trainer, first, spare, world.cohort, expected_version=first.version_id
    )
    assert first.marker_id == spare.id
    with pytest.raises(allocation.MarkingError, match="already marks"):
        allocation.reallocate(
            world.trainer, first, second.marker, world.cohort, expected_version=first.version_id
        )
    submit(first, world.levels(1, 1))
    with pytest.raises(allocation.MarkingError, match="submitted"):
        allocation.reallocate(
            world.trainer, first, world.learner, world.cohort, expected_version=first.version_id
        )


@pytest.mark.parametrize(
    ("rule", "positions", "expected"),
    [("lower", (1, 3), 1), ("higher", (1, 3), 3), ("mean", (1, 2), 1), ("mean", (1, 3), 2)],
)
def test_agreement_rules(world, rule, positions, expected):
    criterion = world.criteria()[0]
    a, b = (next(lv for lv in criterion.levels if lv.position == p) for p in positions)
    assert agreed_level(criterion, a, b, MarkingAgreement(rule)).position == expected
