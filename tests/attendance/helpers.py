"""Sessions held on given days at given hours (Paris time), with their sheets and records."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from lms.attendance.models import AttendanceStatus, ModuleAttendance
from lms.core.time import local_today, organisation_timezone
from lms.extensions import db
from tests.factories import (
    AttendanceRecordFactory,
    AttendanceSheetFactory,
    TrainingSessionFactory,
)


def days_ago(count: int) -> date:
    """Return the date ``count`` days before today (Paris time)."""
    return local_today() - timedelta(days=count)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a moment of ``day`` in the organisation's time zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=organisation_timezone())


def held_session(
    cohort, module, day: date, start: tuple, end: tuple, *, closed: bool = True, remote=False
):
    """Create a session of ``module`` on ``day`` from ``start`` to ``end`` (hour, minute), in
    person or ``remote`` live, with a sheet (closed unless said otherwise); return the sheet."""
    session = TrainingSessionFactory(
        cohort=cohort,
        module=module,
        starts_at=at(day, *start),
        ends_at=at(day, *end),
        remote=remote,
    )
    return AttendanceSheetFactory(session=session, closed=closed)


def record(sheet, learner, status: AttendanceStatus = AttendanceStatus.PRESENT):
    """Record the learner on the sheet with this status."""
    traits = {
        AttendanceStatus.PRESENT: {},
        AttendanceStatus.LATE: {"late": True},
        AttendanceStatus.ABSENT: {"absent": True},
        AttendanceStatus.EXCUSED: {"excused": True},
    }[status]
    return AttendanceRecordFactory(sheet=sheet, learner=learner, **traits)


def module_rules(module, *, minimum: int | None = None, remote_hours: int = 0) -> ModuleAttendance:
    """Give the module attendance rules (as the path file would)."""
    rules = ModuleAttendance(
        module_id=module.id, minimum_percent=minimum, remote_hours=remote_hours
    )
    db.session.add(rules)
    db.session.commit()
    return rules
