"""Where every learner of a cohort stands: the trainer's view of progress, as plain data.

``lms.learning.cohort_progress.cohort_progress`` loads a cohort in a constant number of queries and
builds these objects; everything here is pure (no Flask, no database) so that the statuses,
sorting and filtering are tested on plain data and rendered by the heatmap, the learner page and
the CSV export alike.

A module's progress status refines the chronology engine's state (``ModuleState``):

- COMPLETED: the engine says completed;
- IN_PROGRESS: open, and at least one of its required lessons is done;
- OPEN: open, nothing done yet;
- LOCKED: locked (prerequisites or calendar).

A module is **late** when it is open or in progress after its calendar's ``closes_at``: a locked
module is not late itself, since the learner is held back by an earlier module, which is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from lms.learning.chronology import ModuleState


class ProgressStatus(StrEnum):
    COMPLETED = "completed"
    IN_PROGRESS = "in_progress"
    OPEN = "open"
    LOCKED = "locked"


# The state filter accepts a status, or "late"; "late" is a flag on top of a status.
LATE = "late"
FILTER_STATES = (LATE, *ProgressStatus)
SORT_KEYS = ("name", "progress", "activity")


@dataclass(frozen=True)
class ModuleProgress:
    """One learner in one module: status, lateness, required lessons done, what is missing."""

    module: Any  # the curriculum Module (code, title)
    state: ModuleState
    status: ProgressStatus
    is_late: bool
    lessons_done: int
    lessons_total: int
    missing: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return self.state.code


def module_progress(
    module: Any,
    state: ModuleState,
    lessons: tuple[int, int],
    missing: Sequence[str],
    now: datetime,
) -> ModuleProgress:
    """Derive a module's progress status and lateness; ``lessons`` is (done, total)."""
    done, total = lessons
    if state.is_completed:
        status = ProgressStatus.COMPLETED
    elif state.is_locked:
        status = ProgressStatus.LOCKED
    else:
        status = ProgressStatus.IN_PROGRESS if done else ProgressStatus.OPEN
    return ModuleProgress(module, state, status, is_late(state, now), done, total, tuple(missing))


def is_late(state: ModuleState, now: datetime) -> bool:
    """Tell whether a module is late: open (done or not) after its calendar's ``closes_at``."""
    return state.is_open and state.closes_at is not None and state.closes_at < now


@dataclass(frozen=True)
class LearnerProgress:
    """One learner's progress in every module of the path, in chronological order."""

    learner: Any  # the accounts User (id, display_name, email)
    modules: tuple[ModuleProgress, ...]
    last_activity_at: datetime | None

    @property
    def completed_count(self) -> int:
        return sum(1 for item in self.modules if item.status is ProgressStatus.COMPLETED)

    @property
    def percent(self) -> int:
        """Return the share of modules completed, as a whole percentage."""
        return round(100 * self.completed_count / len(self.modules)) if self.modules else 0

    @property
    def lessons_done(self) -> int:
        return sum(item.lessons_done for item in self.modules)

    @property
    def lessons_total(self) -> int:
        return sum(item.lessons_total for item in self.modules)

    @property
    def has_late_module(self) -> bool:
        return any(item.is_late for item in self.modules)

    def module(self, code: str) -> ModuleProgress | None:
        """Return the progress in the module with this code, if the path has it."""
        return next((item for item in self.modules if item.code == code), None)


@dataclass(frozen=True)
class CohortProgress:
    """Every learner of a cohort (sorted by name) in every module (in chronological order)."""

    cohort: Any
    modules: tuple[Any, ...]
    learners: tuple[LearnerProgress, ...]
    now: datetime
    calendar: Mapping[str, tuple[datetime, datetime | None]]  # code -> (opens_at, closes_at)

    def completed_count(self, code: str) -> int:
        """Return how many learners completed the module with this code."""
        return sum(
            1
            for learner in self.learners
            if (item := learner.module(code)) and item.status is ProgressStatus.COMPLETED
        )

    def learner(self, user_id: int) -> LearnerProgress | None:
        """Return the progress of the learner with this id, if they belong to the cohort."""
        return next((item for item in self.learners if item.learner.id == user_id), None)


def name_key(name: str) -> str:
    """Return a sort key that orders names alphabetically, accents and case aside."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_NEVER = datetime.min.replace(tzinfo=UTC)
_SORTS: Mapping[str, Callable[[LearnerProgress], Any]] = {
    "name": lambda item: (name_key(item.learner.display_name), item.learner.id),
    "progress": lambda item: (item.percent, item.lessons_done, name_key(item.learner.display_name)),
    "activity": lambda item: (item.last_activity_at or _NEVER, name_key(item.learner.display_name)),
}


def sort_learners(
    learners: Iterable[LearnerProgress], key: str = "name", descending: bool = False
) -> list[LearnerProgress]:
    """Sort learners by name, overall progress or last activity (no activity counts as oldest)."""
    if key not in _SORTS:
        raise ValueError(f"unknown sort key: {key}")
    return sorted(learners, key=_SORTS[key], reverse=descending)


def _matches(item: ModuleProgress, state: str) -> bool:
    """Tell whether a module's progress matches a filter state (a status, or "late")."""
    return item.is_late if state == LATE else item.status == state


def filter_learners(
    learners: Iterable[LearnerProgress], state: str | None, module_code: str | None = None
) -> list[LearnerProgress]:
    """Keep the learners with a module in ``state`` (that module only, when a code is given)."""
    if state is not None and state not in FILTER_STATES:
        raise ValueError(f"unknown state: {state}")
    kept = []
    for learner in learners:
        modules = learner.modules
        if module_code is not None:
            modules = tuple(item for item in modules if item.code == module_code)
        if state is None or any(_matches(item, state) for item in modules):
            kept.append(learner)
    return kept
