"""Assignment use cases: submit a version (text and files), deadlines and extensions, downloads.

Files are checked and stored by ``lms.assessments.assignments.uploads``.

Submitting the same content again (same text, same files' hashes) records no new version: a
double click or a retry is recognised by ``content_sha256``; when two requests race, the
database's UNIQUE(assessment, user, version) lets one win and the other finds its version.

Versions and attempts (Moodle's "attempts reopened manually" model):

- a **version** is one content the learner handed in, numbered 1, 2, … per assignment; until a
  trainer starts grading, a new content is a new version of the SAME attempt, which replaces the
  previous one (only the latest version of an attempt is graded);
- an **attempt** ends when its latest version is graded or returned for revision; only a return
  for revision opens the next attempt, whose first version is the learner's next submission;
- ``max_attempts`` (None: unlimited) caps the attempts: the trainer cannot return the work of the
  last allowed attempt (``can_return``: its grade is final), and a learner whose attempts are
  used up cannot submit (``AttemptsExhausted``, answered 409); the page says why and hides the
  form. Editing before grading never counts as an attempt.

Services flush, never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.assessments.access import is_marker_of_submission
from lms.assessments.assignments.errors import AssignmentError, AttemptsExhausted
from lms.assessments.assignments.uploads import (
    SubmitResult,
    Upload,
    checked_uploads,
    store_and_flush,
)
from lms.assessments.deadlines import deadline_for
from lms.assessments.models import (
    Assessment,
    DeadlineExtension,
    Grade,
    GradeState,
    Submission,
    SubmissionFile,
    SubmissionState,
)
from lms.cohorts.access import is_learner_of, is_staff, is_staff_of_learner
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.time import utcnow
from lms.extensions import db

MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class Attempts:
    """The attempt the learner is in (or would open by submitting) and how many are allowed."""

    current: int
    allowed: int | None  # None: unlimited

    @property
    def is_last(self) -> bool:
        """Tell whether the current attempt is the last one allowed."""
        return self.allowed is not None and self.current == self.allowed

    @property
    def is_exhausted(self) -> bool:
        """Tell whether every allowed attempt is used: no new one may start."""
        return self.allowed is not None and self.current > self.allowed


def attempts_of(assessment: Assessment, latest: Submission | None) -> Attempts:
    """Return the learner's attempt: the latest version's, or the next one after a return."""
    if latest is None:
        current = 1
    else:
        current = latest.attempt + (1 if latest.state == SubmissionState.RETURNED else 0)
    return Attempts(current=current, allowed=assessment.max_attempts)


def can_return(submission: Submission) -> bool:
    """Tell whether returning this version for revision would leave the learner an attempt."""
    allowed = submission.assessment.max_attempts
    return allowed is None or submission.attempt < allowed


def submission_history(assessment: Assessment, learner: User) -> list[Submission]:
    """Return the learner's versions, newest first, with their files (one query)."""
    query = (
        db.select(Submission)
        .filter_by(assessment_id=assessment.id, user_id=learner.id)
        .options(joinedload(Submission.files))
        .order_by(Submission.version.desc())
    )
    return list(db.session.scalars(query).unique())


def latest_submission(assessment: Assessment, learner: User) -> Submission | None:
    """Return the learner's newest version, if any."""
    query = (
        db.select(Submission)
        .filter_by(assessment_id=assessment.id, user_id=learner.id)
        .order_by(Submission.version.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def editing_closed_reason(latest: Submission | None) -> str | None:
    """Say why no new version may be submitted (graded, being graded, no attempt left), or None."""
    if latest is None:
        return None
    grade_state = db.session.scalar(db.select(Grade.state).filter_by(submission_id=latest.id))
    if latest.state == SubmissionState.RETURNED or grade_state == GradeState.RETURNED:
        attempts = attempts_of(latest.assessment, latest)
        if attempts.is_exhausted:
            return _exhausted_message(attempts)
        return None
    if latest.state == SubmissionState.GRADED or grade_state is not None:
        attempts = attempts_of(latest.assessment, latest)
        if attempts.is_last:
            return _(
                "Your last attempt (%(n)d of %(max)d) is being graded or has been graded: "
                "it can no longer be changed.",
                n=attempts.current,
                max=attempts.allowed,
            )
        return _("Your work is being graded or has been graded: it can no longer be changed.")
    return None


def _exhausted_message(attempts: Attempts) -> str:
    """Say that every attempt is used."""
    return _(
        "You have used all %(max)d attempts this assignment allows: "
        "no new version can be submitted.",
        max=attempts.allowed,
    )


def content_digest(text: str, file_hashes: Sequence[str]) -> str:
    """Return the SHA-256 of a version's content: its text and its files' hashes."""
    digest = hashlib.sha256(b"text\0" + text.encode("utf-8"))
    for file_hash in sorted(file_hashes):
        digest.update(b"\0file\0" + file_hash.encode("ascii"))
    return digest.hexdigest()


def normalise_text(text: str | None) -> str:
    """Return the text with one kind of line break and no surrounding blanks."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def submit_assignment(
    learner: User,
    assessment: Assessment,
    cohort: Cohort,
    text: str | None,
    uploads: Sequence[Upload],
    folder: Path,
    now: datetime | None = None,
) -> SubmitResult:
    """Record the learner's work as a new version (or recognise the same work sent again)."""
    text = normalise_text(text)
    checked = checked_uploads(assessment, text, uploads)
    hashes = [hashlib.sha256(upload.data).hexdigest() for upload, _checked in checked]
    digest = content_digest(text, hashes)
    latest = latest_submission(assessment, learner)
    attempts = attempts_of(assessment, latest)
    if reason := editing_closed_reason(latest):
        at_limit = attempts.is_exhausted or attempts.is_last
        raise (AttemptsExhausted if at_limit else AssignmentError)(reason)
    if _same_work(latest, digest):
        return SubmitResult(latest, created=False)
    now = now or utcnow()
    deadline = deadline_for(assessment, learner, cohort)
    submission = Submission(
        assessment=assessment,
        user=learner,
        version=(latest.version + 1) if latest else 1,
        attempt=attempts.current,
        text=text,
        content_sha256=digest,
        submitted_at=now,
        is_late=deadline is not None and now > deadline,
    )
    return store_and_flush(submission, checked, folder)


def _same_work(latest: Submission | None, digest: str) -> bool:
    """Tell whether the latest version (not returned) already holds exactly this content."""
    return (
        latest is not None
        and latest.state != SubmissionState.RETURNED
        and latest.content_sha256 == digest
    )


def can_download(user: User, file: SubmissionFile) -> bool:
    """Tell whether ``user`` may read the file: owner, trainer of the owner's cohort, admin, or
    a marker allocated to that version (``lms.assessments.access.is_marker_of_submission``)."""
    owner_id = file.submission.user_id
    if user.id == owner_id:
        return True
    if is_staff_of_learner(user, owner_id, file.submission.assessment.path_id):
        return True
    return is_marker_of_submission(user, file.submission_id)


def grant_extension(
    actor: User,
    assessment: Assessment,
    learner: User,
    due_at: datetime,
    reason: str,
    cohort: Cohort,
) -> DeadlineExtension:
    """Give a learner of the cohort a new deadline for an assessment of its path (audited)."""
    if not is_staff(actor, cohort):
        raise AssignmentError(_("Only the cohort's trainers and administrators grant extensions."))
    if assessment.path_id != cohort.path_id or not is_learner_of(learner, cohort):
        raise AssignmentError(_("This learner or assessment is not part of the cohort."))
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON_LENGTH or "\0" in reason:
        raise AssignmentError(
            _("Give a reason (%(max)d characters at most).", max=MAX_REASON_LENGTH)
        )
    extension = db.session.scalar(
        db.select(DeadlineExtension).filter_by(assessment_id=assessment.id, user_id=learner.id)
    )
    before = _extension_values(extension)
    if extension is None:
        extension = DeadlineExtension(assessment=assessment, user=learner)
        db.session.add(extension)
    extension.due_at, extension.reason, extension.granted_by = due_at, reason, actor
    db.session.flush()
    record_audit_event(
        actor, "assessment.extension", extension, before=before, after=_extension_values(extension)
    )
    return extension


def _extension_values(extension: DeadlineExtension | None) -> dict | None:
    """Return what the audit log keeps of an extension."""
    if extension is None:
        return None
    return {
        "assessment": extension.assessment.code,
        "learner_id": extension.user.id,
        "due_at": extension.due_at.isoformat(),
        "reason": extension.reason,
    }


def cohort_extensions(cohort: Cohort, assessment: Assessment) -> list[DeadlineExtension]:
    """Return the extensions granted to the cohort's learners for the assessment."""
    query = (
        db.select(DeadlineExtension)
        .join(Membership, Membership.user_id == DeadlineExtension.user_id)
        .where(
            DeadlineExtension.assessment_id == assessment.id,
            Membership.cohort_id == cohort.id,
            Membership.role == MembershipRole.LEARNER,
        )
        .options(selectinload(DeadlineExtension.user))
        .order_by(DeadlineExtension.due_at)
    )
    return list(db.session.scalars(query))
