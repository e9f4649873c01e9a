"""Learning use cases: what a learner lacks, module states, lesson completion. Flush, never commit.

When is a module completed? When nothing is missing in it: every required lesson is done and no
receiver of the requirement signals (``lms.learning.signals``) reports anything. A module with
nothing to do at all (no required lesson, nothing reported) would then be "completed" before the
learner could even enter it, opening the modules after it too early; so such a module counts as
completed only once it is open: its prerequisites completed and, when the cohort is known, its
calendar opened.

``module_states`` is the single place a learner's pages ask, and ``cohort_progress`` the single
place a trainer's pages ask (every learner at once, through the same rules); each makes a constant
number of queries, whatever the number of modules, lessons or learners of the cohort.

The statements every learner page runs (``learner_cohort``, the modules, lessons and calendar of
``learner_path``) are built once per process, their values bound when they run: building a
statement and its cache key costs more Python than SQLite takes to answer it, on every page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.cohorts.access import is_learner_of
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole, ModuleCalendar
from lms.core.time import utcnow
from lms.curriculum.graph import topological_order
from lms.curriculum.models import Lesson, Module, TrainingPath
from lms.extensions import db
from lms.learning.chronology import ModuleState, compute_module_states
from lms.learning.models import LessonCompletion
from lms.learning.progress import (
    CohortProgress,
    LearnerProgress,
    ModuleProgress,
    module_progress,
)
from lms.learning.signals import cohort_requirements, module_requirements, path_requirements


class LearningError(Exception):
    """A learning operation was refused; the message says why."""


@dataclass(frozen=True)
class _PathProgress:
    """A learner's raw progress in a path, as loaded in a constant number of queries."""

    modules: list[Module]  # in position order, prerequisites loaded
    missing: dict[int, list[str]]  # module id -> what the learner still lacks
    with_required_lessons: set[int]  # ids of modules having at least one required lesson
    lessons: Sequence[Row] = ()  # every lesson of the modules, as ``_lesson_rows`` returns them

    @property
    def prerequisites(self) -> dict[str, list[str]]:
        return {m.code: [p.code for p in m.prerequisites] for m in self.modules}


def _lesson_lacking() -> Callable[[str], str]:
    """Return how to name a required lesson not done, its sentence translated once.

    Translating costs more than formatting, and a learner lacks dozens of lessons at first.
    """
    sentence = _("Complete the lesson “%(title)s”")
    return lambda title: sentence % {"title": title}


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
    lacking = _lesson_lacking()
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
    missing = _missing_lessons(modules, rows)
    for _receiver, answer in path_requirements.send(path, learner=learner, modules=modules):
        for module_id, items in answer.items():
            if module_id in missing:
                missing[module_id].extend(items)
    return missing


def _missing_lessons(
    modules: Sequence[Module], rows: Iterable, lacking: Callable[[str], str] | None = None
) -> dict[int, list[str]]:
    """Name the required lessons not done, by module id, from (module_id, title, done) rows.

    Shared by the per-learner and the cohort-wide loaders, so that both count lessons alike;
    the cohort-wide one passes its ``lacking`` (``_lesson_lacking()``), made once per page.
    """
    lacking = lacking or _lesson_lacking()
    missing: dict[int, list[str]] = {module.id: [] for module in modules}
    for row in rows:
        if not row.done:
            missing[row.module_id].append(lacking(row.title))
    return missing


@functools.cache
def _path_modules_query():
    """Return the statement of ``_path_modules`` (built once, see the module docstring)."""
    return (
        db.select(Module)
        .where(Module.path_id == bindparam("path_id"))
        .order_by(Module.position)
        .options(joinedload(Module.prerequisites))
    )


def _path_modules(path_id: int) -> list[Module]:
    """Return the path's modules in position order, prerequisites loaded (one query).

    Joined rather than loaded by a second query: a few dozen rows either way, and one query
    costs less than two on the pages that ask for every module's state.
    """
    return list(db.session.scalars(_path_modules_query(), {"path_id": path_id}).unique())


def _load_progress(learner: User, path: TrainingPath) -> _PathProgress:
    """Load the path's modules with their prerequisites and what the learner lacks in each."""
    modules = _path_modules(path.id)
    lessons = _lesson_rows(learner, path_id=path.id, required_only=False)
    required = [row for row in lessons if row.is_required]
    return _PathProgress(
        modules=modules,
        missing=_merge_requirements(learner, path, modules, required),
        with_required_lessons={row.module_id for row in required},
        lessons=lessons,
    )


def _resolve_completed(progress: _PathProgress, is_opened: Callable[[str], bool]) -> set[str]:
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
    """Return the statement of ``_calendar_of`` (built once, see the module docstring)."""
    return db.select(
        ModuleCalendar.module_id, ModuleCalendar.opens_at, ModuleCalendar.closes_at
    ).where(ModuleCalendar.cohort_id == bindparam("cohort_id"))


def _calendar_of(cohort: Cohort, modules: Sequence[Module]) -> dict[str, tuple]:
    """Return code -> (opens_at, closes_at) for the cohort's scheduled modules, in one query."""
    codes = {module.id: module.code for module in modules}
    rows = db.session.execute(_calendar_query(), {"cohort_id": cohort.id})
    return {codes[r.module_id]: (r.opens_at, r.closes_at) for r in rows if r.module_id in codes}


def completed_module_codes(
    learner: User, path: TrainingPath, *, cohort: Cohort | None = None, now: datetime | None = None
) -> set[str]:
    """Return the codes of the path's modules the learner has completed.

    Pass the learner's ``cohort`` so that a module with nothing to do counts only once the
    calendar has opened it; without a cohort, its prerequisites alone decide.
    """
    progress = _load_progress(learner, path)
    if cohort is None:
        return _resolve_completed(progress, lambda code: True)
    calendar = _calendar_of(cohort, progress.modules)
    now = now or utcnow()
    return _resolve_completed(progress, lambda code: code in calendar and calendar[code][0] <= now)


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
    calendar = _calendar_of(cohort, progress.modules)
    completed = _resolve_completed(
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
        reasons.append(_("it opens on %(date)s", date=format_datetime(state.opens_at)))
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


def path_progress(learner: User, cohort: Cohort) -> tuple[int, int]:
    """Return (required lessons done, required lessons in total) in the cohort's path."""
    rows = _lesson_rows(learner, path_id=cohort.path_id)
    return sum(1 for row in rows if row.done), len(rows)


# The trainer's view: every learner of a cohort at once (see ``lms.learning.progress``).


class _LessonRow(NamedTuple):
    """A required lesson and whether one learner did it, as ``_missing_lessons`` reads rows."""

    module_id: int
    title: str
    done: bool


def _cohort_learners(cohort: Cohort) -> list[User]:
    """Return the cohort's learners (one query)."""
    return list(
        db.session.scalars(
            db.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER)
            .order_by(User.display_name, User.id)
        )
    )


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
    lacking: Callable[[str], str]  # ``_lesson_lacking()``, memoised
    # Learners who did the same required lessons, with the same answers, share one result.
    results: dict = field(default_factory=dict)


def _one_learner_progress(
    learner: User, shared: _CohortData, done_at: dict[int, datetime], answers: dict[int, list[str]]
) -> LearnerProgress:
    """Apply the per-learner rules (the same as ``module_states``) to preloaded data."""
    done = frozenset(row.id for row in shared.lessons if row.id in done_at)
    key = (done, tuple(sorted((module_id, tuple(items)) for module_id, items in answers.items())))
    if key not in shared.results:
        shared.results[key] = _module_items(shared, done, answers)
    return LearnerProgress(learner, shared.results[key], max(done_at.values(), default=None))


def _module_items(
    shared: _CohortData, done: frozenset[int], answers: dict[int, list[str]]
) -> tuple[ModuleProgress, ...]:
    """Compute each module's progress for a learner who did the required lessons ``done``."""
    modules, calendar, now = shared.modules, shared.calendar, shared.now
    rows = [_LessonRow(row.module_id, row.title, row.id in done) for row in shared.lessons]
    missing = _missing_lessons(modules, rows, shared.lacking)
    for module_id, items in answers.items():
        missing[module_id].extend(items)
    progress = _PathProgress(modules, missing, {row.module_id for row in rows})
    completed = _resolve_completed(
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
    cohort: Cohort, now: datetime | None = None, *, learners: Sequence[User] | None = None
) -> CohortProgress:
    """Return every learner's progress in every module of the cohort's path.

    The queries are the same in number whatever the cohort size: learners, modules with their
    prerequisites, required lessons, completions, calendar, and one ``cohort_requirements``
    send. ``learners`` restricts it to some learners of the cohort (the learner page).
    """
    now = now or utcnow()
    modules = _path_modules(cohort.path_id)
    everyone = learners is None
    learners = _cohort_learners(cohort) if learners is None else list(learners)
    done = _completions_by_learner(cohort, None if everyone else learners)
    calendar = _calendar_of(cohort, modules)
    lacking = functools.cache(_lesson_lacking())  # titles repeat for every learner
    shared = _CohortData(modules, _required_lessons(modules), calendar, now, lacking)
    answers = _cohort_answers(cohort.path, learners, modules)
    rows = tuple(
        _one_learner_progress(
            learner, shared, done.get(learner.id, {}), answers.get(learner.id, {})
        )
        for learner in learners
    )
    order = topological_order(_prerequisites_of(modules))
    chronological = tuple(sorted(modules, key=lambda module: order.index(module.code)))
    return CohortProgress(cohort, chronological, rows, now, calendar)


def _prerequisites_of(modules: Sequence[Module]) -> dict[str, list[str]]:
    """Map every module code to its prerequisite codes."""
    return {module.code: [need.code for need in module.prerequisites] for module in modules}


def learner_progress(cohort: Cohort, learner: User, now: datetime | None = None) -> LearnerProgress:
    """Return one learner's progress in the cohort, computed exactly as for the whole cohort."""
    return cohort_progress(cohort, now, learners=[learner]).learners[0]


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
