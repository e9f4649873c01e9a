"""When a learner's work on an assessment is due: one rule for every kind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func

from lms.accounts.models import User
from lms.assessments.models import Assessment, DeadlineExtension, QuizAttempt, Submission
from lms.cohorts.models import Cohort, ModuleCalendar
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.chronology import ModuleState


def deadline_for(
    assessment: Assessment, learner: User, cohort: Cohort, state: ModuleState | None = None
) -> datetime | None:
    """Return the learner's deadline: their extension, else the calendar's opening + due_days.

    ``state``, the module's state the page's access check computed, already knows when the
    calendar opens the module: given, it saves reading the calendar again.
    """
    extension = db.session.scalar(
        db.select(DeadlineExtension.due_at).filter_by(
            assessment_id=assessment.id, user_id=learner.id
        )
    )
    opens_at = None
    if extension is None and assessment.due_days is not None:
        if state is not None:
            opens_at = state.opens_at
        else:
            opens_at = db.session.scalar(
                db.select(ModuleCalendar.opens_at).filter_by(
                    cohort_id=cohort.id, module_id=assessment.module_id
                )
            )
    return deadline_from(assessment, extension, opens_at)


def deadline_from(
    assessment: Assessment, extension: datetime | None, opens_at: datetime | None
) -> datetime | None:
    """Return the deadline from already-read values: the extension, else opening + due_days."""
    if extension is not None:
        return extension
    if assessment.due_days is None or opens_at is None:
        return None
    return opens_at + timedelta(days=assessment.due_days)


@dataclass(frozen=True)
class LearnerDeadline:
    """A learner's deadline for one assessment, and whether their work is in."""

    learner_id: int
    cohort_id: int
    assessment: Assessment
    module_code: str
    due_at: datetime
    extended: bool  # the deadline is the learner's extension
    handed_in_at: datetime | None  # first submission or submitted quiz attempt, if any


def learner_deadlines(places: Iterable[tuple[int, int, int]]) -> list[LearnerDeadline]:
    """Return the deadlines of learners in cohorts, given ``(learner id, cohort id, path id)``.

    Five queries whatever the number of learners and assessments: assessments of the paths, the
    cohorts' calendars, extensions, submissions, submitted attempts. Assessments without a
    deadline (no ``due_days`` and no extension, or a module not in the calendar) are left out.
    """
    places = list(places)
    if not places:
        return []
    learner_ids = {learner for learner, _cohort, _path in places}
    cohort_ids = {cohort for _learner, cohort, _path in places}
    path_ids = {path for _learner, _cohort, path in places}
    by_path: dict[int, list[tuple[Assessment, str]]] = {}
    for assessment, code in db.session.execute(
        db.select(Assessment, Module.code)
        .join(Assessment.module)
        .where(Assessment.path_id.in_(path_ids))
        .order_by(Module.position, Assessment.position)
    ).tuples():
        by_path.setdefault(assessment.path_id, []).append((assessment, code))
    opens = {
        (cohort_id, module_id): opens_at
        for cohort_id, module_id, opens_at in db.session.execute(
            db.select(
                ModuleCalendar.cohort_id, ModuleCalendar.module_id, ModuleCalendar.opens_at
            ).where(ModuleCalendar.cohort_id.in_(cohort_ids))
        ).tuples()
    }
    extensions = {
        (user_id, assessment_id): due_at
        for user_id, assessment_id, due_at in db.session.execute(
            db.select(
                DeadlineExtension.user_id, DeadlineExtension.assessment_id, DeadlineExtension.due_at
            ).where(DeadlineExtension.user_id.in_(learner_ids))
        ).tuples()
    }
    handed_in: dict[tuple[int, int], datetime] = {}
    for model, when in (
        (Submission, Submission.submitted_at),
        (QuizAttempt, QuizAttempt.submitted_at),
    ):
        for user_id, assessment_id, first in db.session.execute(
            db.select(model.user_id, model.assessment_id, func.min(when))
            .where(model.user_id.in_(learner_ids), when.is_not(None))
            .group_by(model.user_id, model.assessment_id)
        ).tuples():
            key = (user_id, assessment_id)
            handed_in[key] = min(first, handed_in.get(key, first))
    deadlines = []
    for learner_id, cohort_id, path_id in places:
        for assessment, code in by_path.get(path_id, []):
            extension = extensions.get((learner_id, assessment.id))
            due_at = deadline_from(
                assessment, extension, opens.get((cohort_id, assessment.module_id))
            )
            if due_at is None:
                continue
            deadlines.append(
                LearnerDeadline(
                    learner_id=learner_id,
                    cohort_id=cohort_id,
                    assessment=assessment,
                    module_code=code,
                    due_at=due_at,
                    extended=extension is not None,
                    handed_in_at=_aware(handed_in.get((learner_id, assessment.id))),
                )
            )
    return deadlines


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite's MIN() returns the stored text's naive value: make it the UTC datetime it is."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
