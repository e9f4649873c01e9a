"""Assignment pages: the learner's page and submission, file downloads, trainers' extensions.

Learner routes go through ``learner_assessment_or_403`` (a learner of the path, the module
open); an assessment of another kind answers 404. Downloads are for the file's owner, the
trainers of a cohort where the owner learns this path, and administrators; everyone else is
denied like any protected page (SECURITY.md C). Files are always sent as attachments under a
safe content type, so a browser never renders what a learner uploaded (F24, F25).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.permissions import deny
from lms.assessments.access import LearnerAssessment, learner_assessment_or_403
from lms.assessments.assignments import services
from lms.assessments.assignments.errors import (
    AssignmentError,
    AttemptsExhausted,
    ConcurrentSubmission,
    UploadTooLarge,
)
from lms.assessments.assignments.forms import ExtensionForm, SubmissionForm
from lms.assessments.assignments.uploads import (
    MAX_FILES,
    MEGABYTE,
    SubmitResult,
    Upload,
    discard_files,
    upload_folder,
)
from lms.assessments.grading.display import grade_view, released_grade
from lms.assessments.marking import allocation
from lms.assessments.marking.notify import notify_allocated
from lms.assessments.models import Assessment, AssessmentKind, SubmissionFile
from lms.cohorts.access import staff_cohort_or_403
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core import storage
from lms.core.files import CONTENT_TYPES
from lms.core.markdown import render_markdown
from lms.core.time import utcnow
from lms.core.transactions import unit_of_work
from lms.extensions import db

bp = Blueprint("assignments", __name__)

# Content types a browser may be told (never HTML, SVG or XML); others go as opaque bytes.
SAFE_CONTENT_TYPES = frozenset(CONTENT_TYPES.values())


def _assignment_or_404(assessment_id: int) -> LearnerAssessment:
    """Load an assignment the current learner may open; other kinds of assessment: 404."""
    access = learner_assessment_or_403(assessment_id)
    if access.assessment.kind != AssessmentKind.ASSIGNMENT:
        abort(404)
    return access


@bp.get("/assessments/<int:assessment_id>/assignment")
@login_required
def show(assessment_id: int):
    """Show the instructions, the deadline, the submission form and the learner's versions."""
    access = _assignment_or_404(assessment_id)
    return _page(access, SubmissionForm())


def _page(access: LearnerAssessment, form: SubmissionForm, error: str | None = None, status=200):
    """Render the assignment page for the current learner."""
    assessment = access.assessment
    history = services.submission_history(assessment, current_user)
    latest = history[0] if history else None
    deadline = services.deadline_for(assessment, current_user, access.cohort, access.state)
    page = render_template(
        "assessments/assignments/show.html",
        access=access,
        assessment=assessment,
        module=access.module,
        instructions=render_markdown(assessment.instructions),
        deadline=deadline,
        is_past_deadline=deadline is not None and utcnow() > deadline,
        history=history,
        attempts=services.attempts_of(assessment, latest),
        closed_reason=services.editing_closed_reason(latest),
        form=form,
        error=error,
        max_files=MAX_FILES,
        **_released_result(assessment),
    )
    return page, status


def _released_result(assessment: Assessment) -> dict:
    """Return the learner's released grade and its display; nothing before the release."""
    released = released_grade(current_user, assessment)
    return {"released": released, "view": grade_view(released) if released else None}


@bp.post("/assessments/<int:assessment_id>/assignment/versions")
@login_required
def submit(assessment_id: int):
    """Record the learner's work as a new version, then show the page again."""
    access = _assignment_or_404(assessment_id)
    form = SubmissionForm()
    if not form.validate():
        return _page(access, form, status=422)
    uploads = _uploads(access.assessment)
    try:
        result = _submit_once_more_if_raced(access, form.text.data, uploads)
    except UploadTooLarge as error:
        abort(413, description=str(error))
    except AttemptsExhausted as error:
        return _page(access, form, error=str(error), status=409)
    except AssignmentError as error:
        return _page(access, form, error=str(error), status=422)
    _commit_or_discard(result)
    if result.created and access.assessment.is_marked:
        _allocate_markers(result.submission, access.cohort)
    if result.created:
        flash(_("Version %(n)d is submitted.", n=result.submission.version), "success")
    else:
        flash(_("This work was already submitted: no new version."), "info")
    return redirect(url_for("assignments.show", assessment_id=assessment_id))


def _allocate_markers(submission, cohort) -> None:
    """Allocate the markers of a double-marked version, then tell them (after the commit).

    A separate unit of work: the version is kept even when no marker is available (staff then
    allocate from the allocation page).
    """
    try:
        with unit_of_work():
            made = allocation.allocate_submission(submission, cohort)
    except allocation.MarkingError:
        return
    notify_allocated(made)


def _uploads(assessment: Assessment) -> list[Upload]:
    """Read the posted files, at most one byte beyond the assignment's limit each."""
    limit = assessment.max_file_mb * MEGABYTE
    return [
        Upload(name=file.filename or "", data=file.stream.read(limit + 1))
        for file in request.files.getlist("files")
        if file.filename or file.content_length
    ]


def _submit_once_more_if_raced(access: LearnerAssessment, text, uploads):
    """Submit; when a simultaneous request took the version, roll back and submit again."""
    folder = upload_folder()
    try:
        return services.submit_assignment(
            current_user, access.assessment, access.cohort, text, uploads, folder
        )
    except ConcurrentSubmission:
        db.session.rollback()
        return services.submit_assignment(
            current_user, access.assessment, access.cohort, text, uploads, folder
        )


def _commit_or_discard(result: SubmitResult) -> None:
    """Commit the new version; if the commit fails, remove the files stored for it.

    Not a ``unit_of_work``: the files are written before the commit and must go if it fails.
    """
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        discard_files(upload_folder(), result.stored_keys)
        raise


@bp.get("/submissions/files/<int:file_id>")
@login_required
def download(file_id: int):
    """Send a submitted file as an attachment to its owner, the owner's trainers and admins."""
    file = db.get_or_404(SubmissionFile, file_id)
    if not services.can_download(current_user, file):
        deny()
    try:
        stream = storage.open_stored(upload_folder(), file.storage_key)
    except storage.StorageError:
        abort(404)
    response = send_file(stream, mimetype=_served_type(file.content_type), conditional=False)
    response.headers["Content-Disposition"] = content_disposition(file.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _served_type(content_type: str) -> str:
    """Return the content type to announce: a known safe one, else opaque bytes."""
    return content_type if content_type in SAFE_CONTENT_TYPES else "application/octet-stream"


def content_disposition(name: str) -> str:
    """Return an ``attachment`` header naming the file: ASCII fallback and RFC 5987 UTF-8."""
    cleaned = "".join(c for c in name if unicodedata.category(c)[0] != "C").replace("/", "_")
    cleaned = cleaned.replace("\\", "_").strip() or "file"
    ascii_name = unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_name).strip() or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


@bp.route(
    "/manage/cohorts/<int:cohort_id>/assessments/<int:assessment_id>/extensions",
    methods=["GET", "POST"],
)
@login_required
def extensions(cohort_id: int, assessment_id: int):
    """List and grant deadline extensions for an assessment of the cohort's path."""
    cohort = staff_cohort_or_403(cohort_id, joinedload(Cohort.path))
    assessment = db.get_or_404(Assessment, assessment_id)
    if assessment.path_id != cohort.path_id:
        abort(404)
    form = ExtensionForm()
    form.learner.choices = [(user.id, user.display_name) for user in _learners(cohort)]
    if form.validate_on_submit():
        learner = db.session.get(User, form.learner.data)
        try:
            with unit_of_work():
                services.grant_extension(
                    current_user, assessment, learner, form.due_at.data, form.reason.data, cohort
                )
        except AssignmentError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The extension is recorded."), "success")
            return redirect(request.path)
    status = 422 if form.errors or form.form_errors else 200
    page = render_template(
        "assessments/assignments/extensions.html",
        cohort=cohort,
        assessment=assessment,
        form=form,
        extensions=services.cohort_extensions(cohort, assessment),
    )
    return page, status


def _learners(cohort: Cohort) -> list[User]:
    """Return the cohort's learners by name."""
    query = (
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER)
        .order_by(User.display_name, User.id)
    )
    return list(db.session.scalars(query))
