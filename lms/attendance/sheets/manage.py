"""The staff's sheet pages (blueprint ``attendance_sheets``): a cohort's sheets, a session's
sheet with the rotating code, marks, the closing, the PDF versions and corrections.

The sheet page (``attendance_sheets.sheet``, by session) creates the session's sheet on first
visit. While learners may sign it shows the code in large digits and as a QR code (the signing
URL with the code, so a phone's camera opens the signing page filled in); ``js/attendance-code.js``
polls ``code_json`` every few seconds and swaps both, with no inline script (CSP). Without
JavaScript the page shows the code it was rendered with and a link to reload it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.attendance.models import (
    AttendanceSheet,
    AttendanceSheetDocument,
    AttendanceStatus,
    TrainingSession,
)
from lms.attendance.sheets import codes
from lms.attendance.sheets.access import admin_session_or_403, staff_session_or_403
from lms.attendance.sheets.closing import close_sheet, correct_record, sheet_learners, sheet_records
from lms.attendance.sheets.document import open_document
from lms.attendance.sheets.errors import SheetConflict, SheetError
from lms.attendance.sheets.forms import CloseForm, CorrectionForm, MarkForm
from lms.attendance.sheets.services import Mark, mark_learner, sheet_of, signing_window
from lms.attendance.sheets.supporting import (
    SupportingFileRefused,
    SupportingFileTooLarge,
    SupportingUpload,
    files_unit_of_work,
    max_bytes,
)
from lms.attendance.sheets.views import bp
from lms.cohorts.access import cohort_learner_or_404, followed_cohort_or_403, is_cohort_admin
from lms.cohorts.models import Cohort
from lms.core import storage
from lms.core.csv import attachment
from lms.core.time import organisation_timezone, utcnow
from lms.core.transactions import unit_of_work
from lms.extensions import db

QR_SCALE = 6


def sign_url(sheet: AttendanceSheet, code: str) -> str:
    """Return the signing page's address with the code filled in (what the QR code holds)."""
    return url_for("attendance_sheets.sign", sheet_id=sheet.id, code=code, _external=True)


def qr_data_url(url: str) -> str:
    import segno

    return segno.make(url, error="m").png_data_uri(scale=QR_SCALE, light="#fff")


def code_state(sheet: AttendanceSheet, now: datetime) -> dict:
    """Return what the code panel shows: the code, its QR and how long it lasts."""
    code = codes.current_code(sheet.id, now)
    url = sign_url(sheet, code)
    return {
        "code": code,
        "seconds_left": codes.seconds_left(now),
        "url": url,
        "qr": qr_data_url(url),
    }


def session_sheet(session_id: int) -> tuple[TrainingSession, AttendanceSheet]:
    """Return the session (staff only) and its sheet, created and committed on first need."""
    session = staff_session_or_403(session_id)
    with unit_of_work():
        sheet = sheet_of(session)
    return session, sheet


@dataclass(frozen=True)
class Posted:
    """A mark refused for its file: whose form, the values typed and the message for the field."""

    learner_id: int
    form: MarkForm
    file_error: str


def render_sheet_page(
    session, sheet, *, error: str = "", status: int = 200, posted: Posted | None = None
):
    now = utcnow()
    window = signing_window(session)
    learners = sheet_learners(sheet)
    records = sheet_records(sheet)
    recorders = {r.recorder_id for r in records.values()} - {None}
    names = {
        user.id: user.display_name
        for user in db.session.scalars(db.select(User).where(User.id.in_(recorders)))
    }
    documents = list(
        db.session.scalars(
            db.select(AttendanceSheetDocument)
            .options(joinedload(AttendanceSheetDocument.created_by))
            .filter_by(sheet_id=sheet.id)
            .order_by(AttendanceSheetDocument.version.desc())
        )
    )
    show_code = not sheet.is_closed and window.is_open(now)
    page = render_template(
        "attendance/sheets/sheet.html",
        session=session,
        sheet=sheet,
        window=window,
        learners=learners,
        records=records,
        names=names,
        documents=documents,
        code=code_state(sheet, now) if show_code else None,
        mark_form=MarkForm(formdata=None),
        correction_form=CorrectionForm(formdata=None),
        can_correct=sheet.is_closed and is_cohort_admin(current_user, session.cohort),
        posted=posted,
        max_mb=current_app.config["ATTENDANCE_SUPPORTING_FILE_MAX_MB"],
        error=error,
        closed_by=db.session.get(User, sheet.closed_by_id) if sheet.closed_by_id else None,
    )
    return page, status


@bp.get("/cohorts/<int:cohort_id>/attendance")
def cohort_sheets(cohort_id: int):
    """List the cohort's sessions with the state of their sheets (staff of the cohort)."""
    cohort = followed_cohort_or_403(cohort_id, joinedload(Cohort.path))
    sessions = db.session.scalars(
        db.select(TrainingSession)
        .options(
            joinedload(TrainingSession.module),
            joinedload(TrainingSession.sheet),
            selectinload(TrainingSession.trainers),
        )
        .filter_by(cohort_id=cohort.id)
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).all()
    return render_template("attendance/sheets/cohort.html", cohort=cohort, sessions=sessions)


@bp.get("/attendance/sessions/<int:session_id>/sheet")
def sheet(session_id: int):
    """Show the session's sheet: the code while learners sign, every learner's state."""
    session, sheet_ = session_sheet(session_id)
    return render_sheet_page(session, sheet_)


@bp.get("/attendance/sessions/<int:session_id>/code")
def code_json(session_id: int):
    """Answer the code panel's poll: the current code, its QR code and seconds left (JSON)."""
    session = staff_session_or_403(session_id)
    sheet_ = db.session.scalar(db.select(AttendanceSheet).filter_by(session_id=session.id))
    now = utcnow()
    if sheet_ is None or sheet_.is_closed or not signing_window(session).is_open(now):
        response = jsonify({"open": False})
    else:
        response = jsonify({"open": True, **code_state(sheet_, now)})
    response.headers["Cache-Control"] = "no-store"
    return response


def arrival_moment(session: TrainingSession, form: MarkForm) -> datetime | None:
    """Return the arrival time typed (a time of the session's day, local) as a moment."""
    if form.status.data != AttendanceStatus.LATE.value or form.arrived_at.data is None:
        return None
    zone = organisation_timezone()
    day = session.starts_at.astimezone(zone).date()
    return datetime.combine(day, form.arrived_at.data, tzinfo=zone)


def posted_file() -> SupportingUpload | None:
    """Return the supporting file posted, read up to one byte beyond the limit; None if none."""
    file = request.files.get("supporting_file")
    if file is None or not (file.filename or file.content_length):
        return None
    return SupportingUpload(name=file.filename or "", data=file.stream.read(max_bytes() + 1))


def form_mark(session: TrainingSession, form: MarkForm) -> Mark:
    return Mark(
        status=AttendanceStatus(form.status.data),
        arrived_at=arrival_moment(session, form),
        reason=form.reason.data or None,
        file=posted_file(),
    )


def file_refused(session, sheet_, learner: User, form: MarkForm, error: SupportingFileRefused):
    """Show the sheet again with the refusal beside the learner's file field (413: too large)."""
    status = 413 if isinstance(error, SupportingFileTooLarge) else 400
    posted = Posted(learner.id, form, str(error))
    return render_sheet_page(session, sheet_, error=str(error), status=status, posted=posted)


def learner_or_404(session: TrainingSession, learner_id: int) -> User:
    """Return the learner of the URL when they learn in the session's cohort; 404 otherwise."""
    return cohort_learner_or_404(session.cohort, learner_id)


@bp.post("/attendance/sessions/<int:session_id>/learners/<int:user_id>/mark")
def mark(session_id: int, user_id: int):
    """Record a trainer's mark for a learner of the open sheet."""
    session, sheet_ = session_sheet(session_id)
    learner = learner_or_404(session, user_id)
    form = MarkForm()
    if not form.validate_on_submit():
        message = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return render_sheet_page(session, sheet_, error=str(message), status=400)
    try:
        with files_unit_of_work() as files:
            mark_learner(sheet_, learner, form_mark(session, form), current_user, files=files)
    except SupportingFileRefused as error:
        return file_refused(session, sheet_, learner, form, error)
    except SheetConflict as error:
        return render_sheet_page(session, sheet_, error=str(error), status=409)
    except SheetError as error:
        return render_sheet_page(session, sheet_, error=str(error), status=400)
    flash(_("%(name)s: recorded.", name=learner.display_name), "success")
    return redirect(url_for(".sheet", session_id=session.id) + f"#learner-{learner.id}")


@bp.route("/attendance/sessions/<int:session_id>/close", methods=["GET", "POST"])
def close(session_id: int):
    """GET: ask the trainer to confirm (who is not marked becomes absent). POST: sign and close
    the sheet: unmarked learners absent, frozen, PDF stored."""
    session, sheet_ = session_sheet(session_id)
    if request.method == "GET":
        return close_confirm(session, sheet_)
    if not CloseForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            document = close_sheet(sheet_, current_user)
    except SheetConflict as error:
        db.session.refresh(sheet_)
        return render_sheet_page(session, sheet_, error=str(error), status=409)
    flash(
        _("The sheet is signed and closed (PDF version %(version)d).", version=document.version),
        "success",
    )
    return redirect(url_for(".sheet", session_id=session.id))


def close_confirm(session: TrainingSession, sheet_: AttendanceSheet):
    if sheet_.is_closed:
        return redirect(url_for(".sheet", session_id=session.id))
    records = sheet_records(sheet_)
    unmarked = [learner for learner in sheet_learners(sheet_) if learner.id not in records]
    return render_template(
        "attendance/sheets/close.html",
        session=session,
        sheet=sheet_,
        unmarked=unmarked,
        form=CloseForm(formdata=None),
    )


@bp.post("/attendance/sessions/<int:session_id>/learners/<int:user_id>/correct")
def correct(session_id: int, user_id: int):
    """Correct a learner's record on the closed sheet (administrators), with a reason."""
    session = admin_session_or_403(session_id)
    _session, sheet_ = session_sheet(session.id)
    learner = learner_or_404(session, user_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        message = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return render_sheet_page(session, sheet_, error=str(message), status=400)
    try:
        with files_unit_of_work() as files:
            document = correct_record(
                sheet_,
                learner,
                form_mark(session, form),
                form.correction_reason.data,
                current_user,
                files=files,
            )
    except SupportingFileRefused as error:
        return file_refused(session, sheet_, learner, form, error)
    except SheetConflict as error:
        return render_sheet_page(session, sheet_, error=str(error), status=409)
    except SheetError as error:
        return render_sheet_page(session, sheet_, error=str(error), status=400)
    flash(
        _("Corrected: the sheet's PDF is now version %(version)d.", version=document.version),
        "success",
    )
    return redirect(url_for(".sheet", session_id=session.id))


@bp.get("/attendance/sessions/<int:session_id>/documents/<int:document_id>")
def document(session_id: int, document_id: int):
    """Send a version of the closed sheet's PDF to the staff of the cohort (attachment)."""
    session = staff_session_or_403(session_id)
    record = db.session.get(AttendanceSheetDocument, document_id)
    if record is None or record.sheet.session_id != session.id:
        abort(404)
    try:
        with open_document(record) as stream:
            data = stream.read()
    except storage.StorageError:
        abort(404)
    response = Response(data, mimetype="application/pdf")
    name = f"emargement-session-{session.id}-v{record.version}.pdf"
    response.headers["Content-Disposition"] = attachment(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
