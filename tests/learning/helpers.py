"""Build the path of DESIGN.md §6 in the database, for the tests of every learning page.

Typical use::

    bien_vivre = make_bien_vivre_path(opened=("M1", "M2", "M3"))
    learner = bien_vivre.enrol_learner(completed=("M1", "M2"))
    bien_vivre.lessons["M3"]  # the required lesson of M3
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.curriculum.models import Lesson, Module, TrainingPath
from lms.extensions import db
from lms.learning.services import learner_path
from tests.factories import (
    CohortFactory,
    LessonCompletionFactory,
    LessonFactory,
    MembershipFactory,
    ModuleCalendarFactory,
    ModuleFactory,
    TrainingPathFactory,
    UserFactory,
)

# code, title, prerequisites: the chronology of DESIGN.md §6 (M3 and M4 side by side).
BIEN_VIVRE_MODULES = (
    ("M1", "Le bien-vivre : sens, vision et posture de l'entrepreneur·e", ()),
    ("M2", "Comprendre le territoire : diagnostic et cartographie des acteurs", ("M1",)),
    ("M3", "Créer des alliances inédites", ("M2",)),
    ("M4", "Sensibiliser et impliquer les acteurs locaux", ("M2",)),
    ("M5", "Faire émerger les problématiques qui comptent", ("M3", "M4")),
    ("M6", "Co-innover et expérimenter des solutions de bien-vivre", ("M5",)),
    ("M7", "Inventer les start-ups du bien-vivre", ("M6",)),
    ("M8", "Évaluer l'impact et soutenir son projet", ("M7",)),
)
ALL_MODULES = tuple(code for code, _title, _needs in BIEN_VIVRE_MODULES)
BIEN_VIVRE_PREREQUISITES = {code: list(needs) for code, _title, needs in BIEN_VIVRE_MODULES}


@dataclass
class BienVivrePath:
    """The created path, its cohort, modules by code and each module's required lesson."""

    path: TrainingPath
    cohort: Cohort
    modules: dict[str, Module] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)

    def enrol_learner(self, completed: Iterable[str] = (), **user_fields) -> User:
        """Enrol a new learner in the cohort, having done the required lessons of ``completed``."""
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, cohort=self.cohort)
        self.complete_modules(user, completed)
        return user

    def complete_modules(self, user: User, codes: Iterable[str]) -> None:
        """Record the required lesson of each module in ``codes`` as done (bypassing the rules)."""
        for code in codes:
            LessonCompletionFactory(user=user, lesson=self.lessons[code])


def make_bien_vivre_path(
    cohort: Cohort | None = None,
    opened: Iterable[str] = ALL_MODULES,
    future: Iterable[str] = (),
    codes: Iterable[str] = ALL_MODULES,
    lessons: bool = True,
) -> BienVivrePath:
    """Create the §6 path (one required lesson per module) and its cohort's calendar.

    ``cohort`` defaults to a new cohort; its path receives the modules. Modules in ``opened``
    opened yesterday, modules in ``future`` open in 30 days, the others are not scheduled.
    ``codes`` keeps only some modules (prerequisites outside them are dropped); ``lessons=False``
    creates modules without any lesson.
    """
    if cohort is None:
        cohort = CohortFactory(path=TrainingPathFactory(title="Entrepreneur·e du bien-vivre"))
    built = BienVivrePath(path=cohort.path, cohort=cohort)
    kept = set(codes)
    for position, (code, title, needs) in enumerate(BIEN_VIVRE_MODULES, start=1):
        if code not in kept:
            continue
        module = ModuleFactory(path=cohort.path, code=code, title=title, position=position)
        module.prerequisites = [built.modules[need] for need in needs if need in kept]
        built.modules[code] = module
        if lessons:
            built.lessons[code] = LessonFactory(module=module, position=1, title=f"Lecture {code}")
    db.session.commit()
    _schedule(built, opened, datetime.now(UTC) - timedelta(days=1))
    _schedule(built, future, datetime.now(UTC) + timedelta(days=30))
    return built


def _schedule(built: BienVivrePath, codes: Iterable[str], opens_at: datetime) -> None:
    """Put the modules in ``codes`` (those that exist) on the cohort's calendar."""
    for code in codes:
        if code in built.modules:
            ModuleCalendarFactory(
                cohort=built.cohort, module=built.modules[code], opens_at=opens_at
            )


def lesson_totals(learner: User, cohort: Cohort) -> tuple[int, int]:
    """Return (required lessons done, required lessons) in the path, as the dashboard adds them."""
    counts = learner_path(learner, cohort).lesson_counts.values()
    return sum(done for done, _total in counts), sum(total for _done, total in counts)
