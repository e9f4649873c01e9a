"""The cohort staff and membership rules (lms.cohorts.access), each asked in one query at most."""

from __future__ import annotations

import pytest
from flask_login import login_user
from sqlalchemy import inspect
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from lms.cohorts.access import (
    cohort_learner_or_404,
    is_staff,
    is_staff_of_learner,
    member_role,
    staff_cohort_ids,
    staff_cohort_or_403,
)
from lms.cohorts.models import Cohort, MembershipRole
from lms.extensions import db
from tests.factories import CohortFactory, MembershipFactory, TrainingPathFactory, UserFactory


@pytest.fixture
def world():
    """A cohort with a learner and a trainer, another cohort of another path with its trainer."""
    cohort, other = CohortFactory(), CohortFactory(path=TrainingPathFactory())
    learner, trainer, stranger = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(cohort=cohort, user=learner)
    MembershipFactory(cohort=cohort, user=trainer, trainer=True)
    MembershipFactory(cohort=other, user=stranger, trainer=True)
    db.session.flush()
    return cohort, other, learner, trainer, stranger


def _in_request(user, function, *args):
    """Call ``function`` in a request as ``user``; return its result or the HTTP error."""
    from flask import current_app

    with current_app.test_request_context("/"):
        login_user(user)
        try:
            return function(*args)
        except HTTPException as error:
            return error


def test_roles_and_staff(world):
    cohort, _other, learner, trainer, stranger = world

    assert member_role(learner, cohort) == MembershipRole.LEARNER
    assert member_role(stranger, cohort) is None
    assert is_staff(trainer, cohort)
    assert is_staff(UserFactory(admin=True), cohort)
    assert not is_staff(learner, cohort)
    assert not is_staff(stranger, cohort)


def test_staff_of_a_learner_s_work_trains_a_cohort_of_that_path_where_they_learn(world):
    cohort, other, learner, trainer, stranger = world

    assert is_staff_of_learner(trainer, learner.id, cohort.path_id)
    assert is_staff_of_learner(UserFactory(admin=True), learner.id, cohort.path_id)
    assert not is_staff_of_learner(stranger, learner.id, cohort.path_id)  # another cohort
    assert not is_staff_of_learner(trainer, learner.id, other.path_id)  # another path
    assert not is_staff_of_learner(learner, learner.id, cohort.path_id)  # the learner


def test_staff_cohort_ids_are_the_trained_cohorts_or_all_for_an_administrator(world):
    cohort, other, _learner, trainer, _stranger = world

    assert set(db.session.scalars(staff_cohort_ids(trainer))) == {cohort.id}
    assert set(db.session.scalars(staff_cohort_ids(UserFactory(admin=True)))) == {
        cohort.id,
        other.id,
    }


def test_staff_cohort_loader_takes_load_options_and_denies_others(world):
    cohort, _other, learner, trainer, _stranger = world
    cohort_id = cohort.id
    db.session.expire(cohort)  # the loader's query fills it again, with its options

    loaded = _in_request(trainer, staff_cohort_or_403, cohort_id, joinedload(Cohort.path))
    assert loaded.id == cohort_id
    assert "path" not in inspect(loaded).unloaded
    assert _in_request(learner, staff_cohort_or_403, cohort_id).code == 403
    assert _in_request(trainer, staff_cohort_or_403, 999_999).code == 404


def test_cohort_learner_loader_answers_404_for_anyone_but_a_learner(world):
    cohort, _other, learner, trainer, stranger = world

    assert cohort_learner_or_404(cohort, learner.id) == learner
    for user_id in (trainer.id, stranger.id, 999_999):
        with pytest.raises(HTTPException) as refused:
            cohort_learner_or_404(cohort, user_id)
        assert refused.value.code == 404
