"""The completion rule and the loads that a learner's pages and the trainer's pages share.

When is a module completed? When nothing is missing in it: every required lesson is done and no
receiver of the requirement signals (``lms.learning.signals``) reports anything. A module with
nothing to do at all (no required lesson, nothing reported) would then be "completed" before the
learner could even enter it, opening the modules after it too early; so such a module counts as
completed only once it is open: its prerequisites completed and, when the cohort is known, its
calendar opened.

``lms.learning.services`` applies the rule to one learner, ``lms.learning.cohort_progress`` to
every learner of a cohort at once; both count lessons alike through ``missing_lessons``.

The statements every learner page runs (the modules and calendar of a path) are built once per
process, their values bound when they run: building a statement and its cache key costs more
Python than SQLite takes to answer it, on every page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlalchemy.engine import Row
from sqlalchemy.orm import joinedload

from lms.cohorts.models import Cohort, ModuleCalendar
from lms.curriculum.graph import topological_order
from lms.curriculum.models import Module
from lms.extensions import db


@dataclass(frozen=True)
class PathProgress:
    """A learner's raw progress in a path, as loaded in a constant number of queries."""

    modules: list[Module]  # in position order, prerequisites loaded
    missing: dict[int, list[str]]  # module id -> what the learner still lacks
    with_required_lessons: set[int]  # ids of modules having at least one required lesson
    lessons: Sequence[Row] = ()  # every lesson of the modules, as the learner loader reads them

    @property
    def prerequisites(self) -> dict[str, list[str]]:
        return {m.code: [p.code for p in m.prerequisites] for m in self.modules}


def lesson_lacking() -> Callable[[str], str]:
    """Return how to name a required lesson not done, its sentence translated once.

    Translating costs more than formatting, and a learner lacks dozens of lessons at first.
    """
    sentence = _("Complete the lesson “%(title)s”")
    return lambda title: sentence % {"title": title}


def missing_lessons(
    modules: Sequence[Module], rows: Iterable, lacking: Callable[[str], str] | None = None
) -> dict[int, list[str]]:
    """Name the required lessons not done, by module id, from (module_id, title, done) rows.

    Shared by the per-learner and the cohort-wide loaders, so that both count lessons alike;
    the cohort-wide one passes its ``lacking`` (``lesson_lacking()``), made once per page.
    """
    lacking = lacking or lesson_lacking()
    missing: dict[int, list[str]] = {module.id: [] for module in modules}
    for row in rows:
        if not row.done:
            missing[row.module_id].append(lacking(row.title))
    return missing


@functools.cache
def _path_modules_query():
    """Return the statement of ``path_modules`` (built once, see the module docstring)."""
    return (
        db.select(Module)
        .where(Module.path_id == bindparam("path_id"))
        .order_by(Module.position)
        .options(joinedload(Module.prerequisites))
    )


def path_modules(path_id: int) -> list[Module]:
    """Return the path's modules in position order, prerequisites loaded (one query).

    Joined rather than loaded by a second query: a few dozen rows either way, and one query
    costs less than two on the pages that ask for every module's state.
    """
    return list(db.session.scalars(_path_modules_query(), {"path_id": path_id}).unique())


def resolve_completed(progress: PathProgress, is_opened: Callable[[str], bool]) -> set[str]:
    """Apply the completion rule in chronological order (see the module docstring)."""
    prerequisites = progress.prerequisites
    by_code = {module.code: module for module in progress.modules}
    completed: set[str] = set()
    for code in topological_order(prerequisites):
        module = by_code[code]
        if progress.missing[module.id]:
            continue
        has_work = module.id in progress.with_required_lessons
        reachable = is_opened(code) and all(need in completed for need in prerequisites[code])
        if has_work or reachable:
            completed.add(code)
    return completed


@functools.cache
def _calendar_query():
    """Return the statement of ``calendar_of`` (built once, see the module docstring)."""
    return db.select(
        ModuleCalendar.module_id, ModuleCalendar.opens_at, ModuleCalendar.closes_at
    ).where(ModuleCalendar.cohort_id == bindparam("cohort_id"))


def calendar_of(cohort: Cohort, modules: Sequence[Module]) -> dict[str, tuple]:
    """Return code -> (opens_at, closes_at) for the cohort's scheduled modules, in one query."""
    codes = {module.id: module.code for module in modules}
    rows = db.session.execute(_calendar_query(), {"cohort_id": cohort.id})
    return {codes[r.module_id]: (r.opens_at, r.closes_at) for r in rows if r.module_id in codes}
