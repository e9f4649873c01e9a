"""External assessors of a cohort: invite them, change or end their access, list them.

An external assessor is a person from outside the organisation (a professional of the trade, a
member of the certifier's network) who marks the work allocated to them, until the last day of
their access (``Membership.access_ends_on``, inclusive, in the organisation's timezone). What
they may see is decided in ``lms.cohorts.access``; here are the administrators' use cases.

The last day of access lies between today and one year after the cohort ends
(``latest_access_end``): long enough for late resits and the jury, short enough that nobody
keeps an access the cohort forgot. Changing it to today or an earlier day ends the access at
once (it is then set to yesterday).

Services flush, never commit, and are audited; refusals raise ``CohortError`` naming the field.
The notice e-mail (``notify_assessor``) goes after the commit.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from lms.accounts.invitations import invite_account
from lms.accounts.models import User
from lms.accounts.services import find_user_by_email, record_audit_event
from lms.accounts.tokens import link_to
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.cohorts.services import CohortError, role_label
from lms.core.formatting import format_day
from lms.core.logging import security_event
from lms.core.mail import MailError, send_mail
from lms.core.text import text_problem
from lms.core.time import local_today
from lms.extensions import db

NOTICE_SUBJECT = _l("You are an external assessor of %(cohort)s")


def latest_access_end(cohort: Cohort) -> date:
    """Return the last day an assessor's access may reach: one year after the cohort ends."""
    ends = cohort.ends_on
    try:
        return ends.replace(year=ends.year + 1)
    except ValueError:  # 29 February: the 28th of the next year
        return ends.replace(year=ends.year + 1, day=28)


def _check_access_end(cohort: Cohort, access_ends_on: date, today: date) -> None:
    """Refuse a last day of access in the past or more than a year after the cohort ends."""
    if access_ends_on < today:
        raise CohortError(
            _("The last day of access cannot be in the past."), field="access_ends_on"
        )
    latest = latest_access_end(cohort)
    if access_ends_on > latest:
        raise CohortError(
            _(
                "The access can last until %(date)s at the latest, one year after the cohort ends.",
                date=format_day(latest, "long"),
            ),
            field="access_ends_on",
        )


def _assessor_values(membership: Membership) -> dict[str, Any]:
    """Describe an assessor membership with plain values, for the audit trail."""
    ends_on = membership.access_ends_on
    return {
        "user_id": membership.user.id,
        "email": membership.user.email,
        "cohort_id": membership.cohort.id,
        "role": str(membership.role),
        "access_ends_on": ends_on.isoformat() if ends_on else None,
    }


def _existing_account(cohort: Cohort, email: str) -> User | None:
    """Return the active account with this e-mail, if any; refuse one already in the cohort."""
    user = find_user_by_email(email)
    if user is None:
        return None
    if not user.is_active:
        raise CohortError(
            _("The account of %(email)s is deactivated: reactivate it first.", email=user.email),
            field="email",
        )
    current = db.session.scalar(
        db.select(Membership.role).filter_by(cohort_id=cohort.id, user_id=user.id)
    )
    if current is not None:
        raise CohortError(
            _(
                "%(email)s is already a %(role)s of %(cohort)s",
                email=user.email,
                role=role_label(current),
                cohort=cohort.name,
            ),
            field="email",
        )
    return user


def invite_assessor(
    actor: User,
    cohort: Cohort,
    *,
    email: str,
    display_name: str,
    locale: str,
    access_ends_on: date,
    today: date | None = None,
) -> Membership:
    """Name someone external assessor of the cohort until ``access_ends_on``; audited.

    An existing account is reused (its name and language stay theirs); otherwise an account is
    created and e-mailed an invitation to choose a password.
    """
    _check_access_end(cohort, access_ends_on, today or local_today())
    user = _existing_account(cohort, email)
    if user is None:
        if problem := text_problem(display_name):
            raise CohortError(problem, field="display_name")
        if not display_name.strip():
            raise CohortError(_("Give the name of the person."), field="display_name")
        # Last: it e-mails the invitation, which nothing after it may refuse.
        user = invite_account(actor, email=email, display_name=display_name, locale=locale)
    membership = Membership(
        user=user, cohort=cohort, role=MembershipRole.ASSESSOR, access_ends_on=access_ends_on
    )
    db.session.add(membership)
    db.session.flush()
    record_audit_event(actor, "assessor.invite", membership, after=_assessor_values(membership))
    _log("assessor.invite", actor, membership)
    return membership


def _require_assessor(membership: Membership) -> None:
    """Refuse a learner's or a trainer's membership."""
    if membership.role != MembershipRole.ASSESSOR:
        raise CohortError(_("This person is not an external assessor of the cohort."))


def change_assessor_access(
    actor: User, membership: Membership, access_ends_on: date, *, today: date | None = None
) -> Membership:
    """Move the last day of an assessor's access; today or earlier ends it now; audited."""
    _require_assessor(membership)
    today = today or local_today()
    if access_ends_on <= today:
        access_ends_on = today - timedelta(days=1)
    else:
        _check_access_end(membership.cohort, access_ends_on, today)
    before = _assessor_values(membership)
    if access_ends_on == membership.access_ends_on:
        return membership
    membership.access_ends_on = access_ends_on
    db.session.flush()
    record_audit_event(
        actor,
        "assessor.access",
        membership,
        before=before,
        after=_assessor_values(membership),
    )
    _log("assessor.access", actor, membership)
    return membership


def remove_assessor(actor: User, membership: Membership) -> None:
    """Take an external assessor out of the cohort (their account stays); audited."""
    _require_assessor(membership)
    before = _assessor_values(membership)
    _log("assessor.remove", actor, membership)
    db.session.delete(membership)
    db.session.flush()
    record_audit_event(actor, "assessor.remove", membership, before=before)


def _log(action: str, actor: User, membership: Membership) -> None:
    """Write the role change on the security log (SECURITY.md I36)."""
    ends_on = membership.access_ends_on
    security_event(
        action,
        user_id=membership.user_id,
        by_user_id=actor.id,
        cohort_id=membership.cohort_id,
        access_ends_on=ends_on.isoformat() if ends_on else None,
    )


def cohort_assessors(cohort: Cohort) -> list[Membership]:
    """Return the cohort's assessor memberships with their users, by name (one query)."""
    query = (
        db.select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.ASSESSOR)
        .options(joinedload(Membership.user))
        .order_by(User.display_name, User.email)
    )
    return list(db.session.scalars(query))


def assessor_memberships(user: User) -> list[Membership]:
    """Return the user's assessor memberships with their cohorts, latest access first."""
    query = (
        db.select(Membership)
        .where(Membership.user_id == user.id, Membership.role == MembershipRole.ASSESSOR)
        .options(joinedload(Membership.cohort))
        .order_by(Membership.access_ends_on.desc(), Membership.id)
    )
    return list(db.session.scalars(query))


def notify_assessor(membership: Membership) -> bool:
    """E-mail the assessor that they were named, for which cohort and until when (after commit).

    Written in the assessor's language. An account without a password yet (a new one receives
    its invitation separately) is reminded how to choose one. A refused message is logged and
    undoes nothing.
    """
    user, cohort = membership.user, membership.cohort
    with force_locale(user.locale):
        body = render_template(
            "cohorts/mail/assessor_named.txt",
            user=user,
            cohort=cohort,
            membership=membership,
            needs_password=not user.password_hash,
            login_link=link_to("accounts.login"),
        )
        subject = str(NOTICE_SUBJECT) % {"cohort": " ".join(cohort.name.split())}
    try:
        send_mail(user.email, subject, body)
    except MailError:
        current_app.logger.warning("assessor notice to user %s not sent", user.id)
        return False
    return True
