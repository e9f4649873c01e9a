"""Administration of a cohort's external assessors (blueprint ``cohort_assessors``).

The forms live on the cohort's members page (``cohorts_admin.members``); each route here
changes one thing, then goes back to that page, or shows it again with the form's errors.
Every route is for the cohort's administrators, central or of its territory
(``cohort_admin_or_404``): another territory's cohort is a 404, as for unknown ids.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.cohorts.access import cohort_admin_or_404
from lms.cohorts.assessors import (
    change_assessor_access,
    invite_assessor,
    notify_assessor,
    remove_assessor,
)
from lms.cohorts.forms import ActionForm, invite_form
from lms.cohorts.members_page import access_form, render_members
from lms.cohorts.models import Membership, MembershipRole
from lms.cohorts.services import CohortError
from lms.core.formatting import format_day
from lms.core.time import local_today
from lms.core.transactions import unit_of_work
from lms.extensions import db

bp = Blueprint("cohort_assessors", __name__, url_prefix="/admin/cohorts")


def _assessor_or_404(cohort_id: int, membership_id: int) -> Membership:
    """Return the assessor membership of the URL; 404 for anyone else's or another cohort's."""
    cohort_admin_or_404(cohort_id)
    membership = db.get_or_404(Membership, membership_id)
    if membership.cohort_id != cohort_id or membership.role != MembershipRole.ASSESSOR:
        abort(404)
    return membership


def _members_page(cohort_id: int):
    """Redirect to the cohort's members page, at its assessors section."""
    return redirect(url_for("cohorts_admin.members", cohort_id=cohort_id, _anchor="assessors"))


def _refuse(form, error: CohortError) -> None:
    """Show a refusal beside the field to blame, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@bp.post("/<int:cohort_id>/assessors")
def invite(cohort_id: int):
    """Name an external assessor by e-mail (inviting a new account), then e-mail them."""
    cohort = cohort_admin_or_404(cohort_id)
    form = invite_form()
    if form.validate():
        try:
            with unit_of_work():
                membership = invite_assessor(
                    current_user,
                    cohort,
                    email=form.email.data,
                    display_name=form.display_name.data or "",
                    locale=form.locale.data,
                    access_ends_on=form.access_ends_on.data,
                )
        except CohortError as error:
            _refuse(form, error)
        else:
            notify_assessor(membership)
            flash(
                _(
                    "%(name)s is an external assessor of the cohort until %(date)s.",
                    name=membership.user.display_name,
                    date=format_day(membership.access_ends_on, "long"),
                ),
                "success",
            )
            return _members_page(cohort.id)
    return render_members(cohort, invite=form)


@bp.post("/<int:cohort_id>/assessors/<int:membership_id>/access")
def change_access(cohort_id: int, membership_id: int):
    """Move the last day of an assessor's access; today or earlier ends it now."""
    membership = _assessor_or_404(cohort_id, membership_id)
    form = access_form()
    if form.validate():
        try:
            with unit_of_work():
                change_assessor_access(current_user, membership, form.access_ends_on.data)
        except CohortError as error:
            _refuse(form, error)
        else:
            flash(_access_message(membership), "success")
            return _members_page(cohort_id)
    return render_members(membership.cohort, access_forms={membership.id: form})


def _access_message(membership: Membership) -> str:
    """Say until when the assessor's access now lasts, or that it has ended."""
    name, ends_on = membership.user.display_name, membership.access_ends_on
    if ends_on is not None and ends_on < local_today():
        return _("The access of %(name)s has ended.", name=name)
    return _("%(name)s has access until %(date)s.", name=name, date=format_day(ends_on, "long"))


@bp.post("/<int:cohort_id>/assessors/<int:membership_id>/remove")
def remove(cohort_id: int, membership_id: int):
    """Take an external assessor out of the cohort (their account stays)."""
    membership = _assessor_or_404(cohort_id, membership_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = membership.user.display_name
    with unit_of_work():
        remove_assessor(current_user, membership)
    flash(_("%(name)s is no longer an external assessor of the cohort.", name=name), "success")
    return _members_page(cohort_id)
