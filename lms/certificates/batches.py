"""Issuing every awarded learner of a cohort at once: a batch, its job, its progress.

``start_batch`` fixes the learners (those ``awarded_without_certificate``) in an
``IssuanceBatch`` row; the caller commits, then ``launch_batch`` hands the work to the jobs
(``lms.core.jobs``). ``run_batch(batch_id)`` is the job: it issues one learner at a time and
**commits after each certificate**, so that the progress page sees it and a crash loses at most
the certificate under way. An error for one learner is recorded in ``batch.errors`` and the batch
goes on; an error that stops the job itself (the database is gone) marks the batch ``failed``.

Running a batch again is safe: ``issue_certificate`` is exactly once, so learners who already
hold their certificate are skipped, and those who failed are tried again. The counters are
recomputed from the database after each learner (valid certificates among the batch's learners,
errors of learners still without one) rather than incremented, so that re-runs and parallel
parts never count anyone twice.

Parallelism (PERFORMANCE.md, target 2: two cores): rendering a PDF is CPU-bound Python, so
threads would not help; processes do. With Redis (``LMS_REDIS_URL``), ``launch_batch`` splits
the learners into ``CERTIFICATE_BATCH_PARTS`` parts (default 2), each a job on the
``certificates`` queue, taken by as many ``lms worker`` processes. Without Redis, the web page
runs the batch in its request, one learner after the other (a web process must not fork), and
``lms issue-certificates`` runs it in a pool of ``--processes`` processes (default 2)
through ``run_in_processes``.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from flask import Flask, current_app
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.certificates.decisions import awarded_without_certificate
from lms.certificates.errors import CertificateError
from lms.certificates.issuing import certificate_folder, current_certificate, issue_certificate
from lms.certificates.models import (
    PATH_SCOPE,
    BatchState,
    Certificate,
    CertificateState,
    IssuanceBatch,
)
from lms.certificates.realisation.document import DocumentKind
from lms.cohorts.models import Cohort
from lms.core import storage
from lms.core.db import lock_row_for_update
from lms.core.jobs import JobError, enqueue
from lms.core.time import utcnow
from lms.extensions import db

ACTIVE_STATES = (BatchState.QUEUED, BatchState.RUNNING)


class Outcome(StrEnum):
    ISSUED = "issued"
    HELD = "held"  # the learner already held a valid certificate
    FAILED = "failed"


@dataclass(frozen=True)
class LearnerResult:
    """What the batch did for one learner, and the memory of the process that did it."""

    learner_id: int
    outcome: Outcome
    message: str = ""
    rss_kb: int = 0
    pid: int = field(default_factory=os.getpid)
    cpu_seconds: float = field(default_factory=time.process_time)  # this process's, so far


# Starting -------------------------------------------------------------------------------------


def active_batch(cohort: Cohort, document_kind: DocumentKind | None = None) -> IssuanceBatch | None:
    """Return the cohort's batch of certificates (or of these documents) still under way, if any."""
    query = db.select(IssuanceBatch).where(
        IssuanceBatch.cohort_id == cohort.id,
        IssuanceBatch.state.in_(ACTIVE_STATES),
        IssuanceBatch.document_kind.is_not_distinct_from(document_kind),
    )
    return db.session.scalar(query.order_by(IssuanceBatch.id.desc()).limit(1))


def _abandoned(batch: IssuanceBatch) -> bool:
    """Tell whether a batch still marked under way outlived any job (its worker was killed).

    Such a batch is marked failed, so that it no longer blocks the cohort; a new batch picks
    up its learners (issuing is exactly once, so nobody gets two certificates).
    """
    limit = timedelta(seconds=current_app.config["JOB_TIMEOUT"])
    if utcnow() - (batch.started_at or batch.created_at) <= limit:
        return False
    batch.state, batch.finished_at = BatchState.FAILED, utcnow()
    return True


def start_batch(cohort: Cohort, requested_by: User | None) -> IssuanceBatch:
    """Record a batch for every learner awarded in the cohort who holds no certificate yet."""
    # Two administrators clicking at once: the second waits here, then sees the first batch.
    lock_row_for_update(db.session, Cohort, cohort.id)
    if (active := active_batch(cohort)) is not None and not _abandoned(active):
        raise CertificateError(
            _("A batch of certificates is already under way for this cohort: wait until it ends.")
        )
    learners = awarded_without_certificate(cohort)
    if not learners:
        raise CertificateError(
            _("Nobody in this cohort is waiting for a certificate: record decisions first.")
        )
    batch = IssuanceBatch(
        cohort=cohort,
        requested_by=requested_by,
        learner_ids=[learner.id for learner in learners],
        total=len(learners),
    )
    db.session.add(batch)
    db.session.flush()
    after = {"cohort_id": cohort.id, "total": batch.total}
    record_audit_event(requested_by, "certificate.batch", batch, after=after)
    return batch


def batch_parts(learner_ids: Sequence[int], parts: int) -> list[list[int]]:
    """Split the learners into at most ``parts`` interleaved parts of nearly equal size."""
    parts = max(1, min(parts, len(learner_ids)))
    return [list(learner_ids[index::parts]) for index in range(parts)]


def launch_batch(batch: IssuanceBatch) -> None:
    """Hand a committed batch to the jobs: parts on RQ workers, or the whole of it right now.

    Raises ``CertificateError`` (the batch marked failed) when Redis does not answer.
    """
    if not current_app.config.get("REDIS_URL"):
        enqueue(run_batch, batch.id, queue="certificates")
        return
    parts = batch_parts(batch.learner_ids, current_app.config["CERTIFICATE_BATCH_PARTS"])
    try:
        job_ids = [enqueue(run_batch, batch.id, part, queue="certificates").id for part in parts]
    except JobError:
        current_app.logger.exception("certificate.batch %s: cannot reach the job queue", batch.id)
        _mark_failed(batch.id)
        raise CertificateError(
            _("The job queue cannot be reached: the batch did not start. Try again later.")
        ) from None
    batch.job_id = job_ids[0][:64]
    db.session.commit()


# Running -------------------------------------------------------------------------------------


def run_batch(batch_id: int, learner_ids: Sequence[int] | None = None) -> dict[str, int]:
    """Issue the batch's learners (or the part given), committing after each; the job.

    Returns how many were issued, already held and failed in this run.
    """
    batch = db.session.get(IssuanceBatch, batch_id)
    if batch is None:
        raise CertificateError(f"no issuance batch {batch_id}")
    ids = list(batch.learner_ids if learner_ids is None else learner_ids)
    tally = dict.fromkeys(Outcome, 0)
    try:
        _mark_running(batch_id)
        for result in issue_each(batch_id, ids):
            tally[result.outcome] += 1
    except Exception:
        db.session.rollback()
        _mark_failed(batch_id)
        raise
    return {outcome.value: count for outcome, count in tally.items()}


def issue_each(batch_id: int, learner_ids: Sequence[int]) -> Iterator[LearnerResult]:
    """Issue each learner in turn, yielding what happened to them (a commit each)."""
    for learner_id in learner_ids:
        yield issue_for_batch(batch_id, learner_id)


def issue_for_batch(batch_id: int, learner_id: int) -> LearnerResult:
    """Issue one learner's certificate for the batch, commit, notify, and update the batch."""
    batch = db.session.get(IssuanceBatch, batch_id)
    learner = db.session.get(User, learner_id)
    if batch is None or learner is None:
        raise CertificateError(f"no batch {batch_id} or learner {learner_id}")
    try:
        outcome, certificate = _issue(batch, learner)
    except Exception as error:
        db.session.rollback()
        message = _failure_message(error, learner_id)
        _record_progress(batch_id, failure=(learner_id, message))
        return LearnerResult(learner_id, Outcome.FAILED, message, rss_kb())
    if outcome is Outcome.ISSUED and certificate is not None:
        _notify_issued(certificate)
    return LearnerResult(learner_id, outcome, "", rss_kb())


def _issue(batch: IssuanceBatch, learner: User) -> tuple[Outcome, Certificate | None]:
    """Issue and commit with the batch's new counts; remove the PDF if the commit fails."""
    if batch.document_kind is not None:  # certificats de réalisation, attestations
        from lms.certificates.realisation.services import produce_for_batch

        return Outcome(produce_for_batch(batch, learner, _record_progress)), None
    cohort = batch.cohort
    if existing := current_certificate(learner, cohort.path_id, PATH_SCOPE):
        _record_progress(batch.id)
        return Outcome.HELD, existing
    now = utcnow()
    certificate = issue_certificate(cohort, learner, issued_by=batch.requested_by, now=now)
    # A certificate issued meanwhile by someone else comes back as it is, with its own date.
    outcome = Outcome.ISSUED if certificate.issued_at == now else Outcome.HELD
    key = certificate.storage_key
    try:
        _record_progress(batch.id, done=learner.id)
    except BaseException:
        db.session.rollback()
        _discard_if_unrecorded(key)
        raise
    return outcome, certificate


def _discard_if_unrecorded(key: str | None) -> None:
    """Remove a PDF stored for a certificate whose row was rolled back (no file without row)."""
    if key and db.session.scalar(db.select(Certificate.id).filter_by(storage_key=key)) is None:
        storage.delete_stored(certificate_folder(), key)


def _record_progress(
    batch_id: int, *, done: int | None = None, failure: tuple[int, str] | None = None
) -> None:
    """Recount the batch under its lock and commit (with the learner's certificate, if any).

    ``done`` is a learner just issued, ``failure`` a learner and why they failed: either
    replaces what an earlier run recorded about that learner.
    """
    lock_row_for_update(db.session, IssuanceBatch, batch_id)
    batch = db.session.get(IssuanceBatch, batch_id, populate_existing=True)
    settled = {done, failure[0] if failure else None}
    errors = [error for error in batch.errors if error["learner_id"] not in settled]
    if failure is not None:
        errors.append({"learner_id": failure[0], "message": failure[1]})
    holders = set(_holders(batch))
    batch.errors = [error for error in errors if error["learner_id"] not in holders]
    batch.issued = len(holders)
    batch.failed = len({error["learner_id"] for error in batch.errors})
    if batch.done >= batch.total:
        batch.state, batch.finished_at = BatchState.FINISHED, utcnow()
    db.session.commit()


def _holders(batch: IssuanceBatch) -> Sequence[int]:
    """Return the batch's learners who hold a valid certificate of the path (one query), or
    for a batch of documents those it produced one for."""
    if batch.document_kind is not None:
        from lms.certificates.realisation.services import served_learners

        return served_learners(batch)
    query = db.select(Certificate.learner_id).where(
        Certificate.learner_id.in_(batch.learner_ids),
        Certificate.path_id == batch.cohort.path_id,
        Certificate.scope == PATH_SCOPE,
        Certificate.state == CertificateState.VALID,
    )
    return list(db.session.scalars(query))


def _failure_message(error: Exception, learner_id: int) -> str:
    """Say why a learner failed; an unexpected error is logged in full and named briefly."""
    if isinstance(error, CertificateError):
        return str(error)
    current_app.logger.exception("certificate.batch learner=%s failed", learner_id)
    return _("Unexpected error (%(kind)s): see the server log.", kind=type(error).__name__)


def _notify_issued(certificate: Certificate) -> None:
    """Tell the learner, after the commit, when the e-mails of certificates exist."""
    try:
        notify = importlib.import_module("lms.certificates.notify")
    except ModuleNotFoundError:
        return
    try:
        notify.notify_issued(certificate)
    except Exception:  # the certificate is issued; a lost e-mail must not fail the batch
        current_app.logger.exception("certificate.notify certificate=%s", certificate.id)


def _mark_running(batch_id: int) -> None:
    """Say the batch runs (the first part to start says it), and commit."""
    lock_row_for_update(db.session, IssuanceBatch, batch_id)
    batch = db.session.get(IssuanceBatch, batch_id, populate_existing=True)
    if batch.state != BatchState.RUNNING:
        batch.state, batch.finished_at = BatchState.RUNNING, None
        batch.started_at = batch.started_at or utcnow()
    db.session.commit()


def _mark_failed(batch_id: int) -> None:
    """Say the batch stopped on an error that was not one learner's; best effort."""
    try:
        batch = db.session.get(IssuanceBatch, batch_id, populate_existing=True)
        batch.state, batch.finished_at = BatchState.FAILED, utcnow()
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("certificate.batch %s: cannot mark it failed", batch_id)


# Processes without Redis ----------------------------------------------------------------------


def rss_kb() -> int:
    """Return the resident memory of this process in KiB (Linux; 0 elsewhere)."""
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _start_process(app: Flask) -> None:
    """Open an application context for this pool process, on fresh database connections."""
    context = app.app_context()
    context.push()
    # Connections inherited through fork belong to the parent: drop them without closing.
    db.engine.dispose(close=False)


def _issue_in_process(task: tuple[int, int]) -> LearnerResult:
    batch_id, learner_id = task
    try:
        return issue_for_batch(batch_id, learner_id)
    finally:
        db.session.remove()


def run_in_processes(batch_id: int, processes: int = 2) -> Iterator[LearnerResult]:
    """Run the batch in a pool of processes; yield each learner's result as it comes.

    Each process takes the next learner when it is free, so the slowest never holds the rest
    back. With ``processes=1`` the batch runs here, in this process. An error that is not one
    learner's marks the batch failed and is raised.
    """
    batch = db.session.get(IssuanceBatch, batch_id)
    learner_ids = list(batch.learner_ids)
    try:
        _mark_running(batch_id)
        # The pool forks (the processes inherit the application); without fork, one process.
        if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            yield from issue_each(batch_id, learner_ids)
            return
        yield from _pooled(batch_id, learner_ids, processes)
    except Exception:
        db.session.rollback()
        _mark_failed(batch_id)
        raise


def _pooled(batch_id: int, learner_ids: list[int], processes: int) -> Iterator[LearnerResult]:
    """Issue the learners in forked processes, each with its own application context."""
    app = current_app._get_current_object()
    # Imported once here, the renderer is shared by the forked processes (copy on write)
    # instead of being imported again by each (≈ 0.6 s and 48 MB apiece). Where it cannot
    # load, each learner's issue says so.
    from lms.certificates.rendering import renderer_problem

    renderer_problem()

    db.session.commit()  # the session gives its connection back to the pool...
    db.engine.dispose()  # ...which is emptied: no open connection crosses the fork
    context = multiprocessing.get_context("fork")
    pool = context.Pool(processes, initializer=_start_process, initargs=(app,))
    tasks = [(batch_id, learner_id) for learner_id in learner_ids]
    # Close and join once every result is in: the ``with`` block's terminate() can hang on a
    # worker that still holds the task queue's lock. Terminate only when stopped early.
    try:
        yield from pool.imap_unordered(_issue_in_process, tasks)
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()
