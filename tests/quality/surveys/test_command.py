"""``lms send-surveys``: what is due opens once (module end, cohort end, « à froid » after its
delay), learners are invited in their language and reminded once, contacts get a fresh link as
their reminder; two runs send each message once; --dry-run changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func

from lms.core.time import utcnow
from lms.extensions import db
from lms.quality.surveys.campaigns import due_campaigns
from lms.quality.surveys.mail import run_round
from lms.quality.surveys.models import SurveyCampaign, SurveyParticipation
from tests.factories import ModuleCalendarFactory, TrainingSessionFactory
from tests.quality.surveys.support import contact_link


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def campaigns() -> list[tuple[int, int | None]]:
    return sorted(
        (row.survey_id, row.module_id)
        for row in db.session.execute(db.select(SurveyCampaign.survey_id, SurveyCampaign.module_id))
    )


def test_a_module_survey_opens_when_the_module_closes_for_the_cohort(world, runner, smtp_server):
    first, second = world.modules
    ModuleCalendarFactory(
        cohort=world.cohort, module=first, closes_at=utcnow() - timedelta(hours=2)
    )
    ModuleCalendarFactory(
        cohort=world.cohort, module=second, closes_at=utcnow() + timedelta(days=3)
    )
    db.session.commit()
    dry = runner.invoke(args=["send-surveys", "--dry-run"])
    assert "1 campaigns due (dry run" in dry.output, dry.output
    assert campaigns() == []
    assert smtp_server == []
    result = runner.invoke(args=["send-surveys"])
    assert result.exit_code == 0, result.output
    assert "1 campaigns opened, 3 invitations" in result.output
    assert campaigns() == [(world.module_hot.id, first.id)]
    assert sorted(m["To"] for m in smtp_server) == sorted(u.email for u in world.learners)
    again = runner.invoke(args=["send-surveys"])
    assert "0 campaigns opened, 0 invitations, 0 reminders" in again.output
    assert len(smtp_server) == 3


def test_a_module_without_a_closing_ends_with_its_last_session(world):
    module = world.modules[0]
    calendar = ModuleCalendarFactory(cohort=world.cohort, module=module, closes_at=None)
    start = utcnow() - timedelta(days=2)
    TrainingSessionFactory(
        cohort=world.cohort, module=module, starts_at=start, ends_at=start + timedelta(hours=3)
    )
    db.session.commit()
    assert [(d.survey_id, d.module_id) for d in due_campaigns()] == [
        (world.module_hot.id, module.id)
    ]
    assert calendar.closes_at is None


def test_a_module_ended_long_ago_is_not_surveyed_by_itself(world):
    ModuleCalendarFactory(
        cohort=world.cohort,
        module=world.modules[0],
        opens_at=utcnow() - timedelta(days=100),
        closes_at=utcnow() - timedelta(days=60),
    )
    db.session.commit()
    assert due_campaigns() == []


def test_the_cold_survey_opens_its_delay_after_the_cohorts_end(world):
    world.cohort.starts_on = date.today() - timedelta(days=400)
    world.cohort.ends_on = date.today() - timedelta(days=89)
    db.session.commit()
    assert due_campaigns() == []  # one day early
    world.cohort.ends_on = date.today() - timedelta(days=90)
    db.session.commit()
    assert [(d.survey_id, d.module_id) for d in due_campaigns()] == [(world.path_cold.id, None)]


def test_funder_surveys_never_open_by_themselves(world):
    world.cohort.ends_on = date.today() - timedelta(days=1)
    db.session.commit()
    assert all(d.survey_id != world.funder.id for d in due_campaigns())


def test_invitations_are_written_in_the_learners_language(world, smtp_server):
    world.learners[0].locale = "fr"
    db.session.commit()
    world.anonymous_campaign()
    run_round()
    by_address = {m["To"]: m for m in smtp_server}
    french = body_of(by_address[world.learners[0].email])
    english = body_of(by_address[world.learners[1].email])
    assert "Bonjour" in french
    assert "anonyme" in french
    assert "Hello" in english
    assert "anonymous" in english
    assert "/surveys/" in english


def test_one_reminder_goes_to_those_who_have_not_answered(world, smtp_server, monkeypatch):
    campaign = world.anonymous_campaign()
    run_round()
    assert len(smtp_server) == 3
    from lms.quality.surveys.answering import record_response

    answered = db.session.scalar(
        db.select(SurveyParticipation).filter_by(learner_id=world.learners[0].id)
    )
    record_response(answered, {"objectifs": "4", "rythme": "Adapté", "avis": "Bien."})
    db.session.commit()
    later = utcnow() + timedelta(days=8)
    done = run_round(later)
    assert done.reminded == 2
    reminders = smtp_server[3:]
    assert sorted(m["To"] for m in reminders) == sorted(u.email for u in world.learners[1:])
    assert all("Reminder" in m["Subject"] for m in reminders)
    db.session.expire_all()
    assert db.session.get(SurveyCampaign, campaign.id).reminded_at is not None
    assert run_round(later + timedelta(days=1)).reminded == 0  # once
    assert len(smtp_server) == 5


def test_no_reminder_once_the_campaign_is_closed(world, smtp_server):
    world.anonymous_campaign()
    run_round()
    assert run_round(utcnow() + timedelta(days=30)).reminded == 0


def test_a_contact_is_reminded_with_a_new_link(app, world, smtp_server):
    participation, old = contact_link(world)
    done = run_round(utcnow() + timedelta(days=8))
    assert done.reminded == 1
    (message,) = smtp_server
    assert "/surveys/link/" in body_of(message)
    assert app.test_client().get(f"/surveys/link/{old}").status_code == 404
    db.session.expire_all()
    assert db.session.get(SurveyParticipation, participation.id).reminded_at is not None


def test_a_refused_message_is_tried_again_on_the_next_run(world, monkeypatch, smtp_server):
    from lms.core.mail import MailError
    from lms.quality.surveys import mail

    world.anonymous_campaign()

    def refuse(*args, **kwargs):
        raise MailError("down")

    monkeypatch.setattr(mail, "send_mail", refuse)
    assert run_round().invited == 0
    monkeypatch.undo()
    assert run_round().invited == 3
    sent = db.session.scalar(
        db.select(func.count()).where(SurveyParticipation.sent_at.is_not(None))
    )
    assert sent == 3


def test_two_runs_at_once_send_each_invitation_once(app, world, smtp_server):
    """The claims are single statements: a second run over the same rows sends nothing."""
    from lms.quality.surveys.mail import pending_invitations, send_learner_mail

    world.anonymous_campaign()
    now = utcnow()
    keys = pending_invitations(now)
    db.session.rollback()
    first = [send_learner_mail(key, now, reminder=False) for key in keys]
    second = [send_learner_mail(key, now, reminder=False) for key in keys]
    assert first == [True] * 3
    assert second == [False] * 3
    assert len(smtp_server) == 3
