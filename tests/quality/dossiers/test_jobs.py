"""Builds as jobs: queued on Redis and built by a worker, or refused when Redis is out of reach."""

from __future__ import annotations

import hashlib

import pytest
from rq import Queue

from lms.core import storage
from lms.core.jobs import redis_connection
from lms.core.workers import AppSimpleWorker
from lms.extensions import db
from lms.quality.dossiers.models import DossierState, LearnerDossier
from lms.quality.dossiers.store import dossier_folder
from tests.quality.dossiers.support import learner_with_evidence
from tests.stores import empty_file_stores
from tests.web.helpers import log_in


@pytest.fixture(autouse=True)
def _empty_stores():
    empty_file_stores()
    yield
    empty_file_stores()


def only_build() -> LearnerDossier:
    db.session.expire_all()
    [dossier] = db.session.scalars(db.select(LearnerDossier))
    return dossier


def test_with_redis_the_build_waits_for_a_worker_that_builds_it(
    app, client, redis_url, monkeypatch
):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    world = learner_with_evidence()
    log_in(client, world.learner)
    client.post(f"/my/dossier/cohorts/{world.cohort.id}")
    assert only_build().state == DossierState.QUEUED
    page = client.get("/my/dossier/")
    assert page.headers["Refresh"] == "3"
    assert "Waiting for a worker" in page.text
    assert Queue("default", connection=redis_connection()).count == 1

    worker = AppSimpleWorker(["default"], connection=redis_connection(timeout=None), app=app)
    worker.work(burst=True, logging_level="WARNING")

    dossier = only_build()
    assert dossier.state == DossierState.READY
    with storage.open_stored(dossier_folder(), dossier.storage_key) as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == dossier.sha256
    assert "Refresh" not in client.get("/my/dossier/").headers


def test_a_queue_out_of_reach_fails_the_build_and_says_so(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/15")
    world = learner_with_evidence()
    log_in(client, world.admin)
    answer = client.post(
        f"/admin/cohorts/{world.cohort.id}/learners/{world.learner.id}/dossiers",
        follow_redirects=True,
    )
    assert "The job queue cannot be reached" in answer.text
    dossier = only_build()
    assert dossier.state == DossierState.FAILED
    assert dossier.error == "The job queue could not be reached."
