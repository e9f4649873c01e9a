"""Who is recused for whom: a member who trains the candidate's cohort, or marked their work.

Computed from the records, in two queries whatever the number of candidates: the cohort's
trainers among the members, and every grade of a candidate of the cohort that a member graded
(``Grade.grader_id``) or acted on (a ``GradeEvent`` of theirs: double marking appends one for
every marking). The closing records them (``JuryRecusal``) for the minutes.
"""

from __future__ import annotations

from lms.assessments.models import Grade, GradeEvent
from lms.certificates.jury.models import Jury, RecusalReason
from lms.cohorts.models import Membership, MembershipRole
from lms.extensions import db

# (member id, learner id) -> why the member is recused for that candidate
Recusals = dict[tuple[int, int], RecusalReason]


def trainers_of_cohort(jury: Jury) -> set[int]:
    """Return the user ids of the members who train the jury's cohort (one query)."""
    users = [member.user_id for member in jury.members]
    if not users:
        return set()
    query = db.select(Membership.user_id).where(
        Membership.cohort_id == jury.cohort_id,
        Membership.role == MembershipRole.TRAINER,
        Membership.user_id.in_(users),
    )
    return set(db.session.scalars(query))


def jury_recusals(jury: Jury, candidate_ids: list[int]) -> Recusals:
    """Return every recusal of the jury's members for these candidates."""
    by_user = {member.user_id: member.id for member in jury.members}
    found: Recusals = {}
    if not by_user or not candidate_ids:
        return found
    for user_id in trainers_of_cohort(jury):
        for learner_id in candidate_ids:
            found[(by_user[user_id], learner_id)] = RecusalReason.TRAINED
    graded = db.select(Grade.learner_id, Grade.grader_id.label("user_id")).where(
        Grade.grader_id.in_(by_user), Grade.learner_id.in_(candidate_ids)
    )
    acted = (
        db.select(Grade.learner_id, GradeEvent.actor_id.label("user_id"))
        .join(GradeEvent, GradeEvent.grade_id == Grade.id)
        .where(GradeEvent.actor_id.in_(by_user), Grade.learner_id.in_(candidate_ids))
    )
    for learner_id, user_id in db.session.execute(graded.union(acted)):
        found.setdefault((by_user[user_id], learner_id), RecusalReason.MARKED)
    return found
