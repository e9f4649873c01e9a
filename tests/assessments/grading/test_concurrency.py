"""Two trainers saving the same grade at the same moment, in real threads.

Each thread has its own application context, hence its own database session and connection:
both read version N, then both write. The database makes the second UPDATE wait for the first
transaction, then finds no row at version N: SQLAlchemy raises StaleDataError, the service a
GradeConflict, and the refused save is recorded after the rollback, as the page does.

The service-level race needs PostgreSQL; the race through the pages, against the live server
(tests/live.py), runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import update

from lms.accounts.models import User
from lms.assessments.grading import history, services
from lms.assessments.models import Grade, GradeEvent, GradeState
from lms.extensions import db
from tests.assessments.grading.support import grade_form, make_grading_world, reload
from tests.factories import MembershipFactory, UserFactory
from tests.live import at_once, logged_in
from tests.web.helpers import log_in

ROUNDS = 20


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
            attempted = history.attempted_snapshot(choices, str(points), "graded")
            history.record_rejected_save(user, grade, attempted)
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


def hold_between_check_and_write(monkeypatch) -> threading.Event:
    """While the event is set, both saves pass the version check before either of them writes."""
    real, barrier, hold = (
        services._checked_levels,
        threading.Barrier(2, timeout=30),
        threading.Event(),
    )

    def held(*args, **kwargs):
        if hold.is_set():
            barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_checked_levels", held)
    return hold


def checked_values(html: str) -> set[int]:
    """Return the values of the page's checked inputs (the levels the form shows chosen)."""
    tags = re.findall(r"<input\b[^>]*>", html)
    return {
        int(value)
        for tag in tags
        if re.search(r"\schecked\b", tag)
        for value in re.findall(r'\svalue="(\d+)"', tag)
    }


def test_two_trainers_racing_through_the_pages_one_saves_the_other_gets_the_409_page(
    app, live_server, monkeypatch
):
    world = make_grading_world()
    colleague = UserFactory(display_name="Clara Colleague")
    MembershipFactory(user=colleague, cohort=world.cohort, trainer=True)
    grade = services.start_grading(world.trainer, world.submission)
    db.session.commit()
    trainers = [(world.trainer, 2), (colleague, 0)]
    browsers = {user.id: logged_in(app, live_server, user) for user, _points in trainers}
    hold = hold_between_check_and_write(monkeypatch)
    url = f"/manage/grading/grades/{grade.id}"

    for round_ in range(ROUNDS):
        # Even rounds: both requests are past the version check before either writes (the
        # conflict is found at the UPDATE); odd rounds: as the two requests happen to run.
        hold.set() if round_ % 2 == 0 else hold.clear()
        version = reload(grade).version_id
        forms = {
            user.id: grade_form(
                grade,
                world.levels(points, points),
                feedback=f"{user.display_name}, round {round_}",
                version=version,
            )
            for user, points in trainers
        }
        answers = dict(
            zip(
                forms,
                at_once([lambda u=u, f=f: browsers[u].post(url, f) for u, f in forms.items()]),
                strict=True,
            )
        )

        assert sorted(answer.status for answer in answers.values()) == [302, 409], round_
        winner = next(user for user, answer in answers.items() if answer.status == 302)
        loser = next(user for user, answer in answers.items() if answer.status == 409)
        assert answers[winner].location.endswith(url)
        page = answers[loser].text
        winner_name = db.session.get(User, winner).display_name
        assert f"{winner_name} saved this grade on" in page  # who changed it, and when
        assert f"{forms[loser]['feedback']}</textarea>" in page  # what the loser typed is kept
        assert checked_values(page) >= {
            int(level) for name, level in forms[loser].items() if name.startswith("criterion-")
        }
        grade = reload(grade)
        assert grade.feedback == forms[winner]["feedback"]
        assert grade.grader_id == winner
        assert grade.version_id == version + 1
        events = db.session.scalars(
            db.select(GradeEvent).filter_by(grade_id=grade.id).order_by(GradeEvent.id.desc())
        ).all()
        refused, accepted = events[0], events[1]
        assert (accepted.actor_id, accepted.accepted) == (winner, True)
        assert (refused.actor_id, refused.accepted) == (loser, False)
        assert refused.after["feedback"] == forms[loser]["feedback"]
    assert len(events) == 1 + 2 * ROUNDS  # the start, then one accepted and one refused a round


@pytest.mark.parametrize(
    ("action", "service", "aimed"),
    [("release", "release_grade", "released"), ("return", "return_for_revision", "returned")],
)
def test_a_release_or_return_refused_at_the_write_answers_409_and_is_recorded(
    client, monkeypatch, action, service, aimed
):
    world = make_grading_world()
    grade = services.start_grading(world.trainer, world.submission)
    services.save_grade(
        world.trainer,
        grade,
        expected_version=grade.version_id,
        choices=world.levels(1, 1),
        feedback="",
        finish=True,
    )
    db.session.commit()
    grade_id, version = grade.id, grade.version_id
    log_in(client, world.trainer)
    real = getattr(services, service)

    def changed_meanwhile(*args, **kwargs):
        # Another trainer's save commits after this request's version check, before its write.
        with db.engine.begin() as connection:
            bump = update(Grade).where(Grade.id == grade_id)
            connection.execute(bump.values(version_id=Grade.version_id + 1))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, service, changed_meanwhile)
    form = grade_form(grade, {}, action=action, feedback="Revoir la carte", version=version)
    response = client.post(f"/manage/grading/grades/{grade_id}", data=form)

    assert response.status_code == 409
    assert "Revoir la carte</textarea>" in response.get_data(as_text=True)
    grade = reload(grade)
    assert grade.state == GradeState.GRADED
    assert grade.version_id == version + 1
    last = db.session.scalars(db.select(GradeEvent).order_by(GradeEvent.id.desc())).first()
    assert (last.actor_id, last.accepted) == (world.trainer.id, False)
    assert last.after["state"] == aimed
