"""Build a cohort with learners at known stages, for the trainer's progress tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lms.accounts.models import User
from lms.cohorts.models import Membership, MembershipRole, ModuleCalendar
from lms.extensions import db
from lms.learning.models import LessonCompletion
from tests.factories import LessonCompletionFactory, LessonFactory, MembershipFactory
from tests.learning.helpers import BienVivrePath, make_bien_vivre_path


@dataclass
class ProgressWorld:
    """A cohort (M1–M4 open, M4 closed two days ago, M5–M8 ahead), its trainer and learners."""

    bien_vivre: BienVivrePath
    trainer: User
    ahead: User  # M1, M2, M3 done; M4 open and late
    midway: User  # M1 done, one of M2's two lessons done: M2 in progress
    starting: User  # nothing done: M1 open


def close_module(bien_vivre: BienVivrePath, code: str, days_ago: int = 2) -> None:
    """Move a module's calendar so that it opened 20 days ago and closed ``days_ago`` days ago."""
    entry = db.session.scalar(
        db.select(ModuleCalendar).filter_by(
            cohort_id=bien_vivre.cohort.id, module_id=bien_vivre.modules[code].id
        )
    )
    now = datetime.now(UTC)
    entry.opens_at = now - timedelta(days=20)
    entry.closes_at = now - timedelta(days=days_ago)
    db.session.commit()


def make_progress_world() -> ProgressWorld:
    """Create the cohort of ``ProgressWorld`` with dated completions."""
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2", "M3", "M4"), future=("M5", "M6"))
    close_module(bien_vivre, "M4")
    workshop = LessonFactory(module=bien_vivre.modules["M2"], position=2, title="Atelier M2")
    trainer = MembershipFactory(cohort=bien_vivre.cohort, trainer=True).user
    day = datetime(2025, 3, 1, 9, tzinfo=UTC)
    ahead = bien_vivre.enrol_learner(display_name="Zoé Ahead")
    for offset, code in enumerate(("M1", "M2", "M3")):
        complete(ahead, bien_vivre.lessons[code], day + timedelta(days=offset))
    complete(ahead, workshop, day + timedelta(days=1))
    midway = bien_vivre.enrol_learner(display_name="Émile Midway")
    complete(midway, bien_vivre.lessons["M1"], day + timedelta(days=5))
    complete(midway, bien_vivre.lessons["M2"], day + timedelta(days=6))
    starting = bien_vivre.enrol_learner(display_name="Alix Starting")
    return ProgressWorld(bien_vivre, trainer, ahead, midway, starting)


def complete(user: User, lesson, when: datetime) -> None:
    """Record a lesson as done at a given time."""
    LessonCompletionFactory(user=user, lesson=lesson, completed_at=when)


def add_learners(bien_vivre: BienVivrePath, count: int) -> None:
    """Enrol ``count`` learners who all did M1 (inserted in bulk, no password)."""
    for index in range(count):
        email = f"bulk{index}-{bien_vivre.cohort.id}@example.org"
        user = User(email=email, display_name=f"Apprenant {index:03d}")
        db.session.add(user)
        db.session.add(Membership(user=user, cohort=bien_vivre.cohort, role=MembershipRole.LEARNER))
        db.session.add(LessonCompletion(user=user, lesson=bien_vivre.lessons["M1"]))
    db.session.commit()
