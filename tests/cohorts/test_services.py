from datetime import UTC, date, datetime, timedelta

import pytest

from lms.cohorts.access import is_learner_of, is_trainer_of
from lms.cohorts.models import Membership, MembershipRole, ModuleCalendar
from lms.cohorts.services import (
    CalendarEntry,
    CohortError,
    add_member,
    calendar_problems,
    create_cohort,
    set_calendar,
)
from lms.extensions import db
from tests.factories import CohortFactory, ModuleFactory, TrainingPathFactory, UserFactory

START = date(2026, 1, 5)


def at(day: int) -> datetime:
    """Return 08:00 UTC ``day`` days after the cohort starts."""
    return datetime(2026, 1, 5, 8, tzinfo=UTC) + timedelta(days=day)


@pytest.fixture
def cohort():
    """A cohort whose path has M1 → M2 → (M3, M4)."""
    path = TrainingPathFactory()
    m1 = ModuleFactory(path=path, code="M1", position=1)
    m2 = ModuleFactory(path=path, code="M2", position=2, prerequisites=[m1])
    ModuleFactory(path=path, code="M3", position=3, prerequisites=[m2])
    ModuleFactory(path=path, code="M4", position=4, prerequisites=[m2])
    return CohortFactory(path=path, starts_on=START, ends_on=START + timedelta(days=200))


def valid_entries():
    return {
        "M1": CalendarEntry(at(0), closes_at=at(20)),
        "M2": CalendarEntry(at(21)),
        "M3": CalendarEntry(at(42), place="Lyon"),
        "M4": CalendarEntry(at(42)),
    }


def test_set_calendar_accepts_side_by_side_modules(cohort):
    set_calendar(cohort, valid_entries())
    db.session.commit()
    rows = db.session.scalars(db.select(ModuleCalendar).filter_by(cohort_id=cohort.id)).all()
    assert {row.module.code: row.opens_at for row in rows}["M4"] == at(42)


def test_set_calendar_replaces_previous_rows(cohort):
    set_calendar(cohort, valid_entries())
    entries = valid_entries()
    del entries["M4"]
    entries["M3"] = CalendarEntry(at(50))
    set_calendar(cohort, entries)
    db.session.commit()
    codes = {row.module.code: row.opens_at for row in cohort.calendar}
    assert codes == {"M1": at(0), "M2": at(21), "M3": at(50)}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"M2": CalendarEntry(at(-1))}, "M2: dates must lie between"),
        ({"M2": CalendarEntry(at(300))}, "M2: dates must lie between"),
        ({"M3": CalendarEntry(at(10))}, "M3: cannot open before its prerequisite M2"),
        ({"M1": CalendarEntry(at(5), closes_at=at(5))}, "M1: must close after it opens"),
        ({"M9": CalendarEntry(at(5))}, "M9: unknown module"),
        (
            {"M4": CalendarEntry(at(42), session_starts_at=at(45), session_ends_at=at(44))},
            "M4: the session must end after it starts",
        ),
    ],
)
def test_set_calendar_refuses_bad_calendars(cohort, change, message):
    entries = valid_entries() | change
    assert any(message in problem for problem in calendar_problems(cohort, entries))
    with pytest.raises(CohortError, match=message):
        set_calendar(cohort, entries)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(ModuleCalendar.id))) == 0


def test_unscheduled_prerequisite_is_reported(cohort):
    entries = valid_entries()
    del entries["M2"]
    assert "M3: its prerequisite M2 is not scheduled" in calendar_problems(cohort, entries)


def test_create_cohort_refuses_taken_name_and_inverted_dates(cohort):
    with pytest.raises(CohortError, match="already exists"):
        create_cohort(cohort.name, cohort.path, START, START, territory=cohort.territory)
    with pytest.raises(CohortError, match="cannot end before it starts"):
        create_cohort(
            "Autre", cohort.path, START, START - timedelta(days=1), territory=cohort.territory
        )
    with pytest.raises(CohortError, match="capacity"):
        create_cohort("Autre", cohort.path, START, START, territory=cohort.territory, capacity=0)


def test_add_member_enforces_one_role_and_capacity(cohort):
    cohort.capacity = 1
    first, second, trainer = UserFactory(), UserFactory(), UserFactory()
    add_member(first, cohort, MembershipRole.LEARNER)
    with pytest.raises(CohortError, match="already a learner"):
        add_member(first, cohort, MembershipRole.TRAINER)
    with pytest.raises(CohortError, match="is full"):
        add_member(second, cohort, MembershipRole.LEARNER)
    add_member(trainer, cohort, MembershipRole.TRAINER)  # trainers do not count
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Membership.id))) == 2
    assert is_trainer_of(trainer, cohort)
    assert is_learner_of(first, cohort)
