"""Objects of the indicators' pages for the security world (tests/security/world.py)."""

from __future__ import annotations

from lms.core.time import local_today
from lms.extensions import db
from lms.quality.indicators.models import PublishedIndicator, Withdrawal


def _withdraw(cohort, learner, reason: str) -> Withdrawal:
    membership = next(m for m in cohort.memberships if m.user_id == learner.id)
    withdrawal = Withdrawal(membership=membership, withdrawn_on=cohort.starts_on, reason=reason)
    db.session.add(withdrawal)
    return withdrawal


def security_world_indicators(bien_vivre, other, users) -> dict:
    """Learner A's withdrawal, the other learner's, and one published indicator."""
    withdrawal = _withdraw(bien_vivre.cohort, users["learner_a"], "Emploi trouvé")
    other_withdrawal = _withdraw(other.cohort, users["other_learner"], "Déménagement")
    publication = PublishedIndicator(
        path_code=bien_vivre.cohort.path.code, year=local_today().year - 1, indicator="entered"
    )
    db.session.add(publication)
    db.session.commit()
    return {
        "withdrawal": withdrawal,
        "other_withdrawal": other_withdrawal,
        "publication": publication,
    }
