"""Batch issuance (DESIGN.md §7): every awarded learner at once, a commit per certificate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.certificates import batches
from lms.certificates.batches import Outcome, run_batch, start_batch
from lms.certificates.errors import CertificateError
from lms.certificates.issuing import certificate_folder
from lms.certificates.models import BatchState, Certificate, IssuanceBatch
from lms.core import storage
from lms.core.time import utcnow
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


def awarded(world, count: int) -> list:
    """Make ``count`` learners eligible and award them; return them."""
    learners = [world.eligible_learner(display_name=f"Lauréate {n}") for n in range(count)]
    world.award(*learners)
    return learners


def certificates() -> list[Certificate]:
    db.session.rollback()
    return list(db.session.scalars(db.select(Certificate).order_by(Certificate.id)))


def fresh(batch_id: int) -> IssuanceBatch:
    db.session.rollback()
    return db.session.get(IssuanceBatch, batch_id, populate_existing=True)


def test_a_batch_holds_every_awarded_learner_without_a_certificate(world):
    learners = awarded(world, 2)
    world.eligible_learner()  # eligible, but no decision yet: not in the batch

    batch = start_batch(world.cohort, world.admin)

    assert batch.state == BatchState.QUEUED
    assert sorted(batch.learner_ids) == sorted(learner.id for learner in learners)
    assert (batch.total, batch.issued, batch.failed) == (2, 0, 0)


def test_a_batch_with_nobody_to_issue_is_refused(world):
    world.eligible_learner()

    with pytest.raises(CertificateError, match="Nobody in this cohort is waiting"):
        start_batch(world.cohort, world.admin)


def test_a_second_batch_is_refused_while_the_first_is_under_way(world):
    awarded(world, 1)
    start_batch(world.cohort, world.admin)
    db.session.commit()

    with pytest.raises(CertificateError, match="already under way"):
        start_batch(world.cohort, world.admin)


def test_running_a_batch_issues_everyone_and_finishes(world):
    learners = awarded(world, 3)
    batch = start_batch(world.cohort, world.admin)
    db.session.commit()

    tally = run_batch(batch.id)

    assert tally == {"issued": 3, "held": 0, "failed": 0}
    batch = fresh(batch.id)
    assert (batch.state, batch.issued, batch.failed, batch.percent) == (
        BatchState.FINISHED,
        3,
        0,
        100,
    )
    assert batch.started_at is not None
    assert batch.finished_at is not None
    assert sorted(c.learner_id for c in certificates()) == sorted(u.id for u in learners)
    assert len(storage.stored_keys(certificate_folder())) == 3


def test_each_certificate_is_committed_before_the_next_is_issued(world, monkeypatch):
    awarded(world, 3)
    batch = start_batch(world.cohort, world.admin)
    db.session.commit()
    seen = []
    real = batches.issue_certificate

    def watching(cohort, learner, **kwargs):
        # What another connection sees now: the batch's progress so far.
        with db.engine.connect() as other:
            done = other.execute(
                db.select(IssuanceBatch.issued).filter_by(id=batch.id)
            ).scalar_one()
        seen.append(done)
        return real(cohort, learner, **kwargs)

    monkeypatch.setattr(batches, "issue_certificate", watching)
    run_batch(batch.id)
    assert seen == [0, 1, 2]


def test_an_error_for_one_learner_is_recorded_and_the_batch_goes_on(world, monkeypatch):
    first, unlucky, last = awarded(world, 3)
    batch = start_batch(world.cohort, world.admin)
    db.session.commit()
    real = batches.issue_certificate

    def failing_for_one(cohort, learner, **kwargs):
        if learner.id == unlucky.id:
            raise CertificateError("The learner's name is missing.")
        return real(cohort, learner, **kwargs)

    monkeypatch.setattr(batches, "issue_certificate", failing_for_one)
    tally = run_batch(batch.id)

    assert tally == {"issued": 2, "held": 0, "failed": 1}
    batch = fresh(batch.id)
    assert (batch.state, batch.issued, batch.failed) == (BatchState.FINISHED, 2, 1)
    assert batch.errors == [{"learner_id": unlucky.id, "message": "The learner's name is missing."}]
    assert {c.learner_id for c in certificates()} == {first.id, last.id}

    # Run again once the cause is gone: the failed learner is issued, nobody twice.
    monkeypatch.setattr(batches, "issue_certificate", real)
    assert run_batch(batch.id) == {"issued": 1, "held": 2, "failed": 0}
    batch = fresh(batch.id)
    assert (batch.state, batch.issued, batch.failed, batch.errors) == (
        BatchState.FINISHED,
        3,
        0,
        [],
    )
    assert len(certificates()) == 3
    assert len(storage.stored_keys(certificate_folder())) == 3


def test_an_unexpected_error_is_named_without_its_details(world, monkeypatch):
    [learner] = awarded(world, 1)
    batch = start_batch(world.cohort, world.admin)
    db.session.commit()

    def broken(*args, **kwargs):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(batches, "issue_certificate", broken)
    run_batch(batch.id)

    [error] = fresh(batch.id).errors
    assert error["learner_id"] == learner.id
    assert "ZeroDivisionError" in error["message"]
    assert "secret" not in error["message"]


def test_a_batch_that_crashes_is_marked_failed(world, monkeypatch):
    awarded(world, 2)
    batch = start_batch(world.cohort, world.admin)
    db.session.commit()

    def lost_database(batch_id, learner_id):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(batches, "issue_for_batch", lost_database)
    with pytest.raises(ConnectionError):
        run_batch(batch.id)

    batch = fresh(batch.id)
    assert batch.state == BatchState.FAILED
    assert batch.finished_at is not None
    # A failed batch no longer blocks a new one.
    assert start_batch(world.cohort, world.admin).id != batch.id


def test_a_commit_that_fails_leaves_no_pdf_behind(world, monkeypatch):
    awarded(world, 1)
    batch = start_batch(world.cohort, world.admin)
    db.session.commit()
    real = batches._record_progress

    def failing_commit(batch_id, *, done=None, failure=None):
        if done is not None:
            raise RuntimeError("disk full while committing")
        return real(batch_id, done=done, failure=failure)

    monkeypatch.setattr(batches, "_record_progress", failing_commit)
    run_batch(batch.id)

    assert certificates() == []
    assert storage.stored_keys(certificate_folder()) == set()
    assert fresh(batch.id).failed == 1


def test_the_learner_hears_of_the_certificate_after_the_commit(world, monkeypatch):
    [learner] = awarded(world, 1)
    batch = start_batch(world.cohort, world.admin)
    db.session.commit()
    told = []

    def notify(certificate):
        with db.engine.connect() as other:  # committed: another connection sees it
            found = other.execute(db.select(Certificate.id).filter_by(id=certificate.id))
            told.append((certificate.learner_id, found.scalar_one_or_none() is not None))

    monkeypatch.setattr(batches, "_notify_issued", notify)
    run_batch(batch.id)
    assert told == [(learner.id, True)]


def test_parts_are_interleaved_and_cover_every_learner():
    parts = batches.batch_parts([1, 2, 3, 4, 5], 2)
    assert parts == [[1, 3, 5], [2, 4]]
    assert batches.batch_parts([7], 4) == [[7]]


def test_a_pool_of_two_processes_issues_each_learner_once(world):
    learner_ids = sorted(learner.id for learner in awarded(world, 4))
    batch = start_batch(world.cohort, world.admin)
    db.session.commit()

    results = list(batches.run_in_processes(batch.id, processes=2))

    assert sorted(r.learner_id for r in results) == learner_ids
    assert {r.outcome for r in results} == {Outcome.ISSUED}, [r.message for r in results]
    assert all(r.rss_kb > 0 for r in results)
    batch = fresh(batch.id)
    assert (batch.state, batch.issued) == (BatchState.FINISHED, 4)
    assert len(certificates()) == 4
    assert len(storage.stored_keys(certificate_folder())) == 4


def test_a_batch_whose_worker_died_no_longer_blocks_the_cohort(world, app):
    awarded(world, 1)
    stuck = start_batch(world.cohort, world.admin)
    stuck.state = BatchState.RUNNING
    stuck.started_at = utcnow() - timedelta(seconds=app.config["JOB_TIMEOUT"] + 1)
    db.session.commit()

    batch = start_batch(world.cohort, world.admin)
    db.session.commit()

    assert batch.id != stuck.id
    assert fresh(stuck.id).state == BatchState.FAILED
