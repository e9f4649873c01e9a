"""A module's minimum attendance as a completion rule (learning's requirement signals)."""

from __future__ import annotations

from flask_babel import force_locale

from lms.attendance.models import AttendanceStatus
from lms.extensions import db
from lms.learning.cohort_progress import cohort_progress
from lms.learning.services import module_missing, module_states
from tests.attendance.helpers import days_ago, held_session, module_rules, record
from tests.learning.helpers import make_bien_vivre_path
from tests.learning.test_queries import add_learners

PRESENT, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT


def states_of(learner, bien_vivre) -> dict[str, str]:
    return {
        module.code: str(state.status)
        for module, state in module_states(learner, bien_vivre.cohort)
    }


def sessions(bien_vivre, code: str, statuses, learner, minutes: int = 60) -> None:
    """Hold one session of ``minutes`` per status, on past days, the learner recorded so."""
    for day, status in enumerate(statuses, start=1):
        sheet = held_session(
            bien_vivre.cohort,
            bien_vivre.modules[code],
            days_ago(day),
            (9, 0),
            (9 + minutes // 60, minutes % 60),
        )
        if status is not None:
            record(sheet, learner, status)
    db.session.commit()


def test_below_the_minimum_the_module_is_not_completed():
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    module_rules(bien_vivre.modules["M1"], minimum=80)
    learner = bien_vivre.enrol_learner(completed=("M1", "M2"))
    # 7 of 10 hours: 70 %.
    sessions(bien_vivre, "M1", [PRESENT] * 7 + [ABSENT, None, ABSENT], learner)
    m1 = bien_vivre.modules["M1"]
    assert module_missing(learner, m1) == ["Attendance 70% < 80% required"]
    with force_locale("fr"):
        assert module_missing(learner, m1) == ["Présence 70\xa0% < 80\xa0% requis"]
    assert states_of(learner, bien_vivre) == {"M1": "open", "M2": "completed"}
    row = cohort_progress(bien_vivre.cohort).learners[0]
    assert row.module("M1").missing == ("Attendance 70% < 80% required",)


def test_at_the_minimum_the_module_is_completed():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    module_rules(bien_vivre.modules["M1"], minimum=80)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    sessions(bien_vivre, "M1", [PRESENT] * 4 + [ABSENT], learner)
    assert module_missing(learner, bien_vivre.modules["M1"]) == []
    assert states_of(learner, bien_vivre) == {"M1": "completed"}


def test_the_rate_is_rounded_down():
    """799 of 1000 minutes is 79.9 %: below 80 %, and it reads 79 %, never 80 %."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    module_rules(bien_vivre.modules["M1"], minimum=80)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    cohort, m1 = bien_vivre.cohort, bien_vivre.modules["M1"]
    record(held_session(cohort, m1, days_ago(1), (8, 0), (21, 19)), learner, PRESENT)  # 799
    held_session(cohort, m1, days_ago(2), (8, 0), (11, 21))  # 201, no record
    db.session.commit()
    assert module_missing(learner, m1) == ["Attendance 79% < 80% required"]


def test_nothing_is_asked_before_a_session_was_held():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    module_rules(bien_vivre.modules["M1"], minimum=80)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    sheet = held_session(bien_vivre.cohort, bien_vivre.modules["M1"], days_ago(1), (9, 0), (12, 0))
    sheet_open = held_session(
        bien_vivre.cohort, bien_vivre.modules["M1"], days_ago(2), (9, 0), (12, 0), closed=False
    )
    assert sheet_open is not None
    db.session.delete(sheet)
    db.session.commit()
    assert module_missing(learner, bien_vivre.modules["M1"]) == []
    assert states_of(learner, bien_vivre) == {"M1": "completed"}


def test_a_module_without_a_minimum_asks_nothing():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    module_rules(bien_vivre.modules["M1"], remote_hours=3)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    sessions(bien_vivre, "M1", [ABSENT, ABSENT], learner)
    assert module_missing(learner, bien_vivre.modules["M1"]) == []


def count_queries(query_counter, learners: int) -> int:
    bien_vivre = make_bien_vivre_path()
    module_rules(bien_vivre.modules["M1"], minimum=80)
    add_learners(bien_vivre, learners)
    held_session(bien_vivre.cohort, bien_vivre.modules["M1"], days_ago(1), (9, 0), (12, 0))
    db.session.commit()
    db.session.expire_all()
    with query_counter as queries:
        progress = cohort_progress(bien_vivre.cohort)
    assert len(progress.learners) == learners
    assert all(row.module("M1").missing for row in progress.learners)  # nobody signed
    return queries.count


def test_one_query_per_page_whatever_the_cohort_size(query_counter):
    small = count_queries(query_counter, 10)
    large = count_queries(query_counter, 200)
    assert small == large
