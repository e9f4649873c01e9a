"""A cohort to plan sessions in: the §6 path's modules, a trainer, learners, an administrator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from lms.accounts.models import User
from lms.attendance.models import Modality, ModuleAttendance, TrainingSession
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.extensions import db
from tests.factories import MembershipFactory, TrainingSessionFactory, UserFactory
from tests.learning.helpers import make_bien_vivre_path
from tests.web.helpers import log_in

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class SessionWorld:
    cohort: Cohort
    modules: dict[str, Module]
    trainer: User
    other_trainer: User
    learners: list[User]
    admin: User
    outsider_trainer: User  # trains another cohort
    extra: dict = field(default_factory=dict)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    """Return the UTC instant of a Paris clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def next_weekday(days: int = 7) -> date:
    """Return a Tuesday at least ``days`` days from now (never a clock change in tests)."""
    day = date.today() + timedelta(days=days)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return day


def make_session_world(learners: int = 2) -> SessionWorld:
    built = make_bien_vivre_path(codes=("M1", "M2", "M3"), opened=("M1", "M2"))
    cohort = built.cohort
    cohort.starts_on = date.today() - timedelta(days=60)
    cohort.ends_on = date.today() + timedelta(days=300)
    built.modules["M2"].hours = 28
    db.session.add(ModuleAttendance(module_id=built.modules["M2"].id, remote_hours=14))
    trainer = UserFactory(display_name="Théa Formatrice")
    other_trainer = UserFactory(display_name="Omar Formateur")
    MembershipFactory(cohort=cohort, user=trainer, trainer=True)
    MembershipFactory(cohort=cohort, user=other_trainer, trainer=True)
    people = [
        MembershipFactory(cohort=cohort, user=UserFactory(display_name=f"Learner {n:03d}")).user
        for n in range(learners)
    ]
    outsider = UserFactory(display_name="Xavier Ailleurs")
    other = make_bien_vivre_path(codes=("M1",))
    MembershipFactory(cohort=other.cohort, user=outsider, trainer=True)
    admin = UserFactory(admin=True)
    db.session.commit()
    return SessionWorld(
        cohort, built.modules, trainer, other_trainer, people, admin, outsider, {"other": other}
    )


def add_session(world: SessionWorld, day: date, start=(9, 0), end=(12, 30), **kwargs):
    """Create a session of the world's cohort (M2 by default) led by its trainer."""
    kwargs.setdefault("module", world.modules["M2"])
    kwargs.setdefault("trainers", [world.trainer])
    session = TrainingSessionFactory(
        cohort=world.cohort,
        starts_at=paris(day, *start),
        ends_at=paris(day, *end),
        **kwargs,
    )
    db.session.commit()
    return session


def form_data(world: SessionWorld, day: date, **overrides) -> dict:
    data = {
        "module": str(world.modules["M2"].id),
        "day": day.isoformat(),
        "starts": "09:00",
        "ends": "12:30",
        "modality": Modality.IN_PERSON.value,
        "place": "Tiers-lieu La Coursive, 8 rue de Paris, Lille",
        "link": "",
        "trainers": [str(world.trainer.id)],
    }
    data.update(overrides)
    return data


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def count_sessions() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(TrainingSession))


def security_world_sessions(bien_vivre, other, users) -> dict:
    """A session of each cohort of the security world, tomorrow morning, led by its trainer."""
    session = TrainingSessionFactory(
        cohort=bien_vivre.cohort, module=bien_vivre.modules["M1"], trainers=[users["trainer"]]
    )
    foreign = TrainingSessionFactory(
        cohort=other.cohort, module=other.modules["M1"], trainers=[users["other_trainer"]]
    )
    db.session.commit()
    return {"training_session": session, "other_training_session": foreign}
