"""The president closes the deliberation: the tally's winners become the candidates' decisions.

Closing locks the jury's row (as a vote does), so a vote and the closing take turns: a vote
committed first is counted, a vote arriving after is refused with a 409. The jury cannot close
while a candidate is undecided (quorum not reached, no majority): the refusal names them. Each
candidate's decision records the jury, the president as the one who decided, every vote and the
recusals with the eligibility snapshot. The minutes are rendered and stored in the same
transaction (a new version at each closing of a reopened jury).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.services import record_audit_event
from lms.certificates.decisions import record_decision
from lms.certificates.eligibility import cohort_eligibility
from lms.certificates.jury.composition import refuse_if_closed, rules_or_error
from lms.certificates.jury.errors import JuryConflict, JuryError
from lms.certificates.jury.minutes_store import store_minutes
from lms.certificates.jury.models import (
    Jury,
    JuryMember,
    JuryMinutes,
    JuryRecusal,
    JuryState,
    Proposal,
)
from lms.certificates.jury.votes import CandidateTally, JuryTally, recommendations_of, tally
from lms.certificates.models import CertificationDecision, DecisionOutcome
from lms.core.db import lock_row_for_update
from lms.core.logging import security_event
from lms.core.time import utcnow
from lms.extensions import db

OUTCOMES = {
    Proposal.AWARD_PATH: DecisionOutcome.AWARDED,
    Proposal.AWARD_BLOCKS: DecisionOutcome.PARTIAL,
    Proposal.DEFER: DecisionOutcome.DEFERRED,
    Proposal.REFUSE: DecisionOutcome.REFUSED,
}


def blocking_message(result: JuryTally) -> str:
    """Say which candidates keep the jury from closing, and why."""
    lines = [f"{row.learner.display_name} ({row.problem})" for row in result.blocking]
    return _("The jury cannot close yet: %(candidates)s.", candidates="; ".join(lines))


def close_jury(
    president: JuryMember, jury: Jury, now: datetime | None = None
) -> tuple[list[CertificationDecision], JuryMinutes]:
    """Close the deliberation: record each candidate's decision and the minutes (flush only)."""
    lock_row_for_update(db.session, Jury, jury.id)
    db.session.refresh(jury)
    refuse_if_closed(jury)
    if jury.state != JuryState.OPEN:
        raise JuryConflict(_("This jury is not open: it cannot close."))
    if not president.is_president:
        raise JuryError(_("Only the jury's president closes the deliberation."))
    rules = rules_or_error(jury.cohort)
    result = tally(jury, rules)
    if result.blocking:
        raise JuryError(blocking_message(result))
    now = now or utcnow()
    _record_recusals(jury, result, now)
    eligibility = cohort_eligibility(jury.cohort, now)
    decisions = []
    for row in result.rows:
        judged = eligibility.learner(row.learner.id)
        decisions.append(_decide(president, jury, row, judged, now))
    jury.state, jury.closed_at, jury.closed_by_id = JuryState.CLOSED, now, president.user_id
    try:
        db.session.flush()
    except StaleDataError as error:
        raise JuryConflict(_("This jury changed meanwhile: read it again.")) from error
    minutes = store_minutes(jury, result, rules)
    after = {"decisions": len(decisions), "minutes_version": minutes.version}
    record_audit_event(president.user, "jury.close", jury, after=after)
    security_event("jury.close", actor_id=president.user_id, jury_id=jury.id)
    return decisions, minutes


def _record_recusals(jury: Jury, result: JuryTally, now: datetime) -> None:
    """Record the recusals as they stand at this closing (replacing an earlier closing's)."""
    db.session.execute(db.delete(JuryRecusal).where(JuryRecusal.jury_id == jury.id))
    db.session.add_all(
        JuryRecusal(
            jury_id=jury.id,
            member_id=member_id,
            learner_id=learner_id,
            reason=reason,
            recorded_at=now,
        )
        for (member_id, learner_id), reason in sorted(result.recusals.items())
    )


def _decide(president, jury, row: CandidateTally, judged, now) -> CertificationDecision:
    """Record the candidate's decision from the winning proposal, with every vote."""
    assert row.winner is not None
    proposal, blocks = Proposal(row.winner[0]), row.winner[1]
    recommendations = recommendations_of(row, president.id)
    reason = _("Decision of the jury of %(date)s.", date=format_date(jury.held_on, "long"))
    if recommendations:
        reason += "\n" + recommendations
    names = {member.id: member.user.display_name for member in jury.members}
    evidence = {
        "jury": {
            "id": jury.id,
            "held_on": jury.held_on.isoformat(),
            "by_casting_vote": row.by_casting_vote,
            "recommendations": recommendations,
            "votes": [
                {
                    "member": names.get(vote.member_id, ""),
                    "member_id": vote.member_id,
                    "proposal": vote.proposal.value,
                    "blocks": list(vote.block_codes),
                    "comment": vote.comment,
                    "cast_at": vote.cast_at.isoformat(),
                }
                for vote in row.votes
            ],
            "recused": [
                {"member": names.get(member_id, ""), "reason": reason_.value}
                for member_id, reason_ in row.recused.items()
            ],
        }
    }
    return record_decision(
        jury.cohort,
        row.learner,
        outcome=OUTCOMES[proposal],
        reason=reason,
        decided_by=president.user,
        now=now,
        jury=jury,
        blocks=blocks,
        eligibility=judged,
        evidence=evidence,
    )
