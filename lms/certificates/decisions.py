"""Certification decisions: who is awarded, deferred or refused, with the evidence seen.

Services flush and never commit (DESIGN.md §4); views, commands and jobs commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.certificates.eligibility import LearnerEligibility, learner_eligibility
from lms.certificates.errors import CertificateError
from lms.certificates.jury.definition import jury_of_path
from lms.certificates.jury.models import Jury
from lms.certificates.models import (
    PATH_SCOPE,
    Certificate,
    CertificateState,
    CertificationDecision,
    DecisionOutcome,
)
from lms.cohorts.access import is_learner_of
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.logging import security_event
from lms.core.text import text_problem
from lms.core.time import utcnow
from lms.extensions import db


def _latest_decisions_query(cohort: Cohort):
    return (
        db.select(CertificationDecision)
        .filter_by(cohort_id=cohort.id)
        .order_by(CertificationDecision.decided_at, CertificationDecision.id)
    )


def latest_decisions(cohort: Cohort) -> dict[int, CertificationDecision]:
    """Return the latest decision of every learner of the cohort who has one, by learner id."""
    latest: dict[int, CertificationDecision] = {}
    for decision in db.session.scalars(_latest_decisions_query(cohort)):
        latest[decision.learner_id] = decision  # in order: the last one wins
    return latest


def _learner_decisions_query(cohort: Cohort, learner: User):
    return (
        db.select(CertificationDecision)
        .filter_by(cohort_id=cohort.id, learner_id=learner.id)
        .order_by(CertificationDecision.decided_at.desc(), CertificationDecision.id.desc())
    )


def latest_decision(cohort: Cohort, learner: User) -> CertificationDecision | None:
    """Return the learner's latest decision in the cohort, if any."""
    return db.session.scalars(_learner_decisions_query(cohort, learner).limit(1)).first()


def decision_history(cohort: Cohort, learner: User) -> list[CertificationDecision]:
    """Return every decision about the learner in the cohort, the latest first."""
    return list(db.session.scalars(_learner_decisions_query(cohort, learner)))


def require_learner(cohort: Cohort, learner: User) -> None:
    # One indexed query: issuing a batch must not load every membership of the cohort.
    if not is_learner_of(learner, cohort):
        raise CertificateError(
            _("%(name)s is not a learner of this cohort.", name=learner.display_name)
        )


def record_decision(
    cohort: Cohort,
    learner: User,
    *,
    outcome: DecisionOutcome,
    reason: str,
    decided_by: User | None,
    now: datetime | None = None,
    jury: Jury | None = None,
    blocks: tuple[str, ...] = (),
    eligibility: LearnerEligibility | None = None,
    evidence: dict[str, Any] | None = None,
) -> CertificationDecision:
    """Record the certification decision on a learner, with the evidence seen at that moment.

    ``decided_by`` is empty for an automatic decision (``LMS_CERTIFICATES_AUTO_ISSUE``). When
    the path declares a jury, only its jury decides (``jury``, from ``lms.certificates.jury``):
    a partial validation (``PARTIAL``) names its ``blocks``; ``evidence`` joins the snapshot
    (the jury's votes and recusals).

    Awarding a learner who is not eligible is an override: it needs a reason and is audited
    as such (SECURITY.md G28). Deferring or refusing always needs a reason, for the learner.
    """
    require_learner(cohort, learner)
    if jury is None and jury_of_path(cohort.path_id) is not None:
        raise CertificateError(
            _("This path declares a jury: its jury decides, not an administrator alone.")
        )
    if (outcome == DecisionOutcome.PARTIAL) != bool(blocks):
        raise CertificateError(_("A partial validation names the blocks it validates."))
    now = now or utcnow()
    reason = checked_reason(reason)
    eligibility = eligibility or learner_eligibility(cohort, learner, now)
    is_override = outcome == DecisionOutcome.AWARDED and not eligibility.is_eligible
    if is_override and not reason:
        raise CertificateError(
            _("This learner is not eligible: awarding the certificate anyway needs a reason.")
        )
    if outcome != DecisionOutcome.AWARDED and not reason:
        raise CertificateError(_("Say why the certification is deferred or refused."))
    decision = CertificationDecision(
        learner=learner,
        cohort=cohort,
        outcome=outcome,
        reason=reason,
        is_override=is_override,
        decided_by=decided_by,
        decided_at=now,
        snapshot={"computed_at": now.isoformat(), **eligibility.snapshot(), **(evidence or {})},
        jury=jury,
        validated_blocks=" ".join(blocks),
    )
    db.session.add(decision)
    db.session.flush()
    action = "certification.override" if is_override else "certification.decide"
    after = {"learner_id": learner.id, "outcome": outcome.value, "reason": reason}
    if jury is not None:
        after |= {"jury_id": jury.id, "blocks": " ".join(blocks)}
    record_audit_event(decided_by, action, decision, after=after)
    actor_id = decided_by.id if decided_by else None
    security_event(action, actor_id=actor_id, learner_id=learner.id, outcome=outcome.value)
    return decision


def awarded_without_certificate(cohort: Cohort) -> list[User]:
    """Return the learners whose latest decision awards them and who hold no valid certificate."""
    awarded = [
        decision.learner_id for decision in latest_decisions(cohort).values() if decision.awards
    ]
    if not awarded:
        return []
    holders = db.select(Certificate.learner_id).filter_by(
        path_id=cohort.path_id, scope=PATH_SCOPE, state=CertificateState.VALID
    )
    return list(
        db.session.scalars(
            db.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.cohort_id == cohort.id,
                Membership.role == MembershipRole.LEARNER,
                User.id.in_(awarded),
                User.id.not_in(holders),
            )
            .order_by(User.display_name, User.id)
        )
    )


def checked_reason(reason: str | None) -> str:
    """Return the reason without surrounding spaces, or refuse characters it may not hold."""
    if problem := text_problem(reason, multiline=True):
        raise CertificateError(problem)
    return (reason or "").strip()
