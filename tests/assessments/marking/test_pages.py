"""Marking pages: the queue, a marking saved then submitted, 409s, the third reader, allocation."""

from __future__ import annotations

import pytest

from lms.assessments.marking import allocation
from lms.assessments.models import Grade, GradeState, MarkingRole, MarkingState
from lms.extensions import db
from tests.assessments.marking.support import form, make_marking_world
from tests.web.helpers import log_in


@pytest.fixture
def world():
    """Return the marking world with the submission allocated to two trainers."""
    world = make_marking_world()
    allocation.allocate_submission(world.submission, world.cohort)
    db.session.commit()
    return world


def client_of(app, user):
    """Return a client logged in as ``user``."""
    client = app.test_client()
    log_in(client, user)
    return client


def grade_of(world) -> Grade:
    """Return the grade of the world's submission, as the database holds it now."""
    db.session.expire_all()
    return db.session.scalar(db.select(Grade).filter_by(submission_id=world.submission.id))


def test_two_markers_mark_blind_and_agree(app, world):
    grade = grade_of(world)
    first, second = (
        world.marking(grade, MarkingRole.FIRST),
        world.marking(grade, MarkingRole.SECOND),
    )
    a, b = client_of(app, first.marker), client_of(app, second.marker)
    queue = a.get("/marking").get_data(as_text=True)
    assert f'data-marking="{first.id}"' in queue
    assert f'data-marking="{second.id}"' not in queue
    page = a.get(f"/marking/{first.id}")
    assert page.status_code == 200
    saved = a.post(
        f"/marking/{first.id}", data=form(first, world.levels(2, 2), feedback="Brouillon")
    )
    assert saved.headers["Location"] == f"/marking/{first.id}"
    db.session.expire_all()
    done = a.post(
        f"/marking/{first.id}",
        data=form(first, world.levels(2, 2), action="submit", feedback="Très clair."),
    )
    assert done.headers["Location"] == "/marking"
    waiting = a.get("/marking").get_data(as_text=True).split('id="marking-waiting"')[1]
    assert f'data-marking="{first.id}"' in waiting.split("</section>")[0]
    assert b.get(f"/marking/{first.id}").status_code == 403  # never the other marking
    db.session.expire_all()
    b.post(
        f"/marking/{second.id}",
        data=form(second, world.levels(1, 2), action="submit", feedback="Bien."),
    )
    grade = grade_of(world)
    assert (grade.state, grade.score, grade.grader_id) == (GradeState.GRADED, 3, second.marker_id)


def test_a_stale_or_frozen_marking_answers_409(app, world):
    grade = grade_of(world)
    first = world.marking(grade, MarkingRole.FIRST)
    a = client_of(app, first.marker)
    stale = a.post(f"/marking/{first.id}", data=form(first, {}, version=first.version_id + 5))
    assert stale.status_code == 409
    assert "changed since you opened it" in stale.get_data(as_text=True)
    a.post(f"/marking/{first.id}", data=form(first, world.levels(1, 1), action="submit"))
    db.session.expire_all()
    frozen = a.post(f"/marking/{first.id}", data=form(first, world.levels(0, 0)))
    assert frozen.status_code == 409
    assert "can no longer be changed" in frozen.get_data(as_text=True)


def test_submitting_without_every_level_is_refused(app, world):
    first = world.marking(grade_of(world), MarkingRole.FIRST)
    response = client_of(app, first.marker).post(
        f"/marking/{first.id}", data=form(first, {}, action="submit")
    )
    assert response.status_code == 422
    assert first.state == MarkingState.ALLOCATED


def test_the_third_reader_settles_side_by_side(app, world):
    grade = grade_of(world)
    first, second = (
        world.marking(grade, MarkingRole.FIRST),
        world.marking(grade, MarkingRole.SECOND),
    )
    client_of(app, first.marker).post(
        f"/marking/{first.id}", data=form(first, world.levels(2, 1), action="submit")
    )
    client_of(app, second.marker).post(
        f"/marking/{second.id}", data=form(second, world.levels(0, 1), action="submit")
    )
    third = world.marking(grade_of(world), MarkingRole.THIRD)
    reader = client_of(app, third.marker)
    page = reader.get(f"/marking/{third.id}").get_data(as_text=True)
    assert 'id="markings-side-by-side"' in page
    disputed = world.criteria()[0]
    data = form(third, {disputed.id: world.levels(1, 1)[disputed.id]}, feedback="Avis final.")
    refused = reader.post(f"/marking/{third.id}", data=data)
    assert refused.status_code == 422
    data[f"reason-{disputed.id}"] = "Inventaire incomplet."
    pending = client_of(app, world.trainers[3]).get(f"/manage/grading/grades/{grade.id}")
    assert "history-reasons" not in pending.get_data(as_text=True)  # blind until settled
    assert reader.post(f"/marking/{third.id}", data=data).headers["Location"] == "/marking"
    grade = grade_of(world)
    assert (grade.state, grade.grader_id, grade.feedback) == (
        GradeState.GRADED,
        third.marker_id,
        "Avis final.",
    )
    staff_page = client_of(app, world.trainers[3]).get(f"/manage/grading/grades/{grade.id}")
    staff_html = staff_page.get_data(as_text=True)
    assert "Disagreement settled: final grade set" in staff_html
    assert f"{disputed.title}: Inventaire incomplet." in staff_html  # the reason, in the history
    assert 'class="history-reasons"' in staff_html


def test_the_grading_page_stays_blind_until_the_final_grade(app, world):
    grade = grade_of(world)
    first = world.marking(grade, MarkingRole.FIRST)
    client_of(app, first.marker).post(
        f"/marking/{first.id}",
        data=form(first, world.levels(2, 2), action="submit", feedback="Secret."),
    )
    html = (
        client_of(app, world.trainers[3])
        .get(f"/manage/grading/grades/{grade.id}")
        .get_data(as_text=True)
    )
    assert 'id="marked-pending"' in html
    assert "Secret." not in html
    queue = client_of(app, world.trainers[3]).get("/manage/grading").get_data(as_text=True)
    assert f'data-assessment="{world.assignment.id}"' not in queue


def test_staff_allocate_once_and_reallocate(app, world):
    learner = world.bien_vivre.enrol_learner(completed=("M1",))
    db.session.commit()
    admin_url = f"/manage/marking/cohorts/{world.cohort.id}/assessments/{world.evaluation.id}"
    staff = client_of(app, world.trainers[3])
    assert staff.get(admin_url).status_code == 200
    url = f"{admin_url}/learners/{learner.id}/allocate"
    assert staff.post(url).headers["Location"] == admin_url
    again = staff.post(url)
    assert again.status_code == 409
    assert "at the same time" in again.get_data(as_text=True)
