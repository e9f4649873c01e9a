"""The chronology engine on plain data: the rules of DESIGN.md §7 on the §6 path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.curriculum.graph import CycleError
from lms.learning.chronology import ModuleState, ModuleStatus, compute_module_states
from tests.learning.helpers import ALL_MODULES, BIEN_VIVRE_PREREQUISITES

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
YESTERDAY = NOW - timedelta(days=1)
NEXT_MONTH = NOW + timedelta(days=30)
ALL_OPEN = dict.fromkeys(ALL_MODULES, (YESTERDAY, None))
LETTER = {"C": ModuleStatus.COMPLETED, "O": ModuleStatus.OPEN, "L": ModuleStatus.LOCKED}


def states(completed=(), calendar=None, prerequisites=None, now=NOW) -> dict[str, ModuleState]:
    """Compute the states of the §6 path (everything open by default), keyed by code."""
    result = compute_module_states(
        BIEN_VIVRE_PREREQUISITES if prerequisites is None else prerequisites,
        ALL_OPEN if calendar is None else calendar,
        set(completed),
        now,
    )
    return {state.code: state for state in result}


@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        pytest.param((), "OLLLLLLL", id="nothing done"),
        pytest.param(("M1",), "COLLLLLL", id="M1 done"),
        pytest.param(("M1", "M2"), "CCOOLLLL", id="M3 and M4 side by side"),
        pytest.param(("M1", "M2", "M3"), "CCCOLLLL", id="M3 done, not M4"),
        pytest.param(("M1", "M2", "M4"), "CCOCLLLL", id="M4 done, not M3"),
        pytest.param(("M1", "M2", "M3", "M4"), "CCCCOLLL", id="both done opens M5"),
        pytest.param(ALL_MODULES[:7], "CCCCCCCO", id="only the defence left"),
        pytest.param(ALL_MODULES, "CCCCCCCC", id="everything done"),
    ],
)
def test_learners_at_different_stages(completed, expected):
    result = states(completed)
    assert [result[code].status for code in ALL_MODULES] == [LETTER[c] for c in expected]


def test_modules_come_in_chronological_order_with_m3_and_m4_side_by_side():
    result = compute_module_states(BIEN_VIVRE_PREREQUISITES, ALL_OPEN, set(), NOW)
    assert [state.code for state in result] == list(ALL_MODULES)


def test_order_follows_prerequisites_not_declaration():
    declared_backwards = dict(reversed(list(BIEN_VIVRE_PREREQUISITES.items())))
    result = compute_module_states(declared_backwards, ALL_OPEN, set(), NOW)
    codes = [state.code for state in result]
    assert codes[:2] == ["M1", "M2"]
    assert set(codes[2:4]) == {"M3", "M4"}
    assert codes[4:] == ["M5", "M6", "M7", "M8"]


def test_m5_locked_names_m4_when_only_m3_is_done():
    m5 = states(("M1", "M2", "M3"))["M5"]
    assert m5.is_locked
    assert m5.missing_prerequisites == ("M4",)
    assert not m5.waiting_for_calendar


def test_missing_prerequisites_are_listed_in_chronological_order():
    prerequisites = {**BIEN_VIVRE_PREREQUISITES, "M5": ["M4", "M3"]}
    result = states(prerequisites=prerequisites)
    assert result["M5"].missing_prerequisites == ("M3", "M4")
    assert result["M2"].missing_prerequisites == ("M1",)
    assert result["M1"].missing_prerequisites == ()


def test_calendar_not_opened_locks_a_module_whose_prerequisites_are_done():
    calendar = {**ALL_OPEN, "M3": (NEXT_MONTH, NEXT_MONTH + timedelta(days=14))}
    m3 = states(("M1", "M2"), calendar)["M3"]
    assert m3.is_locked
    assert m3.missing_prerequisites == ()
    assert m3.waiting_for_calendar
    assert m3.opens_at == NEXT_MONTH
    assert m3.closes_at == NEXT_MONTH + timedelta(days=14)
    assert states(("M1", "M2"), calendar)["M4"].is_open


def test_module_not_scheduled_stays_locked():
    calendar = {code: value for code, value in ALL_OPEN.items() if code != "M2"}
    m2 = states(("M1",), calendar)["M2"]
    assert m2.is_locked
    assert m2.waiting_for_calendar
    assert not m2.is_scheduled
    assert (m2.opens_at, m2.closes_at) == (None, None)


def test_both_reasons_are_reported_at_once():
    calendar = {**ALL_OPEN, "M3": (NEXT_MONTH, None)}
    m3 = states((), calendar)["M3"]
    assert m3.is_locked
    assert m3.missing_prerequisites == ("M2",)
    assert m3.waiting_for_calendar
    assert m3.opens_at == NEXT_MONTH


def test_locked_only_by_prerequisites_is_not_waiting_for_calendar():
    m2 = states(())["M2"]
    assert m2.is_locked
    assert m2.calendar_opened
    assert not m2.waiting_for_calendar


@pytest.mark.parametrize(
    "calendar",
    [
        pytest.param(ALL_OPEN, id="scheduled"),
        pytest.param({"M1": (YESTERDAY, None)}, id="no longer scheduled"),
        pytest.param({**ALL_OPEN, "M3": (NEXT_MONTH, None)}, id="calendar moved later"),
    ],
)
def test_completed_module_stays_completed_whatever_prerequisites_and_calendar(calendar):
    m3 = states(("M3",), calendar)["M3"]
    assert m3.is_completed
    assert m3.missing_prerequisites == ()
    assert not m3.waiting_for_calendar


def test_module_opens_exactly_at_opens_at():
    calendar = {**ALL_OPEN, "M1": (NOW, None)}
    assert states((), calendar)["M1"].is_open
    assert states((), calendar, now=NOW - timedelta(microseconds=1))["M1"].is_locked


def test_closing_date_is_a_deadline_not_a_lock():
    calendar = {**ALL_OPEN, "M1": (YESTERDAY - timedelta(days=30), YESTERDAY)}
    m1 = states((), calendar)["M1"]
    assert m1.is_open
    assert m1.closes_at == YESTERDAY


def test_unknown_completed_codes_are_ignored():
    result = states(("M1", "X9"))
    assert set(result) == set(ALL_MODULES)
    assert result["M2"].is_open


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_module_states(BIEN_VIVRE_PREREQUISITES, ALL_OPEN, set(), NOW.replace(tzinfo=None))


def test_cycle_is_refused():
    with pytest.raises(CycleError):
        compute_module_states({"M1": ["M2"], "M2": ["M1"]}, {}, set(), NOW)


def test_unknown_prerequisite_is_refused():
    with pytest.raises(KeyError, match="M0"):
        compute_module_states({"M1": ["M0"]}, {}, set(), NOW)


def test_empty_path_has_no_state():
    assert compute_module_states({}, {}, set(), NOW) == []


def test_status_predicates_match_status():
    state = ModuleState("M1", ModuleStatus.OPEN, calendar_opened=True)
    assert (state.is_locked, state.is_open, state.is_completed) == (False, True, False)
    assert ModuleStatus.LOCKED == "locked"


calendars = st.dictionaries(
    st.sampled_from(ALL_MODULES),
    st.tuples(st.sampled_from([YESTERDAY, NOW, NEXT_MONTH]), st.none()),
)


@given(completed=st.sets(st.sampled_from(ALL_MODULES)), calendar=calendars)
def test_every_state_follows_the_rules(completed, calendar):
    for state in compute_module_states(BIEN_VIVRE_PREREQUISITES, calendar, completed, NOW):
        needs = BIEN_VIVRE_PREREQUISITES[state.code]
        opened = state.code in calendar and calendar[state.code][0] <= NOW
        if state.code in completed:
            assert state.is_completed
        elif opened and all(need in completed for need in needs):
            assert state.is_open
        else:
            assert state.is_locked
            assert state.waiting_for_calendar == (not opened)
            assert set(state.missing_prerequisites) == set(needs) - completed
