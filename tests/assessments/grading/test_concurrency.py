"""Two trainers saving the same grade at the same moment, in real threads (PostgreSQL).

Each thread has its own application context, hence its own database session and connection:
both read version N, then both write. PostgreSQL makes the second UPDATE wait for the first
transaction, then finds no row at version N: SQLAlchemy raises StaleDataError, the service a
GradeConflict, and the refused save is recorded after the rollback, as the page does.
"""

from __future__ import annotations

import threading

import pytest

from lms.accounts.models import User
from lms.assessments.grading import services
from lms.assessments.models import Grade, GradeEvent
from lms.extensions import db
from tests.assessments.grading.support import make_grading_world, reload
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def postgresql(app):
    """Skip unless the suite runs on PostgreSQL (real row locks between connections)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: LMS_TEST_DATABASE_URL")


def save_in_thread(app, barrier, outcomes, user_id, grade_id, points):
    """Read the grade, wait for the other thread, then save; record "saved" or "conflict"."""
    with app.app_context():
        user = db.session.get(User, user_id)
        grade = db.session.get(Grade, grade_id)
        version = grade.version_id
        choices = world_levels(grade, points)
        barrier.wait()
        try:
            services.save_grade(
                user,
                grade,
                expected_version=version,
                choices=choices,
                feedback=str(points),
                finish=True,
            )
            db.session.commit()
            outcomes.append(("saved", user_id))
        except services.GradeConflict:
            db.session.rollback()
            grade = db.session.get(Grade, grade_id)
            attempted = services.attempted_snapshot(choices, str(points), "graded")
            services.record_rejected_save(user, grade, attempted)
            db.session.commit()
            outcomes.append(("conflict", user_id))
        finally:
            db.session.remove()


def world_levels(grade: Grade, points: int) -> dict[int, int]:
    """Return the level worth ``points`` for every criterion of the grade's rubric."""
    return {
        c.id: next(lv.id for lv in c.levels if lv.points == points)
        for c in grade.assessment.rubric.criteria
    }


@pytest.mark.usefixtures("postgresql")
def test_two_trainers_saving_at_once_one_wins_and_both_are_in_the_history(app):
    world = make_grading_world()
    colleague = UserFactory(display_name="Clara Colleague")
    MembershipFactory(user=colleague, cohort=world.cohort, trainer=True)
    grade = services.start_grading(world.trainer, world.submission)
    db.session.commit()
    ids = {world.trainer.id: 2, colleague.id: 0}
    barrier, outcomes = threading.Barrier(2, timeout=10), []
    threads = [
        threading.Thread(
            target=save_in_thread, args=(app, barrier, outcomes, user_id, grade.id, points)
        )
        for user_id, points in ids.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(kind for kind, _user in outcomes) == ["conflict", "saved"]
    winner = next(user for kind, user in outcomes if kind == "saved")
    loser = next(user for kind, user in outcomes if kind == "conflict")
    grade = reload(grade)
    assert grade.score == ids[winner] * 2
    assert grade.grader_id == winner
    events = db.session.scalars(
        db.select(GradeEvent).filter_by(grade_id=grade.id).order_by(GradeEvent.id)
    ).all()
    assert [(e.actor_id, e.accepted) for e in events[1:]] == [(winner, True), (loser, False)]
    assert events[-1].after["feedback"] == str(ids[loser])
