"""The administrators' members page of a cohort, rendered by the views that change its members.

Trainers and learners (``lms.cohorts.admin``) and external assessors
(``lms.cohorts.assessors_admin``) are changed from the same page: each view renders it again
with its own form carrying the errors, the other forms fresh. Each learner's row has a small form
recording their funder; the list may be filtered by funder (``?funder=cpf``, ``?funder=none``
for the learners whose funder is not recorded).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import render_template
from flask_babel import gettext as _

from lms.cohorts.assessors import cohort_assessors, latest_access_end
from lms.cohorts.forms import (
    ROLE_LABELS,
    ActionForm,
    AssessorAccessForm,
    AssessorInviteForm,
    FunderForm,
    MemberForm,
    invite_form,
)
from lms.cohorts.funders import FUNDER_LABELS
from lms.cohorts.models import Cohort, Funder, Membership, MembershipRole
from lms.cohorts.queries import cohort_members
from lms.core.time import local_today


def access_form(**kwargs) -> AssessorAccessForm:
    """Return the change-date form of an assessor's row (its input ``access-access_ends_on``).

    Every row's form has the same input name; the page gives each input an id of its row.
    """
    return AssessorAccessForm(prefix="access", **kwargs)


NOT_RECORDED = "none"  # the filter value of the learners whose funder is not recorded


def funder_filter(value: str | None) -> tuple[str | None, str | None]:
    """Return the funder filter asked (a funder code or ``none``) and the problem of a bad one."""
    if not value:
        return None, None
    if value == NOT_RECORDED or value in {funder.value for funder in Funder}:
        return value, None
    return None, _("“%(value)s” is not a known funder; every member is shown.", value=value)


def _kept(membership: Membership, wanted: str | None) -> bool:
    """Whether the member stays in the list filtered by funder (trainers only when unfiltered)."""
    if wanted is None:
        return True
    if membership.role != MembershipRole.LEARNER:
        return False
    funder = membership.funder.value if membership.funder else NOT_RECORDED
    return funder == wanted


def render_members(
    cohort: Cohort,
    *,
    form: MemberForm | None = None,
    invite: AssessorInviteForm | None = None,
    access_forms: Mapping[int, AssessorAccessForm] | None = None,
    funder: str | None = None,
) -> str:
    """Render the members page: trainers and learners, then external assessors, with forms.

    ``funder`` (the query's ``funder``) keeps only the learners of that funder.
    """
    assessors = cohort_assessors(cohort)
    forms = dict(access_forms or {})
    for membership in assessors:
        if membership.id not in forms:
            forms[membership.id] = access_form(
                formdata=None, access_ends_on=membership.access_ends_on
            )
    wanted, funder_problem = funder_filter(funder)
    everyone = cohort_members(cohort)
    members = [membership for membership in everyone if _kept(membership, wanted)]
    funder_forms = {
        membership.id: FunderForm(
            formdata=None, funder=membership.funder.value if membership.funder else ""
        )
        for membership in members
        if membership.role == MembershipRole.LEARNER
    }
    return render_template(
        "cohorts/admin/members.html",
        cohort=cohort,
        members=members,
        learner_total=sum(1 for item in everyone if item.role == MembershipRole.LEARNER),
        funder_forms=funder_forms,
        funder_labels=FUNDER_LABELS,
        funder=wanted,
        funder_problem=funder_problem,
        form=form or MemberForm(formdata=None),
        remove_form=ActionForm(),
        role_labels=ROLE_LABELS,  # also when another blueprint than cohorts_admin renders it
        assessors=assessors,
        invite_form=invite or invite_form(formdata=None),
        access_forms=forms,
        today=local_today(),
        latest_access_end=latest_access_end(cohort),
    )
