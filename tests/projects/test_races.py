"""Project edits and evaluations raced for real (SECURITY.md J44), through the live server:
threads released by one barrier, each request on its own connection. One success, one 409,
never a 500 and never a duplicate."""

from __future__ import annotations

from lms.extensions import db
from lms.projects.models import Project, ProjectEvaluation
from tests.live import at_once, logged_in
from tests.projects.support import evaluation_form


def test_two_edits_of_the_project_at_once_give_one_success_and_one_409(app, live_server, world):
    tabs = [logged_in(app, live_server, world.learner) for _ in range(2)]
    url = f"/projects/{world.project.id}/edit"
    base = {
        "holder": "Association",
        "territory": str(world.cohort.territory_id),
        "stage": "idea",
        "version": "1",
    }
    db.session.commit()
    answers = at_once(
        [
            lambda: tabs[0].post(url, {**base, "title": "Premier"}),
            lambda: tabs[1].post(url, {**base, "title": "Second"}),
        ]
    )
    assert sorted(answer.status for answer in answers) == [302, 409]
    winner = "Premier" if answers[0].status == 302 else "Second"
    db.session.expire_all()
    project = db.session.get(Project, world.project.id)
    assert project.title == winner
    assert project.version_id == 2


def test_two_recordings_of_the_ex_ante_at_once_keep_one(app, live_server, world):
    people = [
        logged_in(app, live_server, world.learner),
        logged_in(app, live_server, world.trainer),
    ]
    url = f"/projects/{world.project.id}/evaluations/ex_ante"
    db.session.commit()
    answers = at_once(
        [lambda browser=browser: browser.post(url, evaluation_form(1, 2, 3)) for browser in people]
    )
    assert sorted(answer.status for answer in answers) == [302, 409]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(ProjectEvaluation.id))) == 1
