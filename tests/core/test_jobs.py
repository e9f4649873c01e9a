"""Background jobs: inline without Redis, on RQ with it (a real Redis, database 15)."""

from __future__ import annotations

import logging
import socket

import pytest
from rq import Queue
from rq.registry import FailedJobRegistry

from lms.accounts.models import User
from lms.core.jobs import QUEUES, JobError, enqueue, redis_connection
from lms.core.mail import queue_mail
from lms.core.workers import AppSimpleWorker
from lms.extensions import db
from tests.factories import UserFactory


def rename_user(user_id: int, name: str) -> str:
    """A job: rename a user in its own session, commit, and return the new name."""
    user = db.session.get(User, user_id)
    user.display_name = name
    db.session.commit()
    return name


def fail_on_purpose(user_id: int) -> None:
    """A job that always fails."""
    raise RuntimeError(f"no luck for user {user_id}")


def display_name(user_id: int) -> str:
    """Read a user's name as stored, past the test session's identity map."""
    db.session.expire_all()
    return db.session.get(User, user_id).display_name


@pytest.fixture
def redis_jobs(app, redis_url, monkeypatch) -> str:
    """Send jobs to RQ on the test Redis database for one test."""
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    return redis_url


def run_worker(app, *queues: str) -> None:
    """Perform every queued job in this process, then return (a burst worker)."""
    worker = AppSimpleWorker(
        list(queues or QUEUES), connection=redis_connection(timeout=None), app=app
    )
    worker.work(burst=True, logging_level="WARNING")


# Inline: no Redis configured


def test_inline_job_runs_at_once_and_reports_its_result():
    user = UserFactory(display_name="Avant")
    job = enqueue(rename_user, user.id, "Après")
    assert (job.status, job.result, job.error) == ("finished", "Après", None)
    assert display_name(user.id) == "Après"


def test_inline_job_commits_its_own_session_only():
    user_id = UserFactory(display_name="Avant").id
    other = UserFactory(display_name="Intacte")
    other_id = other.id
    other.display_name = "pending in the caller, never committed"
    enqueue(rename_user, user_id, "Après")
    db.session.rollback()
    assert display_name(user_id) == "Après"
    assert display_name(other_id) == "Intacte"


def test_inline_failure_is_reported_and_logged(caplog):
    user = UserFactory()
    with caplog.at_level(logging.ERROR):
        job = enqueue(fail_on_purpose, user.id, queue="certificates")
    assert job.status == "failed"
    assert job.result is None
    assert job.error == f"RuntimeError: no luck for user {user.id}"
    assert f"job.failed id={job.id} function=tests.core.test_jobs.fail_on_purpose" in caplog.text


def test_unknown_queue_is_refused():
    with pytest.raises(ValueError, match="unknown job queue 'pdf'"):
        enqueue(rename_user, 1, "x", queue="pdf")


def test_queue_mail_sends_at_once_without_redis(smtp_server):
    job = queue_mail("lea@example.org", "Bienvenue", "Bonjour Léa")
    assert job.status == "finished"
    assert [message["To"] for message in smtp_server] == ["lea@example.org"]


# RQ: Redis configured


def test_queued_job_waits_for_a_worker_then_runs(app, redis_jobs):
    user = UserFactory(display_name="Avant")
    job = enqueue(rename_user, user.id, "Après", queue="certificates")
    assert job.status == "queued"
    assert display_name(user.id) == "Avant"
    assert Queue("certificates", connection=redis_connection()).job_ids == [job.id]
    run_worker(app, "certificates")
    assert (job.status, job.result) == ("finished", "Après")
    assert display_name(user.id) == "Après"


def test_a_job_dropped_by_redis_reads_as_expired(app, redis_jobs):
    job = enqueue(rename_user, 1, "x")
    redis_connection().delete(f"rq:job:{job.id}")
    assert job.status == "expired"


def test_failed_queued_job_is_kept_as_failed(app, redis_jobs):
    user = UserFactory()
    job = enqueue(fail_on_purpose, user.id)
    run_worker(app, "default")
    assert job.status == "failed"
    assert f"RuntimeError: no luck for user {user.id}" in job.error
    registry = FailedJobRegistry("default", connection=redis_connection())
    assert registry.get_job_ids() == [job.id]


def test_queue_mail_goes_through_the_mail_queue(app, redis_jobs, smtp_server):
    job = queue_mail("hugo@example.org", "Rappel", "Le module M2 ouvre lundi.", "<p>M2</p>")
    assert job.status == "queued"
    assert smtp_server == []
    run_worker(app, "mail")
    assert job.status == "finished"
    assert [message["Subject"] for message in smtp_server] == ["Rappel"]


def test_enqueue_with_redis_unreachable_says_so(app, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://:secret@127.0.0.1:{port}/15")
    with pytest.raises(JobError, match=f"cannot reach Redis at 127.0.0.1:{port}/15") as error:
        enqueue(rename_user, 1, "x")
    assert "secret" not in str(error.value)


# The lms worker command


def test_worker_command_runs_the_queued_jobs(app, runner, redis_jobs):
    user = UserFactory(display_name="Avant")
    job = enqueue(rename_user, user.id, "Après")
    result = runner.invoke(args=["worker", "--burst", "--queue", "default"])
    assert result.exit_code == 0, result.output
    assert job.status == "finished"
    assert display_name(user.id) == "Après"


def test_worker_command_needs_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 2
    assert "LMS_REDIS_URL is not set" in result.output


def test_worker_command_refuses_an_unknown_queue(runner, redis_jobs):
    result = runner.invoke(args=["worker", "--burst", "--queue", "pdf"])
    assert result.exit_code == 2
    assert "'pdf' is not one of 'mail', 'default', 'certificates'" in result.output


def test_worker_command_says_when_redis_is_unreachable(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/15")
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "cannot reach Redis at 127.0.0.1:1/15" in result.output
