"""Who is who in a cohort: the one place for the cohort staff and membership rules.

- **staff** of a cohort: its trainers and every administrator (``is_staff``);
- **learner of** a cohort: a learner membership (``is_learner_of``);
- the cohorts a user is staff of, as a subquery (``staff_cohort_ids``: the grading queue);
- **staff of a learner's work**: an administrator, or a trainer of a cohort of the path where
  that person is a learner (``is_staff_of_learner``), which grading and file downloads ask;
- **assessor of** a cohort: an external assessor whose access has not ended
  (``is_assessor_of``, ``active_assessor_ids``). An assessor is neither staff nor learner: every
  rule above names the learner or trainer role, so an assessor membership grants nothing but what
  the marking allocated to them asks for, and only until ``Membership.access_ends_on`` (the last
  day, inclusive, in the organisation's timezone).

Territories (``lms.organisations``) add the **administrators of a cohort**: every central
administrator and the local administrators of its territory (``is_cohort_admin``,
``administered_cohort_ids``, loader ``cohort_admin_or_404``). They manage the cohort (its
members, calendar, sessions and attendance) and **follow** it (``follows``,
``followed_cohort_ids``, loader ``followed_cohort_or_403``: rosters, progress and reports, with
its trainers); they are not its teaching staff (``is_staff``: grading stays with trainers and
central administrators), and decisions and issuance stay central (``admin_required``). A local
administrator who reaches for another territory's cohort, where they have no role, gets the
same 404 as for an unknown id (``deny_cohort``): territories do not learn of each other.

Each predicate costs one indexed query at most and leaves ``Cohort.memberships`` unloaded: the
checks run on every page of a cohort, and a cohort has hundreds of memberships. The loaders
(``staff_cohort_or_403``, ``cohort_learner_or_404``) stop the request as
``lms.accounts.permissions`` says: anonymous visitors go to the login page, other people get 403,
unknown objects 404.
"""

from __future__ import annotations

from datetime import date
from typing import NoReturn

from flask import abort, g
from flask_login import current_user
from sqlalchemy import Select, exists
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.interfaces import ORMOption

from lms.accounts.models import User
from lms.accounts.permissions import deny, loaded_or_404
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.time import local_today
from lms.extensions import db
from lms.organisations import administers_some_territory
from lms.organisations.access import (
    administered_territory_ids,
    administers_territory,
    is_local_admin,
)

__all__ = [
    "active_assessor_ids",
    "administered_cohort_ids",
    "administers_cohort",
    "cohort_admin_or_404",
    "cohort_learner_or_404",
    "deny_cohort",
    "followed_cohort_ids",
    "followed_cohort_or_403",
    "follows",
    "is_assessor_of",
    "is_cohort_admin",
    "is_learner_of",
    "is_staff",
    "is_staff_of_learner",
    "is_trainer_of",
    "learner_cohort_or_404",
    "manages_cohorts",
    "member_role",
    "staff_cohort_ids",
    "staff_cohort_or_403",
]


def member_role(user: User, cohort: Cohort) -> MembershipRole | None:
    """Return the user's role in the cohort, or None (one query, memberships not loaded)."""
    return db.session.scalar(
        db.select(Membership.role).filter_by(cohort_id=cohort.id, user_id=user.id)
    )


def is_learner_of(user: User, cohort: Cohort) -> bool:
    """Tell whether ``user`` is a learner of ``cohort`` (one query)."""
    return member_role(user, cohort) == MembershipRole.LEARNER


def is_trainer_of(user: User, cohort: Cohort) -> bool:
    """Tell whether ``user`` is a trainer of ``cohort`` (one query)."""
    return member_role(user, cohort) == MembershipRole.TRAINER


def is_assessor_of(user: User, cohort: Cohort, today: date | None = None) -> bool:
    """Tell whether ``user`` is an external assessor of ``cohort`` whose access lasts (one query).

    ``today`` defaults to the current date in the organisation's timezone: the access ends at the
    end of ``access_ends_on``.
    """
    return bool(
        db.session.scalar(
            db.select(
                exists(active_assessor_ids(cohort.id, today).where(Membership.user_id == user.id))
            )
        )
    )


def active_assessor_ids(cohort_id: int, today: date | None = None) -> Select[tuple[int]]:
    """Return a select of the user ids of the cohort's assessors whose access has not ended."""
    return db.select(Membership.user_id).where(
        Membership.cohort_id == cohort_id,
        Membership.role == MembershipRole.ASSESSOR,
        Membership.access_ends_on >= (today or local_today()),
    )


def is_staff(user: User, cohort: Cohort) -> bool:
    """Tell whether ``user`` is staff of the cohort: an administrator (no query) or its trainer."""
    return user.is_admin or is_trainer_of(user, cohort)


def is_cohort_admin(user: User, cohort: Cohort) -> bool:
    """Tell whether ``user`` administers the cohort: central (no query) or of its territory."""
    return user.is_authenticated and administers_territory(user, cohort.territory_id)


def follows(user: User, cohort: Cohort) -> bool:
    """Tell whether ``user`` follows the cohort: its staff or one of its administrators."""
    return is_staff(user, cohort) or is_cohort_admin(user, cohort)


def manages_cohorts() -> bool:
    """Tell whether the current user administers cohorts: central, or local administrator of
    some territory (one query at most per request, for the pages' navigation)."""
    if not current_user.is_authenticated:
        return False
    return bool(current_user.is_admin or administers_some_territory())


def administers_cohort(cohort: Cohort) -> bool:
    """Tell whether the current user administers ``cohort`` (for the pages' navigation; one
    query at most per cohort and request)."""
    if not current_user.is_authenticated:
        return False
    if current_user.is_admin:
        return True
    answers = g.setdefault("administered_cohorts", {})
    if cohort.id not in answers:
        answers[cohort.id] = is_cohort_admin(current_user, cohort)
    return bool(answers[cohort.id])


def administered_cohort_ids(user: User) -> Select[tuple[int]]:
    """Return a select of the ids of the cohorts ``user`` administers (all for central)."""
    if user.is_admin:
        return db.select(Cohort.id)
    return db.select(Cohort.id).where(Cohort.territory_id.in_(administered_territory_ids(user)))


def followed_cohort_ids(user: User) -> Select[tuple[int]]:
    """Return a select of the ids of the cohorts ``user`` trains or administers."""
    if user.is_admin:
        return db.select(Cohort.id)
    return db.select(Cohort.id).where(
        Cohort.id.in_(staff_cohort_ids(user))
        | Cohort.territory_id.in_(administered_territory_ids(user))
    )


def hidden_from(user: User, cohort: Cohort) -> bool:
    """Tell whether the cohort lies outside the territories of a local administrator who has
    no role in it: such a cohort is answered as if it did not exist (two queries at most)."""
    if not user.is_authenticated or user.is_admin or member_role(user, cohort) is not None:
        return False
    return is_local_admin(user) and not administers_territory(user, cohort.territory_id)


def deny_cohort(cohort: Cohort) -> NoReturn:
    """Refuse a request about ``cohort``: 404 when it is hidden from the user, else ``deny``."""
    if hidden_from(current_user, cohort):
        abort(404)
    deny()


def is_staff_of_learner(user: User, learner_id: int, path_id: int) -> bool:
    """Tell whether ``user`` administers, or trains a cohort of the path where the learner learns.

    One query for trainers: a trainer of another cohort, or of the learner's cohort of another
    path, is not staff of that learner's work on this path.
    """
    if user.is_admin:
        return True
    learner, trainer = aliased(Membership), aliased(Membership)
    query = (
        db.select(Cohort.id)
        .join(learner, learner.cohort_id == Cohort.id)
        .join(trainer, trainer.cohort_id == Cohort.id)
        .where(
            Cohort.path_id == path_id,
            learner.user_id == learner_id,
            learner.role == MembershipRole.LEARNER,
            trainer.user_id == user.id,
            trainer.role == MembershipRole.TRAINER,
        )
    )
    return bool(db.session.scalar(db.select(exists(query))))


def staff_cohort_ids(user: User) -> Select[tuple[int]]:
    """Return a select of the ids of the cohorts ``user`` is staff of (all for an administrator)."""
    if user.is_admin:
        return db.select(Cohort.id)
    return db.select(Membership.cohort_id).filter_by(user_id=user.id, role=MembershipRole.TRAINER)


def staff_cohort_or_403(cohort_id: int, *options: ORMOption) -> Cohort:
    """Return the cohort for its staff; deny everyone else, 404 when there is no such cohort.

    ``options`` (``joinedload(Cohort.path)``…) load what the page needs in the same query.
    """
    cohort = loaded_or_404(Cohort, cohort_id, *options)
    if not is_staff(current_user, cohort):
        deny_cohort(cohort)
    return cohort


def followed_cohort_or_403(cohort_id: int, *options: ORMOption) -> Cohort:
    """Return the cohort for its staff and administrators (its reports); deny everyone else."""
    cohort = loaded_or_404(Cohort, cohort_id, *options)
    if not follows(current_user, cohort):
        deny_cohort(cohort)
    return cohort


def cohort_admin_or_404(cohort_id: int, *options: ORMOption) -> Cohort:
    """Return the cohort for its administrators (central, or of its territory); deny others.

    Another territory's cohort is a 404 for a local administrator (``deny_cohort``).
    """
    cohort = loaded_or_404(Cohort, cohort_id, *options)
    if not is_cohort_admin(current_user, cohort):
        deny_cohort(cohort)
    return cohort


def learner_cohort_or_404(cohort_id: int) -> Cohort:
    """Return the cohort (its path loaded) when the current user learns in it; deny others."""
    cohort = loaded_or_404(Cohort, cohort_id, joinedload(Cohort.path))
    if not is_learner_of(current_user, cohort):
        deny_cohort(cohort)
    return cohort


def cohort_learner_or_404(cohort: Cohort, user_id: int) -> User:
    """Return the user of the URL when they are a learner of the cohort; 404 otherwise."""
    # The user and their membership in one query: anyone else is not found here.
    return db.first_or_404(
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.id == user_id,
            Membership.cohort_id == cohort.id,
            Membership.role == MembershipRole.LEARNER,
        )
    )
