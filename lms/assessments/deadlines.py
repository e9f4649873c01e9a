"""When a learner's work on an assessment is due: one rule for every kind."""

from __future__ import annotations

from datetime import datetime, timedelta

from lms.accounts.models import User
from lms.assessments.models import Assessment, DeadlineExtension
from lms.cohorts.models import Cohort, ModuleCalendar
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
