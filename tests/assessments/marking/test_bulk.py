"""« Attribuer toutes les évaluations »: every remaining work allocated in one POST, balanced;
the works nobody eligible can mark are named; a second click allocates nothing (409)."""

from __future__ import annotations

from collections import Counter

from lms.assessments.marking import allocation, bulk
from lms.assessments.models import Grade, Marking, MarkingRole, MarkingState
from lms.extensions import db
from tests.assessments.marking.support import make_marking_world
from tests.web.helpers import log_in


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def page_of(world, assessment) -> str:
    return f"/manage/marking/cohorts/{world.cohort.id}/assessments/{assessment.id}"


def markings_of(assessment) -> list[Marking]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(Marking).join(Grade).where(Grade.assessment_id == assessment.id)
        )
    )


def test_every_remaining_evaluation_is_allocated_balanced_once(app):
    world = make_marking_world()
    learners = [world.learner] + [
        world.bien_vivre.enrol_learner(completed=("M1",)) for _ in range(5)
    ]
    db.session.flush()
    allocation.allocate_work(None, world.cohort, world.evaluation, learners[0])
    db.session.commit()
    staff = client_of(app, world.trainers[3])
    url = page_of(world, world.evaluation)
    assert 'id="allocate-all"' in staff.get(url).get_data(as_text=True)
    answer = staff.post(f"{url}/allocate", follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "5 works allocated." in html
    assert 'id="allocate-all"' not in html
    markings = markings_of(world.evaluation)
    assert len(markings) == 12
    by_work = Counter(m.grade_id for m in markings)
    assert set(by_work.values()) == {2}
    for grade_id in by_work:
        pair = [m for m in markings if m.grade_id == grade_id]
        assert pair[0].marker_id != pair[1].marker_id
        assert {m.role for m in pair} == {MarkingRole.FIRST, MarkingRole.SECOND}
    load = Counter(m.marker_id for m in markings if m.state == MarkingState.ALLOCATED)
    assert set(load) == {t.id for t in world.trainers}
    assert max(load.values()) - min(load.values()) <= 1
    again = staff.post(f"{url}/allocate")
    assert again.status_code == 409
    assert "at the same time" in again.get_data(as_text=True)
    assert len(markings_of(world.evaluation)) == 12


def test_works_nobody_can_mark_are_named_and_left_untouched(app):
    world = make_marking_world(pools=("trainer", "external"))
    world.bien_vivre.enrol_learner(completed=("M1",), display_name="Noé Second")
    db.session.commit()
    staff = client_of(app, world.trainers[3])
    url = page_of(world, world.evaluation)
    html = staff.post(f"{url}/allocate", follow_redirects=True).get_data(as_text=True)
    assert "works allocated" not in html
    assert "Lina Learner, Noé Second" in html
    assert "No external assessor of the cohort is available" in html
    assert markings_of(world.evaluation) == []
    assert db.session.scalar(db.select(Grade).filter_by(assessment_id=world.evaluation.id)) is None


def test_only_submitted_work_is_allocated_for_an_assignment(app):
    world = make_marking_world()
    world.bien_vivre.enrol_learner(completed=("M1",))  # nothing submitted
    db.session.commit()
    outcome = bulk.allocate_remaining(world.trainers[3], world.cohort, world.assignment)
    db.session.commit()
    assert (outcome.works, outcome.refused) == (1, [])
    assert {m.grade.submission_id for m in markings_of(world.assignment)} == {world.submission.id}
