"""Marking races for real (tests/live.py): live server, requests released together by a barrier.

- two markers submitting at once: both accepted, the final grade set exactly once;
- a third reader settling while a marker edits their submitted marking: the edit gets 409;
- two staff allocating the same work: one allocation, one 409;
- two staff allocating every remaining work at once (a double click): one run, one 409.
Never a 500. Runs on SQLite and PostgreSQL (``LMS_TEST_DATABASE_URL``).
"""

from __future__ import annotations

from lms.assessments.marking import allocation
from lms.assessments.models import Grade, GradeEvent, GradeState, Marking, MarkingRole
from lms.extensions import db
from tests.assessments.marking.support import form, make_marking_world
from tests.live import at_once, logged_in

ROUNDS = 5


def grade_of(submission_id: int) -> Grade:
    db.session.expire_all()
    return db.session.scalar(db.select(Grade).filter_by(submission_id=submission_id))


def actions(grade: Grade) -> list[str]:
    return list(
        db.session.scalars(
            db.select(GradeEvent.action).filter_by(grade_id=grade.id).order_by(GradeEvent.id)
        )
    )


def test_two_markers_submitting_at_once_are_both_accepted_and_reconciled_once(app, live_server):
    world = make_marking_world()
    for round_ in range(ROUNDS):
        learner = world.bien_vivre.enrol_learner(completed=("M1",))
        submission = world.submit(learner, text=f"Version {round_}")
        allocation.allocate_submission(submission, world.cohort)
        db.session.commit()
        grade = grade_of(submission.id)
        markings = db.session.scalars(db.select(Marking).filter_by(grade_id=grade.id)).all()
        calls = []
        for marking in markings:
            browser = logged_in(app, live_server, marking.marker)
            data = form(marking, world.levels(1, 2), action="submit", feedback="Avis.")
            url = f"/marking/{marking.id}"
            calls.append(lambda b=browser, u=url, d=data: b.post(u, d))
        answers = at_once(calls)
        assert [a.status for a in answers] == [302, 302], [a.text[:300] for a in answers]
        grade = grade_of(submission.id)
        assert grade.state == GradeState.GRADED
        assert actions(grade).count("marking.agree") == 1
        assert grade.score == 3


def test_a_third_reader_settling_while_a_marker_edits_gets_the_edit_a_409(app, live_server):
    world = make_marking_world()
    allocation.allocate_submission(world.submission, world.cohort)
    db.session.commit()
    grade = grade_of(world.submission.id)
    first = world.marking(grade, MarkingRole.FIRST)
    second = world.marking(grade, MarkingRole.SECOND)
    a, b = logged_in(app, live_server, first.marker), logged_in(app, live_server, second.marker)
    a.post(f"/marking/{first.id}", form(first, world.levels(2, 1), action="submit"))
    b.post(f"/marking/{second.id}", form(second, world.levels(0, 1), action="submit"))
    db.session.expire_all()
    third = world.marking(grade, MarkingRole.THIRD)
    reader = logged_in(app, live_server, third.marker)
    disputed = world.criteria()[0]
    settle = form(third, {disputed.id: world.levels(1, 1)[disputed.id]}, feedback="Final.")
    settle[f"reason-{disputed.id}"] = "Motif."
    db.session.expire_all()
    first = db.session.get(Marking, first.id)
    edit = form(first, world.levels(0, 0), feedback="Je change d'avis.")
    settle_url, edit_url = f"/marking/{third.id}", f"/marking/{first.id}"
    answers = at_once([lambda: reader.post(settle_url, settle), lambda: a.post(edit_url, edit)])
    assert [answer.status for answer in answers] == [302, 409]
    grade = grade_of(world.submission.id)
    assert (grade.state, grade.grader_id) == (GradeState.GRADED, third.marker_id)
    assert db.session.get(Marking, first.id).feedback != "Je change d'avis."


def test_two_staff_allocating_the_same_work_one_allocation_one_409(app, live_server):
    world = make_marking_world()
    admin_url = f"/manage/marking/cohorts/{world.cohort.id}/assessments/{world.evaluation.id}"
    for _round in range(ROUNDS):
        learner = world.bien_vivre.enrol_learner(completed=("M1",))
        db.session.commit()
        url = f"{admin_url}/learners/{learner.id}/allocate"
        staff = [logged_in(app, live_server, user) for user in world.trainers[2:4]]
        tokens = [s.get(admin_url) for s in staff]
        assert all(t.status == 200 for t in tokens)
        datas = [{"csrf_token": _token(t.text)} for t in tokens]
        answers = at_once(
            [lambda s=s, d=d, u=url: s.post(u, d) for s, d in zip(staff, datas, strict=True)]
        )
        assert sorted(a.status for a in answers) == [302, 409], [a.text[:200] for a in answers]
        db.session.expire_all()
        grade = db.session.scalar(
            db.select(Grade).filter_by(assessment_id=world.evaluation.id, learner_id=learner.id)
        )
        count = db.session.scalar(db.select(db.func.count(Marking.id)).filter_by(grade_id=grade.id))
        assert count == 2


def test_two_staff_allocating_every_remaining_work_at_once_one_run_one_409(app, live_server):
    world = make_marking_world()
    admin_url = f"/manage/marking/cohorts/{world.cohort.id}/assessments/{world.evaluation.id}"
    for _round in range(ROUNDS):
        for _ in range(2):
            world.bien_vivre.enrol_learner(completed=("M1",))
        db.session.commit()
        staff = [logged_in(app, live_server, user) for user in world.trainers[2:4]]
        tokens = [s.get(admin_url) for s in staff]
        datas = [{"csrf_token": _token(t.text)} for t in tokens]
        url = f"{admin_url}/allocate"
        answers = at_once(
            [lambda s=s, d=d, u=url: s.post(u, d) for s, d in zip(staff, datas, strict=True)]
        )
        assert sorted(a.status for a in answers) == [302, 409], [a.text[:200] for a in answers]
        db.session.expire_all()
        per_work = db.session.execute(
            db.select(db.func.count(Marking.id))
            .join(Grade, Grade.id == Marking.grade_id)
            .where(Grade.assessment_id == world.evaluation.id)
            .group_by(Grade.id)
        ).scalars()
        assert set(per_work) == {2}


def _token(html: str) -> str:
    import re

    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
