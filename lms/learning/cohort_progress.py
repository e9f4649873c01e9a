"""The trainer's view: every learner of a cohort at once (see ``lms.learning.progress``).

``cohort_progress`` is the single place a trainer's pages ask; it applies the rules of
``lms.learning.completion`` to every learner, in a constant number of queries whatever the number
of modules, lessons or learners of the cohort.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func

from lms.accounts.models import User
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.cohorts.queries import cohort_learners
from lms.core.time import utcnow
from lms.curriculum.graph import topological_order
from lms.curriculum.models import Lesson, Module, TrainingPath
from lms.extensions import db
from lms.learning.chronology import compute_module_states
from lms.learning.completion import (
    PathProgress,
    calendar_of,
    lesson_lacking,
    missing_lessons,
    path_modules,
    resolve_completed,
)
from lms.learning.models import LessonCompletion
from lms.learning.progress import (
    CohortProgress,
    LearnerProgress,
    ModuleProgress,
    ProgressStatus,
    module_progress,
)
from lms.learning.signals import cohort_requirements, learners_activity, learners_attendance


class _LessonRow(NamedTuple):
    """A required lesson and whether one learner did it, as ``missing_lessons`` reads rows."""

    module_id: int
    title: str
    done: bool


def _required_lessons(modules: Sequence[Module]) -> list:
    """Return (id, module_id, title) of the modules' required lessons, in order (one query)."""
    query = (
        db.select(Lesson.id, Lesson.module_id, Lesson.title)
        .where(Lesson.module_id.in_([module.id for module in modules]), Lesson.is_required)
        .order_by(Lesson.module_id, Lesson.position)
    )
    return list(db.session.execute(query))


def _completions_by_learner(
    cohort: Cohort, learners: Sequence[User] | None
) -> dict[int, dict[int, datetime]]:
    """Return user id -> {lesson id: completed at} in the cohort's path (one query).

    ``learners=None`` means every learner of the cohort (a subquery, not a list of ids).
    """
    if learners is None:
        user_ids = db.select(Membership.user_id).where(
            Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER
        )
    else:
        user_ids = [learner.id for learner in learners]
    query = (
        db.select(
            LessonCompletion.user_id, LessonCompletion.lesson_id, LessonCompletion.completed_at
        )
        .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
        .join(Module, Module.id == Lesson.module_id)
        .where(Module.path_id == cohort.path_id, LessonCompletion.user_id.in_(user_ids))
    )
    done: dict[int, dict[int, datetime]] = {}
    for row in db.session.execute(query):
        done.setdefault(row.user_id, {})[row.lesson_id] = row.completed_at
    return done


def _cohort_answers(
    path: TrainingPath, learners: Sequence[User], modules: Sequence[Module]
) -> dict[int, dict[int, list[str]]]:
    """Ask every ``cohort_requirements`` receiver once: user id -> module id -> what is lacking."""
    answers: dict[int, dict[int, list[str]]] = {}
    if not learners:
        return answers
    known = {module.id for module in modules}
    for _receiver, answer in cohort_requirements.send(path, learners=learners, modules=modules):
        for (user_id, module_id), items in answer.items():
            if module_id in known:
                answers.setdefault(user_id, {}).setdefault(module_id, []).extend(items)
    return answers


@dataclass(frozen=True)
class _CohortData:
    """What every learner of a cohort shares, loaded once."""

    modules: list[Module]
    lessons: list  # the required lessons: (id, module_id, title)
    calendar: dict[str, tuple]
    now: datetime
    lacking: Callable[[str], str]  # ``lesson_lacking()``, memoised
    # Learners who did the same required lessons, with the same answers, share one result.
    results: dict = field(default_factory=dict)


def _other_activity(path: TrainingPath, learners: Sequence[User]) -> dict[int, datetime]:
    """Ask every ``learners_activity`` receiver once: user id -> their latest activity."""
    latest: dict[int, datetime] = {}
    if not learners:
        return latest
    for _receiver, answer in learners_activity.send(path, learners=learners):
        for user_id, at in answer.items():
            if at is not None and (user_id not in latest or at > latest[user_id]):
                latest[user_id] = at
    return latest


def _one_learner_progress(
    learner: User,
    shared: _CohortData,
    done_at: dict[int, datetime],
    answers: dict[int, list[str]],
    other_activity: datetime | None = None,
) -> LearnerProgress:
    """Apply the per-learner rules (the same as ``module_states``) to preloaded data."""
    done = frozenset(row.id for row in shared.lessons if row.id in done_at)
    key = (done, tuple(sorted((module_id, tuple(items)) for module_id, items in answers.items())))
    if key not in shared.results:
        shared.results[key] = _module_items(shared, done, answers)
    times = [*done_at.values(), *([other_activity] if other_activity else [])]
    return LearnerProgress(learner, shared.results[key], max(times, default=None))


def _module_items(
    shared: _CohortData, done: frozenset[int], answers: dict[int, list[str]]
) -> tuple[ModuleProgress, ...]:
    """Compute each module's progress for a learner who did the required lessons ``done``."""
    modules, calendar, now = shared.modules, shared.calendar, shared.now
    rows = [_LessonRow(row.module_id, row.title, row.id in done) for row in shared.lessons]
    missing = missing_lessons(modules, rows, shared.lacking)
    for module_id, items in answers.items():
        missing[module_id].extend(items)
    progress = PathProgress(modules, missing, {row.module_id for row in rows})
    completed = resolve_completed(
        progress, lambda code: code in calendar and calendar[code][0] <= now
    )
    counts = {module.id: [0, 0] for module in modules}
    for row in rows:
        counts[row.module_id][0] += row.done
        counts[row.module_id][1] += 1
    by_code = {module.code: module for module in modules}
    items = []
    for state in compute_module_states(progress.prerequisites, calendar, completed, now):
        module = by_code[state.code]
        lessons = tuple(counts[module.id])
        items.append(module_progress(module, state, lessons, missing[module.id], now))
    return tuple(items)


def cohort_progress(
    cohort: Cohort,
    now: datetime | None = None,
    *,
    learners: Sequence[User] | None = None,
    with_activity: bool = True,
) -> CohortProgress:
    """Return every learner's progress in every module of the cohort's path.

    The queries are the same in number whatever the cohort size: learners, modules with their
    prerequisites, required lessons, completions, calendar, one ``cohort_requirements`` send and
    one ``learners_activity`` send (the last activity counts lessons and every other domain's
    work; ``with_activity=False`` leaves the others out, for callers that need only the states).
    ``learners`` restricts it to some learners of the cohort (the learner page).
    """
    now = now or utcnow()
    modules = path_modules(cohort.path_id)
    everyone = learners is None
    learners = cohort_learners(cohort) if learners is None else list(learners)
    done = _completions_by_learner(cohort, None if everyone else learners)
    calendar = calendar_of(cohort, modules)
    lacking = functools.cache(lesson_lacking())  # titles repeat for every learner
    shared = _CohortData(modules, _required_lessons(modules), calendar, now, lacking)
    answers = _cohort_answers(cohort.path, learners, modules)
    activity = _other_activity(cohort.path, learners) if with_activity else {}
    rows = tuple(
        _one_learner_progress(
            learner,
            shared,
            done.get(learner.id, {}),
            answers.get(learner.id, {}),
            activity.get(learner.id),
        )
        for learner in learners
    )
    order = topological_order(_prerequisites_of(modules))
    chronological = tuple(sorted(modules, key=lambda module: order.index(module.code)))
    return CohortProgress(cohort, chronological, rows, now, calendar)


def attendance_of(
    cohort: Cohort,
    learners: Sequence[User],
    completed: Mapping[int, Collection[int]],
    modules: Sequence[Module],
) -> dict[int, Any]:
    """Ask every ``learners_attendance`` receiver once: user id -> attendance figures.

    ``completed`` maps each learner's id to the ids of the modules they have completed and
    ``modules`` are every module of the path (the page knows both). The figures have ``rate`` (a
    ``Fraction`` or None), ``held_minutes``, ``attended_minutes`` and ``realised_minutes``;
    without a receiver, or for a path that keeps no attendance, the answer is empty.
    """
    figures: dict[int, Any] = {}
    if not learners:
        return figures
    for _receiver, answer in learners_attendance.send(
        cohort.path, learners=learners, cohort=cohort, completed=completed, modules=modules
    ):
        figures.update(answer)
    return figures


def completed_by_learner(rows: Iterable[LearnerProgress]) -> dict[int, set[int]]:
    """Return user id -> ids of the modules that learner has completed (from their progress)."""
    return {
        row.learner.id: {
            item.module.id for item in row.modules if item.status is ProgressStatus.COMPLETED
        }
        for row in rows
    }


def _prerequisites_of(modules: Sequence[Module]) -> dict[str, list[str]]:
    """Map every module code to its prerequisite codes."""
    return {module.code: [need.code for need in module.prerequisites] for module in modules}


def learner_progress(cohort: Cohort, learner: User, now: datetime | None = None) -> LearnerProgress:
    """Return one learner's progress in the cohort, computed exactly as for the whole cohort."""
    return cohort_progress(cohort, now, learners=[learner]).learners[0]


def open_module_ids(
    cohort: Cohort, learners: Sequence[User], now: datetime | None = None
) -> dict[int, set[int]]:
    """Return, per learner id, the ids of the modules that are no longer locked for them."""
    progress = cohort_progress(cohort, now, learners=learners, with_activity=False)
    return {
        row.learner.id: {
            item.module.id for item in row.modules if item.status is not ProgressStatus.LOCKED
        }
        for row in progress.learners
    }


def lessons_done(learner: User, cohort: Cohort) -> list:
    """Return (module code, lesson title, is required, completed at) in path order (one query)."""
    query = (
        db.select(Module.code, Lesson.title, Lesson.is_required, LessonCompletion.completed_at)
        .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
        .join(Module, Module.id == Lesson.module_id)
        .where(LessonCompletion.user_id == learner.id, Module.path_id == cohort.path_id)
        .order_by(Module.position, Lesson.position)
    )
    return list(db.session.execute(query))


def learners_with_lessons_done(cohort: Cohort, **kwargs) -> int:
    """Answer the cohorts domain: how many of the cohort's learners did a lesson of its path."""
    query = (
        db.select(func.count(func.distinct(LessonCompletion.user_id)))
        .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
        .join(Module, Module.id == Lesson.module_id)
        .join(Membership, Membership.user_id == LessonCompletion.user_id)
        .where(
            Membership.cohort_id == cohort.id,
            Membership.role == MembershipRole.LEARNER,
            Module.path_id == cohort.path_id,
        )
    )
    return db.session.scalar(query)
