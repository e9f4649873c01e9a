"""Trainer and administrator pages of the cohorts domain (blueprint ``cohorts_manage``)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.orm import aliased, joinedload

from lms.accounts.permissions import deny, login_required
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.cohorts.signals import other_duties
from lms.extensions import db

bp = Blueprint("cohorts_manage", __name__, url_prefix="/manage/cohorts")


def trained_cohorts(user) -> list[tuple[Cohort, int]]:
    """Return the cohorts ``user`` trains with their number of learners, in one query."""
    learners = (
        db.select(Membership.cohort_id, func.count(Membership.id).label("count"))
        .filter_by(role=MembershipRole.LEARNER)
        .group_by(Membership.cohort_id)
        .subquery()
    )
    staff = aliased(Membership)
    query = (
        db.select(Cohort, func.coalesce(learners.c.count, 0))
        .join(staff, staff.cohort_id == Cohort.id)
        .where(staff.user_id == user.id, staff.role == MembershipRole.TRAINER)
        .outerjoin(learners, learners.c.cohort_id == Cohort.id)
        .options(joinedload(Cohort.path))
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    )
    return [(cohort, count) for cohort, count in db.session.execute(query)]


@bp.get("/")
@login_required
def my_cohorts():
    """List the cohorts the trainer teaches; people who train no cohort are denied."""
    cohorts = trained_cohorts(current_user)
    if not cohorts:
        deny()
    duties = other_duties.send(current_user._get_current_object())
    elsewhere = [duty for _receiver, answer in duties for duty in answer or ()]
    return render_template("cohorts/manage/my_cohorts.html", cohorts=cohorts, elsewhere=elsewhere)
