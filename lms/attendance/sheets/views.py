"""The learner's signing page (blueprint ``attendance_sheets``): type the code, or open the QR.

``GET /attendance/sign/<sheet id>`` shows the session and the learner's own record; the QR code
on the trainer's page opens it with ``?code=`` filled in, and the learner confirms with a POST
(a GET never signs). Every refusal shows its reason and records nothing. Wrong codes are
throttled per learner and sheet (``RATELIMIT_ATTENDANCE_CODE``): a refused POST answers 422
and counts; beyond the rate the page answers 429 before the code is even checked.

``GET /attendance/records/<record id>/supporting-file`` sends the supporting file of an excused
absence to the learner concerned and the staff of the cohort, always as an attachment.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.attendance.sheets.access import learner_sheet_or_403, supporting_record_or_403
from lms.attendance.sheets.errors import SheetError, WrongCode
from lms.attendance.sheets.forms import STATUS_LABELS, SignForm
from lms.attendance.sheets.services import clock, record_of, signing_window
from lms.attendance.sheets.services import sign as sign_sheet
from lms.attendance.sheets.supporting import open_supporting
from lms.core import storage
from lms.core.csv import attachment
from lms.core.files import CONTENT_TYPES
from lms.core.transactions import unit_of_work
from lms.extensions import limiter

bp = Blueprint("attendance_sheets", __name__)
WRONG_CODE_STATUS = 422


def code_attempt_key() -> str:
    """Return the limit key of a signing attempt: the learner and the sheet."""
    sheet_id = (request.view_args or {}).get("sheet_id", "")
    return f"attendance-code:{current_user.get_id() or 'anonymous'}:{sheet_id}"


code_limit = limiter.limit(
    lambda: current_app.config["RATELIMIT_ATTENDANCE_CODE"],
    key_func=code_attempt_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == WRONG_CODE_STATUS,
)


@bp.context_processor
def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "clock": clock}


def render_sign(sheet, form: SignForm, error: str = "", status: int = 200):
    session = sheet.session
    page = render_template(
        "attendance/sheets/sign.html",
        sheet=sheet,
        session=session,
        window=signing_window(session),
        record=record_of(sheet, current_user.id),
        form=form,
        error=error,
    )
    return page, status


@bp.route("/attendance/sign/<int:sheet_id>", methods=["GET", "POST"])
@code_limit
def sign(sheet_id: int):
    """GET: show the learner the session, their record and the code form (pre-filled from the
    QR code). POST: sign with the code; refused with the reason, nothing recorded."""
    sheet = learner_sheet_or_403(sheet_id)
    if request.method == "GET":
        form = SignForm(formdata=None)
        code = request.args.get("code", "")
        if code.isascii() and code.isdigit() and len(code) == 6:
            form.code.data = code
        return render_sign(sheet, form)
    form = SignForm()
    if not form.validate_on_submit():
        return render_sign(sheet, form, status=400)
    try:
        with unit_of_work():
            record = sign_sheet(sheet, current_user, form.code.data)
    except WrongCode as error:
        return render_sign(sheet, form, str(error), WRONG_CODE_STATUS)
    except SheetError as error:
        return render_sign(sheet, form, str(error), 409)
    if record.arrived_at:
        time = clock(record.arrived_at)
        message = _("Signed: you are recorded late, arrived at %(time)s.", time=time)
    else:
        time = clock(record.recorded_at)
        message = _("Signed: you are recorded present at %(time)s.", time=time)
    flash(message, "success")
    return redirect(url_for(".sign", sheet_id=sheet.id))


@bp.get("/attendance/records/<int:record_id>/supporting-file")
def supporting_file(record_id: int):
    """Send an excused absence's supporting file (attachment) to its learner and the staff."""
    record = supporting_record_or_403(record_id)
    try:
        with open_supporting(record) as stream:  # a few megabytes at most
            data = stream.read()
    except storage.StorageError:
        abort(404)
    name = record.file_name or "justificatif"
    extension = name.rpartition(".")[2].lower()
    mimetype = CONTENT_TYPES.get(extension, "application/octet-stream")
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
