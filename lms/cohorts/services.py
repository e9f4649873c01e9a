"""Cohort use cases: create a cohort, set its module calendar, enrol people. Flush, never commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func

from lms.accounts.models import User
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole, ModuleCalendar
from lms.curriculum.models import TrainingPath
from lms.extensions import db


class CohortError(Exception):
    """A cohort operation was refused; the message says why."""


@dataclass(frozen=True)
class CalendarEntry:
    """When one module opens (and optionally closes) for a cohort, with its session."""

    opens_at: datetime
    closes_at: datetime | None = None
    session_starts_at: datetime | None = None
    session_ends_at: datetime | None = None
    place: str | None = None


def find_cohort(name: str) -> Cohort | None:
    """Return the cohort with this name, if any."""
    return db.session.scalar(db.select(Cohort).filter_by(name=name))


def create_cohort(
    name: str,
    path: TrainingPath,
    starts_on: date,
    ends_on: date,
    *,
    capacity: int | None = None,
    state: CohortState = CohortState.ACTIVE,
) -> Cohort:
    """Create a cohort following ``path``; refuse a taken name or inverted dates."""
    name = name.strip()
    if find_cohort(name) is not None:
        raise CohortError(f"a cohort named {name!r} already exists")
    if ends_on < starts_on:
        raise CohortError("the cohort cannot end before it starts")
    if capacity is not None and capacity < 1:
        raise CohortError("the capacity must be at least 1")
    cohort = Cohort(
        name=name, path=path, starts_on=starts_on, ends_on=ends_on, capacity=capacity, state=state
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def set_calendar(cohort: Cohort, entries: Mapping[str, CalendarEntry]) -> list[ModuleCalendar]:
    """Replace the cohort's calendar with ``entries`` (module code → dates), after checking it.

    Every date lies within the cohort's start and end days, and a module never opens before
    any of its prerequisites (they may open the same day: M3 and M4 run side by side).
    """
    problems = calendar_problems(cohort, entries)
    if problems:
        raise CohortError("; ".join(problems))
    modules = {module.code: module for module in cohort.path.modules}
    existing = {row.module_id: row for row in cohort.calendar}
    rows = []
    for code, entry in entries.items():
        row = existing.pop(modules[code].id, None) or ModuleCalendar(module=modules[code])
        row.opens_at, row.closes_at = entry.opens_at, entry.closes_at
        row.session_starts_at, row.session_ends_at = entry.session_starts_at, entry.session_ends_at
        row.place = entry.place
        if row.id is None:
            cohort.calendar.append(row)
        rows.append(row)
    for row in existing.values():
        cohort.calendar.remove(row)
    db.session.flush()
    return rows


def calendar_problems(cohort: Cohort, entries: Mapping[str, CalendarEntry]) -> list[str]:
    """List what is wrong with a proposed calendar (empty when it is valid)."""
    modules = {module.code: module for module in cohort.path.modules}
    window = (
        datetime.combine(cohort.starts_on, time.min, UTC),
        datetime.combine(cohort.ends_on, time.max, UTC),
    )
    problems = []
    for code, entry in entries.items():
        if code not in modules:
            problems.append(f"{code}: unknown module")
            continue
        problems += [f"{code}: {problem}" for problem in _entry_problems(entry, window)]
        for prerequisite in modules[code].prerequisites:
            before = entries.get(prerequisite.code)
            if before is None:
                problems.append(f"{code}: its prerequisite {prerequisite.code} is not scheduled")
            elif before.opens_at > entry.opens_at:
                problems.append(f"{code}: cannot open before its prerequisite {prerequisite.code}")
    return problems


def _entry_problems(entry: CalendarEntry, window: tuple[datetime, datetime]) -> list[str]:
    """Check one module's dates on their own."""
    problems = []
    dates = (entry.opens_at, entry.closes_at, entry.session_starts_at, entry.session_ends_at)
    if any(moment is not None and not window[0] <= moment <= window[1] for moment in dates):
        problems.append("dates must lie between the cohort's start and end")
    if entry.closes_at is not None and entry.closes_at <= entry.opens_at:
        problems.append("must close after it opens")
    starts, ends = entry.session_starts_at, entry.session_ends_at
    if starts is not None and ends is not None and ends <= starts:
        problems.append("the session must end after it starts")
    return problems


def add_member(user: User, cohort: Cohort, role: MembershipRole) -> Membership:
    """Enrol a learner or assign a trainer; refuse a second role or a full cohort."""
    current = cohort.role_of(user)
    if current is not None:
        raise CohortError(f"{user.email} is already a {current.value} of {cohort.name}")
    is_full = cohort.capacity is not None and learner_count(cohort) >= cohort.capacity
    if role == MembershipRole.LEARNER and is_full:
        raise CohortError(f"{cohort.name} is full ({cohort.capacity} learners)")
    membership = Membership(user=user, role=role)
    cohort.memberships.append(membership)
    db.session.flush()
    return membership


def learner_count(cohort: Cohort) -> int:
    """Count the cohort's learners with one query."""
    return db.session.scalar(
        db.select(func.count(Membership.id)).filter_by(
            cohort_id=cohort.id, role=MembershipRole.LEARNER
        )
    )
