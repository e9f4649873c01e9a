"""Allocate every remaining work of an assessment in a cohort at once (staff allocation page).

A work is remaining when one of its declared markings (first, second) is not allocated: each
learner's latest version of a marked assignment, or the learner × evaluation. Works are taken in
the page's order (learner name, then id) and each is allocated with the automatic allocation's
rules (``allocation.fill_work``: fewest open markings first, never the learner, never the same
person twice), so that the load stays balanced as the markings are added.

The whole run holds the assessment's row lock, like one learner's allocation: a second click (or
another person's run) waits, then finds nothing left and raises ``AllocationConflict`` (409).
A work nobody eligible can mark is left as it was (its savepoint rolled back) and reported by
learner name with the reason; the others are allocated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func

from lms.accounts.models import User
from lms.assessments.marking.allocation import (
    AllocationConflict,
    MarkingError,
    fill_work,
)
from lms.assessments.models import Assessment, Grade, Marking, MarkingRole, Submission
from lms.assessments.registry import type_of
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.db import lock_row_for_update
from lms.extensions import db


@dataclass
class BulkAllocation:
    """What a run allocated: the new markings, how many works, and the works left (named)."""

    made: list[Marking] = field(default_factory=list)
    works: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (learner's name, why)


def remaining_works(cohort: Cohort, assessment: Assessment) -> list[tuple[User, Submission | None]]:
    """Return the cohort's works of the assessment missing a declared marking (3 queries)."""
    learners = db.session.scalars(
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER)
        .order_by(User.display_name, User.id)
    ).all()
    ids = [learner.id for learner in learners]
    latest: dict[int, Submission] = {}
    if type_of(assessment).has_submission:
        for submission in db.session.scalars(
            db.select(Submission)
            .where(Submission.assessment_id == assessment.id, Submission.user_id.in_(ids))
            .order_by(Submission.version)
        ):
            latest[submission.user_id] = submission
    declared = db.session.execute(
        db.select(Grade.learner_id, Grade.submission_id, func.count(Marking.id))
        .join(Marking, Marking.grade_id == Grade.id)
        .where(
            Grade.assessment_id == assessment.id,
            Grade.learner_id.in_(ids),
            Marking.role.in_((MarkingRole.FIRST, MarkingRole.SECOND)),
        )
        .group_by(Grade.learner_id, Grade.submission_id)
    )
    allocated = {(learner_id, sub_id): count for learner_id, sub_id, count in declared}
    wanted = len(assessment.marker_pools)
    works: list[tuple[User, Submission | None]] = []
    for learner in learners:
        submission = latest.get(learner.id)
        if type_of(assessment).has_submission and submission is None:
            continue  # nothing submitted yet
        key = (learner.id, submission.id if submission else None)
        if allocated.get(key, 0) < wanted:
            works.append((learner, submission))
    return works


def allocate_remaining(actor: User, cohort: Cohort, assessment: Assessment) -> BulkAllocation:
    """Allocate every remaining work, balanced; report the works nobody eligible can mark."""
    if not assessment.is_marked:
        raise MarkingError(_("This assessment is graded by one trainer: nothing to allocate."))
    lock_row_for_update(db.session, Assessment, assessment.id)
    works = remaining_works(cohort, assessment)
    if not works:
        raise AllocationConflict()  # a second click, or somebody else's run, allocated them
    outcome = BulkAllocation()
    for learner, submission in works:
        try:
            with db.session.begin_nested():
                made = fill_work(actor, cohort, assessment, learner, submission)
        except AllocationConflict:
            raise
        except MarkingError as error:
            outcome.refused.append((learner.display_name, str(error)))
            continue
        outcome.made.extend(made)
        outcome.works += 1
    return outcome
