"""Attendance rates and realised hours of one learner or a whole cohort, in constant queries.

The rules, the same for every page, the module completion rule, eligibility and the certificat de
réalisation:

- **Evidence only.** A session counts once its attendance sheet is **closed** (signed by a
  trainer). A session without a sheet, or whose sheet is still open, counts for nobody: it is
  neither held nor attended. A closed sheet counts as it stands now, its corrections included.
- **Held by ``as_of``.** A session counts when it ended on or before ``as_of``, a date in the
  organisation's time zone (Europe/Paris): it ended before the following midnight, Paris time.
  ``as_of`` defaults to today.
- **Held minutes.** Every counted session of the learner's cohort counts for every learner of
  the cohort, whole (``TrainingSession.minutes``).
- **Attended minutes.** Those of the sessions where the learner's record is present or late
  (``AttendanceStatus.attended``): a late arrival counts the whole session, since the sheet
  records a signature, not minutes. Absent and excused count as not attended (an excused absence
  is justified but its hours were not realised); so does a learner with **no record** on a
  closed sheet: absent.
- **Rate.** Attended over held minutes, per module and over the whole path; None when nothing
  was held yet (never 0 % for want of sessions).
- **Remote minutes.** A module's ``ModuleAttendance.remote_hours`` (its asynchronous remote work)
  are credited, whole, once the learner has **completed** the module (``lms.learning``'s
  completion rule, as it stands now), and 0 before. For a past ``as_of``, a completed module is
  credited only when the cohort's calendar opened it on or before ``as_of`` (a module without a
  calendar date is credited): completion has no date of its own, so a document dated in the past
  never counts a module that had not even started then. Remote minutes never enter the rate.
- **Realised minutes** = attended + remote minutes (the certificat de réalisation's duration).
- **Distance minutes** = remote minutes + the attended minutes of remote live sessions (classes
  virtuelles): the share of the realised duration the certificat de réalisation states as
  « à distance »; sessions in person are the rest.

Module completion includes attendance itself (``lms.attendance.requirements`` answers learning's
requirement signals with the session rates), so this module computes the session rates without
asking completion (``session_minutes``), then asks completion (``cohort_progress``) only for the
remote credit: the requirement never asks for remote credit, so nothing loops.

Queries, whatever the cohort size: learners (unless given), modules (unless given), the modules'
remote hours, one query for the sessions with every learner's record, and ``cohort_progress``
(constant) when a module has remote hours and completion was not given. The rules' questions
cost one query each: ``path_shortfalls`` (eligibility) and ``session_minutes(minimum="module")``
(the completion rule, ``lms.attendance.requirements``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any, Literal, NamedTuple

from sqlalchemy import and_

from lms.accounts.models import User
from lms.attendance.models import (
    AttendanceRecord,
    AttendanceSheet,
    AttendanceStatus,
    Modality,
    ModuleAttendance,
    PathAttendance,
    SheetState,
    TrainingSession,
)
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.time import local_today, organisation_timezone
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.cohort_progress import cohort_progress, completed_by_learner
from lms.learning.completion import calendar_of, path_modules
from lms.learning.progress import CohortProgress


@dataclass(frozen=True)
class ModuleAttendanceLine:
    """One learner in one module: the held sessions' minutes, those attended, the remote credit."""

    module_id: int
    held_minutes: int  # minutes of the cohort's sessions of this module whose sheet is closed
    attended_minutes: int  # of those, where the learner's record is present or late
    remote_minutes: int  # the module's remote_hours × 60 when the module is completed, else 0
    remote_live_minutes: int = 0  # of the attended minutes, those of remote live sessions

    @property
    def rate(self) -> Fraction | None:
        """Attended over held minutes; None when nothing was held."""
        return Fraction(self.attended_minutes, self.held_minutes) if self.held_minutes else None

    @property
    def realised_minutes(self) -> int:
        return self.attended_minutes + self.remote_minutes


@dataclass(frozen=True)
class LearnerAttendance:
    """One learner's attendance in every module of the path, and over the whole path."""

    learner_id: int
    modules: dict[int, ModuleAttendanceLine]  # by module id, every module of the path

    @property
    def held_minutes(self) -> int:
        return sum(line.held_minutes for line in self.modules.values())

    @property
    def attended_minutes(self) -> int:
        return sum(line.attended_minutes for line in self.modules.values())

    @property
    def remote_minutes(self) -> int:
        return sum(line.remote_minutes for line in self.modules.values())

    @property
    def realised_minutes(self) -> int:
        """Attended and remote minutes: the hours the certificat de réalisation states."""
        return self.attended_minutes + self.remote_minutes

    @property
    def distance_minutes(self) -> int:
        """Of the realised minutes, those at a distance: remote work and remote live sessions."""
        return sum(line.remote_minutes + line.remote_live_minutes for line in self.modules.values())

    @property
    def rate(self) -> Fraction | None:
        """Attended over held minutes over the whole path; None when nothing was held."""
        held = self.held_minutes
        return Fraction(self.attended_minutes, held) if held else None


class SessionTotals(NamedTuple):
    """One learner's sessions in one module: minutes held and attended, the module's minimum."""

    held: int
    attended: int
    minimum_percent: int | None = None  # the module's or path's, when asked (``minimum``)
    attended_remote_live: int = 0  # of ``attended``, the minutes of remote live sessions


def whole_percent(rate: Fraction) -> int:
    """Return a rate as a whole percentage, rounded down (79.9 % reads 79 %, never 80 %)."""
    return int(rate * 100)


def below(rate: Fraction | None, minimum_percent: int | None) -> bool:
    """Whether a rate falls short of a minimum percentage (no rate or no minimum: never)."""
    return (
        rate is not None and minimum_percent is not None and rate < Fraction(minimum_percent, 100)
    )


def day_end(as_of: date | None = None) -> datetime:
    """Return the moment ``as_of`` ends (the next midnight, organisation time), default today."""
    day = as_of or local_today()
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=organisation_timezone())


def session_minutes(
    learner_ids: Collection[int] | None,
    *,
    module_ids: Collection[int],
    until: datetime,
    cohort_id: int | None = None,
    minimum: Literal["module", "path"] | None = None,
) -> dict[tuple[int, int], SessionTotals]:
    """Return (learner id, module id) -> held and attended minutes (one query).

    The sessions are those of the learners' cohorts (or of ``cohort_id`` only), in
    ``module_ids``, ended by ``until``, their sheet closed; ``learner_ids=None`` means every
    learner of ``cohort_id``. ``minimum="module"`` keeps only modules with a minimum attendance
    and gives it (the completion rule's question); ``minimum="path"`` keeps only paths with one
    and gives it (eligibility's question). Learners without a counted session are left out.
    """
    if not module_ids or (learner_ids is not None and not learner_ids):
        return {}
    membership = and_(
        Membership.cohort_id == TrainingSession.cohort_id,
        Membership.role == MembershipRole.LEARNER,
    )
    query = (
        db.select(
            Membership.user_id,
            TrainingSession.module_id,
            TrainingSession.starts_at,
            TrainingSession.ends_at,
            TrainingSession.modality,
            AttendanceRecord.status,
        )
        .select_from(TrainingSession)
        .join(
            AttendanceSheet,
            and_(
                AttendanceSheet.session_id == TrainingSession.id,
                AttendanceSheet.state == SheetState.CLOSED,
            ),
        )
        .join(Membership, membership)
        .outerjoin(
            AttendanceRecord,
            and_(
                AttendanceRecord.sheet_id == AttendanceSheet.id,
                AttendanceRecord.learner_id == Membership.user_id,
            ),
        )
        .where(TrainingSession.module_id.in_(module_ids), TrainingSession.ends_at <= until)
    )
    if minimum == "module":
        query = query.add_columns(ModuleAttendance.minimum_percent).join(
            ModuleAttendance,
            and_(
                ModuleAttendance.module_id == TrainingSession.module_id,
                ModuleAttendance.minimum_percent.is_not(None),
            ),
        )
    elif minimum == "path":
        query = (
            query.add_columns(PathAttendance.minimum_percent)
            .join(Module, Module.id == TrainingSession.module_id)
            .join(PathAttendance, PathAttendance.path_id == Module.path_id)
        )
    if cohort_id is not None:
        query = query.where(TrainingSession.cohort_id == cohort_id)
    if learner_ids is not None:
        query = query.where(Membership.user_id.in_(learner_ids))
    totals: dict[tuple[int, int], SessionTotals] = {}
    for row in db.session.execute(query):
        minutes = int((row.ends_at - row.starts_at).total_seconds() // 60)
        key = (row.user_id, row.module_id)
        held, attended, _minimum, live = totals.get(key, SessionTotals(0, 0))
        if row.status is not None and AttendanceStatus(row.status).attended:
            attended += minutes
            if row.modality == Modality.REMOTE:
                live += minutes
        asked = row.minimum_percent if minimum else None
        totals[key] = SessionTotals(held + minutes, attended, asked, live)
    return totals


def _remote_hours(module_ids: Iterable[int]) -> dict[int, int]:
    """Return module id -> remote hours, for the modules that credit some (one query)."""
    query = db.select(ModuleAttendance.module_id, ModuleAttendance.remote_hours).where(
        ModuleAttendance.module_id.in_(list(module_ids)), ModuleAttendance.remote_hours > 0
    )
    return {row.module_id: row.remote_hours for row in db.session.execute(query)}


def _opened_after(
    cohort: Cohort, modules: Sequence[Any], until: datetime, progress: CohortProgress | None
) -> set[int]:
    """Return the ids of the modules the cohort's calendar opens at ``until`` or later."""
    calendar = progress.calendar if progress is not None else calendar_of(cohort, modules)
    return {
        module.id
        for module in modules
        if module.code in calendar and calendar[module.code][0] >= until
    }


def cohort_attendance(
    cohort: Cohort,
    learners: Sequence[User] | None = None,
    as_of: date | None = None,
    *,
    progress: CohortProgress | None = None,
    completed: Mapping[int, Collection[int]] | None = None,
    modules: Sequence[Any] | None = None,
) -> dict[int, LearnerAttendance]:
    """Return learner id -> attendance, for every learner of the cohort (or those given).

    What a page already knows saves queries: ``progress`` (the cohort's ``cohort_progress``)
    gives the modules and their completion; ``completed`` (learner id -> ids of the modules they
    completed) gives completion; ``modules`` (every module of the path) the modules. See the
    module docstring for the rules and the query count.
    """
    if learners is None:
        learners = list(
            db.session.scalars(
                db.select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER)
            )
        )
    learner_ids = [learner.id for learner in learners]
    if not learner_ids:
        return {}
    if modules is None:
        modules = progress.modules if progress is not None else path_modules(cohort.path_id)
    module_ids = [module.id for module in modules]
    until = day_end(as_of)
    totals = session_minutes(learner_ids, module_ids=module_ids, until=until, cohort_id=cohort.id)
    remote = _remote_hours(module_ids)
    credited: dict[int, set[int]] = {}
    if remote:
        if completed is None or not set(completed) >= set(learner_ids):
            known = progress is not None and {row.learner.id for row in progress.learners}
            if progress is None or not known or not known >= set(learner_ids):
                progress = cohort_progress(cohort, learners=learners, with_activity=False)
            completed = completed_by_learner(progress.learners)
        past = as_of is not None and as_of < local_today()
        opened_after = _opened_after(cohort, modules, until, progress) if past else set()
        credited = {
            learner_id: set(completed.get(learner_id, ())) - opened_after
            for learner_id in learner_ids
        }
    return {
        learner_id: LearnerAttendance(
            learner_id,
            {
                module_id: _line(
                    module_id,
                    totals.get((learner_id, module_id), SessionTotals(0, 0)),
                    remote.get(module_id, 0) if module_id in credited.get(learner_id, ()) else 0,
                )
                for module_id in module_ids
            },
        )
        for learner_id in learner_ids
    }


def _line(module_id: int, counts: SessionTotals, remote_hours: int) -> ModuleAttendanceLine:
    return ModuleAttendanceLine(
        module_id, counts.held, counts.attended, remote_hours * 60, counts.attended_remote_live
    )


def path_shortfalls(
    cohort: Cohort, learners: Sequence[User], modules: Sequence[Any], as_of: date | None = None
) -> dict[int, tuple[int, int]]:
    """Return learner id -> (whole rate, minimum) of the learners below the path's minimum.

    Over every module's sessions held by ``as_of`` (one query; nothing for a path without
    ``[attendance] minimum`` or before any session was held). The rate is rounded down.
    """
    totals = session_minutes(
        [learner.id for learner in learners],
        module_ids=[module.id for module in modules],
        until=day_end(as_of),
        cohort_id=cohort.id,
        minimum="path",
    )
    by_learner: dict[int, list[int]] = {}
    for (learner_id, _module_id), item in totals.items():
        counts = by_learner.setdefault(learner_id, [0, 0, item.minimum_percent or 0])
        counts[0] += item.held
        counts[1] += item.attended
    shortfalls = {}
    for learner_id, (held, attended, minimum) in by_learner.items():
        rate = Fraction(attended, held) if held else None
        if rate is not None and below(rate, minimum):
            shortfalls[learner_id] = (whole_percent(rate), minimum)
    return shortfalls


def learner_attendance(
    cohort: Cohort, learner: User, as_of: date | None = None
) -> LearnerAttendance:
    """Return one learner's attendance, computed exactly as for the whole cohort."""
    return cohort_attendance(cohort, [learner], as_of)[learner.id]


def attendance_figures(
    path: Any,
    *,
    learners: Sequence[User],
    cohort: Cohort | None = None,
    completed: Mapping[int, Collection[int]] | None = None,
    modules: Sequence[Any] | None = None,
    **kwargs: Any,
) -> dict[int, LearnerAttendance]:
    """Answer learning's ``learners_attendance`` signal: user id -> attendance (constant queries).

    ``completed`` (learner id -> ids of the modules they completed) and ``modules`` are what the
    page knows. Nothing (an empty answer, no attendance shown) while the learners have neither
    a session held nor remote hours credited: a path that keeps no attendance shows none.
    """
    if cohort is None or not learners:
        return {}
    figures = cohort_attendance(cohort, learners, completed=completed, modules=modules)
    if all(not item.held_minutes and not item.remote_minutes for item in figures.values()):
        return {}
    return figures
