"""A cohort's withdrawals (« abandons »), for its administrators (blueprint ``withdrawals``).

``/admin/cohorts/<id>/withdrawals`` lists the learners who withdrew, with the day and reason, and
records a new one; each can be cancelled when recorded by mistake. The cohort's administrators
(central, or of its territory) reach it from the members page, like the members themselves;
another territory's cohort is a 404 for a local administrator. Recording and cancelling are
audited. The dropout indicator counts these rows (docs/quality-indicators.md).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from lms.accounts.models import User
from lms.accounts.permissions import acting_user
from lms.cohorts.access import cohort_admin_or_404
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.transactions import unit_of_work
from lms.extensions import db
from lms.quality.indicators.forms import ConfirmForm, WithdrawalForm
from lms.quality.indicators.models import Withdrawal
from lms.quality.indicators.services import (
    IndicatorError,
    cancel_withdrawal,
    record_withdrawal,
)

bp = Blueprint("withdrawals", __name__, url_prefix="/admin/cohorts")


def _learners(cohort: Cohort) -> list[tuple[Membership, Withdrawal | None]]:
    """Return the cohort's learners by name, each with their withdrawal (one query)."""
    query = (
        db.select(Membership, Withdrawal)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Withdrawal, Withdrawal.membership_id == Membership.id)
        .options(joinedload(Membership.user))
        .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER)
        .order_by(User.display_name, User.id)
    )
    return [(membership, withdrawal) for membership, withdrawal in db.session.execute(query)]


def _render(cohort: Cohort, form: WithdrawalForm, status: int = 200):
    learners = _learners(cohort)
    form.learner.choices = [
        SelectChoice(membership.id, membership.user.display_name)
        for membership, withdrawal in learners
        if withdrawal is None
    ]
    return (
        render_template(
            "quality/indicators/withdrawals.html",
            cohort=cohort,
            form=form,
            withdrawn=[(m, w) for m, w in learners if w is not None],
            staying=len(form.learner.choices),
            confirm=ConfirmForm(),
        ),
        status,
    )


@bp.route("/<int:cohort_id>/withdrawals", methods=["GET", "POST"])
def page(cohort_id: int):
    """List the cohort's withdrawals; record one (POST)."""
    cohort = cohort_admin_or_404(cohort_id)
    form = WithdrawalForm()
    if request.method == "GET":
        return _render(cohort, form)
    form.learner.choices = [
        SelectChoice(membership.id, "")
        for membership, withdrawal in _learners(cohort)
        if not withdrawal
    ]
    if not form.validate_on_submit():
        return _render(cohort, form, 400)
    membership = db.session.get(Membership, form.learner.data)
    withdrawn_on = form.withdrawn_on.data
    assert withdrawn_on is not None  # InputRequired
    if membership is None or membership.cohort_id != cohort.id:
        abort(404)
    try:
        with unit_of_work():
            record_withdrawal(
                membership,
                withdrawn_on=withdrawn_on,
                reason=form.reason.data,
                recorded_by=acting_user(),
            )
    except IndicatorError as error:
        form.withdrawn_on.errors = [str(error)]
        return _render(cohort, form, 409)
    flash(_("%(name)s’s withdrawal is recorded.", name=membership.user.display_name), "success")
    return redirect(url_for(".page", cohort_id=cohort.id))


@bp.post("/<int:cohort_id>/withdrawals/<int:withdrawal_id>/cancel")
def cancel(cohort_id: int, withdrawal_id: int):
    """Cancel a withdrawal recorded by mistake."""
    cohort = cohort_admin_or_404(cohort_id)
    withdrawal = db.session.get(Withdrawal, withdrawal_id)
    if withdrawal is None or withdrawal.membership.cohort_id != cohort.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = withdrawal.membership.user.display_name
    with unit_of_work():
        cancel_withdrawal(withdrawal, cancelled_by=acting_user())
    flash(_("%(name)s’s withdrawal is cancelled.", name=name), "success")
    return redirect(url_for(".page", cohort_id=cohort.id))
