"""Module states cost a constant number of queries, whatever the path or cohort size."""

from __future__ import annotations

from lms.accounts.models import User
from lms.cohorts.models import Membership, MembershipRole
from lms.extensions import db
from lms.learning.models import LessonCompletion
from lms.learning.services import learner_path, module_states
from lms.learning.signals import requirements_connected
from tests.learning.helpers import ALL_MODULES, make_bien_vivre_path


def add_learners(bien_vivre, count: int) -> None:
    """Enrol ``count`` learners who all did the first module (inserted in bulk, no password)."""
    first_lesson = bien_vivre.lessons["M1"]
    for index in range(count):
        email = f"learner{index}-cohort{bien_vivre.cohort.id}@example.org"
        user = User(email=email, display_name=f"Apprenant {index}")
        db.session.add(user)
        db.session.add(Membership(user=user, cohort=bien_vivre.cohort, role=MembershipRole.LEARNER))
        db.session.add(LessonCompletion(user=user, lesson=first_lesson))
    db.session.commit()


def count_module_state_queries(query_counter, modules: int, learners: int) -> int:
    """Build a path and cohort of this size; count the queries of one learner's module states."""
    bien_vivre = make_bien_vivre_path(codes=ALL_MODULES[:modules])
    add_learners(bien_vivre, learners)
    learner = bien_vivre.enrol_learner(completed=("M1", "M2"))
    db.session.expire_all()  # every run starts from the same cold session
    with query_counter as queries:
        states = module_states(learner, bien_vivre.cohort)
    assert len(states) == modules
    return queries.count


def test_query_count_does_not_grow_with_modules(query_counter):
    small = count_module_state_queries(query_counter, modules=3, learners=1)
    large = count_module_state_queries(query_counter, modules=8, learners=1)
    assert small == large
    assert large <= 8


def test_query_count_does_not_grow_with_learners(query_counter):
    small = count_module_state_queries(query_counter, modules=8, learners=10)
    large = count_module_state_queries(query_counter, modules=8, learners=200)
    assert small == large


def test_batch_receivers_are_asked_once_per_path(query_counter):
    asked = []

    def missing_quizzes(path, *, learner, modules):
        asked.append(len(modules))
        return {}

    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner()
    with requirements_connected(missing_quizzes):
        module_states(learner, bien_vivre.cohort)
    assert asked == [8]


def test_lesson_counts_cost_no_query_beyond_the_module_states(query_counter):
    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner(completed=("M1",))
    cohort = bien_vivre.cohort
    db.session.expire_all()
    with query_counter as states:
        module_states(learner, cohort)
    db.session.expire_all()
    with query_counter as path:
        counts = learner_path(learner, cohort).lesson_counts
    assert path.count == states.count
    assert sum(done for done, _total in counts.values()) == 1
    assert sum(total for _done, total in counts.values()) == 8
