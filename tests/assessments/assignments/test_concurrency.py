"""Double submission (SECURITY.md H32): one version and one stored file, even when requests race."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from lms.assessments.assignments import services
from lms.assessments.assignments.errors import ConcurrentSubmission
from lms.assessments.models import Submission
from lms.extensions import db
from tests.assessments.assignments.conftest import PDF, submit
from tests.conftest import TEST_DATABASE_URL
from tests.web.helpers import log_in


def versions(setting) -> list[tuple[int, str]]:
    """Return the learner's (version, text) pairs, as the database has them now."""
    db.session.rollback()
    query = db.select(Submission.version, Submission.text).filter_by(user_id=setting.learner.id)
    return [tuple(row) for row in db.session.execute(query.order_by(Submission.version))]


def blind_first_lookups(monkeypatch, count: int, barrier: threading.Barrier | None = None):
    """Make the first ``count`` lookups of the latest version see none (a race's view of it)."""
    real = services.latest_submission
    calls = {"n": 0}
    lock = threading.Lock()

    def racing(assessment, learner):
        with lock:
            calls["n"] += 1
            blind = calls["n"] <= count
        if blind and barrier is not None:
            barrier.wait(timeout=10)  # both requests have looked before either writes
        return None if blind else real(assessment, learner)

    monkeypatch.setattr(services, "latest_submission", racing)


def test_a_lost_race_is_retried_and_finds_the_same_work(setting, learner_client, monkeypatch):
    submit(learner_client, setting.assignment, "Ma carte.", [("carte.pdf", PDF)])
    blind_first_lookups(monkeypatch, 1)  # the retry sees version 1 and recognises the work
    response = submit(learner_client, setting.assignment, "Ma carte.", [("carte.pdf", PDF)])
    assert response.headers["Location"] == f"/assessments/{setting.assignment.id}/assignment"
    assert versions(setting) == [(1, "Ma carte.")]
    assert len(setting.files_on_disk()) == 1


def test_a_lost_race_with_other_work_becomes_the_next_version(setting, learner_client, monkeypatch):
    submit(learner_client, setting.assignment, "Première carte.")
    blind_first_lookups(monkeypatch, 1)
    submit(learner_client, setting.assignment, "Seconde carte.", [("carte.pdf", PDF)])
    assert versions(setting) == [(1, "Première carte."), (2, "Seconde carte.")]
    assert len(setting.files_on_disk()) == 1


def record_races(monkeypatch) -> list[Exception]:
    """Return the list of lost races the view sees while submitting (filled as they happen)."""
    real, raced = services.submit_assignment, []

    def recording(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except ConcurrentSubmission as error:
            raced.append(error)
            raise

    monkeypatch.setattr(services, "submit_assignment", recording)
    return raced


@pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="real concurrency needs PostgreSQL (SQLite serialises writers)",
)
def test_two_simultaneous_requests_record_one_version_and_one_file(app, setting, monkeypatch):
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        log_in(client, setting.learner)
    blind_first_lookups(monkeypatch, 2, threading.Barrier(2))
    raced = record_races(monkeypatch)
    statuses, errors = [], []
    assignment = SimpleNamespace(id=setting.assignment.id)  # no lazy load from another thread

    def post(client) -> None:
        with app.app_context():
            try:
                statuses.append(submit(client, assignment, "Carte", [("c.pdf", PDF)]))
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(raced) == 1  # the requests did collide: one lost the version and retried
    assert [r.status_code for r in statuses] == [302, 302]
    assert versions(setting) == [(1, "Carte")]
    assert len(setting.files_on_disk()) == 1
