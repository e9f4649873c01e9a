"""Batch issuance from the administrators' pages and from ``lms issue-certificates``."""

from __future__ import annotations

import pytest
from flask import render_template_string
from rq import Queue

from lms.certificates import batches
from lms.certificates.errors import CertificateError
from lms.certificates.models import BatchState, Certificate, IssuanceBatch
from lms.core.jobs import redis_connection
from lms.core.workers import AppSimpleWorker
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world
from tests.web.helpers import log_in


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


def latest_batch() -> IssuanceBatch | None:
    db.session.rollback()
    return db.session.scalar(db.select(IssuanceBatch).order_by(IssuanceBatch.id.desc()))


def certificate_count() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count(Certificate.id)))


# Pages ----------------------------------------------------------------------------------------


def test_starting_a_batch_issues_at_once_without_redis_and_shows_it_finished(world, client):
    world.award(world.eligible_learner(), world.eligible_learner())
    log_in(client, world.admin)

    response = client.post(f"/admin/cohorts/{world.cohort.id}/certificate-batches")

    batch = latest_batch()
    assert response.headers["Location"] == f"/admin/certificate-batches/{batch.id}"
    assert (batch.state, batch.issued, batch.requested_by_id) == (
        BatchState.FINISHED,
        2,
        world.admin.id,
    )
    assert certificate_count() == 2
    page = client.get(response.headers["Location"])
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<progress id="batch-progress" max="2" value="2">' in body
    assert "Batch finished" in body
    assert "Learners done: 2 of 2" in body
    assert "Refresh" not in page.headers  # nothing left to follow


def test_a_running_batch_page_reloads_itself_without_a_script(world, client):
    world.award(world.eligible_learner())
    batch = batches.start_batch(world.cohort, world.admin)
    db.session.commit()
    log_in(client, world.admin)

    page = client.get(f"/admin/certificate-batches/{batch.id}")

    assert page.headers["Refresh"] == "3"
    body = page.get_data(as_text=True)
    assert "Batch waiting for a worker" in body
    assert "updates itself" in body
    assert "<script" not in body.split("<main", 1)[-1]


def test_the_page_lists_each_learner_not_issued_with_the_reason(world, client, monkeypatch):
    unlucky = world.eligible_learner(display_name="Noémie Sans-Nom")
    world.award(unlucky)

    def refusing(*args, **kwargs):
        raise CertificateError("Set LMS_CERTIFICATE_PLACE before issuing certificates.")

    monkeypatch.setattr(batches, "issue_certificate", refusing)
    log_in(client, world.admin)
    response = client.post(f"/admin/cohorts/{world.cohort.id}/certificate-batches")
    body = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Noémie Sans-Nom" in body
    assert "Set LMS_CERTIFICATE_PLACE before issuing certificates." in body
    assert "Learners not issued" in body


def test_a_batch_with_nobody_to_issue_says_so_and_goes_back(world, client):
    world.eligible_learner()  # eligible, not awarded yet
    log_in(client, world.admin)

    response = client.post(
        f"/admin/cohorts/{world.cohort.id}/certificate-batches", follow_redirects=True
    )

    assert "Nobody in this cohort is waiting for a certificate" in response.get_data(as_text=True)
    assert latest_batch() is None


def test_only_administrators_start_batches(world, client):
    world.award(world.eligible_learner())
    log_in(client, world.trainer)

    response = client.post(f"/admin/cohorts/{world.cohort.id}/certificate-batches")

    assert response.status_code == 403
    assert latest_batch() is None


def test_an_unknown_batch_or_cohort_is_not_found(world, client):
    log_in(client, world.admin)
    assert client.get("/admin/certificate-batches/999999").status_code == 404
    assert client.post("/admin/cohorts/999999/certificate-batches").status_code == 404


def test_the_start_form_needs_its_csrf_token(world, client, csrf_enabled):
    world.award(world.eligible_learner())
    log_in(client, world.admin)

    response = client.post(f"/admin/cohorts/{world.cohort.id}/certificate-batches")

    assert response.status_code == 400
    assert latest_batch() is None


# Command ---------------------------------------------------------------------------------------


def test_the_command_issues_a_cohort_by_name_and_sums_up(world, runner):
    world.award(world.eligible_learner(), world.eligible_learner())

    result = runner.invoke(args=["issue-certificates", world.cohort.name, "--processes", "1"])

    assert result.exit_code == 0, result.output
    assert "Issuing 2 certificates" in result.output
    assert "Issued: 2, already held: 0, failed: 0" in result.output
    assert certificate_count() == 2


def test_the_command_takes_a_cohort_id_and_two_processes(world, runner):
    world.award(world.eligible_learner(), world.eligible_learner(), world.eligible_learner())

    result = runner.invoke(args=["issue-certificates", str(world.cohort.id)])

    assert result.exit_code == 0, result.output
    assert "Issued: 3, already held: 0, failed: 0" in result.output
    assert certificate_count() == 3
    assert latest_batch().state == BatchState.FINISHED


def test_the_command_fails_naming_each_learner_not_issued(world, runner, monkeypatch):
    happy = world.eligible_learner(display_name="Anna Heureuse")
    unlucky = world.eligible_learner(display_name="Bruno Malchanceux")
    world.award(happy, unlucky)
    real = batches.issue_certificate

    def failing_for_one(cohort, learner, **kwargs):
        if learner.id == unlucky.id:
            raise CertificateError("The PDF could not be stored.")
        return real(cohort, learner, **kwargs)

    monkeypatch.setattr(batches, "issue_certificate", failing_for_one)
    result = runner.invoke(args=["issue-certificates", world.cohort.name, "--processes", "1"])

    assert result.exit_code == 1
    assert "Issued: 1, already held: 0, failed: 1" in result.output
    assert "Bruno Malchanceux: The PDF could not be stored." in result.output


def test_the_command_names_an_unknown_cohort(world, runner):
    result = runner.invoke(args=["issue-certificates", "Promotion fantôme"])

    assert result.exit_code != 0
    assert "no cohort has the id or name 'Promotion fantôme'" in result.output


def test_the_command_says_when_nobody_is_waiting(world, runner):
    result = runner.invoke(args=["issue-certificates", world.cohort.name])

    assert result.exit_code != 0
    assert "Nobody in this cohort is waiting for a certificate" in result.output


# With Redis: parts on the certificates queue, taken by workers ---------------------------------


def test_with_redis_the_batch_waits_in_parts_for_the_workers(
    app, world, client, redis_url, monkeypatch
):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    world.award(*(world.eligible_learner() for _ in range(3)))
    log_in(client, world.admin)

    response = client.post(f"/admin/cohorts/{world.cohort.id}/certificate-batches")

    batch = latest_batch()
    assert response.headers["Location"] == f"/admin/certificate-batches/{batch.id}"
    assert batch.state == BatchState.QUEUED
    assert batch.job_id
    assert certificate_count() == 0  # nothing issued in the request
    page = client.get(response.headers["Location"])
    assert page.headers["Refresh"] == "3"
    assert '<progress id="batch-progress" max="3" value="0">' in page.get_data(as_text=True)
    assert Queue("certificates", connection=redis_connection()).count == 2  # two parts

    worker = AppSimpleWorker(["certificates"], connection=redis_connection(timeout=None), app=app)
    worker.work(burst=True, logging_level="WARNING")

    batch = latest_batch()
    assert (batch.state, batch.issued, batch.failed) == (BatchState.FINISHED, 3, 0)
    assert certificate_count() == 3
    assert "Refresh" not in client.get(response.headers["Location"]).headers


def test_the_start_button_posts_to_the_cohort_with_its_token(app, world):
    with app.test_request_context("/"):
        html = render_template_string(
            '{% include "certificates/batches/_start.html" %}', cohort=world.cohort
        )
    assert f'action="/admin/cohorts/{world.cohort.id}/certificate-batches"' in html
    assert 'name="csrf_token" value="' in html
    assert "Issue the certificates of every awarded learner" in html


def test_a_queue_out_of_reach_fails_the_batch_and_says_so(app, world, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/15")
    world.award(world.eligible_learner())
    log_in(client, world.admin)

    response = client.post(
        f"/admin/cohorts/{world.cohort.id}/certificate-batches", follow_redirects=True
    )

    assert "The job queue cannot be reached" in response.get_data(as_text=True)
    assert "Batch stopped by an error" in response.get_data(as_text=True)
    assert latest_batch().state == BatchState.FAILED
    assert certificate_count() == 0
