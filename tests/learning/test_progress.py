"""The cohort-wide progress service: statuses, lateness, counts, agreement with module states."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.learning.cohort_progress import cohort_progress, learner_progress
from lms.learning.progress import ProgressStatus, filter_learners, name_key, sort_learners
from lms.learning.services import module_states
from lms.learning.signals import requirements_connected
from tests.factories import LessonCompletionFactory, MembershipFactory, UserFactory
from tests.learning.progress_helpers import close_module, make_progress_world


def statuses(row) -> dict[str, str]:
    """Return code -> status (with a ``+late`` mark) of one learner's modules."""
    return {item.code: item.status + ("+late" if item.is_late else "") for item in row.modules}


def names(rows) -> list[str]:
    """Return the learners' display names, in order."""
    return [row.learner.display_name for row in rows]


def test_every_status_including_in_progress_and_late():
    world = make_progress_world()
    progress = cohort_progress(world.bien_vivre.cohort)
    ahead = progress.learner(world.ahead.id)
    assert statuses(ahead) == {
        "M1": "completed", "M2": "completed", "M3": "completed", "M4": "open+late",
        "M5": "locked", "M6": "locked", "M7": "locked", "M8": "locked",
    }  # fmt: skip
    midway = progress.learner(world.midway.id)
    assert statuses(midway)["M2"] == "in_progress"
    assert (midway.module("M2").lessons_done, midway.module("M2").lessons_total) == (1, 2)
    assert statuses(progress.learner(world.starting.id))["M1"] == "open"


def test_in_progress_late_and_locked_past_closing():
    world = make_progress_world()
    world.bien_vivre.complete_modules(world.starting, ("M1", "M2"))
    LessonCompletionFactory(user=world.starting, lesson=world.bien_vivre.modules["M2"].lessons[-1])
    row = learner_progress(world.bien_vivre.cohort, world.starting)
    assert statuses(row)["M4"] == "open+late"
    # M4 is closed but locked for the midway learner: the late module is the one holding them.
    assert statuses(learner_progress(world.bien_vivre.cohort, world.midway))["M4"] == "locked"


def test_in_progress_module_after_closing_is_late():
    world = make_progress_world()
    close_module(world.bien_vivre, "M2")
    assert statuses(learner_progress(world.bien_vivre.cohort, world.midway))["M2"] == (
        "in_progress+late"
    )


def test_counts_percent_and_last_activity():
    world = make_progress_world()
    progress = cohort_progress(world.bien_vivre.cohort)
    ahead = progress.learner(world.ahead.id)
    assert (ahead.completed_count, ahead.percent) == (3, 38)
    assert (ahead.lessons_done, ahead.lessons_total) == (4, 9)
    assert ahead.last_activity_at == datetime(2025, 3, 3, 9, tzinfo=UTC)
    assert progress.learner(world.starting.id).last_activity_at is None
    assert [progress.completed_count(code) for code in ("M1", "M2", "M3", "M4")] == [2, 1, 1, 0]


def test_modules_are_in_chronological_order_with_the_calendar():
    world = make_progress_world()
    progress = cohort_progress(world.bien_vivre.cohort)
    assert [module.code for module in progress.modules] == [f"M{n}" for n in range(1, 9)]
    assert set(progress.calendar) == {"M1", "M2", "M3", "M4", "M5", "M6"}


def test_only_the_learners_of_the_cohort_are_listed():
    world = make_progress_world()
    MembershipFactory(user=UserFactory(display_name="Someone Else"))  # another cohort
    progress = cohort_progress(world.bien_vivre.cohort)
    assert names(progress.learners) == ["Alix Starting", "Zoé Ahead", "Émile Midway"]
    assert progress.learner(world.trainer.id) is None


def test_cohort_states_agree_with_each_learners_module_states():
    world = make_progress_world()
    cohort = world.bien_vivre.cohort
    progress = cohort_progress(cohort)
    for learner in (world.ahead, world.midway, world.starting):
        expected = [state for _module, state in module_states(learner, cohort, progress.now)]
        assert [item.state for item in progress.learner(learner.id).modules] == expected


def missing_quiz_in(code, calls):
    """Return a cohort-wide receiver that requires a quiz in module ``code`` from everyone."""

    def missing_quizzes(path, *, learners, modules):
        calls.append(len(learners))
        return {
            (learner.id, module.id): [f"Pass the {code} quiz"]
            for learner in learners
            for module in modules
            if module.code == code
        }

    return missing_quizzes


def test_a_cohort_wide_receiver_is_asked_once_and_holds_modules_back():
    world = make_progress_world()
    calls = []
    with requirements_connected(missing_quiz_in("M1", calls), cohort_wide=True):
        progress = cohort_progress(world.bien_vivre.cohort)
        ahead = progress.learner(world.ahead.id)
        assert ahead.module("M1").status is ProgressStatus.IN_PROGRESS
        assert ahead.module("M1").missing == ("Pass the M1 quiz",)
        assert calls == [3]
        # The same receiver answers the per-learner path: both views agree.
        states = [state for _module, state in module_states(world.ahead, world.bien_vivre.cohort)]
        assert [item.state for item in ahead.modules] == states
        assert states[0].is_open
    assert cohort_progress(world.bien_vivre.cohort).learner(world.ahead.id).module("M1").status == (
        ProgressStatus.COMPLETED
    )


def test_a_per_learner_receiver_still_answers_for_the_cohort():
    world = make_progress_world()

    def missing_quizzes(path, *, learner, modules):
        return {module.id: ["Pass the quiz"] for module in modules if module.code == "M3"}

    with requirements_connected(missing_quizzes):
        row = cohort_progress(world.bien_vivre.cohort).learner(world.ahead.id)
        assert row.module("M3").status is ProgressStatus.IN_PROGRESS
        assert row.module("M3").missing == ("Pass the quiz",)


def test_sort_by_name_ignores_accents_and_case():
    world = make_progress_world()
    rows = cohort_progress(world.bien_vivre.cohort).learners
    assert names(sort_learners(rows, "name")) == ["Alix Starting", "Émile Midway", "Zoé Ahead"]
    assert names(sort_learners(rows, "name", descending=True))[0] == "Zoé Ahead"
    assert name_key("Émile") == "emile"


def test_sort_by_progress_and_by_activity():
    world = make_progress_world()
    rows = cohort_progress(world.bien_vivre.cohort).learners
    by_progress = ["Zoé Ahead", "Émile Midway", "Alix Starting"]
    assert names(sort_learners(rows, "progress", descending=True)) == by_progress
    # Midway worked last (March 6-7); no activity counts as the oldest.
    latest_first = ["Émile Midway", "Zoé Ahead", "Alix Starting"]
    assert names(sort_learners(rows, "activity", descending=True)) == latest_first
    assert names(sort_learners(rows, "activity"))[0] == "Alix Starting"


def test_filter_by_state_and_module():
    world = make_progress_world()
    rows = cohort_progress(world.bien_vivre.cohort).learners
    assert names(filter_learners(rows, "late")) == ["Zoé Ahead"]
    assert names(filter_learners(rows, "in_progress", "M2")) == ["Émile Midway"]
    assert names(filter_learners(rows, "in_progress", "M3")) == []
    assert names(filter_learners(rows, "open", "M1")) == ["Alix Starting"]
    assert len(filter_learners(rows, None, "M1")) == 3


def test_unknown_sort_or_state_is_refused():
    with pytest.raises(ValueError, match="unknown sort key"):
        sort_learners([], "age")
    with pytest.raises(ValueError, match="unknown state"):
        filter_learners([], "asleep")
