"""Learning services on the database: module states, completion, lesson completion, cohorts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lms.cohorts.models import CohortState
from lms.extensions import db
from lms.learning.models import LessonCompletion
from lms.learning.services import (
    LearningError,
    _insert_completion_once,
    complete_lesson,
    explain_lock,
    learner_cohort,
    module_state,
    module_states,
)
from tests.factories import (
    CohortFactory,
    LessonCompletionFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    UserFactory,
)
from tests.learning.helpers import ALL_MODULES, lesson_totals, make_bien_vivre_path


def statuses(learner, cohort) -> str:
    """Return the learner's states as letters (C completed, O open, L locked), chronologically."""
    return "".join(state.status.value[0].upper() for _m, state in module_states(learner, cohort))


def completed_codes(learner, cohort, now=None) -> set[str]:
    """Return the codes of the modules the learner has completed in the cohort's path."""
    pairs = module_states(learner, cohort, now)
    return {module.code for module, state in pairs if state.is_completed}


def completion_count() -> int:
    """Return the number of lesson completions in the database."""
    return db.session.scalar(db.select(db.func.count(LessonCompletion.id)))


@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        pytest.param((), "OLLLLLLL", id="nothing done"),
        pytest.param(("M1",), "COLLLLLL", id="M1 done"),
        pytest.param(("M1", "M2"), "CCOOLLLL", id="M3 and M4 side by side"),
        pytest.param(("M1", "M2", "M3"), "CCCOLLLL", id="M3 done, not M4"),
        pytest.param(ALL_MODULES, "CCCCCCCC", id="everything done"),
    ],
)
def test_module_states_follow_the_learners_lessons(completed, expected):
    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner(completed=completed)
    assert statuses(learner, bien_vivre.cohort) == expected


def test_module_states_pair_each_module_with_its_state_in_chronological_order():
    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner(completed=("M1", "M2", "M3"))
    pairs = module_states(learner, bien_vivre.cohort)
    assert [(module.code, state.code) for module, state in pairs] == [(c, c) for c in ALL_MODULES]
    m5 = {module.code: state for module, state in pairs}["M5"]
    assert m5.missing_prerequisites == ("M4",)


def test_calendar_locks_module_and_reports_opening():
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2"), future=("M3",))
    learner = bien_vivre.enrol_learner(completed=("M1", "M2"))
    m3 = module_state(learner, bien_vivre.cohort, bien_vivre.modules["M3"])
    m4 = module_state(learner, bien_vivre.cohort, bien_vivre.modules["M4"])
    assert m3.is_locked
    assert m3.waiting_for_calendar
    assert m3.opens_at > datetime.now(UTC)
    assert m4.is_locked
    assert m4.opens_at is None


def test_optional_lessons_are_not_needed():
    bien_vivre = make_bien_vivre_path()
    LessonFactory(module=bien_vivre.modules["M1"], position=2, optional=True)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    assert statuses(learner, bien_vivre.cohort).startswith("CO")


def test_every_required_lesson_is_needed():
    bien_vivre = make_bien_vivre_path()
    LessonFactory(module=bien_vivre.modules["M1"], position=2, title="Carte des acteurs")
    learner = bien_vivre.enrol_learner(completed=("M1",))
    assert statuses(learner, bien_vivre.cohort).startswith("OL")
    assert completed_codes(learner, bien_vivre.cohort) == set()


def test_other_learners_lessons_do_not_count():
    bien_vivre = make_bien_vivre_path()
    bien_vivre.enrol_learner(completed=ALL_MODULES)
    learner = bien_vivre.enrol_learner()
    assert statuses(learner, bien_vivre.cohort) == "OLLLLLLL"


def test_completed_codes():
    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner(completed=("M1", "M2", "M4"))
    assert completed_codes(learner, bien_vivre.cohort) == {"M1", "M2", "M4"}


def test_module_without_required_lesson_is_completed_once_open():
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2", "M3"))
    db.session.delete(bien_vivre.lessons.pop("M2"))
    db.session.commit()
    newcomer = bien_vivre.enrol_learner()
    assert statuses(newcomer, bien_vivre.cohort) == "OLL"
    learner = bien_vivre.enrol_learner(completed=("M1",))
    assert statuses(learner, bien_vivre.cohort) == "CCO"
    assert completed_codes(learner, bien_vivre.cohort) == {"M1", "M2"}


def test_module_without_required_lesson_waits_for_its_calendar():
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2", "M3"), opened=("M1", "M3"), future=("M2",))
    db.session.delete(bien_vivre.lessons.pop("M2"))
    db.session.commit()
    learner = bien_vivre.enrol_learner(completed=("M1",))
    assert statuses(learner, bien_vivre.cohort) == "CLL"
    cohort = bien_vivre.cohort
    assert completed_codes(learner, cohort) == {"M1"}
    later = datetime.now(UTC) + timedelta(days=31)
    assert completed_codes(learner, cohort, now=later) == {"M1", "M2"}


def test_module_state_refuses_a_module_of_another_path():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner()
    with pytest.raises(LearningError, match="not part of the path"):
        module_state(learner, bien_vivre.cohort, ModuleFactory())


def test_complete_lesson_records_completion_and_opens_next_module():
    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner()
    now = datetime.now(UTC)
    completion = complete_lesson(learner, bien_vivre.cohort, bien_vivre.lessons["M1"], now)
    assert (completion.user_id, completion.lesson_id) == (learner.id, bien_vivre.lessons["M1"].id)
    assert completion.completed_at == now
    assert statuses(learner, bien_vivre.cohort).startswith("CO")


def test_complete_lesson_flushes_without_committing():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner()
    complete_lesson(learner, bien_vivre.cohort, bien_vivre.lessons["M1"])
    assert completion_count() == 1
    db.session.rollback()
    assert completion_count() == 0


def test_complete_lesson_is_idempotent():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner()
    lesson = bien_vivre.lessons["M1"]
    now = datetime.now(UTC)
    first = complete_lesson(learner, bien_vivre.cohort, lesson, now)
    again = complete_lesson(learner, bien_vivre.cohort, lesson, now + timedelta(days=1))
    assert again.id == first.id
    assert again.completed_at == now
    assert completion_count() == 1


def test_concurrent_insert_of_the_same_completion_keeps_one_row():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner()
    lesson, now = bien_vivre.lessons["M1"], datetime.now(UTC)
    # Two requests that both found no completion: the second insert must not fail.
    _insert_completion_once(learner, lesson, now)
    _insert_completion_once(learner, lesson, now + timedelta(seconds=1))
    assert completion_count() == 1
    completion = db.session.scalar(db.select(LessonCompletion))
    assert completion.completed_at == now


def test_complete_lesson_returns_a_completion_recorded_earlier():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner()
    earlier = LessonCompletionFactory(user=learner, lesson=bien_vivre.lessons["M1"])
    assert complete_lesson(learner, bien_vivre.cohort, bien_vivre.lessons["M1"]).id == earlier.id


def test_complete_lesson_allows_lessons_of_a_completed_module():
    bien_vivre = make_bien_vivre_path()
    extra = LessonFactory(module=bien_vivre.modules["M1"], position=2, optional=True)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    assert complete_lesson(learner, bien_vivre.cohort, extra).lesson_id == extra.id


def test_complete_lesson_refuses_a_module_locked_by_prerequisites():
    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner(completed=("M1", "M2"))
    with pytest.raises(LearningError, match=r"M5 is locked: finish M3, M4 first"):
        complete_lesson(learner, bien_vivre.cohort, bien_vivre.lessons["M5"])
    assert completion_count() == 2


def test_complete_lesson_refuses_a_module_the_calendar_has_not_opened():
    bien_vivre = make_bien_vivre_path(opened=(), future=("M1",))
    learner = bien_vivre.enrol_learner()
    with pytest.raises(LearningError, match="M1 is locked: it opens on"):
        complete_lesson(learner, bien_vivre.cohort, bien_vivre.lessons["M1"])
    assert completion_count() == 0


def test_complete_lesson_refuses_an_unscheduled_module():
    bien_vivre = make_bien_vivre_path(opened=())
    learner = bien_vivre.enrol_learner()
    with pytest.raises(LearningError, match="not on the cohort's calendar"):
        complete_lesson(learner, bien_vivre.cohort, bien_vivre.lessons["M1"])
    assert completion_count() == 0


def test_complete_lesson_refuses_a_lesson_of_another_path():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner()
    stranger = LessonFactory(title="Hors parcours")
    with pytest.raises(LearningError, match="“Hors parcours” is not part of the path"):
        complete_lesson(learner, bien_vivre.cohort, stranger)
    assert completion_count() == 0


@pytest.mark.parametrize("membership", ["none", "trainer"])
def test_complete_lesson_refuses_someone_who_is_not_a_learner(membership):
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    user = UserFactory()
    if membership == "trainer":
        MembershipFactory(user=user, cohort=bien_vivre.cohort, trainer=True)
    with pytest.raises(LearningError, match="not a learner of"):
        complete_lesson(user, bien_vivre.cohort, bien_vivre.lessons["M1"])
    assert completion_count() == 0


def test_explain_lock_gives_every_reason():
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2"), future=("M3",))
    learner = bien_vivre.enrol_learner()
    m3 = module_state(learner, bien_vivre.cohort, bien_vivre.modules["M3"])
    message = explain_lock(m3)
    assert message.startswith("M3 is locked: finish M2 first; it opens on ")


def test_learner_cohort_is_none_without_a_learner_membership():
    user = UserFactory()
    MembershipFactory(user=user, trainer=True)
    assert learner_cohort(user) is None


def test_learner_cohort_prefers_the_latest_active_cohort():
    user = UserFactory()
    today = date.today()
    older = CohortFactory(starts_on=today - timedelta(days=400))
    newer = CohortFactory(starts_on=today - timedelta(days=10))
    archived = CohortFactory(starts_on=today, state=CohortState.ARCHIVED)
    draft = CohortFactory(starts_on=today, state=CohortState.DRAFT)
    for cohort in (older, newer, archived, draft):
        MembershipFactory(user=user, cohort=cohort)
    assert learner_cohort(user) == newer


def test_lesson_totals_count_required_lessons_only():
    bien_vivre = make_bien_vivre_path()
    LessonFactory(module=bien_vivre.modules["M1"], position=2, optional=True)
    assert lesson_totals(bien_vivre.enrol_learner(), bien_vivre.cohort) == (0, 8)
    learner = bien_vivre.enrol_learner(completed=("M1", "M2", "M3"))
    assert lesson_totals(learner, bien_vivre.cohort) == (3, 8)
