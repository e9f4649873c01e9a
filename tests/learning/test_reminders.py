"""Reminder e-mails: due ones sent once each (twice run, or two runs at once), choices kept."""

from __future__ import annotations

import threading
from datetime import timedelta

from lms.core.time import utcnow
from lms.extensions import db
from lms.learning.reminders import services
from lms.learning.reminders.models import ReminderPreference, SentReminder
from lms.learning.reminders.services import due_reminders, send_due_reminders
from lms.learning.reminders.values import ReminderKind
from tests.factories import (
    AssessmentFactory,
    DeadlineExtensionFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.learning.calendar_world import make_calendar_world
from tests.smtp import body_of
from tests.web.helpers import log_in


def sent_rows() -> set[tuple[str, int, str]]:
    db.session.rollback()
    return set(
        db.session.execute(
            db.select(SentReminder.kind, SentReminder.user_id, SentReminder.subject_key)
        ).tuples()
    )


def recipients(messages, kind_word: str = "") -> list[str]:
    return sorted(m["To"] for m in messages if kind_word in str(m["Subject"]))


def expected_world_reminders(world) -> set[tuple[str, int]]:
    """The world's due reminders: the two assignments due within 48 h, tomorrow's sessions."""
    return {
        ("deadline", world.learner.id),
        ("deadline", world.other_learner.id),
        ("session_eve", world.learner.id),
        ("session_eve", world.trainer.id),
        ("session_eve", world.other_learner.id),
    }


def test_due_reminders_of_the_world():
    world = make_calendar_world()
    due = due_reminders(utcnow())
    assert {(r.kind.value, r.user_id) for r in due} == expected_world_reminders(world)
    [deadline] = [r for r in due if r.user_id == world.learner.id and r.kind == "deadline"]
    assert deadline.subject_key.startswith(f"assessment:{world.assignment.id}:")


def test_running_twice_sends_each_reminder_once(runner, smtp_server):
    world = make_calendar_world()
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0, first.output
    assert "reminders: 5 sent" in first.output
    second = runner.invoke(args=["send-reminders"])
    assert "reminders: 0 sent" in second.output
    assert len(smtp_server) == 5
    assert {(kind, user) for kind, user, _key in sent_rows()} == expected_world_reminders(world)
    emails = {world.learner.email: 2, world.trainer.email: 1, world.other_learner.email: 2}
    for email, count in emails.items():
        assert sum(1 for m in smtp_server if m["To"] == email) == count


def test_dry_run_lists_and_sends_nothing(runner, smtp_server):
    world = make_calendar_world()
    result = runner.invoke(args=["send-reminders", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "reminders: 5 due (dry run: nothing sent)" in result.output
    assert f"deadline\tuser {world.learner.id}\tassessment:{world.assignment.id}:" in result.output
    assert smtp_server == []
    assert sent_rows() == set()


def test_one_kind_only(runner, smtp_server):
    make_calendar_world()
    result = runner.invoke(args=["send-reminders", "--kind", "deadline"])
    assert "reminders: 2 sent" in result.output
    assert {kind for kind, _user, _key in sent_rows()} == {"deadline"}


def test_an_unknown_kind_is_refused_by_name(runner):
    result = runner.invoke(args=["send-reminders", "--kind", "birthday"])
    assert result.exit_code == 2
    assert "birthday" in result.output


def test_queue_without_redis_runs_at_once(runner, smtp_server):
    make_calendar_world()
    result = runner.invoke(args=["send-reminders", "--queue"])
    assert result.exit_code == 0, result.output
    assert "finished" in result.output
    assert len(smtp_server) == 5


def test_the_deadline_mail_says_when_and_how_to_opt_out(smtp_server):
    world = make_calendar_world()
    send_due_reminders(["deadline"])
    [message] = [m for m in smtp_server if m["To"] == world.learner.email]
    assert str(message["Subject"]).startswith("Reminder: “Carnet de bord” is due on ")
    body = body_of(message)
    assert "Carnet de bord" in body
    assert f"/assessments/{world.assignment.id}/assignment" in body
    assert "To stop them" in body
    assert "/account/reminders" in body


def test_mails_are_in_the_recipient_language(smtp_server):
    world = make_calendar_world(learner_locale="fr")
    send_due_reminders(["deadline"])
    [message] = [m for m in smtp_server if m["To"] == world.learner.email]
    assert str(message["Subject"]).startswith("Rappel : « Carnet de bord » est à rendre le ")
    assert "Pour ne plus les recevoir" in body_of(message)


def test_work_handed_in_gets_no_reminder():
    world = make_calendar_world()
    SubmissionFactory(assessment=world.assignment, user=world.learner)
    db.session.commit()
    due = due_reminders(utcnow(), ["deadline"])
    assert [r.user_id for r in due] == [world.other_learner.id]


def test_an_extension_moves_the_reminder():
    world = make_calendar_world()
    later = utcnow() + timedelta(days=5)
    DeadlineExtensionFactory(assessment=world.assignment, user=world.learner, due_at=later)
    db.session.commit()
    assert world.learner.id not in {r.user_id for r in due_reminders(utcnow(), ["deadline"])}
    in_four_days = utcnow() + timedelta(days=4)
    [moved] = [
        r for r in due_reminders(in_four_days, ["deadline"]) if r.user_id == world.learner.id
    ]
    assert moved.subject_key == f"assessment:{world.assignment.id}:{later:%Y-%m-%dT%H:%M}"
    assert moved.values["extended"] is True


def test_evaluations_and_inactive_people_get_no_reminder():
    world = make_calendar_world()
    AssessmentFactory(module=world.module, evaluation=True, due_days=2)
    world.other_learner.is_active = False
    db.session.commit()
    due = due_reminders(utcnow(), ["deadline"])
    assert [(r.user_id, r.values["title"]) for r in due] == [(world.learner.id, "Carnet de bord")]


def test_opted_out_people_get_no_optional_reminder(smtp_server):
    world = make_calendar_world()
    db.session.add(ReminderPreference(user_id=world.learner.id, deadlines=False, sessions=False))
    db.session.add(ReminderPreference(user_id=world.trainer.id, deadlines=True, sessions=False))
    db.session.commit()
    assert send_due_reminders() == 2
    assert {m["To"] for m in smtp_server} == {world.other_learner.email}


def test_opting_out_of_deadlines_keeps_session_reminders():
    world = make_calendar_world()
    db.session.add(ReminderPreference(user_id=world.learner.id, deadlines=False, sessions=True))
    db.session.commit()
    mine = {r.kind for r in due_reminders(utcnow()) if r.user_id == world.learner.id}
    assert mine == {ReminderKind.SESSION_EVE}


def test_a_refused_message_is_tried_again_next_run(app, smtp_server):
    world = make_calendar_world()
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there: the server refuses
    try:
        assert send_due_reminders(["deadline"]) == 0
    finally:
        app.config["MAIL_PORT"] = port
    assert sent_rows() == set()
    assert send_due_reminders(["deadline"]) == 2
    assert {m["To"] for m in smtp_server} == {world.learner.email, world.other_learner.email}


def test_two_runs_at_once_send_each_reminder_once(app, smtp_server, monkeypatch):
    world = make_calendar_world()
    # Both runs read what is due before either writes anything.
    barrier = threading.Barrier(2)
    real = services.recipients

    def racing(user_ids):
        answer = real(user_ids)
        barrier.wait(timeout=60)
        return answer

    monkeypatch.setattr(services, "recipients", racing)
    results, errors = [], []

    def run() -> None:
        with app.app_context():
            try:
                results.append(send_due_reminders())
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
    assert sum(results) == 5  # between them, each reminder once
    assert len(smtp_server) == 5
    assert len(sent_rows()) == 5
    assert len({(m["To"], str(m["Subject"])) for m in smtp_server}) == 5
    assert world.learner.email in {m["To"] for m in smtp_server}


def _due_queries(query_counter, count: int) -> int:
    world = make_calendar_world(suffix=f" ({count})")
    for _ in range(count):
        learner = UserFactory()
        MembershipFactory(user=learner, cohort=world.cohort)
        SubmissionFactory(assessment=world.quiz, user=learner)
    db.session.commit()
    with query_counter as queries:
        due = due_reminders(utcnow())
    assert len(due) >= 2 * count
    return queries.count


def test_due_reminders_cost_the_same_queries_for_10_or_200_learners(query_counter):
    small = _due_queries(query_counter, 10)
    large = _due_queries(query_counter, 200)
    assert small == large, f"{small} queries for 10 learners, {large} for 200"
    print(f"due reminders: {small} queries for 10 and for 200 learners")


def test_preferences_page_saves_the_choices(client):
    user = UserFactory()
    log_in(client, user)
    page = client.get("/account/reminders").get_data(as_text=True)
    assert page.count("checked") == 2
    assert "Absence notices are always sent" in page
    response = client.post("/account/reminders", data={"sessions": "y"})
    assert response.status_code == 302
    preference = db.session.get(ReminderPreference, user.id)
    assert (preference.deadlines, preference.sessions) == (False, True)
    page = client.get("/account/reminders").get_data(as_text=True)
    assert page.count("checked") == 1


def test_preferences_ignore_other_fields(client):
    user, other = UserFactory(), UserFactory()
    log_in(client, user)
    client.post("/account/reminders", data={"user_id": other.id, "deadlines": "y"})
    assert db.session.get(ReminderPreference, other.id) is None
    assert db.session.get(ReminderPreference, user.id).sessions is False


def test_queue_with_redis_puts_the_run_on_the_mail_queue(app, runner, redis_url, monkeypatch):
    from redis import Redis
    from rq import Queue

    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    result = runner.invoke(args=["send-reminders", "--queue", "--kind", "deadline"])
    assert result.exit_code == 0, result.output
    assert "queued" in result.output
    [job] = Queue("mail", connection=Redis.from_url(redis_url)).jobs
    assert job.func_name == "lms.learning.reminders.services.send_due_reminders"
    assert job.args == (["deadline"],)


def test_rq_cron_runs_the_reminders_every_quarter_hour():
    from pathlib import Path

    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=None)
    scheduler.load_config_from_file(str(Path(__file__).parents[2] / "rq_cron.py"))
    [job] = scheduler.get_jobs()
    assert job.func is send_due_reminders
    assert (job.queue_name, job.cron) == ("mail", "*/15 * * * *")
