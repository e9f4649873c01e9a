"""Global administration (blueprint ``admin``): the overview of the whole installation."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import case, func
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.permissions import admin_required
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.curriculum.models import Module, TrainingPath
from lms.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def cohort_rows() -> list[tuple[Cohort, int, int]]:
    """Return every cohort with its learner and trainer counts, in one query."""
    counts = (
        db.select(
            Membership.cohort_id,
            func.count(case((Membership.role == MembershipRole.LEARNER, 1))).label("learners"),
            func.count(case((Membership.role == MembershipRole.TRAINER, 1))).label("trainers"),
        )
        .group_by(Membership.cohort_id)
        .subquery()
    )
    query = (
        db.select(Cohort, func.coalesce(counts.c.learners, 0), func.coalesce(counts.c.trainers, 0))
        .outerjoin(counts, counts.c.cohort_id == Cohort.id)
        .options(joinedload(Cohort.path))
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    )
    rows = db.session.execute(query)
    return [(cohort, learners, trainers) for cohort, learners, trainers in rows]


def user_totals() -> dict[str, int]:
    """Count users, active users and administrators, in one query."""
    row = db.session.execute(
        db.select(
            func.count(User.id),
            func.count(case((User.is_active, 1))),
            func.count(case((User.is_admin, 1))),
        )
    ).one()
    return {"users": row[0], "active": row[1], "admins": row[2]}


def path_rows() -> list[tuple[TrainingPath, int]]:
    """Return the loaded paths with their number of modules, in one query."""
    query = (
        db.select(TrainingPath, func.count(Module.id))
        .outerjoin(Module, Module.path_id == TrainingPath.id)
        .group_by(TrainingPath.id)
        .order_by(TrainingPath.code, TrainingPath.version)
    )
    return [(path, modules) for path, modules in db.session.execute(query)]


@bp.get("/")
@admin_required
def overview():
    """Show every cohort with its counts, the user totals and the loaded paths."""
    return render_template(
        "admin/overview.html",
        cohorts=cohort_rows(),
        totals=user_totals(),
        paths=path_rows(),
    )
