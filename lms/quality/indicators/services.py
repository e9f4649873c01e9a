"""Recording withdrawals and choosing the published indicators (flush, never commit; audited)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.cohorts.models import Membership, MembershipRole
from lms.core.transactions import DomainError
from lms.extensions import db
from lms.quality.indicators.models import PublishedIndicator, Withdrawal
from lms.quality.indicators.rows import INDICATORS


class IndicatorError(DomainError):
    """A withdrawal or publication refused, with a message for the person."""


class PublicationConflict(IndicatorError):
    """Someone else saved the same publications at the same time (answered with 409)."""


def record_withdrawal(
    membership: Membership, *, withdrawn_on: date, reason: str, recorded_by: User
) -> Withdrawal:
    """Record that a learner withdrew from their cohort (once per membership)."""
    if membership.role != MembershipRole.LEARNER:
        raise IndicatorError(_("Only a learner can withdraw from a cohort."))
    cohort = membership.cohort
    if withdrawn_on < cohort.starts_on or withdrawn_on > cohort.ends_on:
        raise IndicatorError(
            _("The last day of participation must fall within the cohort’s dates.")
        )
    withdrawal = Withdrawal(
        membership=membership,
        withdrawn_on=withdrawn_on,
        reason=reason.strip(),
        recorded_by=recorded_by,
    )
    try:
        with db.session.begin_nested():
            db.session.add(withdrawal)
            db.session.flush()
    except IntegrityError:
        raise IndicatorError(_("This learner’s withdrawal is already recorded.")) from None
    record_audit_event(
        recorded_by,
        "withdrawal.record",
        withdrawal,
        after={
            "cohort_id": cohort.id,
            "learner_id": membership.user_id,
            "withdrawn_on": withdrawn_on.isoformat(),
        },
    )
    return withdrawal


def cancel_withdrawal(withdrawal: Withdrawal, *, cancelled_by: User) -> None:
    """Cancel a withdrawal recorded by mistake (the learner counts as staying again)."""
    record_audit_event(
        cancelled_by,
        "withdrawal.cancel",
        withdrawal,
        before={
            "cohort_id": withdrawal.membership.cohort_id,
            "learner_id": withdrawal.membership.user_id,
            "withdrawn_on": withdrawal.withdrawn_on.isoformat(),
        },
    )
    db.session.delete(withdrawal)
    db.session.flush()


def set_publication(
    path_code: str, year: int, indicators: Collection[str], *, actor: User
) -> tuple[set[str], set[str]]:
    """Publish exactly ``indicators`` for the path and year; return (added, removed)."""
    unknown = set(indicators) - set(INDICATORS)
    if unknown:
        raise IndicatorError(_("Unknown indicator: %(codes)s.", codes=", ".join(sorted(unknown))))
    rows = {
        row.indicator: row
        for row in db.session.scalars(
            db.select(PublishedIndicator)
            .filter_by(path_code=path_code, year=year)
            .with_for_update()
        )
    }
    added = set(indicators) - set(rows)
    removed = set(rows) - set(indicators)
    try:
        # Changes made inside the savepoint: a collision with someone saving the same
        # publications at once rolls back to it and leaves the request's transaction usable.
        with db.session.begin_nested():
            for code in sorted(removed):
                db.session.delete(rows[code])
            for code in sorted(added):
                db.session.add(
                    PublishedIndicator(
                        path_code=path_code, year=year, indicator=code, published_by=actor
                    )
                )
    except IntegrityError:
        raise PublicationConflict(
            _("Someone changed these publications at the same time; check them and try again.")
        ) from None
    if added or removed:
        subject = PublishedIndicator(path_code=path_code, year=year, indicator="")
        record_audit_event(
            actor,
            "indicators.publish",
            subject,
            before={"path": path_code, "year": year, "indicators": sorted(rows)},
            after={"path": path_code, "year": year, "indicators": sorted(indicators)},
        )
    return added, removed
