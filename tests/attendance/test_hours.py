"""Attendance rates and realised hours: hand-counted minutes, the rules, constant queries."""

from __future__ import annotations

from fractions import Fraction

from lms.attendance.hours import (
    LearnerAttendance,
    ModuleAttendanceLine,
    cohort_attendance,
    learner_attendance,
    whole_percent,
)
from lms.attendance.models import AttendanceStatus
from lms.extensions import db
from tests.attendance.helpers import days_ago, held_session, module_rules, record
from tests.factories import CohortFactory, MembershipFactory, TrainingSessionFactory, UserFactory
from tests.learning.helpers import make_bien_vivre_path
from tests.learning.test_queries import add_learners

PRESENT, LATE = AttendanceStatus.PRESENT, AttendanceStatus.LATE
ABSENT, EXCUSED = AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


def fixture():
    """M1 (minimum 80 %) and M2 (7 remote hours); three learners and seven sessions.

    Counted: S1 (M1, yesterday, 3 h 30), S2 (M1, two days ago, 3 h 30), S7 (M2, three days ago,
    2 h). Not counted: S3 (sheet open), S4 (tomorrow), S5 (no sheet), S6 (another cohort).
    """
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    m1, m2 = bien_vivre.modules["M1"], bien_vivre.modules["M2"]
    module_rules(m1, minimum=80)
    module_rules(m2, remote_hours=7)
    cohort = bien_vivre.cohort
    a = bien_vivre.enrol_learner(completed=("M1", "M2"), display_name="A")
    b = bien_vivre.enrol_learner(completed=("M1",), display_name="B")
    c = bien_vivre.enrol_learner(completed=("M1", "M2"), display_name="C")
    s1 = held_session(cohort, m1, days_ago(1), (9, 0), (12, 30))
    record(s1, a, PRESENT), record(s1, b, LATE)  # C: no record
    s2 = held_session(cohort, m1, days_ago(2), (14, 0), (17, 30))
    record(s2, a, ABSENT), record(s2, b, PRESENT), record(s2, c, EXCUSED)
    s3 = held_session(cohort, m1, days_ago(1), (14, 0), (17, 0), closed=False)
    record(s3, a, PRESENT)
    s4 = held_session(cohort, m1, days_ago(-1), (9, 0), (12, 0))
    record(s4, a, PRESENT)
    TrainingSessionFactory(cohort=cohort, module=m2)  # S5: no sheet
    other = CohortFactory(path=cohort.path)
    d = UserFactory()
    MembershipFactory(user=d, cohort=other)
    record(held_session(other, m2, days_ago(3), (9, 0), (17, 0)), d, PRESENT)
    s7 = held_session(cohort, m2, days_ago(3), (9, 0), (11, 0))
    record(s7, a, PRESENT), record(s7, b, ABSENT)
    db.session.commit()
    return bien_vivre, a, b, c


def lines(attendance: LearnerAttendance, bien_vivre) -> dict[str, tuple[int, int, int]]:
    """Return module code -> (held, attended, remote) minutes."""
    return {
        code: (line.held_minutes, line.attended_minutes, line.remote_minutes)
        for code, module in bien_vivre.modules.items()
        for line in [attendance.modules[module.id]]
    }


def test_hand_counted_minutes():
    bien_vivre, a, b, c = fixture()
    figures = cohort_attendance(bien_vivre.cohort)
    assert set(figures) == {a.id, b.id, c.id}  # not the other cohort's learner
    # A: S1 present, S2 absent, S7 present; M2 completed: 7 remote hours (M1 below 80 %).
    assert lines(figures[a.id], bien_vivre) == {"M1": (420, 210, 0), "M2": (120, 120, 420)}
    # B: S1 late (counts whole), S2 present, S7 absent; M2 not completed: no remote hours.
    assert lines(figures[b.id], bien_vivre) == {"M1": (420, 420, 0), "M2": (120, 0, 0)}
    # C: no record on S1 (absent), S2 excused, nothing on S7; M2 completed.
    assert lines(figures[c.id], bien_vivre) == {"M1": (420, 0, 0), "M2": (120, 0, 420)}
    first = figures[a.id]
    assert (first.held_minutes, first.attended_minutes) == (540, 330)
    assert (first.remote_minutes, first.realised_minutes) == (420, 750)
    assert first.rate == Fraction(330, 540)
    assert whole_percent(first.rate) == 61
    assert figures[b.id].rate == Fraction(7, 9)
    assert figures[c.id].rate == 0
    assert figures[c.id].realised_minutes == 420


def test_module_rates_and_nothing_held():
    bien_vivre, a, _b, _c = fixture()
    figures = learner_attendance(bien_vivre.cohort, a)
    assert figures.modules[bien_vivre.modules["M1"].id].rate == Fraction(1, 2)
    assert ModuleAttendanceLine(1, 0, 0, 0).rate is None
    assert LearnerAttendance(a.id, {}).rate is None


def test_a_past_date_counts_the_sessions_ended_by_then_and_no_remote_not_yet_opened():
    """Two days ago: S2 and S7 only; M2 opened yesterday, so no remote hours yet."""
    bien_vivre, a, b, _c = fixture()
    figures = cohort_attendance(bien_vivre.cohort, as_of=days_ago(2))
    assert lines(figures[a.id], bien_vivre) == {"M1": (210, 0, 0), "M2": (120, 120, 0)}
    assert lines(figures[b.id], bien_vivre) == {"M1": (210, 210, 0), "M2": (120, 0, 0)}
    yesterday = cohort_attendance(bien_vivre.cohort, as_of=days_ago(1))
    assert lines(yesterday[a.id], bien_vivre) == {"M1": (420, 210, 0), "M2": (120, 120, 420)}


def test_a_later_date_counts_the_closed_sheet_of_tomorrow():
    bien_vivre, a, _b, _c = fixture()
    figures = cohort_attendance(bien_vivre.cohort, as_of=days_ago(-1))
    assert lines(figures[a.id], bien_vivre)["M1"] == (600, 390, 0)


def test_only_the_given_learners_and_a_cohort_without_learners():
    bien_vivre, a, _b, _c = fixture()
    assert set(cohort_attendance(bien_vivre.cohort, [a])) == {a.id}
    assert cohort_attendance(CohortFactory()) == {}


def test_a_path_without_rules_credits_no_remote_hours():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner(completed=("M1",))
    sheet = held_session(bien_vivre.cohort, bien_vivre.modules["M1"], days_ago(1), (9, 0), (10, 0))
    record(sheet, learner, PRESENT)
    figures = learner_attendance(bien_vivre.cohort, learner)
    assert (figures.held_minutes, figures.attended_minutes, figures.remote_minutes) == (60, 60, 0)
    assert figures.rate == 1


def count_queries(query_counter, learners: int) -> int:
    bien_vivre = make_bien_vivre_path()
    module_rules(bien_vivre.modules["M3"], minimum=80, remote_hours=7)
    add_learners(bien_vivre, learners)
    for code in ("M1", "M3"):
        held_session(bien_vivre.cohort, bien_vivre.modules[code], days_ago(1), (9, 0), (12, 0))
    db.session.commit()
    db.session.expire_all()
    with query_counter as queries:
        figures = cohort_attendance(bien_vivre.cohort)
    assert len(figures) == learners
    assert all(item.held_minutes == 360 for item in figures.values())
    return queries.count


def test_query_count_does_not_grow_with_learners(query_counter):
    small = count_queries(query_counter, 10)
    large = count_queries(query_counter, 200)
    assert small == large
    assert large <= 16


def test_distance_minutes_are_the_remote_work_and_the_remote_live_sessions_attended():
    bien_vivre, a, b, _c = fixture()
    m2 = bien_vivre.modules["M2"]
    live = held_session(bien_vivre.cohort, m2, days_ago(4), (14, 0), (15, 30), remote=True)
    record(live, a, PRESENT), record(live, b, ABSENT)
    db.session.commit()
    figures = cohort_attendance(bien_vivre.cohort)
    # A: 7 remote hours (M2 completed) and 1 h 30 live at a distance; S1 and S7 in person.
    assert figures[a.id].distance_minutes == 420 + 90
    assert figures[a.id].realised_minutes == 330 + 90 + 420
    # B was absent from the live session: no distance at all.
    assert figures[b.id].distance_minutes == 0
