"""The administrators' members page of a cohort, rendered by the views that change its members.

Trainers and learners (``lms.cohorts.admin``) and external assessors
(``lms.cohorts.assessors_admin``) are changed from the same page: each view renders it again
with its own form carrying the errors, the other forms fresh.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import render_template

from lms.cohorts.assessors import cohort_assessors, latest_access_end
from lms.cohorts.forms import (
    ROLE_LABELS,
    ActionForm,
    AssessorAccessForm,
    AssessorInviteForm,
    MemberForm,
    invite_form,
)
from lms.cohorts.models import Cohort
from lms.cohorts.queries import cohort_members
from lms.core.time import local_today


def access_form(**kwargs) -> AssessorAccessForm:
    """Return the change-date form of an assessor's row (its input ``access-access_ends_on``).

    Every row's form has the same input name; the page gives each input an id of its row.
    """
    return AssessorAccessForm(prefix="access", **kwargs)


def render_members(
    cohort: Cohort,
    *,
    form: MemberForm | None = None,
    invite: AssessorInviteForm | None = None,
    access_forms: Mapping[int, AssessorAccessForm] | None = None,
) -> str:
    """Render the members page: trainers and learners, then external assessors, with forms."""
    assessors = cohort_assessors(cohort)
    forms = dict(access_forms or {})
    for membership in assessors:
        if membership.id not in forms:
            forms[membership.id] = access_form(
                formdata=None, access_ends_on=membership.access_ends_on
            )
    return render_template(
        "cohorts/admin/members.html",
        cohort=cohort,
        members=cohort_members(cohort),
        form=form or MemberForm(formdata=None),
        remove_form=ActionForm(),
        role_labels=ROLE_LABELS,  # also when another blueprint than cohorts_admin renders it
        assessors=assessors,
        invite_form=invite or invite_form(formdata=None),
        access_forms=forms,
        today=local_today(),
        latest_access_end=latest_access_end(cohort),
    )
