"""Learning use cases: what a learner lacks, module states, lesson completion. Flush, never commit.

When is a module completed? When nothing is missing in it: every required lesson is done and no
receiver of the requirement signals (``lms.learning.signals``) reports anything. A module with
nothing to do at all (no required lesson, nothing reported) would then be "completed" before the
learner could even enter it, opening the modules after it too early; so such a module counts as
completed only once it is open: its prerequisites completed and, when the cohort is known, its
calendar opened.

``module_states`` is the single place pages ask; it makes a constant number of queries, whatever
the number of modules, lessons or learners of the cohort.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole, ModuleCalendar
from lms.core.time import utcnow
from lms.curriculum.graph import topological_order
from lms.curriculum.models import Lesson, Module, TrainingPath
from lms.extensions import db
from lms.learning.chronology import ModuleState, compute_module_states
from lms.learning.models import LessonCompletion
from lms.learning.signals import module_requirements, path_requirements


class LearningError(Exception):
    """A learning operation was refused; the message says why."""


@dataclass(frozen=True)
class _PathProgress:
    """A learner's raw progress in a path, as loaded in a constant number of queries."""

    modules: list[Module]  # in position order, prerequisites loaded
    missing: dict[int, list[str]]  # module id -> what the learner still lacks
    with_required_lessons: set[int]  # ids of modules having at least one required lesson

    @property
    def prerequisites(self) -> dict[str, list[str]]:
        return {m.code: [p.code for p in m.prerequisites] for m in self.modules}


def _lesson_lacking(title: str) -> str:
    """Name a required lesson the learner has not done."""
    return _("Complete the lesson “%(title)s”", title=title)


def _required_lesson_rows(learner: User, module_ids) -> list:
    """Return (module_id, title, done) for every required lesson of these modules, in one query.

    ``module_ids`` is a list of ids or a ``select`` of them (one query either way).
    """
    done = LessonCompletion.id.is_not(None).label("done")
    query = (
        db.select(Lesson.module_id, Lesson.title, done)
        .outerjoin(
            LessonCompletion,
            and_(LessonCompletion.lesson_id == Lesson.id, LessonCompletion.user_id == learner.id),
        )
        .where(Lesson.module_id.in_(module_ids), Lesson.is_required)
        .order_by(Lesson.module_id, Lesson.position)
    )
    return list(db.session.execute(query))


@module_requirements.connect
def _missing_lessons_in_module(module: Module, *, learner: User, **kwargs) -> list[str]:
    """Answer the per-module signal for the lessons (the batch path counts them itself)."""
    rows = _required_lesson_rows(learner, [module.id])
    return [_lesson_lacking(row.title) for row in rows if not row.done]


def module_missing(learner: User, module: Module) -> list[str]:
    """Return what the learner still lacks in one module, from every domain."""
    answers = module_requirements.send(module, learner=learner)
    return [item for _receiver, items in answers for item in items]


def missing_requirements(learner: User, modules: Iterable[Module]) -> dict[int, list[str]]:
    """Return what the learner lacks in each module (by id): one query for lessons, one send."""
    modules = list(modules)
    if not modules:
        return {}
    rows = _required_lesson_rows(learner, [module.id for module in modules])
    return _merge_requirements(learner, modules[0].path, modules, rows)


def _merge_requirements(
    learner: User, path: TrainingPath, modules: Sequence[Module], rows: Sequence
) -> dict[int, list[str]]:
    """Combine the missing lessons with the answers of every ``path_requirements`` receiver."""
    missing: dict[int, list[str]] = {module.id: [] for module in modules}
    for row in rows:
        if not row.done:
            missing[row.module_id].append(_lesson_lacking(row.title))
    for _receiver, answer in path_requirements.send(path, learner=learner, modules=modules):
        for module_id, items in answer.items():
            if module_id in missing:
                missing[module_id].extend(items)
    return missing


def _load_progress(learner: User, path: TrainingPath) -> _PathProgress:
    """Load the path's modules with their prerequisites and what the learner lacks in each."""
    modules = list(
        db.session.scalars(
            db.select(Module)
            .where(Module.path_id == path.id)
            .order_by(Module.position)
            .options(selectinload(Module.prerequisites))
        )
    )
    rows = _required_lesson_rows(learner, [module.id for module in modules])
    return _PathProgress(
        modules=modules,
        missing=_merge_requirements(learner, path, modules, rows),
        with_required_lessons={row.module_id for row in rows},
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


def _calendar_of(cohort: Cohort, modules: Sequence[Module]) -> dict[str, tuple]:
    """Return code -> (opens_at, closes_at) for the cohort's scheduled modules, in one query."""
    codes = {module.id: module.code for module in modules}
    rows = db.session.execute(
        db.select(
            ModuleCalendar.module_id, ModuleCalendar.opens_at, ModuleCalendar.closes_at
        ).where(ModuleCalendar.cohort_id == cohort.id)
    )
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


def module_states(
    learner: User, cohort: Cohort, now: datetime | None = None
) -> list[tuple[Module, ModuleState]]:
    """Return every module of the cohort's path with the learner's state, chronologically."""
    now = now or utcnow()
    progress = _load_progress(learner, cohort.path)
    calendar = _calendar_of(cohort, progress.modules)
    completed = _resolve_completed(
        progress, lambda code: code in calendar and calendar[code][0] <= now
    )
    states = compute_module_states(progress.prerequisites, calendar, completed, now)
    by_code = {module.code: module for module in progress.modules}
    return [(by_code[state.code], state) for state in states]


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


def _is_learner(user: User, cohort: Cohort) -> bool:
    """Tell whether the user is a learner of the cohort (one query, memberships not loaded)."""
    membership = db.select(Membership.id).filter_by(
        user_id=user.id, cohort_id=cohort.id, role=MembershipRole.LEARNER
    )
    return db.session.scalar(membership) is not None


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
    if not _is_learner(learner, cohort):
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


def learner_cohort(user: User) -> Cohort | None:
    """Return the active cohort the user is a learner of (the latest to start, if several)."""
    return db.session.scalar(
        db.select(Cohort)
        .join(Cohort.memberships)
        .where(
            Membership.user_id == user.id,
            Membership.role == MembershipRole.LEARNER,
            Cohort.state == CohortState.ACTIVE,
        )
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(1)
    )


def path_progress(learner: User, cohort: Cohort) -> tuple[int, int]:
    """Return (required lessons done, required lessons in total) in the cohort's path."""
    path_modules = db.select(Module.id).where(Module.path_id == cohort.path_id)
    rows = _required_lesson_rows(learner, path_modules)
    return sum(1 for row in rows if row.done), len(rows)
