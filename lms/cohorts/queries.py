"""Read-only queries of the cohort administration pages, each in a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole
from lms.curriculum.graph import topological_order
from lms.curriculum.models import Module, TrainingPath
from lms.extensions import db


def cohort_list_rows(
    state: CohortState | None, territory_ids: list[int] | None = None
) -> list[tuple[Cohort, int, list[User]]]:
    """Return cohorts with their learner count and trainers, in two queries.

    ``territory_ids`` keeps the cohorts of those territories (None: every territory).
    """
    learners = (
        db.select(Membership.cohort_id, func.count(Membership.id).label("count"))
        .filter_by(role=MembershipRole.LEARNER)
        .group_by(Membership.cohort_id)
        .subquery()
    )
    query = (
        db.select(Cohort, func.coalesce(learners.c.count, 0))
        .outerjoin(learners, learners.c.cohort_id == Cohort.id)
        .options(joinedload(Cohort.path), joinedload(Cohort.territory))
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    )
    if state is not None:
        query = query.where(Cohort.state == state)
    if territory_ids is not None:
        query = query.where(Cohort.territory_id.in_(territory_ids))
    rows = db.session.execute(query).all()
    trainers = _trainers_of([cohort.id for cohort, _count in rows])
    return [(cohort, count, trainers.get(cohort.id, [])) for cohort, count in rows]


def _trainers_of(cohort_ids: list[int]) -> dict[int, list[User]]:
    """Return the trainers of these cohorts by cohort id, in one query."""
    if not cohort_ids:
        return {}
    query = (
        db.select(Membership.cohort_id, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.cohort_id.in_(cohort_ids), Membership.role == MembershipRole.TRAINER)
        .order_by(User.display_name)
    )
    found: dict[int, list[User]] = {}
    for cohort_id, user in db.session.execute(query):
        found.setdefault(cohort_id, []).append(user)
    return found


def chronological_modules(path: TrainingPath) -> list[Module]:
    """Return the path's modules so that each comes after its prerequisites."""
    modules = sorted(path.modules, key=lambda module: module.position)
    by_code = {module.code: module for module in modules}
    order = topological_order({m.code: [p.code for p in m.prerequisites] for m in modules})
    return [by_code[code] for code in order]


# What the calendar page needs with its cohort: its path's modules and its calendar.
CALENDAR_OPTIONS = (
    selectinload(Cohort.path).selectinload(TrainingPath.modules),
    selectinload(Cohort.calendar),
)


def cohort_members(cohort: Cohort) -> list[Membership]:
    """Return the cohort's trainers and learners with their users, trainers first, by name.

    One query; external assessors are listed apart (``cohort_assessors``).
    """
    query = (
        db.select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.cohort_id == cohort.id,
            Membership.role.in_((MembershipRole.TRAINER, MembershipRole.LEARNER)),
        )
        .options(joinedload(Membership.user))
        .order_by(Membership.role.desc(), User.display_name, User.email)
    )
    return list(db.session.scalars(query))


def cohorts_learned_by(user: User) -> list[Cohort]:
    """Return the cohorts ``user`` learns in, newest first, their paths loaded (one query)."""
    return list(
        db.session.scalars(
            db.select(Cohort)
            .join(Membership, Membership.cohort_id == Cohort.id)
            .where(Membership.user_id == user.id, Membership.role == MembershipRole.LEARNER)
            .options(joinedload(Cohort.path))
            .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        ).unique()
    )


def cohort_learners(cohort: Cohort) -> list[User]:
    """Return the cohort's learners, by name (one query)."""
    return list(
        db.session.scalars(
            db.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER)
            .order_by(User.display_name, User.id)
        )
    )
