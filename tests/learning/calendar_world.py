"""A small world for calendar feeds and reminders: two cohorts on two paths, sessions, deadlines.

``CalendarWorld`` holds a cohort (module M with a calendar window, an assignment due three days
after the opening, a quiz with a learner's extension, a session in person and one remote), its
learner and trainer, and another cohort with its own learner, session and assignment, that the
first cohort's people must never see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.accounts.models import User
from lms.assessments.models import Assessment
from lms.attendance.models import TrainingSession
from lms.cohorts.models import Cohort, ModuleCalendar
from lms.core.time import utcnow
from lms.curriculum.models import Module
from lms.extensions import db
from tests.factories import (
    AssessmentFactory,
    CohortFactory,
    DeadlineExtensionFactory,
    MembershipFactory,
    ModuleCalendarFactory,
    ModuleFactory,
    TrainingSessionFactory,
    UserFactory,
)


@dataclass
class CalendarWorld:
    cohort: Cohort
    module: Module
    window: ModuleCalendar
    assignment: Assessment
    quiz: Assessment
    quiz_due_at: datetime  # the learner's extension
    learner: User
    trainer: User
    session: TrainingSession
    remote_session: TrainingSession
    other_cohort: Cohort
    other_learner: User
    other_session: TrainingSession
    other_assignment: Assessment


def make_calendar_world(learner_locale: str = "en", suffix: str = "") -> CalendarWorld:
    """Create the world (committed); ``suffix`` tells the cohorts of two worlds apart."""
    now = utcnow().replace(microsecond=0)
    cohort = CohortFactory(name=f"Promotion Lille{suffix}")
    module = ModuleFactory(path=cohort.path, code="M1", title="Le bien-vivre")
    window = ModuleCalendarFactory(
        cohort=cohort,
        module=module,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    assignment = AssessmentFactory(module=module, title="Carnet de bord", due_days=3)
    quiz = AssessmentFactory(module=module, quiz=True, title="Quiz du module", due_days=1)
    learner = UserFactory(display_name="Aurore Alpha", locale=learner_locale)
    trainer = UserFactory(display_name="Théo Formateur")
    MembershipFactory(user=learner, cohort=cohort)
    MembershipFactory(user=trainer, cohort=cohort, trainer=True)
    quiz_due_at = now + timedelta(days=10)
    DeadlineExtensionFactory(assessment=quiz, user=learner, due_at=quiz_due_at)
    session = TrainingSessionFactory(cohort=cohort, module=module, trainers=[trainer])
    remote_session = TrainingSessionFactory(
        cohort=cohort,
        module=module,
        remote=True,
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=5, hours=3),
        trainers=[trainer],
    )
    other_cohort = CohortFactory(name=f"Promotion Nantes{suffix}")
    other_module = ModuleFactory(path=other_cohort.path, code="M1", title="Autre module")
    ModuleCalendarFactory(cohort=other_cohort, module=other_module)
    other_assignment = AssessmentFactory(module=other_module, title="Autre devoir", due_days=2)
    other_learner = UserFactory(display_name="Bastien Autre")
    MembershipFactory(user=other_learner, cohort=other_cohort)
    other_session = TrainingSessionFactory(
        cohort=other_cohort, module=other_module, place="Salle secrète, Nantes"
    )
    db.session.commit()
    return CalendarWorld(
        cohort=cohort,
        module=module,
        window=window,
        assignment=assignment,
        quiz=quiz,
        quiz_due_at=quiz_due_at,
        learner=learner,
        trainer=trainer,
        session=session,
        remote_session=remote_session,
        other_cohort=other_cohort,
        other_learner=other_learner,
        other_session=other_session,
        other_assignment=other_assignment,
    )
