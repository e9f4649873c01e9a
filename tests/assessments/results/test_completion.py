"""Module completion: required lessons done AND required assessments passed (released grades)."""

from __future__ import annotations

from lms.assessments.models import GradeState
from lms.extensions import db
from lms.learning.cohort_progress import cohort_progress
from lms.learning.services import module_missing, module_states
from tests.assessments.results.helpers import assignment, grade, pass_quiz
from tests.factories import (
    AssessmentFactory,
    GradeReleaseFactory,
    QuizAttemptFactory,
    UserFactory,
)
from tests.learning.helpers import make_bien_vivre_path


def states_of(learner, bien_vivre) -> dict[str, str]:
    """Return module code -> status for the learner."""
    states = module_states(learner, bien_vivre.cohort)
    return {module.code: str(state.status) for module, state in states}


def test_a_required_quiz_not_passed_keeps_the_module_open():
    """Keep M1 open (and M2 locked) until its quiz is passed; then complete M1 and open M2."""
    bien_vivre = make_bien_vivre_path()
    quiz = AssessmentFactory(module=bien_vivre.modules["M1"], quiz=True, title="Quiz du sens")
    learner = bien_vivre.enrol_learner(completed=("M1",))
    assert states_of(learner, bien_vivre)["M1"] == "open"
    assert states_of(learner, bien_vivre)["M2"] == "locked"
    assert module_missing(learner, bien_vivre.modules["M1"]) == [
        "Pass the assessment “Quiz du sens”"
    ]
    pass_quiz(learner, quiz, passed=False)
    assert states_of(learner, bien_vivre)["M1"] == "open"
    pass_quiz(learner, quiz, passed=True, number=2)
    assert states_of(learner, bien_vivre)["M1"] == "completed"
    assert states_of(learner, bien_vivre)["M2"] == "open"


def test_an_open_attempt_does_not_pass():
    """Count only submitted attempts marked passed."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    quiz = AssessmentFactory(module=bien_vivre.modules["M1"], quiz=True)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    QuizAttemptFactory(assessment=quiz, user=learner, passed=True)  # open: never scored
    assert states_of(learner, bien_vivre)["M1"] == "open"


def test_a_grade_counts_only_once_released_and_passed():
    """Complete M1 with a passed grade only once it is released to the learner."""
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    work = assignment(bien_vivre.modules["M1"])
    learner = bien_vivre.enrol_learner(completed=("M1",))
    result = grade(learner, work, state=GradeState.GRADED)
    assert states_of(learner, bien_vivre) == {"M1": "open", "M2": "locked"}
    result.state, result.released_at = GradeState.RELEASED, result.updated_at
    db.session.commit()
    assert states_of(learner, bien_vivre) == {"M1": "completed", "M2": "open"}


def test_a_released_failed_grade_does_not_complete():
    """Keep the module open when the released grade says not passed."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    work = assignment(bien_vivre.modules["M1"])
    learner = bien_vivre.enrol_learner(completed=("M1",))
    grade(learner, work, passed=False)
    assert states_of(learner, bien_vivre)["M1"] == "open"


def test_grades_in_progress_or_returned_never_count():
    """Ignore grades being written or returned for revision, even marked passed."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    work = assignment(bien_vivre.modules["M1"])
    first, second = bien_vivre.enrol_learner(completed=("M1",)), bien_vivre.enrol_learner()
    grade(first, work, state=GradeState.GRADING)
    grade(second, work, state=GradeState.RETURNED)
    bien_vivre.complete_modules(second, ("M1",))
    assert states_of(first, bien_vivre)["M1"] == "open"
    assert states_of(second, bien_vivre)["M1"] == "open"


def test_a_release_to_the_cohort_releases_its_graded_grades():
    """Count a graded evaluation once its assessment is released to the learner's cohort."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    oral = assignment(bien_vivre.modules["M1"], kind="evaluation", accepts_files=False)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    grade(learner, oral, state=GradeState.GRADED)
    GradeReleaseFactory(assessment=oral, cohort=make_bien_vivre_path().cohort)  # another cohort
    assert states_of(learner, bien_vivre)["M1"] == "open"
    GradeReleaseFactory(assessment=oral, cohort=bien_vivre.cohort)
    assert states_of(learner, bien_vivre)["M1"] == "completed"


def test_optional_assessments_do_not_block():
    """Complete a module whose only assessment is optional once its lessons are done."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    AssessmentFactory(module=bien_vivre.modules["M1"], quiz=True, optional=True)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    assert states_of(learner, bien_vivre)["M1"] == "completed"


def test_another_learners_pass_does_not_count():
    """Answer for each learner from their own work only, across the whole cohort."""
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    quiz = AssessmentFactory(module=bien_vivre.modules["M1"], quiz=True)
    passer = bien_vivre.enrol_learner(completed=("M1",), display_name="A")
    other = bien_vivre.enrol_learner(completed=("M1",), display_name="B")
    pass_quiz(passer, quiz)
    rows = {row.learner.id: row for row in cohort_progress(bien_vivre.cohort).learners}
    assert str(rows[passer.id].modules[0].status) == "completed"
    assert str(rows[other.id].modules[0].status) != "completed"


def count_progress_queries(query_counter, learners: int) -> int:
    """Build a cohort with ``learners`` learners and 2 assessments per module; count queries."""
    bien_vivre = make_bien_vivre_path()
    for module in bien_vivre.modules.values():
        quiz = AssessmentFactory(module=module, quiz=True)
        work = assignment(module)
    for _index in range(learners):
        learner = bien_vivre.enrol_learner(completed=("M1",))
        pass_quiz(learner, quiz)
        grade(learner, work)
    UserFactory()
    db.session.expire_all()
    cohort = db.session.get(type(bien_vivre.cohort), bien_vivre.cohort.id)
    with query_counter as queries:
        cohort_progress(cohort)
    return queries.count


def test_cohort_progress_queries_do_not_grow_with_learners(query_counter):
    """Ask the assessments once for the whole cohort, whatever its size."""
    small = count_progress_queries(query_counter, 2)
    large = count_progress_queries(query_counter, 12)
    assert small == large
