"""Two submissions of one later ex post link at once, for real (tests/live.py): exactly one
evaluation is recorded, the other submission gets the clear 410 of a used link, never a 500.
Runs on SQLite and PostgreSQL (``LMS_TEST_DATABASE_URL``)."""

from __future__ import annotations

from datetime import timedelta

from lms.core.time import local_today
from lms.extensions import db
from lms.projects.models import EvaluationMoment, ProjectEvaluation, ProjectInvitation
from tests.live import LiveClient, at_once, logged_in
from tests.projects.links_support import link_form, make_evaluated_project, make_link

ROUNDS = 3


def test_two_submissions_of_one_link_record_one_evaluation(app, live_server):
    for round_ in range(ROUNDS):
        evaluated = make_evaluated_project()
        invitation, token = make_link(evaluated.project)
        db.session.commit()
        path = f"/projects/evaluate/{token}"
        browsers = [LiveClient(live_server, {}) for _ in range(2)]
        forms = [link_form(evaluated.grid, value, f"Personne {value}") for value in (1, 4)]
        calls = [
            lambda b=browser, f=data, p=path: b.post(p, f)
            for browser, data in zip(browsers, forms, strict=True)
        ]
        answers = at_once(calls)
        statuses = sorted(answer.status for answer in answers)
        assert statuses == [200, 410], (round_, [a.text[:300] for a in answers])
        refused = next(answer for answer in answers if answer.status == 410)
        assert "already been used" in refused.text
        db.session.expire_all()
        recorded = db.session.scalars(
            db.select(ProjectEvaluation).filter_by(
                project_id=evaluated.project.id, moment=EvaluationMoment.EX_POST_LATER
            )
        ).all()
        assert len(recorded) == 1
        assert recorded[0].invitation_id == invitation.id
        accepted = next(i for i, answer in enumerate(answers) if answer.status == 200)
        assert recorded[0].evaluator_name == forms[accepted]["evaluator_name"]
        assert db.session.get(ProjectInvitation, invitation.id).used_at is not None


def test_two_people_sending_the_link_at_once_leave_one_live_link(app, live_server, smtp_server):
    for round_ in range(ROUNDS):
        evaluated = make_evaluated_project(ex_post_days_ago=30)
        people = [
            logged_in(app, live_server, evaluated.project.learner),
            logged_in(app, live_server, evaluated.trainer),
        ]
        url = f"/projects/{evaluated.project.id}/later-evaluation"
        later_on = (local_today() + timedelta(days=150)).isoformat()
        forms = [
            {"later_on": later_on, "name": name, "email": email, "send_now": "y"}
            for name, email in (
                ("Hélène Holder", "helene@example.org"),
                ("Paul Partner", "paul@example.org"),
            )
        ]
        db.session.commit()
        answers = at_once(
            [
                lambda p=person, f=form, u=url: p.post(u, f)
                for person, form in zip(people, forms, strict=True)
            ]
        )
        assert all(answer.status < 500 for answer in answers), [a.text[:300] for a in answers]
        db.session.expire_all()
        links = db.session.scalars(
            db.select(ProjectInvitation).filter_by(project_id=evaluated.project.id)
        ).all()
        live = [link for link in links if link.revoked_at is None and link.used_at is None]
        assert len(live) == 1, (round_, [(link.email, link.revoked_at) for link in links])
