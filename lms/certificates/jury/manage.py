"""The administrators' jury pages (blueprint ``jury_admin``): a cohort's juries, composing one,
opening it, reopening a closed one with a reason, the minutes.

Administrators compose; members vote (``lms.certificates.jury.views``). A closed jury is frozen:
any change answers 409.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from lms.accounts.permissions import acting_user, admin_required
from lms.certificates.jury.access import local_today
from lms.certificates.jury.composition import (
    composition_problems,
    create_jury,
    open_jury,
    remove_member,
    reopen_jury,
    seat_person,
    update_jury,
)
from lms.certificates.jury.definition import jury_of_path
from lms.certificates.jury.errors import JuryConflict, JuryError
from lms.certificates.jury.forms import ActionForm, JuryForm, MemberForm, ReopenForm
from lms.certificates.jury.minutes_store import jury_minutes
from lms.certificates.jury.models import Jury, JuryMember, JuryMinutes
from lms.certificates.jury.notify import notify_opened
from lms.certificates.jury.pages import STATE_LABELS, minutes_download
from lms.cohorts.models import Cohort
from lms.core.transactions import unit_of_work
from lms.extensions import db

bp = Blueprint("jury_admin", __name__, url_prefix="/admin")


@bp.context_processor
def _labels() -> dict:
    return {"jury_state_labels": STATE_LABELS}


def _cohort(cohort_id: int) -> Cohort:
    return db.get_or_404(Cohort, cohort_id, options=[joinedload(Cohort.path)])


def render_juries(cohort: Cohort, form: JuryForm | None = None, status: int = 200):
    juries = db.session.scalars(
        db.select(Jury)
        .filter_by(cohort_id=cohort.id)
        .options(selectinload(Jury.members).joinedload(JuryMember.user))
        .order_by(Jury.held_on.desc(), Jury.id.desc())
    ).all()
    page = render_template(
        "certificates/jury/manage/juries.html",
        cohort=cohort,
        juries=juries,
        rules=jury_of_path(cohort.path_id),
        form=form or JuryForm(formdata=None),
    )
    return page, status


@bp.get("/cohorts/<int:cohort_id>/juries")
@admin_required
def juries(cohort_id: int):
    """List the cohort's juries, with the form to plan a new one."""
    return render_juries(_cohort(cohort_id))


@bp.post("/cohorts/<int:cohort_id>/juries/new")
@admin_required
def jury_new(cohort_id: int):
    """Plan a jury for the cohort (a draft, composed next)."""
    cohort = _cohort(cohort_id)
    form = JuryForm()
    if not form.validate_on_submit():
        return render_juries(cohort, form, 400)
    try:
        with unit_of_work():
            jury = create_jury(
                acting_user(),
                cohort,
                held_on=form.held_on.data,
                place=form.place.data or "",
                is_remote=form.is_remote.data,
            )
    except JuryError as error:
        form.form_errors.append(str(error))
        return render_juries(cohort, form, 400)
    flash(_("The jury is planned: seat its members."), "success")
    return redirect(url_for(".jury_detail", jury_id=jury.id))


def _jury(jury_id: int) -> Jury:
    return db.get_or_404(
        Jury,
        jury_id,
        options=[
            joinedload(Jury.cohort).joinedload(Cohort.path),
            selectinload(Jury.members).joinedload(JuryMember.user),
        ],
    )


def render_jury(jury: Jury, *, form=None, member_form=None, reopen_form=None, status=200):
    """Render the jury's page, with forms carrying their errors when given."""
    rules = jury_of_path(jury.cohort.path_id)
    if rules is None:
        abort(404)
    if form is None:
        form = JuryForm(formdata=None, obj=jury)
    if member_form is None:
        member_form = MemberForm(formdata=None)
        member_form.access_ends_on.data = jury.held_on + timedelta(days=30)
    member_form.seat.choices = [SelectChoice(seat["code"], seat["title"]) for seat in rules.seats]
    problems = composition_problems(jury, rules, local_today())
    page = render_template(
        "certificates/jury/manage/jury.html",
        jury=jury,
        rules=rules,
        seats={seat["code"]: seat["title"] for seat in rules.seats},
        problems=problems,
        form=form,
        member_form=member_form,
        action_form=ActionForm(formdata=None),
        reopen_form=reopen_form or ReopenForm(formdata=None),
        minutes=jury_minutes(jury),
    )
    return page, status


def jury_url(jury: Jury) -> str:
    return url_for(".jury_detail", jury_id=jury.id)


@bp.get("/juries/<int:jury_id>")
@admin_required
def jury_detail(jury_id: int):
    """Show a jury: its session, members and seats, what keeps it from opening, its minutes."""
    return render_jury(_jury(jury_id))


def _refused(jury: Jury, error: JuryError, **forms):
    """Show a refusal on the jury's page: 409 when the jury changed state, 400 otherwise."""
    for form in forms.values():
        form.form_errors.append(str(error))
        break
    return render_jury(jury, status=409 if isinstance(error, JuryConflict) else 400, **forms)


@bp.post("/juries/<int:jury_id>/session")
@admin_required
def jury_edit(jury_id: int):
    """Change the jury's date and place."""
    jury = _jury(jury_id)
    form = JuryForm()
    if not form.validate_on_submit():
        return render_jury(jury, form=form, status=400)
    try:
        with unit_of_work():
            update_jury(
                acting_user(),
                jury,
                held_on=form.held_on.data,
                place=form.place.data or "",
                is_remote=form.is_remote.data,
            )
    except JuryError as error:
        return _refused(_jury(jury_id), error, form=form)
    flash(_("The jury's session is saved."), "success")
    return redirect(jury_url(jury))


@bp.post("/juries/<int:jury_id>/members")
@admin_required
def member_add(jury_id: int):
    """Seat an existing account, or invite someone new by e-mail."""
    jury = _jury(jury_id)
    rules = jury_of_path(jury.cohort.path_id)
    form = MemberForm()
    form.seat.choices = (
        [SelectChoice(seat["code"], seat["title"]) for seat in rules.seats] if rules else []
    )
    if not form.validate_on_submit():
        return render_jury(jury, member_form=form, status=400)
    try:
        with unit_of_work():
            member, invited = seat_person(
                acting_user(),
                jury,
                email=form.email.data,
                display_name=form.display_name.data or "",
                locale=form.locale.data,
                seat=form.seat.data,
                organisation=form.organisation.data or "",
                is_president=form.is_president.data,
                access_ends_on=form.access_ends_on.data,
            )
    except JuryError as error:
        return _refused(_jury(jury_id), error, member_form=form)
    name = member.user.display_name
    if invited:
        flash(_("%(name)s is invited by e-mail and seated.", name=name), "success")
    else:
        flash(_("%(name)s is seated.", name=name), "success")
    return redirect(jury_url(jury))


@bp.post("/juries/<int:jury_id>/members/<int:member_id>/remove")
@admin_required
def member_remove(jury_id: int, member_id: int):
    """Take a member off a draft jury."""
    jury = _jury(jury_id)
    member = next((m for m in jury.members if m.id == member_id), None)
    if member is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work(error_redirect=jury_url(jury)):
        remove_member(acting_user(), jury, member)
    flash(_("%(name)s no longer sits on the jury.", name=member.user.display_name), "success")
    return redirect(jury_url(jury))


@bp.post("/juries/<int:jury_id>/open")
@admin_required
def jury_open(jury_id: int):
    """Open the jury for votes, when its composition keeps the path's rules; tell its members."""
    jury = _jury(jury_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work(error_redirect=jury_url(jury)):
        open_jury(acting_user(), jury, local_today())
    notify_opened(jury)
    flash(_("The jury is open: its members are told by e-mail."), "success")
    return redirect(jury_url(jury))


@bp.post("/juries/<int:jury_id>/reopen")
@admin_required
def jury_reopen(jury_id: int):
    """Reopen a closed jury, with a reason (audited); its next closing supersedes decisions."""
    jury = _jury(jury_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return render_jury(jury, reopen_form=form, status=400)
    try:
        with unit_of_work():
            reopen_jury(acting_user(), jury, form.reason.data or "")
    except JuryError as error:
        return _refused(_jury(jury_id), error, reopen_form=form)
    flash(_("The jury is reopened."), "success")
    return redirect(jury_url(jury))


@bp.get("/juries/<int:jury_id>/minutes/<int:minutes_id>")
@admin_required
def minutes(jury_id: int, minutes_id: int):
    """Send a version of the jury's minutes (PDF)."""
    record = db.session.get(JuryMinutes, minutes_id)
    if record is None or record.jury_id != jury_id:
        abort(404)
    return minutes_download(record)
