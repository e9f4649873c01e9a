"""A learner's own progress: what they lack, their module states, their lesson marks.

Flush, never commit. ``module_states`` is the single place a learner's pages ask, through the
completion rule of ``lms.learning.completion``; it makes a constant number of queries, whatever
the number of modules or lessons of the path. The trainer's pages ask
``lms.learning.cohort_progress``.

The statements every learner page runs (``learner_cohort``, the lessons of ``learner_path``) are
built once per process, their values bound when they run: building a statement and its cache key
costs more Python than SQLite takes to answer it, on every page.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.cohorts.access import is_learner_of
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole
from lms.core.formatting import format_moment
from lms.core.time import utcnow
from lms.core.transactions import DomainError
from lms.curriculum.models import Lesson, Module, TrainingPath
from lms.extensions import db
from lms.learning.chronology import ModuleState, compute_module_states
from lms.learning.completion import (
    PathProgress,
    calendar_of,
    lesson_lacking,
    missing_lessons,
    path_modules,
    resolve_completed,
)
from lms.learning.models import LessonCompletion
from lms.learning.signals import module_requirements, path_requirements


class LearningError(DomainError):
    """A learning operation was refused; the message says why."""


@functools.cache
def _lessons_query(*, of_path: bool, required_only: bool):
    """Return the statement of ``_lesson_rows`` (built once, see the module docstring)."""
    done = LessonCompletion.id.is_not(None).label("done")
    if of_path:
        module_ids = db.select(Module.id).where(Module.path_id == bindparam("path_id"))
    else:
        module_ids = bindparam("module_ids", expanding=True)
    query = (
        db.select(Lesson.id, Lesson.module_id, Lesson.title, Lesson.is_required, done)
        .outerjoin(
            LessonCompletion,
            and_(
                LessonCompletion.lesson_id == Lesson.id,
                LessonCompletion.user_id == bindparam("user_id"),
            ),
        )
        .where(Lesson.module_id.in_(module_ids))
        .order_by(Lesson.module_id, Lesson.position)
    )
    return query.where(Lesson.is_required) if required_only else query


def _lesson_rows(
    learner: User,
    module_ids: Sequence[int] = (),
    *,
    path_id: int | None = None,
    required_only: bool = True,
) -> list[Row]:
    """Return (id, module_id, title, is_required, done) for these modules' lessons (one query).

    The rows come in lesson order within each module: of the modules ``module_ids``, or of
    every module of the path ``path_id``; ``required_only=False`` adds optional lessons.
    """
    of_path = path_id is not None
    query = _lessons_query(of_path=of_path, required_only=required_only)
    values = {"path_id": path_id} if of_path else {"module_ids": list(module_ids)}
    return list(db.session.execute(query, {"user_id": learner.id} | values))


def missing_lessons_in_module(module: Module, *, learner: User, **kwargs) -> list[str]:
    """Answer the per-module signal for the lessons (the batch path counts them itself)."""
    rows = _lesson_rows(learner, [module.id])
    lacking = lesson_lacking()
    return [lacking(row.title) for row in rows if not row.done]


def module_missing(learner: User, module: Module) -> list[str]:
    """Return what the learner still lacks in one module, from every domain."""
    answers = module_requirements.send(module, learner=learner)
    return [item for _receiver, items in answers for item in items]


def missing_requirements(learner: User, modules: Iterable[Module]) -> dict[int, list[str]]:
    """Return what the learner lacks in each module (by id): one query for lessons, one send."""
    modules = list(modules)
    if not modules:
        return {}
    rows = _lesson_rows(learner, [module.id for module in modules])
    return _merge_requirements(learner, modules[0].path, modules, rows)


def _merge_requirements(
    learner: User, path: TrainingPath, modules: Sequence[Module], rows: Sequence
) -> dict[int, list[str]]:
    """Combine the missing lessons with the answers of every ``path_requirements`` receiver."""
    missing = missing_lessons(modules, rows)
    for _receiver, answer in path_requirements.send(path, learner=learner, modules=modules):
        for module_id, items in answer.items():
            if module_id in missing:
                missing[module_id].extend(items)
    return missing


def _load_progress(learner: User, path: TrainingPath) -> PathProgress:
    """Load the path's modules with their prerequisites and what the learner lacks in each."""
    modules = path_modules(path.id)
    lessons = _lesson_rows(learner, path_id=path.id, required_only=False)
    required = [row for row in lessons if row.is_required]
    return PathProgress(
        modules=modules,
        missing=_merge_requirements(learner, path, modules, required),
        with_required_lessons={row.module_id for row in required},
        lessons=lessons,
    )


@dataclass(frozen=True)
class LearnerPath:
    """A learner's path in their cohort: each module's state and where they are in its lessons."""

    modules: list[tuple[Module, ModuleState]]  # chronologically
    lesson_counts: dict[int, tuple[int, int]]  # module id -> (required done, required lessons)
    next_lessons: dict[int, Row]  # module id -> its first lesson not done (see ``_lesson_rows``)


def learner_path(learner: User, cohort: Cohort, now: datetime | None = None) -> LearnerPath:
    """Return the learner's module states with their lesson counts and next lessons.

    Everything comes from the queries the module states need (a constant number): the lessons
    loaded to know what is missing also give the counts and the lessons to do next.
    """
    now = now or utcnow()
    progress = _load_progress(learner, cohort.path)
    calendar = calendar_of(cohort, progress.modules)
    completed = resolve_completed(
        progress, lambda code: code in calendar and calendar[code][0] <= now
    )
    states = compute_module_states(progress.prerequisites, calendar, completed, now)
    by_code = {module.code: module for module in progress.modules}
    counts = {module.id: (0, 0) for module in progress.modules}
    next_lessons: dict[int, Row] = {}
    for row in progress.lessons:
        if row.is_required:
            done, total = counts[row.module_id]
            counts[row.module_id] = (done + row.done, total + 1)
        if not row.done:
            next_lessons.setdefault(row.module_id, row)
    return LearnerPath([(by_code[state.code], state) for state in states], counts, next_lessons)


def module_states(
    learner: User, cohort: Cohort, now: datetime | None = None
) -> list[tuple[Module, ModuleState]]:
    """Return every module of the cohort's path with the learner's state, chronologically."""
    return learner_path(learner, cohort, now).modules


def module_state(
    learner: User, cohort: Cohort, module: Module, now: datetime | None = None
) -> ModuleState:
    """Return the learner's state in one module of the cohort's path."""
    for candidate, state in module_states(learner, cohort, now):
        if candidate.id == module.id:
            return state
    raise LearningError(
        _(
            "%(module)s is not part of the path of %(cohort)s.",
            module=module.code,
            cohort=cohort.name,
        )
    )


def explain_lock(state: ModuleState) -> str:
    """Return a sentence saying why a locked module is locked, giving every reason (for pages)."""
    reasons = []
    if state.missing_prerequisites:
        modules = ", ".join(state.missing_prerequisites)
        reasons.append(_("finish %(modules)s first", modules=modules))
    if state.opens_at is None:
        reasons.append(_("it is not on the cohort's calendar yet"))
    elif not state.calendar_opened:
        reasons.append(_("it opens on %(date)s", date=format_moment(state.opens_at)))
    return _("%(module)s is locked: %(reasons)s", module=state.code, reasons="; ".join(reasons))


def _completion_of(learner: User, lesson: Lesson) -> LessonCompletion | None:
    """Return the learner's completion of the lesson, if recorded."""
    return db.session.scalar(
        db.select(LessonCompletion).filter_by(user_id=learner.id, lesson_id=lesson.id)
    )


def _insert_completion_once(learner: User, lesson: Lesson, now: datetime) -> None:
    """Insert the completion, doing nothing if a concurrent request inserted it first."""
    values = {"user_id": learner.id, "lesson_id": lesson.id, "completed_at": now}
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(
        db.session.get_bind().dialect.name
    )
    if insert is None:  # another database: no race protection beyond the unique constraint
        db.session.add(LessonCompletion(**values))
        db.session.flush()
        return
    statement = insert(LessonCompletion).values(**values)
    db.session.execute(statement.on_conflict_do_nothing(index_elements=["user_id", "lesson_id"]))


def complete_lesson(
    learner: User, cohort: Cohort, lesson: Lesson, now: datetime | None = None
) -> LessonCompletion:
    """Record that the learner has done a lesson of an open module (once; later calls return it)."""
    now = now or utcnow()
    if lesson.module.path_id != cohort.path_id:
        raise LearningError(
            _(
                "“%(lesson)s” is not part of the path of %(cohort)s.",
                lesson=lesson.title,
                cohort=cohort.name,
            )
        )
    if not is_learner_of(learner, cohort):
        raise LearningError(_("You are not a learner of %(cohort)s.", cohort=cohort.name))
    existing = _completion_of(learner, lesson)
    if existing is not None:
        return existing
    state = module_state(learner, cohort, lesson.module, now)
    if state.is_locked:
        raise LearningError(explain_lock(state))
    _insert_completion_once(learner, lesson, now)
    completion = _completion_of(learner, lesson)
    assert completion is not None  # inserted just now, or by a concurrent request
    return completion


@functools.cache
def _learner_cohort_query(*, of_path: bool):
    """Return the statement of ``learner_cohort`` or, ``of_path``, ``learner_cohort_for_path``.

    The cohort's path comes in the same query: every learner page asks for it next. Built
    once (see the module docstring).
    """
    query = (
        db.select(Cohort)
        .options(joinedload(Cohort.path))
        .join(Cohort.memberships)
        .where(
            Membership.user_id == bindparam("user_id"),
            Membership.role == MembershipRole.LEARNER,
            Cohort.state == CohortState.ACTIVE,
        )
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(1)
    )
    return query.where(Cohort.path_id == bindparam("path_id")) if of_path else query


def learner_cohort(user: User) -> Cohort | None:
    """Return the active cohort the user is a learner of (the latest to start, if several)."""
    return db.session.scalar(_learner_cohort_query(of_path=False), {"user_id": user.id})


# The learner's pages: the dashboard timeline and the module pages.


def learner_cohort_for_path(user: User, path_id: int) -> Cohort | None:
    """Return the active cohort following this path that the user is a learner of (one query)."""
    values = {"user_id": user.id, "path_id": path_id}
    return db.session.scalar(_learner_cohort_query(of_path=True), values)


def module_lessons(learner: User, module: Module) -> list[tuple[Lesson, bool]]:
    """Return the module's lessons in order, each with whether the learner did it (one query)."""
    done = LessonCompletion.id.is_not(None).label("done")
    query = (
        db.select(Lesson, done)
        .outerjoin(
            LessonCompletion,
            and_(LessonCompletion.lesson_id == Lesson.id, LessonCompletion.user_id == learner.id),
        )
        .where(Lesson.module_id == module.id)
        .order_by(Lesson.position)
    )
    return [(lesson, bool(is_done)) for lesson, is_done in db.session.execute(query)]
