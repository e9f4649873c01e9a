"""Cohort use cases: create and edit cohorts, set their module calendar, enrol people.

Services flush, never commit. Refusals raise ``CohortError``; when one form field is to blame,
the error names it (``error.field``) so that pages show the message beside that field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func

from lms.accounts.models import User
from lms.accounts.services import find_user_by_email, record_audit_event
from lms.cohorts.models import (
    Cohort,
    CohortState,
    Funder,
    Membership,
    MembershipRole,
    ModuleCalendar,
)
from lms.cohorts.signals import learners_progress_count
from lms.core.text import text_problem
from lms.core.time import organisation_timezone
from lms.core.transactions import DomainError
from lms.curriculum.models import TrainingPath
from lms.extensions import db
from lms.organisations.models import Territory


class CohortError(DomainError):
    """A cohort operation was refused; the message says why (and ``field`` which input)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CalendarEntry:
    """When one module opens (and optionally closes) for a cohort, with its session."""

    opens_at: datetime
    closes_at: datetime | None = None
    session_starts_at: datetime | None = None
    session_ends_at: datetime | None = None
    place: str | None = None


@dataclass(frozen=True)
class CalendarProblem:
    """One thing wrong with a proposed calendar: the module, the field to blame, the message."""

    code: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


CALENDAR_FIELDS = ("opens_at", "closes_at", "session_starts_at", "session_ends_at")


def cohort_window(starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    """Return the first and last instants of a cohort, in the organisation's timezone."""
    zone = organisation_timezone()
    return datetime.combine(starts_on, time.min, zone), datetime.combine(ends_on, time.max, zone)


def find_cohort(name: str) -> Cohort | None:
    """Return the cohort with this name, if any."""
    return db.session.scalar(db.select(Cohort).filter_by(name=name))


def _check_cohort_fields(
    name: str, starts_on: date, ends_on: date, capacity: int | None, *, cohort: Cohort | None
) -> None:
    """Refuse a name unfit to print or taken, inverted dates or a capacity below one."""
    if problem := text_problem(name):
        raise CohortError(problem, field="name")
    taken = find_cohort(name)
    if taken is not None and taken is not cohort:
        raise CohortError(_("A cohort named “%(name)s” already exists.", name=name), field="name")
    if ends_on < starts_on:
        raise CohortError(_("The cohort cannot end before it starts."), field="ends_on")
    if capacity is not None and capacity < 1:
        raise CohortError(_("The capacity must be at least 1."), field="capacity")


def create_cohort(
    name: str,
    path: TrainingPath,
    starts_on: date,
    ends_on: date,
    *,
    territory: Territory,
    capacity: int | None = None,
    state: CohortState = CohortState.ACTIVE,
    actor: User | None = None,
) -> Cohort:
    """Create a cohort on ``territory`` following ``path``; refuse a taken name, inverted dates."""
    name = name.strip()
    _check_cohort_fields(name, starts_on, ends_on, capacity, cohort=None)
    cohort = Cohort(
        name=name,
        path=path,
        territory=territory,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        state=state,
    )
    db.session.add(cohort)
    db.session.flush()
    if actor is not None:
        record_audit_event(actor, "cohort.create", cohort, after=cohort_snapshot(cohort))
    return cohort


def cohort_snapshot(cohort: Cohort) -> dict[str, Any]:
    """Describe a cohort's editable fields with plain values, for the audit trail."""
    return {
        "name": cohort.name,
        "path_id": cohort.path_id if cohort.path_id is not None else cohort.path.id,
        "territory_id": cohort.territory_id
        if cohort.territory_id is not None
        else cohort.territory.id,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "capacity": cohort.capacity,
        "state": str(cohort.state),
    }


def learners_with_progress(cohort: Cohort) -> int:
    """Ask every domain how many of the cohort's learners have progress recorded."""
    return sum(answer or 0 for _receiver, answer in learners_progress_count.send(cohort))


def update_cohort(
    actor: User,
    cohort: Cohort,
    *,
    name: str,
    path: TrainingPath,
    starts_on: date,
    ends_on: date,
    capacity: int | None,
    state: CohortState,
    territory: Territory | None = None,
) -> None:
    """Change a cohort's fields, refusing what would break its learners or its calendar.

    ``territory``: move the cohort to another territory (None keeps it where it is).
    """
    name = name.strip()
    _check_cohort_fields(name, starts_on, ends_on, capacity, cohort=cohort)
    learners = learner_count(cohort)
    if capacity is not None and capacity < learners:
        message = _("The capacity cannot be below the %(count)d learners enrolled.", count=learners)
        raise CohortError(message, field="capacity")
    if path.id != cohort.path_id:
        _change_path(cohort, path)
    else:
        _check_calendar_fits(cohort, starts_on, ends_on)
    before = cohort_snapshot(cohort)
    cohort.name, cohort.starts_on, cohort.ends_on = name, starts_on, ends_on
    cohort.capacity, cohort.state = capacity, state
    if territory is not None:
        cohort.territory = territory
    db.session.flush()
    after = cohort_snapshot(cohort)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        record_audit_event(
            actor,
            "cohort.update",
            cohort,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )


def _change_path(cohort: Cohort, path: TrainingPath) -> None:
    """Move the cohort to another path version, refused once learners have progress."""
    if learners_with_progress(cohort):
        message = _(
            "The path cannot change: learners of this cohort have already made progress in it."
        )
        raise CohortError(message, field="path")
    cohort.calendar.clear()  # its rows name modules of the former path
    cohort.path = path


def _check_calendar_fits(cohort: Cohort, starts_on: date, ends_on: date) -> None:
    """Refuse new dates that would leave part of the module calendar outside the cohort."""
    first, last = cohort_window(starts_on, ends_on)
    for row in cohort.calendar:
        moments = [getattr(row, name) for name in CALENDAR_FIELDS]
        if any(moment is not None and not first <= moment <= last for moment in moments):
            message = _(
                "Module %(code)s is scheduled outside these dates; change the calendar first.",
                code=row.module.code,
            )
            raise CohortError(message, field="starts_on" if moments[0] < first else "ends_on")


def archive_cohort(actor: User, cohort: Cohort) -> None:
    """Archive a cohort (its records stay); archiving twice is refused."""
    if cohort.state == CohortState.ARCHIVED:
        raise CohortError(_("This cohort is already archived."))
    before = str(cohort.state)
    cohort.state = CohortState.ARCHIVED
    db.session.flush()
    record_audit_event(
        actor, "cohort.archive", cohort, before={"state": before}, after={"state": "archived"}
    )


def set_calendar(
    cohort: Cohort, entries: Mapping[str, CalendarEntry], *, actor: User | None = None
) -> list[ModuleCalendar]:
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
    if actor is not None:
        after = {row.module.code: row.opens_at.isoformat() for row in rows}
        record_audit_event(actor, "cohort.calendar", cohort, after={"opens_at": after})
    return rows


def calendar_problems(cohort: Cohort, entries: Mapping[str, CalendarEntry]) -> list[str]:
    """List what is wrong with a proposed calendar (empty when it is valid)."""
    found = [str(problem) for problem in calendar_field_problems(cohort, entries)]
    return list(dict.fromkeys(found))  # one line per problem, even when two fields share it


def calendar_field_problems(
    cohort: Cohort, entries: Mapping[str, CalendarEntry]
) -> list[CalendarProblem]:
    """List the problems of a proposed calendar, each tied to the module field to blame."""
    modules = {module.code: module for module in cohort.path.modules}
    window = cohort_window(cohort.starts_on, cohort.ends_on)
    problems = []
    for code, entry in entries.items():
        if code not in modules:
            problems.append(CalendarProblem(code, "module", _("unknown module")))
            continue
        problems += [CalendarProblem(code, *problem) for problem in _entry_problems(entry, window)]
        for prerequisite in modules[code].prerequisites:
            before = entries.get(prerequisite.code)
            if before is None:
                message = _("its prerequisite %(code)s is not scheduled", code=prerequisite.code)
            elif before.opens_at > entry.opens_at:
                message = _("cannot open before its prerequisite %(code)s", code=prerequisite.code)
            else:
                continue
            problems.append(CalendarProblem(code, "opens_at", message))
    return problems


def _entry_problems(entry: CalendarEntry, window: tuple[datetime, datetime]) -> list[tuple]:
    """Check one module's dates on their own: (field, message) pairs."""
    problems = []
    for name in CALENDAR_FIELDS:
        moment = getattr(entry, name)
        if moment is not None and not window[0] <= moment <= window[1]:
            problems.append((name, _("dates must lie between the cohort's start and end")))
    if entry.closes_at is not None and entry.closes_at <= entry.opens_at:
        problems.append(("closes_at", _("must close after it opens")))
    starts, ends = entry.session_starts_at, entry.session_ends_at
    if starts is not None and ends is not None and ends <= starts:
        problems.append(("session_ends_at", _("the session must end after it starts")))
    return problems


def add_member(
    user: User, cohort: Cohort, role: MembershipRole, *, actor: User | None = None
) -> Membership:
    """Enrol a learner or assign a trainer; refuse a second role or a full cohort."""
    current = cohort.role_of(user)
    if current is not None:
        raise CohortError(
            _(
                "%(email)s is already a %(role)s of %(cohort)s",
                email=user.email,
                role=role_label(current),
                cohort=cohort.name,
            ),
            field="email",
        )
    is_full = cohort.capacity is not None and learner_count(cohort) >= cohort.capacity
    if role == MembershipRole.LEARNER and is_full:
        message = _("%(cohort)s is full (%(capacity)d learners)", **_full_values(cohort))
        raise CohortError(message, field="email")
    membership = Membership(user=user, role=role)
    cohort.memberships.append(membership)
    db.session.flush()
    if actor is not None:
        record_audit_event(
            actor, "membership.add", membership, after=_membership_values(membership)
        )
    return membership


def _full_values(cohort: Cohort) -> dict[str, Any]:
    """Name a full cohort and its capacity, for the refusal message."""
    return {"cohort": cohort.name, "capacity": cohort.capacity}


def role_label(role: MembershipRole) -> str:
    """Name a membership role in the reader's language."""
    labels = {
        MembershipRole.LEARNER: _("learner"),
        MembershipRole.TRAINER: _("trainer"),
        MembershipRole.ASSESSOR: _("external assessor"),
    }
    return labels[role]


def _membership_values(membership: Membership) -> dict[str, Any]:
    """Describe a membership with plain values, for the audit trail."""
    return {
        "user_id": membership.user.id,
        "email": membership.user.email,
        "cohort_id": membership.cohort.id,
        "role": str(membership.role),
    }


def add_member_by_email(
    actor: User, cohort: Cohort, email: str, role: MembershipRole
) -> Membership:
    """Enrol or assign the existing user with this e-mail address; audited."""
    user = find_user_by_email(email)
    if user is None:
        raise CohortError(_("No account uses this e-mail address."), field="email")
    return add_member(user, cohort, role, actor=actor)


def remove_member(actor: User, membership: Membership) -> None:
    """Take a learner, trainer or assessor out of a cohort; audited."""
    before = _membership_values(membership)
    membership.cohort.memberships.remove(membership)
    db.session.flush()
    record_audit_event(actor, "membership.remove", membership, before=before)


def set_funder(actor: User, membership: Membership, funder: Funder | None) -> bool:
    """Record who funds a learner's training (None: not recorded); audited when it changes.

    Return whether it changed. Only a learner's membership has a funder.
    """
    if membership.role != MembershipRole.LEARNER:
        raise CohortError(_("Only a learner has a funder."))
    if membership.funder == funder:
        return False
    before = {"funder": membership.funder.value if membership.funder else None}
    membership.funder = funder
    db.session.flush()
    after = {"funder": funder.value if funder else None, "learner_id": membership.user_id}
    record_audit_event(actor, "membership.funder", membership, before=before, after=after)
    return True


def learner_count(cohort: Cohort) -> int:
    """Count the cohort's learners with one query."""
    return db.session.scalar(
        db.select(func.count(Membership.id)).filter_by(
            cohort_id=cohort.id, role=MembershipRole.LEARNER
        )
    )
