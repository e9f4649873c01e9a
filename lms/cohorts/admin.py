"""Administration of cohorts (blueprint ``cohorts_admin``): cohorts, calendars, members, import.

Every route is for the cohort's administrators (``lms.cohorts.access``): central administrators
and the local administrators of its territory. The list, a new cohort and the import are for
anyone who administers some territory (``territory_admin_required``); a cohort's pages load it
through ``cohort_admin_or_404`` (another territory's cohort is a 404, as for unknown ids).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.cohorts.access import cohort_admin_or_404
from lms.cohorts.forms import (
    ROLE_LABELS,
    STATE_LABELS,
    ActionForm,
    CalendarForm,
    CohortForm,
    FunderForm,
    ImportCommitForm,
    ImportForm,
    MemberForm,
    ModuleDatesForm,
    calendar_form_class,
)
from lms.cohorts.funders import funder_label
from lms.cohorts.importing import (
    MAX_IMPORT_BYTES,
    ImportFileError,
    commit_import,
    load_upload,
    preview_import,
    stash_upload,
)
from lms.cohorts.members_page import render_members
from lms.cohorts.models import Cohort, CohortState, Funder, Membership, MembershipRole
from lms.cohorts.queries import CALENDAR_OPTIONS, chronological_modules, cohort_list_rows
from lms.cohorts.services import (
    CalendarEntry,
    CohortError,
    add_member_by_email,
    archive_cohort,
    calendar_field_problems,
    create_cohort,
    remove_member,
    set_calendar,
    set_funder,
    update_cohort,
)
from lms.core.transactions import unit_of_work
from lms.curriculum.models import Module, TrainingPath
from lms.extensions import db
from lms.organisations.access import administered_territory_ids, territory_admin_required
from lms.organisations.filters import territory_filter
from lms.organisations.models import Territory

bp = Blueprint("cohorts_admin", __name__, url_prefix="/admin/cohorts")

# Room for the multipart envelope around the largest accepted file.
IMPORT_REQUEST_LIMIT = MAX_IMPORT_BYTES + 64 * 1024


@bp.context_processor
def _labels() -> dict:
    """Give the templates the translated names of states and roles."""
    return {"state_labels": STATE_LABELS, "role_labels": ROLE_LABELS}


@bp.get("/")
@territory_admin_required
def cohort_list():
    """List the cohorts, optionally of one state and one territory (a local administrator's:
    theirs only)."""
    state = request.args.get("state") or None
    if state is not None and state not in set(CohortState):
        state = None
    territories = territory_filter()
    rows = cohort_list_rows(CohortState(state) if state else None, territories.territory_ids)
    return render_template(
        "cohorts/admin/list.html", rows=rows, state=state, territories=territories
    )


def _cohort_form(cohort: Cohort | None = None) -> CohortForm:
    """Build the cohort form, its path choices listing every loaded path version."""
    form = CohortForm(obj=cohort)
    if cohort is not None and not form.is_submitted():
        form.path.data = cohort.path_id
        form.territory.data = cohort.territory_id
    paths = db.session.scalars(
        db.select(TrainingPath).order_by(TrainingPath.code, TrainingPath.version)
    )
    form.path.choices = [
        SelectChoice(
            path.id, _("%(title)s (version %(version)d)", title=path.title, version=path.version)
        )
        for path in paths
    ]
    territories = db.session.scalars(
        db.select(Territory)
        .where(Territory.id.in_(administered_territory_ids(current_user)))
        .order_by(Territory.name)
    )
    form.territory.choices = [
        SelectChoice(territory.id, territory.name) for territory in territories
    ]
    return form


def _refuse(form, error: CohortError) -> None:
    """Show a refused change beside the field to blame, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@bp.route("/new", methods=["GET", "POST"])
@territory_admin_required
def cohort_new():
    """Create a cohort."""
    form = _cohort_form()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                cohort = create_cohort(
                    form.name.data,
                    db.get_or_404(TrainingPath, form.path.data),
                    form.starts_on.data,
                    form.ends_on.data,
                    territory=db.get_or_404(Territory, form.territory.data),
                    capacity=form.capacity.data,
                    state=CohortState(form.state.data),
                    actor=current_user,
                )
        except CohortError as error:
            _refuse(form, error)
        else:
            flash(_("The cohort “%(name)s” was created.", name=cohort.name), "success")
            return redirect(url_for(".calendar", cohort_id=cohort.id))
    return render_template("cohorts/admin/edit.html", form=form, cohort=None)


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
def cohort_edit(cohort_id: int):
    """Edit a cohort's name, path version, dates, capacity and state."""
    cohort = cohort_admin_or_404(cohort_id)
    form = _cohort_form(cohort)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                update_cohort(
                    current_user,
                    cohort,
                    name=form.name.data,
                    path=db.get_or_404(TrainingPath, form.path.data),
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                    capacity=form.capacity.data,
                    state=CohortState(form.state.data),
                    territory=db.get_or_404(Territory, form.territory.data),
                )
        except CohortError as error:
            _refuse(form, error)
        else:
            flash(_("The cohort “%(name)s” was saved.", name=cohort.name), "success")
            return redirect(url_for(".cohort_list"))
    return render_template(
        "cohorts/admin/edit.html", form=form, cohort=cohort, archive_form=ActionForm()
    )


@bp.post("/<int:cohort_id>/archive")
def cohort_archive(cohort_id: int):
    """Archive a cohort."""
    cohort = cohort_admin_or_404(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work(error_redirect=url_for(".cohort_list")):
        archive_cohort(current_user, cohort)
    flash(_("The cohort “%(name)s” was archived.", name=cohort.name), "success")
    return redirect(url_for(".cohort_list"))


@bp.route("/<int:cohort_id>/calendar", methods=["GET", "POST"])
def calendar(cohort_id: int):
    """Edit when each module of the cohort's path opens and closes, and its session."""
    cohort = cohort_admin_or_404(cohort_id, *CALENDAR_OPTIONS)
    modules = chronological_modules(cohort.path)
    form = _calendar_form(cohort, modules)
    if form.validate_on_submit():
        entries = _calendar_entries(form, modules)
        problems = calendar_field_problems(cohort, entries)
        if problems:
            _show_calendar_problems(form, modules, problems)
        else:
            with unit_of_work():
                set_calendar(cohort, entries, actor=current_user)
            flash(_("The calendar of “%(name)s” was saved.", name=cohort.name), "success")
            return redirect(url_for(".calendar", cohort_id=cohort.id))
    return render_template(
        "cohorts/admin/calendar.html",
        cohort=cohort,
        rows=[(module, form[module.code]) for module in modules],
        form=form,
    )


def _calendar_form(cohort: Cohort, modules: list[Module]) -> CalendarForm:
    """Build the calendar form with one row per module, filled from the saved calendar."""
    form_class = calendar_form_class([module.code for module in modules])
    if request.method == "POST":
        return form_class()
    saved = {row.module_id: row for row in cohort.calendar}
    data = {
        module.code: {name: getattr(saved[module.id], name) for name in _ROW_FIELDS}
        for module in modules
        if module.id in saved
    }
    return form_class(data=data)


_ROW_FIELDS = ("opens_at", "closes_at", "session_starts_at", "session_ends_at", "place")


def _rows_by_code(form: CalendarForm, modules: list[Module]) -> dict[str, ModuleDatesForm]:
    """Return each module's row of the calendar form, by module code."""
    return {module.code: form[module.code].form for module in modules}


def _calendar_entries(form: CalendarForm, modules: list[Module]) -> dict[str, CalendarEntry]:
    """Turn the filled-in rows into calendar entries (empty rows are unscheduled).

    The date fields already hold UTC instants (lms.core.dates).
    """
    entries = {}
    for code, row in _rows_by_code(form, modules).items():
        values = {name: getattr(row, name).data for name in _ROW_FIELDS}
        if values["opens_at"] is None:
            continue
        values["place"] = (values["place"] or "").strip() or None
        entries[code] = CalendarEntry(**values)
    return entries


def _show_calendar_problems(form: CalendarForm, modules: list[Module], problems) -> None:
    """Put each problem beside the field of the module it concerns."""
    rows = _rows_by_code(form, modules)
    for problem in problems:
        field = getattr(rows.get(problem.code), problem.field, None)
        if field is None:
            form.form_errors.append(str(problem))
        elif problem.message not in field.errors:
            field.errors = [*field.errors, problem.message]


@bp.route("/<int:cohort_id>/members", methods=["GET", "POST"])
def members(cohort_id: int):
    """List the cohort's members; enrol a learner or assign a trainer by e-mail.

    External assessors are listed and changed on the same page (``lms.cohorts.assessors_admin``).
    """
    cohort = cohort_admin_or_404(cohort_id)
    form = MemberForm()
    if not form.is_submitted():
        return render_members(cohort, form=form, funder=request.args.get("funder"))
    if form.validate():
        role = MembershipRole(form.role.data)
        try:
            with unit_of_work():
                membership = add_member_by_email(current_user, cohort, form.email.data, role)
        except CohortError as error:
            _refuse(form, error)
        else:
            name = membership.user.display_name
            flash(_("%(name)s was added to the cohort.", name=name), "success")
            return redirect(url_for(".members", cohort_id=cohort.id))
    return render_members(cohort, form=form)


@bp.post("/<int:cohort_id>/members/<int:membership_id>/remove")
def member_remove(cohort_id: int, membership_id: int):
    """Take a learner or a trainer out of the cohort (assessors have their own route)."""
    cohort_admin_or_404(cohort_id)
    membership = db.get_or_404(Membership, membership_id)
    if membership.cohort_id != cohort_id or membership.role == MembershipRole.ASSESSOR:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = membership.user.display_name
    with unit_of_work():
        remove_member(current_user, membership)
    flash(_("%(name)s was removed from the cohort.", name=name), "success")
    return redirect(url_for(".members", cohort_id=cohort_id))


@bp.post("/<int:cohort_id>/members/<int:membership_id>/funder")
def member_funder(cohort_id: int, membership_id: int):
    """Record who funds a learner's training (or that it is not recorded); audited."""
    cohort_admin_or_404(cohort_id)
    membership = db.get_or_404(Membership, membership_id)
    if membership.cohort_id != cohort_id or membership.role != MembershipRole.LEARNER:
        abort(404)
    form = FunderForm()
    back = url_for(".members", cohort_id=cohort_id, _anchor=f"member-{membership.id}")
    name = membership.user.display_name
    if not form.validate_on_submit():
        flash(_("Choose the funder of %(name)s from the list.", name=name), "error")
        return redirect(back)
    funder = Funder(form.funder.data) if form.funder.data else None
    with unit_of_work():
        changed = set_funder(current_user, membership, funder)
    if changed:
        label = funder_label(funder)
        flash(_("Funder of %(name)s: %(funder)s.", name=name, funder=label), "success")
    return redirect(back)


def _upload_folder() -> Path:
    """Return the folder keeping uploaded files between their preview and their commit."""
    return Path(current_app.instance_path) / "imports"


@bp.route("/import", methods=["GET", "POST"])
@territory_admin_required
def import_upload():
    """Upload a CSV file of learners and preview what importing it would do."""
    if (request.content_length or 0) > IMPORT_REQUEST_LIMIT:
        abort(413)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = upload.read(MAX_IMPORT_BYTES + 1)
        finally:
            upload.close()  # large uploads are spooled to a temporary file
        try:
            report = preview_import(data, current_user)
        except ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            key = stash_upload(_upload_folder(), data, current_user)
            commit_form = ImportCommitForm(key=key)
            return render_template(
                "cohorts/admin/import_preview.html", report=report, form=commit_form
            )
    return render_template("cohorts/admin/import.html", form=form)


@bp.post("/import/commit")
@territory_admin_required
def import_commit():
    """Apply a previewed import and report what was created, enrolled and skipped."""
    form = ImportCommitForm()
    with unit_of_work(error_redirect=url_for(".import_upload")):
        if not form.validate_on_submit():
            raise ImportFileError(
                _("This import has expired or does not exist; upload the file again.")
            )
        report = commit_import(
            load_upload(_upload_folder(), form.key.data, current_user), current_user
        )
    # The report is shown at once rather than after a redirect: it exists only now, and
    # posting again is harmless (the commit skips every row already applied).
    return render_template("cohorts/admin/import_report.html", report=report)
