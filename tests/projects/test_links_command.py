"""``lms send-project-invitations``: planned links leave on their date, once, even when two runs
overlap; the e-mail (French, then English) carries the link, its expiry and who asks."""

from __future__ import annotations

import threading
from datetime import timedelta

from lms.core.time import local_today, utcnow
from lms.extensions import db
from lms.projects import invitations_mail
from lms.projects.invitations import find_invitation
from lms.projects.invitations_mail import send_due_invitations
from lms.projects.invitations_setup import set_up_later_evaluation
from lms.projects.models import ProjectInvitation
from tests.projects.links_support import make_evaluated_project


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def plan(evaluated, *, days_from_today: int, email: str = "holder@example.org"):
    """Set up the later evaluation of ``evaluated`` for a day relative to today (planned)."""
    invitation, token = set_up_later_evaluation(
        evaluated.trainer,
        evaluated.project,
        later_on=local_today() + timedelta(days=days_from_today),
        name="Hélène Holder",
        email=email,
        send_now=False,
    )
    db.session.commit()
    assert token is None
    assert invitation.sent_at is None
    return invitation


def test_due_links_are_sent_once_and_the_others_wait(runner, smtp_server):
    due = plan(make_evaluated_project(), days_from_today=0, email="due@example.org")
    later = plan(make_evaluated_project(), days_from_today=5, email="later@example.org")
    result = runner.invoke(args=["send-project-invitations", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "due@example.org" in result.output
    assert "1 due (dry run" in result.output
    assert smtp_server == []
    result = runner.invoke(args=["send-project-invitations"])
    assert result.exit_code == 0, result.output
    assert f"project {due.project_id}\tdue@example.org" in result.output
    assert "project links: 1 sent" in result.output
    assert [m["To"] for m in smtp_server] == ["due@example.org"]
    db.session.expire_all()
    sent = db.session.get(ProjectInvitation, due.id)
    assert sent.sent_at is not None
    assert sent.expires_at > utcnow() + timedelta(days=29)
    assert db.session.get(ProjectInvitation, later.id).sent_at is None
    again = runner.invoke(args=["send-project-invitations"])
    assert "project links: 0 sent" in again.output
    assert len(smtp_server) == 1


def test_the_mail_is_in_french_then_english_and_its_link_works(client, smtp_server):
    evaluated = make_evaluated_project()
    plan(evaluated, days_from_today=-1)
    [sent] = send_due_invitations()
    [message] = smtp_server
    body = body_of(message)
    assert "Bonjour Hélène Holder," in body
    assert "Hello Hélène Holder," in body
    assert body.index("Bonjour") < body.index("— English below —") < body.index("Hello")
    assert evaluated.project.title in str(message["Subject"])
    assert evaluated.project.learner.display_name in body
    assert "no account is needed" in body
    assert "aucun compte n’est nécessaire" in body
    links = [line for line in body.splitlines() if "/projects/evaluate/" in line]
    assert len(links) == 2
    assert links[0] == links[1]
    token = links[0].rsplit("/", 1)[1]
    assert find_invitation(token).id == sent.invitation_id
    assert client.get(f"/projects/evaluate/{token}").status_code == 200


def test_a_refused_message_leaves_the_link_planned_for_the_next_run(app, monkeypatch, smtp_server):
    invitation = plan(make_evaluated_project(), days_from_today=0)
    port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    assert send_due_invitations() == []
    db.session.expire_all()
    assert db.session.get(ProjectInvitation, invitation.id).sent_at is None
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    assert len(send_due_invitations()) == 1
    assert len(smtp_server) == 1


def test_an_evaluation_already_recorded_is_not_asked_again(runner, smtp_server):
    from lms.projects.evaluations import record_evaluation
    from lms.projects.models import EvaluationMoment
    from tests.projects.links_support import values

    evaluated = make_evaluated_project()
    plan(evaluated, days_from_today=0)
    record_evaluation(
        evaluated.project,
        evaluated.grid,
        EvaluationMoment.EX_POST_LATER,
        values(evaluated.grid),
        user=evaluated.trainer,
    )
    db.session.commit()
    assert send_due_invitations() == []
    assert smtp_server == []


def test_two_runs_at_once_send_each_link_once(app, smtp_server, monkeypatch):
    for number in range(3):
        plan(make_evaluated_project(), days_from_today=0, email=f"h{number}@example.org")
    barrier = threading.Barrier(2)
    real = invitations_mail.due_invitation_ids

    def racing(today):
        answer = real(today)
        barrier.wait(timeout=60)  # both runs read what is due before either sends
        return answer

    monkeypatch.setattr(invitations_mail, "due_invitation_ids", racing)
    results, errors = [], []

    def run() -> None:
        with app.app_context():
            try:
                results.append(send_due_invitations())
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    db.session.commit()
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(len(result) for result in results) == 3
    assert sorted(m["To"] for m in smtp_server) == [f"h{n}@example.org" for n in range(3)]


def test_a_link_replaced_before_its_date_leaves_only_for_the_new_person(smtp_server):
    evaluated = make_evaluated_project()
    first = plan(evaluated, days_from_today=0, email="first@example.org")
    second = plan(evaluated, days_from_today=0, email="second@example.org")
    [sent] = send_due_invitations()
    assert sent.invitation_id == second.id
    assert [m["To"] for m in smtp_server] == ["second@example.org"]
    db.session.expire_all()
    assert db.session.get(ProjectInvitation, first.id).revoked_at is not None
    assert db.session.get(ProjectInvitation, first.id).sent_at is None
