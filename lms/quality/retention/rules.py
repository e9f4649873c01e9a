"""The retention rules: for each kind of data, its period and what the purge does past it.

Each ``Rule`` has a name (printed and audited), the period it follows (``evidence``: the
cohort's end, 31 December of N + k; ``surveys``: the campaign's closing, N + the survey years;
``accounts`` and ``logs``: the evidence period, counted from the last sign-in or the event),
one line saying what it does, and ``find(horizon)`` yielding the ``Action``s due on the horizon's
day, and only those that still change something: a second run finds nothing (idempotence).

Adding a kind of data is one function and one line in ``RULES``. What stays, by design: grades'
values and states, attendance statuses and hours, decisions, juries, votes and minutes (the
procès-verbal), certificates (their name, document and PDF: the public page keeps verifying
them), certificats de réalisation, survey scale and choice values, every row the indicators
count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import tuple_
from sqlalchemy.orm import selectinload

from lms.accounts.models import AuditEvent, PasswordToken, RecoveryCode, User, UserSession
from lms.assessments.models import Assessment, Grade, Submission
from lms.assessments.models.marking import Marking, MarkingChoice
from lms.assessments.models.work import DeadlineExtension
from lms.attendance.models import AttendanceRecord, AttendanceSheet, TrainingSession
from lms.cohorts.models import Membership, MembershipRole
from lms.core.time import utcnow
from lms.extensions import db
from lms.learning.calendar.models import CalendarFeed
from lms.organisations.models import TerritoryAdministrator
from lms.projects.models import (
    Project,
    ProjectEvaluation,
    ProjectEvaluationValue,
    ProjectInvitation,
)
from lms.quality.dossiers.models import LIVE_STATES, LearnerDossier
from lms.quality.positioning.models import Positioning, PositioningLevel
from lms.quality.retention.actions import (
    ANONYMOUS_NAME,
    Action,
    StoredFileRef,
    anonymous_email,
    anonymous_name,
    delete,
    erase,
)
from lms.quality.retention.periods import Horizon
from lms.quality.surveys.models import (
    SurveyAnswer,
    SurveyCampaign,
    SurveyParticipation,
    SurveyResponse,
)

# The instance folders of the files the purge deletes (lms.core.storage layout).
UPLOADS = "uploads"  # lms.assessments.assignments.uploads
SUPPORTING = "attendance"  # lms.attendance.sheets.supporting
DOSSIERS = "dossiers"  # lms.quality.dossiers.store


@dataclass(frozen=True)
class Rule:
    """One kind of data: its period, what the purge does past it, and how to find it."""

    name: str
    period: str
    summary: str
    find: Callable[[Horizon], Iterator[Action]]


def _present(*actions: Action | None) -> Iterator[Action]:
    yield from (action for action in actions if action is not None)


# --- a learner's work on a path: past when every cohort of that path they followed is past ----


def _past_work(model, horizon: Horizon, user_column):
    """Select rows of ``model`` (with an ``assessment_id``) whose learner's path is past."""
    pairs = sorted(horizon.past_learner_paths)
    query = db.select(model).join(Assessment, Assessment.id == model.assessment_id)
    if not pairs:
        return query.where(db.false())
    return query.where(tuple_(user_column, Assessment.path_id).in_(pairs)).order_by(model.id)


def submissions(horizon: Horizon) -> Iterator[Action]:
    """Delete the submissions' files, blank their text and mark them purged."""
    now = utcnow()
    query = (
        _past_work(Submission, horizon, Submission.user_id)
        .where(Submission.purged_at.is_(None))
        .options(selectinload(Submission.files))
    )
    for submission in db.session.scalars(query):
        for file in submission.files:
            yield delete("submissions", file, (StoredFileRef(UPLOADS, file.storage_key),))
        yield from _present(erase("submissions", submission, {"text": "", "purged_at": now}))


def grade_feedback(horizon: Horizon) -> Iterator[Action]:
    """Blank the feedback of grades, of markings and the reasons of marking choices."""
    grades = _past_work(Grade, horizon, Grade.learner_id).where(Grade.feedback != "")
    for grade in db.session.scalars(grades):
        yield from _present(erase("feedback", grade, {"feedback": ""}))
    past_grades = _past_work(Grade, horizon, Grade.learner_id).with_only_columns(Grade.id)
    markings = db.select(Marking).where(Marking.grade_id.in_(past_grades), Marking.feedback != "")
    for marking in db.session.scalars(markings.order_by(Marking.id)):
        yield from _present(erase("feedback", marking, {"feedback": ""}))
    choices = (
        db.select(MarkingChoice)
        .join(Marking, Marking.id == MarkingChoice.marking_id)
        .where(Marking.grade_id.in_(past_grades), MarkingChoice.reason.is_not(None))
    )
    for choice in db.session.scalars(choices.order_by(MarkingChoice.id)):
        yield from _present(erase("feedback", choice, {"reason": None}))


def extension_reasons(horizon: Horizon) -> Iterator[Action]:
    """Blank the reasons of deadline extensions."""
    query = _past_work(DeadlineExtension, horizon, DeadlineExtension.user_id)
    for extension in db.session.scalars(query.where(DeadlineExtension.reason != "")):
        yield from _present(erase("extensions", extension, {"reason": ""}))


# --- a cohort's own rows: past with the cohort -------------------------------------------------


def attendance(horizon: Horizon) -> Iterator[Action]:
    """Blank the reasons of excused absences and delete their supporting files."""
    query = (
        db.select(AttendanceRecord)
        .join(AttendanceSheet, AttendanceSheet.id == AttendanceRecord.sheet_id)
        .join(TrainingSession, TrainingSession.id == AttendanceSheet.session_id)
        .where(
            TrainingSession.cohort_id.in_(sorted(horizon.past_cohort_ids)),
            db.or_(AttendanceRecord.reason != "", AttendanceRecord.file_key.is_not(None)),
        )
        .order_by(AttendanceRecord.id)
    )
    for record in db.session.scalars(query):
        files = (StoredFileRef(SUPPORTING, record.file_key),) if record.file_key else ()
        targets = {"reason": "", "file_key": None, "file_name": None, "file_sha256": None}
        yield from _present(erase("attendance", record, targets, files))


def positioning(horizon: Horizon) -> Iterator[Action]:
    """Blank the adjustments of positionings and the learners' comments on their levels."""
    past = Positioning.cohort_id.in_(sorted(horizon.past_cohort_ids))
    query = db.select(Positioning).where(past, Positioning.adjustments != "")
    for row in db.session.scalars(query.order_by(Positioning.id)):
        yield from _present(erase("positioning", row, {"adjustments": ""}))
    levels = (
        db.select(PositioningLevel)
        .join(Positioning, Positioning.id == PositioningLevel.positioning_id)
        .where(past, PositioningLevel.self_comment != "")
        .order_by(PositioningLevel.id)
    )
    for level in db.session.scalars(levels):
        yield from _present(erase("positioning", level, {"self_comment": ""}))


def dossiers(horizon: Horizon) -> Iterator[Action]:
    """Delete the learners' dossiers, rows and archives: they gather the evidence itself.

    A build still under way is left to the next run (its job writes the row it reads).
    """
    query = (
        db.select(LearnerDossier)
        .where(
            LearnerDossier.cohort_id.in_(sorted(horizon.past_cohort_ids)),
            LearnerDossier.state.not_in(LIVE_STATES),
        )
        .order_by(LearnerDossier.id)
    )
    for dossier in db.session.scalars(query):
        files = (StoredFileRef(DOSSIERS, dossier.storage_key),) if dossier.storage_key else ()
        yield delete("dossiers", dossier, files)


def projects(horizon: Horizon) -> Iterator[Action]:
    """Blank projects' descriptions, partners and justifications; anonymise invited people."""
    past = Project.cohort_id.in_(sorted(horizon.past_cohort_ids))
    query = db.select(Project).where(
        past, db.or_(Project.description != "", Project.partners != "")
    )
    for project in db.session.scalars(query.order_by(Project.id)):
        yield from _present(erase("projects", project, {"description": "", "partners": ""}))
    values = (
        db.select(ProjectEvaluationValue)
        .join(ProjectEvaluation, ProjectEvaluation.id == ProjectEvaluationValue.evaluation_id)
        .join(Project, Project.id == ProjectEvaluation.project_id)
        .where(past, ProjectEvaluationValue.justification != "")
        .order_by(ProjectEvaluationValue.id)
    )
    for value in db.session.scalars(values):
        yield from _present(erase("projects", value, {"justification": ""}))
    invited = (
        db.select(ProjectEvaluation)
        .join(Project, Project.id == ProjectEvaluation.project_id)
        .where(past, ProjectEvaluation.invitation_id.is_not(None))
        .order_by(ProjectEvaluation.id)
    )
    for evaluation in db.session.scalars(invited):
        yield from _present(erase("projects", evaluation, {"evaluator_name": ANONYMOUS_NAME}))
    invitations = (
        db.select(ProjectInvitation)
        .join(Project, Project.id == ProjectInvitation.project_id)
        .where(past)
        .order_by(ProjectInvitation.id)
    )
    for invitation in db.session.scalars(invitations):
        targets = {"email": anonymous_email("invitation", invitation.id), "name": ANONYMOUS_NAME}
        yield from _present(erase("projects", invitation, targets))


# --- raw survey answers: past 31 December of the campaign's closing year + the survey years ---


def surveys(horizon: Horizon) -> Iterator[Action]:
    """Blank text answers, cut named responses from their person, anonymise contacts."""
    past = SurveyCampaign.closes_at < horizon.survey_start
    answers = (
        db.select(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(SurveyCampaign, SurveyCampaign.id == SurveyResponse.campaign_id)
        .where(past, SurveyAnswer.text.is_not(None), SurveyAnswer.text != "")
        .order_by(SurveyAnswer.id)
    )
    for answer in db.session.scalars(answers):
        yield from _present(erase("surveys", answer, {"text": ""}))
    responses = (
        db.select(SurveyResponse)
        .join(SurveyCampaign, SurveyCampaign.id == SurveyResponse.campaign_id)
        .where(past, SurveyResponse.participation_id.is_not(None))
        .order_by(SurveyResponse.id)
    )
    for response in db.session.scalars(responses):
        cut = {"participation_id": None, "submitted_at": None}
        yield from _present(erase("surveys", response, cut))
    contacts = (
        db.select(SurveyParticipation)
        .join(SurveyCampaign, SurveyCampaign.id == SurveyParticipation.campaign_id)
        .where(past, SurveyParticipation.email.is_not(None))
        .order_by(SurveyParticipation.id)
    )
    for contact in db.session.scalars(contacts):
        targets = {"email": anonymous_email("contact", contact.id), "contact_name": ""}
        yield from _present(erase("surveys", contact, targets))


# --- accounts: a learner whose every cohort is past and who has not signed in since -----------


def accounts(horizon: Horizon) -> Iterator[Action]:
    """Anonymise learners' accounts whose every cohort is past; remove their ways to sign in."""
    users = list(db.session.scalars(_anonymisable_users(horizon)))
    signs_in = _rows_of_users([user.id for user in users])
    for user in users:
        targets = {
            "display_name": anonymous_name(user.id),
            "email": anonymous_email("personne", user.id),
            "password_hash": None,
            "is_active": False,
            "totp_secret_encrypted": None,
            "totp_enabled_at": None,
            "totp_last_used_step": None,
        }
        yield from _present(erase("accounts", user, targets))
        yield from (delete("accounts", row) for row in signs_in.get(user.id, []))


# What lets a person sign in or reach their data without signing in, removed with the account.
SIGN_IN_MODELS = (UserSession, PasswordToken, RecoveryCode, CalendarFeed)


def _rows_of_users(user_ids: list[int]) -> dict[int, list]:
    """Return each user's sign-in rows, model by model (one query per model)."""
    found: dict[int, list] = {}
    for model in SIGN_IN_MODELS:
        query = db.select(model).where(model.user_id.in_(user_ids)).order_by(model.id)
        for row in db.session.scalars(query) if user_ids else ():
            found.setdefault(row.user_id, []).append(row)
    return found


def _anonymisable_users(horizon: Horizon):
    """Select the accounts to anonymise on the horizon's day.

    A learner (one learner membership at least) whose every membership, in any role, is in a
    cohort past its period, who has not signed in since the evidence period's first day, who is
    neither a global nor a territory administrator, and who is not anonymised yet. Staff
    accounts (trainers, assessors who never were learners) are never anonymised: they sign the
    sheets, grades and minutes that stay, and an administrator deactivates them.
    """
    kept_memberships = db.select(Membership.user_id).where(
        Membership.cohort_id.not_in(sorted(horizon.past_cohort_ids))
    )
    learners = db.select(Membership.user_id).where(Membership.role == MembershipRole.LEARNER)
    recent_sessions = db.select(UserSession.user_id).where(
        UserSession.last_seen_at >= horizon.evidence_start
    )
    return (
        db.select(User)
        .where(
            User.id.in_(learners),
            User.id.not_in(kept_memberships),
            User.id.not_in(recent_sessions),
            User.id.not_in(db.select(TerritoryAdministrator.user_id)),
            User.is_admin.is_(False),
            User.email.not_like("personne-%@anonymise.invalid"),
        )
        .order_by(User.id)
    )


# --- logs: the details of audit events past the evidence period ------------------------------


def audit_details(horizon: Horizon) -> Iterator[Action]:
    """Erase the before/after details of audit events older than the evidence period."""
    query = (
        db.select(AuditEvent)
        .where(AuditEvent.created_at < horizon.evidence_start)
        .order_by(AuditEvent.id)
        .execution_options(yield_per=500)
    )
    for event in db.session.scalars(query):
        yield from _present(erase("logs", event, {"before": None, "after": None}))


# The rules, in the order the purge applies and prints them. Learner dossiers (lms.quality
# .dossiers) add theirs here: the archives of past cohorts deleted with their files.
RULES: tuple[Rule, ...] = (
    Rule("submissions", "evidence", "submissions' files deleted, texts blanked", submissions),
    Rule("feedback", "evidence", "feedback of grades and markings blanked", grade_feedback),
    Rule("extensions", "evidence", "reasons of deadline extensions blanked", extension_reasons),
    Rule("attendance", "evidence", "absence reasons blanked, supporting files deleted", attendance),
    Rule("positioning", "evidence", "positioning comments and adjustments blanked", positioning),
    Rule("dossiers", "evidence", "learners' dossiers deleted, with their archives", dossiers),
    Rule("projects", "evidence", "project texts blanked, invited people anonymised", projects),
    Rule("surveys", "surveys", "text answers blanked, answers cut from people", surveys),
    Rule("accounts", "accounts", "learners' accounts anonymised, sign-in removed", accounts),
    Rule("logs", "logs", "details of old audit events erased", audit_details),
)
