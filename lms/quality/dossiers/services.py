"""Requesting learners' dossiers, reading their builds, and what retention may delete.

``request_dossier`` (one learner) and ``request_cohort_dossiers`` (every learner of a cohort)
record builds ``queued`` and flush; the caller commits, then ``launch_builds`` hands them to
the jobs (``lms.quality.dossiers.jobs``): on RQ workers with Redis, right now otherwise.

One build at a time per learner and cohort: requests lock the cohort's row, so that two people
asking at once are served in turn and the second sees the first's build (``DossierUnderway``,
which carries it); the partial unique index of ``learner_dossiers`` keeps the rule should a
writer forget the lock. A build that outlived any job (its worker was killed) no longer blocks:
it is marked failed when someone asks again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.cohorts.queries import cohort_learners
from lms.core import storage
from lms.core.db import lock_row_for_update
from lms.core.jobs import JobError, enqueue
from lms.core.time import utcnow
from lms.core.transactions import DomainError
from lms.extensions import db
from lms.quality.dossiers.jobs import build_dossier
from lms.quality.dossiers.models import LIVE_STATES, DossierState, LearnerDossier
from lms.quality.dossiers.store import dossier_folder


class DossierError(DomainError):
    """A dossier cannot be requested or served; the message says why."""


class DossierUnderway(DossierError):
    """A build of this learner's dossier is already under way: ``dossier`` is that build."""

    def __init__(self, dossier: LearnerDossier) -> None:
        super().__init__(
            _("A dossier is already being built for this learner: wait until it is ready.")
        )
        self.dossier = dossier


# Requesting ----------------------------------------------------------------------------------


def _abandoned(dossier: LearnerDossier) -> bool:
    """Mark failed, and tell, a build still under way long after any job would have ended."""
    limit = timedelta(seconds=current_app.config["JOB_TIMEOUT"])
    if utcnow() - (dossier.started_at or dossier.requested_at) <= limit:
        return False
    dossier.state, dossier.finished_at = DossierState.FAILED, utcnow()
    dossier.error = _("The build stopped without finishing (its job ended): request it again.")
    db.session.flush()
    return True


def _live_builds(cohort: Cohort, learner_ids: Sequence[int]) -> dict[int, LearnerDossier]:
    """Return the builds under way of these learners in the cohort, by learner (one query)."""
    rows = db.session.scalars(
        db.select(LearnerDossier).where(
            LearnerDossier.cohort_id == cohort.id,
            LearnerDossier.learner_id.in_(learner_ids),
            LearnerDossier.state.in_(LIVE_STATES),
        )
    )
    return {row.learner_id: row for row in rows if not _abandoned(row)}


def _next_versions(cohort: Cohort, learner_ids: Sequence[int]) -> dict[int, int]:
    """Return the next version of each learner's dossier in the cohort (one query)."""
    rows = db.session.execute(
        db.select(LearnerDossier.learner_id, func.max(LearnerDossier.version))
        .where(LearnerDossier.cohort_id == cohort.id, LearnerDossier.learner_id.in_(learner_ids))
        .group_by(LearnerDossier.learner_id)
    )
    latest = dict(rows.tuples().all())
    return {learner_id: (latest.get(learner_id) or 0) + 1 for learner_id in learner_ids}


def _is_learner_of(learner: User, cohort: Cohort) -> bool:
    return (
        db.session.scalar(
            db.select(Membership.id).filter_by(
                user_id=learner.id, cohort_id=cohort.id, role=MembershipRole.LEARNER
            )
        )
        is not None
    )


def _record(
    learners: Iterable[User], cohort: Cohort, requested_by: User | None
) -> list[LearnerDossier]:
    learners = list(learners)
    versions = _next_versions(cohort, [learner.id for learner in learners])
    dossiers = [
        LearnerDossier(
            learner_id=learner.id,
            cohort_id=cohort.id,
            version=versions[learner.id],
            requested_by_id=requested_by.id if requested_by else None,
            requested_at=utcnow(),
        )
        for learner in learners
    ]
    db.session.add_all(dossiers)
    db.session.flush()
    for dossier in dossiers:
        after = {
            "learner_id": dossier.learner_id,
            "cohort_id": cohort.id,
            "version": dossier.version,
        }
        record_audit_event(requested_by, "dossier.request", dossier, after=after)
    return dossiers


def request_dossier(learner: User, cohort: Cohort, requested_by: User | None) -> LearnerDossier:
    """Record a new build of the learner's dossier in the cohort (flush).

    Raises ``DossierUnderway`` when one is already under way, ``DossierError`` when the person
    is no learner of the cohort.
    """
    lock_row_for_update(db.session(), Cohort, cohort.id)
    if not _is_learner_of(learner, cohort):
        raise DossierError(
            _("%(name)s is not a learner of this cohort.", name=learner.display_name)
        )
    if (live := _live_builds(cohort, [learner.id]).get(learner.id)) is not None:
        raise DossierUnderway(live)
    return _record([learner], cohort, requested_by)[0]


def request_cohort_dossiers(cohort: Cohort, requested_by: User | None) -> list[LearnerDossier]:
    """Record a build for every learner of the cohort who has none under way (flush)."""
    lock_row_for_update(db.session(), Cohort, cohort.id)
    learners = cohort_learners(cohort)
    if not learners:
        raise DossierError(_("This cohort has no learners: there is no dossier to build."))
    live = _live_builds(cohort, [learner.id for learner in learners])
    waiting = [learner for learner in learners if learner.id not in live]
    if not waiting:
        raise DossierError(_("The dossier of every learner of this cohort is already being built."))
    return _record(waiting, cohort, requested_by)


def launch_builds(dossiers: Sequence[LearnerDossier]) -> None:
    """Hand committed builds to the jobs; without Redis they run now, one after the other.

    Raises ``DossierError`` (the builds not handed over marked failed) when Redis does not answer.
    """
    ids = [dossier.id for dossier in dossiers]
    for index, dossier_id in enumerate(ids):
        try:
            enqueue(build_dossier, dossier_id, queue="default")
        except JobError:
            current_app.logger.exception("dossier %s: cannot reach the job queue", dossier_id)
            _fail_unlaunched(ids[index:])
            raise DossierError(
                _("The job queue cannot be reached: the dossier was not built. Try again later.")
            ) from None


def _fail_unlaunched(ids: Sequence[int]) -> None:
    message = _("The job queue could not be reached.")
    for dossier in db.session.scalars(db.select(LearnerDossier).where(LearnerDossier.id.in_(ids))):
        dossier.state, dossier.finished_at, dossier.error = DossierState.FAILED, utcnow(), message
    db.session.commit()


# Reading -------------------------------------------------------------------------------------


def cohort_builds(cohort: Cohort, limit: int = 200) -> list[LearnerDossier]:
    """Return the cohort's builds, newest first, with their learner (one query)."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            db.select(LearnerDossier)
            .options(joinedload(LearnerDossier.learner), joinedload(LearnerDossier.requested_by))
            .where(LearnerDossier.cohort_id == cohort.id)
            .order_by(LearnerDossier.requested_at.desc(), LearnerDossier.id.desc())
            .limit(limit)
        )
    )


def latest_by_learner(builds: Iterable[LearnerDossier]) -> dict[int, LearnerDossier]:
    """Return each learner's newest build among ``builds`` (newest first)."""
    latest: dict[int, LearnerDossier] = {}
    for build in builds:
        latest.setdefault(build.learner_id, build)
    return latest


def learner_builds(learner: User) -> list[LearnerDossier]:
    """Return the learner's builds in every cohort, newest first (one query)."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            db.select(LearnerDossier)
            .options(joinedload(LearnerDossier.cohort))
            .where(LearnerDossier.learner_id == learner.id)
            .order_by(LearnerDossier.requested_at.desc(), LearnerDossier.id.desc())
        )
    )


def open_archive(dossier: LearnerDossier):
    """Open a ready dossier's stored ZIP; the caller closes it.

    Raises ``DossierError`` when the dossier is not ready or its archive is lost.
    """
    if dossier.state != DossierState.READY or not dossier.storage_key:
        raise DossierError(_("This dossier is not ready."))
    try:
        return storage.open_stored(dossier_folder(), dossier.storage_key)
    except storage.StorageError:
        raise DossierError(_("The archive of this dossier is missing from storage.")) from None


def archive_name(dossier: LearnerDossier) -> str:
    """Return the file name a downloaded dossier gets."""
    return f"dossier-{dossier.learner_id}-cohorte-{dossier.cohort_id}-v{dossier.version}.zip"


# Retention -----------------------------------------------------------------------------------
