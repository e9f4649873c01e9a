"""The batch of issuance of the security tests' world (tests/security/world.py)."""

from __future__ import annotations

from lms.certificates.models import BatchState, IssuanceBatch
from lms.core.time import utcnow
from lms.extensions import db


def security_world_batches(bien_vivre, other, users) -> dict:
    """Return a finished batch of the cohort, with one learner not issued (learner B)."""
    batch = IssuanceBatch(
        cohort=bien_vivre.cohort,
        requested_by=users["admin"],
        state=BatchState.FINISHED,
        learner_ids=[users["learner_a"].id, users["learner_b"].id],
        total=2,
        issued=1,
        failed=1,
        errors=[{"learner_id": users["learner_b"].id, "message": "No decision yet."}],
        started_at=utcnow(),
        finished_at=utcnow(),
    )
    db.session.add(batch)
    db.session.commit()
    return {"batch": batch}
