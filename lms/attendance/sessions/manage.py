"""Staff pages of a cohort's sessions (blueprint ``sessions_manage``): list, form, import.

The cohort's trainers and the administrators (``lms.attendance.access``) list the sessions by
module with the hours planned against the module's hours, create, change and delete them, and
import them from a CSV file (upload, preview, confirm). Every change is committed once, then
the cohort is told by e-mail (``lms.attendance.sessions.notify``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.accounts.models import User
from lms.attendance.access import session_of_staff_or_404, sessions_cohort_or_403
from lms.attendance.models import Modality, ModuleAttendance, TrainingSession
from lms.attendance.sessions import notify
from lms.attendance.sessions.forms import MODALITY_LABELS, SessionDeleteForm, SessionForm
from lms.attendance.sessions.importing import (
    MAX_IMPORT_BYTES,
    ImportFileError,
    commit_sessions,
    preview_sessions,
    upload_folder,
)
from lms.attendance.sessions.services import (
    Problem,
    SessionError,
    SessionInvalid,
    SessionPlan,
    clock_text,
    cohort_sessions,
    cohort_trainers,
    create_session,
    delete_session,
    is_frozen,
    local_day,
    local_instant,
    minutes_by_module,
    parse_clock,
    update_session,
)
from lms.cohorts.forms import ImportCommitForm, ImportForm
from lms.cohorts.importing import load_upload, stash_upload
from lms.cohorts.models import Cohort
from lms.core.time import utcnow
from lms.core.transactions import unit_of_work
from lms.curriculum.models import Module
from lms.extensions import db

bp = Blueprint("sessions_manage", __name__, url_prefix="/manage")

IMPORT_REQUEST_LIMIT = MAX_IMPORT_BYTES + 64 * 1024


@bp.context_processor
def _labels() -> dict:
    return {"modality_labels": MODALITY_LABELS, "hours_text": hours_text, "clock": clock_text}


def hours_text(minutes: int) -> str:
    """Return a duration as hours and minutes (« 3 h 30 », « 14 h »)."""
    hours, rest = divmod(minutes, 60)
    if rest:
        return _("%(hours)d h %(minutes)02d", hours=hours, minutes=rest)
    return _("%(hours)d h", hours=hours)


@dataclass
class ModuleSessions:
    """A module of the cohort's path, its sessions and their hours against the module's."""

    module: Module
    sessions: list[TrainingSession]
    planned_minutes: int
    remote_hours: int

    @property
    def session_hours(self) -> int:
        """The module's hours that sessions are to cover (its remote work aside)."""
        return max(self.module.hours - self.remote_hours, 0)

    @property
    def balance(self) -> str:
        """``under``, ``exact`` or ``over`` the module's session hours."""
        expected = self.session_hours * 60
        if self.planned_minutes == expected:
            return "exact"
        return "under" if self.planned_minutes < expected else "over"


def sessions_by_module(cohort: Cohort) -> list[ModuleSessions]:
    """Return each module of the cohort's path with its sessions and hours (4 queries)."""
    sessions = cohort_sessions(cohort)
    modules = sorted(cohort.path.modules, key=lambda module: module.position)
    query = db.select(ModuleAttendance.module_id, ModuleAttendance.remote_hours).where(
        ModuleAttendance.module_id.in_([module.id for module in modules])
    )
    remote: dict[int, int] = {row.module_id: row.remote_hours for row in db.session.execute(query)}
    minutes = minutes_by_module(sessions)
    return [
        ModuleSessions(
            module,
            [session for session in sessions if session.module_id == module.id],
            minutes.get(module.id, 0),
            remote.get(module.id, 0),
        )
        for module in modules
    ]


@bp.get("/cohorts/<int:cohort_id>/sessions")
def sessions(cohort_id: int):
    """List the cohort's sessions by module, with the hours planned per module."""
    cohort = sessions_cohort_or_403(cohort_id)
    groups = sessions_by_module(cohort)
    return render_template(
        "attendance/sessions/manage/sessions.html",
        cohort=cohort,
        groups=groups,
        total=sum(group.planned_minutes for group in groups),
        delete_form=SessionDeleteForm(),
        now=utcnow(),
    )


# The form -----------------------------------------------------------------------------------


def _session_form(cohort: Cohort, staff: Sequence[User], **data) -> SessionForm:
    form = SessionForm(data=data or None)
    form.module.choices = [
        SelectChoice(module.id, f"{module.code} — {module.title}")
        for module in sorted(cohort.path.modules, key=lambda module: module.position)
    ]
    form.trainers.choices = [SelectChoice(user.id, user.display_name) for user in staff]
    return form


def _form_data(session: TrainingSession) -> dict:
    """Return the form's values for a session, in the organisation's time zone."""
    return {
        "module": session.module_id,
        "day": local_day(session.starts_at),
        "starts": clock_of(session.starts_at),
        "ends": clock_of(session.ends_at),
        "modality": Modality(session.modality).value,
        "place": session.place,
        "link": session.link,
        "trainers": [user.id for user in session.trainers],
    }


def clock_of(moment: datetime) -> str:
    """Return the local clock time of an instant as a time input holds it (« 09:00 »)."""
    from lms.core.time import organisation_timezone

    return moment.astimezone(organisation_timezone()).strftime("%H:%M")


def _plan(form: SessionForm, cohort: Cohort, trainers: Sequence[User]) -> SessionPlan | None:
    """Build the plan of a valid form, or put the time problems beside their fields."""
    moments: dict[str, datetime] = {}
    for name in ("starts", "ends"):
        clock = parse_clock(form[name].data)
        assert clock is not None
        assert form.day.data is not None
        moment, problem = local_instant(form.day.data, clock)
        if moment is None:
            form[name].errors = [*form[name].errors, problem]
        else:
            moments[name] = moment
    if len(moments) < 2:
        return None
    module = next((m for m in cohort.path.modules if m.id == form.module.data), None)
    if module is None:
        form.module.errors = [*form.module.errors, _("Choose a module of the cohort's path.")]
        return None
    chosen = set(form.trainers.data or [])
    return SessionPlan(
        module=module,
        starts_at=moments["starts"],
        ends_at=moments["ends"],
        modality=Modality(form.modality.data),
        place=form.place.data,
        link=form.link.data,
        trainers=[user for user in trainers if user.id in chosen],
    )


def _show(form: SessionForm, problems: Sequence[Problem]) -> None:
    """Put each problem beside its field, or above the form."""
    for problem in problems:
        field = form._fields.get(problem.field) if problem.field else None
        if field is None:
            form.form_errors.append(problem.message)
        elif problem.message not in field.errors:
            field.errors = [*field.errors, problem.message]


def _render_form(cohort: Cohort, form: SessionForm, session: TrainingSession | None = None):
    return render_template(
        "attendance/sessions/manage/form.html",
        cohort=cohort,
        form=form,
        session=session,
        frozen=session is not None and is_frozen(session),
        delete_form=SessionDeleteForm(),
    )


@bp.route("/cohorts/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
def session_new(cohort_id: int):
    """Plan a new session of the cohort; the cohort hears of it."""
    cohort = sessions_cohort_or_403(cohort_id)
    trainers = cohort_trainers(cohort)
    defaults: dict[str, Any] = {}
    if request.method == "GET":
        mine = [user.id for user in trainers if user.id == current_user.id]
        defaults["trainers"] = mine
        if (module_id := request.args.get("module", type=int)) is not None:
            defaults["module"] = module_id
    form = _session_form(cohort, trainers, **defaults)
    if form.validate_on_submit() and (plan := _plan(form, cohort, trainers)):
        try:
            with unit_of_work():
                session = create_session(current_user, cohort, plan)
        except SessionInvalid as error:
            _show(form, error.problems)
        else:
            told = notify.notify_created(session)
            flash(_told(_("The session was planned."), told), "success")
            return redirect(url_for(".sessions", cohort_id=cohort.id))
    return _render_form(cohort, form)


def _told(message: str, count: int) -> str:
    if not count:
        return message
    told = ngettext(
        "%(num)d person was told by e-mail.", "%(num)d people were told by e-mail.", count
    )
    return f"{message} {told}"


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def session_edit(session_id: int):
    """Change a session (not once its sheet is closed); the cohort hears when it moved."""
    session = session_of_staff_or_404(session_id)
    cohort = session.cohort
    trainers = cohort_trainers(cohort)
    form = _session_form(
        cohort, trainers, **({} if request.method == "POST" else _form_data(session))
    )
    if form.validate_on_submit() and (plan := _plan(form, cohort, trainers)):
        try:
            with unit_of_work():
                before = update_session(current_user, session, plan)
        except SessionInvalid as error:
            _show(form, error.problems)
        except SessionError as error:
            form.form_errors.append(str(error))
        else:
            told = notify.notify_moved(session, before)
            flash(_told(_("The session was saved."), told), "success")
            return redirect(url_for(".sessions", cohort_id=cohort.id))
    return _render_form(cohort, form, session)


@bp.post("/sessions/<int:session_id>/delete")
def session_delete(session_id: int):
    """Delete (cancel) a session whose sheet holds no record; the cohort hears if it was to come."""
    session = session_of_staff_or_404(session_id)
    cohort = session.cohort
    back = url_for(".sessions", cohort_id=cohort.id)
    if not SessionDeleteForm().validate_on_submit():
        abort(400)
    with unit_of_work(error_redirect=back):
        before = delete_session(current_user, session)
    told = notify.notify_cancelled(cohort, before)
    flash(_told(_("The session was deleted."), told), "success")
    return redirect(back)


# The import ---------------------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/sessions/import", methods=["GET", "POST"])
def import_upload(cohort_id: int):
    """Upload a CSV file of sessions and preview what importing it would do."""
    cohort = sessions_cohort_or_403(cohort_id)
    if (request.content_length or 0) > IMPORT_REQUEST_LIMIT:
        abort(413)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = upload.read(MAX_IMPORT_BYTES + 1)
        finally:
            upload.close()
        try:
            report = preview_sessions(cohort, data)
        except ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            key = stash_upload(upload_folder(cohort), data, current_user)
            return render_template(
                "attendance/sessions/manage/import_preview.html",
                cohort=cohort,
                report=report,
                form=ImportCommitForm(key=key),
            )
    return render_template("attendance/sessions/manage/import.html", cohort=cohort, form=form)


@bp.post("/cohorts/<int:cohort_id>/sessions/import/commit")
def import_commit(cohort_id: int):
    """Create the previewed file's valid sessions; each person gets one digest."""
    cohort = sessions_cohort_or_403(cohort_id)
    form = ImportCommitForm()
    with unit_of_work(error_redirect=url_for(".import_upload", cohort_id=cohort.id)):
        if not form.validate_on_submit():
            raise ImportFileError(
                _("This import has expired or does not exist; upload the file again.")
            )
        data = load_upload(upload_folder(cohort), form.key.data, current_user)
        report = commit_sessions(cohort, data, current_user)
    (upload_folder(cohort) / f"{form.key.data}.csv").unlink(missing_ok=True)
    (upload_folder(cohort) / f"{form.key.data}.json").unlink(missing_ok=True)
    told = notify.notify_imported(cohort, report.created)
    created = ngettext(
        "%(num)d session was imported.", "%(num)d sessions were imported.", len(report.created)
    )
    flash(_told(created, told), "success")
    if report.errors:
        flash(
            ngettext(
                "%(num)d row with an error was left out.",
                "%(num)d rows with an error were left out.",
                len(report.errors),
            ),
            "warning",
        )
    return redirect(url_for(".sessions", cohort_id=cohort.id))
