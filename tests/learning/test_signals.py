"""Other domains add requirements to a module through the learning signals."""

from __future__ import annotations

from lms.learning.services import (
    missing_requirements,
    module_missing,
    module_states,
)
from lms.learning.signals import (
    connect_requirements,
    disconnect_requirements,
    module_requirements,
    path_requirements,
    requirements_connected,
)
from tests.learning.helpers import lesson_totals, make_bien_vivre_path


def quiz_for(*codes):
    """Return a batch receiver that requires a quiz in the modules with these codes."""

    def missing_quizzes(path, *, learner, modules):
        return {
            module.id: [f"Pass the {module.code} quiz"]
            for module in modules
            if module.code in codes
        }

    return missing_quizzes


def state_of(learner, cohort, code):
    """Return the learner's state in the module ``code``."""
    return {module.code: state for module, state in module_states(learner, cohort)}[code]


def test_missing_requirements_name_the_lessons_left():
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    learner = bien_vivre.enrol_learner(completed=("M1",))
    missing = missing_requirements(learner, bien_vivre.modules.values())
    assert missing == {
        bien_vivre.modules["M1"].id: [],
        bien_vivre.modules["M2"].id: ["Complete the lesson “Lecture M2”"],
    }


def test_missing_requirements_of_no_module_is_empty():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    assert missing_requirements(bien_vivre.enrol_learner(), []) == {}


def test_module_missing_answers_for_lessons_through_the_signal():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner()
    assert module_missing(learner, bien_vivre.modules["M1"]) == ["Complete the lesson “Lecture M1”"]
    values = [
        value for _, value in module_requirements.send(bien_vivre.modules["M1"], learner=learner)
    ]
    assert ["Complete the lesson “Lecture M1”"] in values


def test_requirement_from_another_domain_keeps_a_module_incomplete():
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    learner = bien_vivre.enrol_learner(completed=("M1",))
    with requirements_connected(quiz_for("M1")):
        m1 = state_of(learner, bien_vivre.cohort, "M1")
        m2 = state_of(learner, bien_vivre.cohort, "M2")
        assert m1.is_open
        assert m2.missing_prerequisites == ("M1",)
        assert module_missing(learner, bien_vivre.modules["M1"]) == ["Pass the M1 quiz"]
        # Progress counts lessons only: the quiz does not change the figure.
        assert lesson_totals(learner, bien_vivre.cohort) == (1, 2)
    assert state_of(learner, bien_vivre.cohort, "M1").is_completed


def test_requirements_are_merged_after_the_lessons():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner()
    m1 = bien_vivre.modules["M1"]
    with requirements_connected(quiz_for("M1")):
        assert missing_requirements(learner, [m1]) == {
            m1.id: ["Complete the lesson “Lecture M1”", "Pass the M1 quiz"]
        }


def test_per_module_and_batch_answers_agree():
    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner(completed=("M1", "M2"))
    with requirements_connected(quiz_for("M2", "M5")):
        batch = missing_requirements(learner, bien_vivre.modules.values())
        for module in bien_vivre.modules.values():
            assert sorted(module_missing(learner, module)) == sorted(batch[module.id])
        assert batch[bien_vivre.modules["M2"].id] == ["Pass the M2 quiz"]


def test_answers_for_modules_not_asked_about_are_ignored():
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    learner = bien_vivre.enrol_learner()
    m1 = bien_vivre.modules["M1"]
    with requirements_connected(lambda path, **kwargs: {-1: ["Ghost"]}):
        assert missing_requirements(learner, [m1]) == {m1.id: ["Complete the lesson “Lecture M1”"]}


def test_a_raw_path_requirements_receiver_is_merged_too():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner(completed=("M1",))
    with path_requirements.connected_to(quiz_for("M1")):
        assert state_of(learner, bien_vivre.cohort, "M1").is_open


def test_disconnect_removes_both_answers():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner(completed=("M1",))
    receiver = connect_requirements(quiz_for("M1"))
    assert module_missing(learner, bien_vivre.modules["M1"]) == ["Pass the M1 quiz"]
    disconnect_requirements(receiver)
    assert module_missing(learner, bien_vivre.modules["M1"]) == []
    assert state_of(learner, bien_vivre.cohort, "M1").is_completed
