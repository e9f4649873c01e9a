"""The chronology engine: which modules are locked, open or completed for one learner.

A pure function of (prerequisite graph, cohort calendar, completed modules, now): no Flask, no
database, so that the rules of DESIGN.md §7 are tested on plain data. ``lms.learning.services``
loads the data and calls it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lms.curriculum.graph import topological_order


class ModuleStatus(StrEnum):
    LOCKED = "locked"
    OPEN = "open"
    COMPLETED = "completed"


@dataclass(frozen=True)
class ModuleState:
    """Where one learner stands in one module, with the reasons when it is locked.

    ``missing_prerequisites`` lists the prerequisites not completed yet, in chronological order
    (empty unless the module is locked);
    ``opens_at``/``closes_at`` come from the cohort calendar (None when the module is not
    scheduled); ``calendar_opened`` tells whether the calendar had opened the module at the time
    the state was computed.
    """

    code: str
    status: ModuleStatus
    missing_prerequisites: tuple[str, ...] = ()
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    calendar_opened: bool = False

    @property
    def is_locked(self) -> bool:
        return self.status is ModuleStatus.LOCKED

    @property
    def is_open(self) -> bool:
        return self.status is ModuleStatus.OPEN

    @property
    def is_completed(self) -> bool:
        return self.status is ModuleStatus.COMPLETED

    @property
    def waiting_for_calendar(self) -> bool:
        """Tell whether the module is locked because the calendar has not opened it (yet)."""
        return self.is_locked and not self.calendar_opened

    @property
    def is_scheduled(self) -> bool:
        return self.opens_at is not None


def compute_module_states(
    prerequisites: Mapping[str, Sequence[str]],
    calendar: Mapping[str, tuple[datetime, datetime | None]],
    completed: Set[str],
    now: datetime,
) -> list[ModuleState]:
    """Return the state of every module, in chronological (topological) order.

    ``prerequisites`` maps every module code, in declared order, to its prerequisite codes;
    ``calendar`` maps a scheduled module's code to ``(opens_at, closes_at)``; a module absent
    from it is not scheduled and stays locked. The rules (DESIGN.md §7):

    - COMPLETED when the learner has completed the module, whatever its prerequisites and
      calendar say now (a completed module stays completed);
    - OPEN when every prerequisite is completed and the calendar opened it (``opens_at <= now``);
    - LOCKED otherwise, reporting every reason at once: the missing prerequisites and/or the
      calendar (not scheduled, or ``opens_at`` in the future).

    ``closes_at`` is a deadline, not a lock: after it the module stays open, and a late learner
    can still work in it; pages may show the learner as late. ``now`` must be timezone-aware.
    Raise ``CycleError`` or ``KeyError`` for a bad graph (see ``topological_order``).
    """
    if now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")
    order = topological_order(prerequisites)
    rank = {code: index for index, code in enumerate(order)}
    return [
        _state_of(code, prerequisites[code], calendar.get(code), completed, now, rank)
        for code in order
    ]


def _state_of(
    code: str,
    needs: Sequence[str],
    scheduled: tuple[datetime, datetime | None] | None,
    completed: Set[str],
    now: datetime,
    rank: Mapping[str, int],
) -> ModuleState:
    """Compute one module's state; ``rank`` orders the missing prerequisites."""
    opens_at, closes_at = scheduled if scheduled else (None, None)
    calendar_opened = opens_at is not None and opens_at <= now
    missing = tuple(sorted({need for need in needs if need not in completed}, key=rank.get))
    if code in completed:
        status = ModuleStatus.COMPLETED
    elif calendar_opened and not missing:
        status = ModuleStatus.OPEN
    else:
        status = ModuleStatus.LOCKED
    return ModuleState(
        code=code,
        status=status,
        # A completed module is not held back by anything: report no reason.
        missing_prerequisites=() if status is ModuleStatus.COMPLETED else missing,
        opens_at=opens_at,
        closes_at=closes_at,
        calendar_opened=calendar_opened,
    )
