"""The cohort staff and membership rules (lms.cohorts.access), each asked in one query at most."""

from __future__ import annotations

import pytest
from flask_login import login_user
from sqlalchemy import inspect
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from lms.cohorts.access import (
    active_assessor_ids,
    cohort_learner_or_404,
    is_assessor_of,
    is_learner_of,
    is_staff,
    is_staff_of_learner,
    is_trainer_of,
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


@pytest.fixture
def assessed(world):
    """The world's cohort with an active assessor, an expired one, and one of the other cohort."""
    from datetime import date, timedelta

    cohort, other, learner, _trainer, _stranger = world
    today = date(2027, 3, 10)
    active, expired, elsewhere = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(cohort=cohort, user=active, assessor=True, access_ends_on=today)
    yesterday = today - timedelta(days=1)
    MembershipFactory(cohort=cohort, user=expired, assessor=True, access_ends_on=yesterday)
    MembershipFactory(cohort=other, user=elsewhere, assessor=True, access_ends_on=today)
    db.session.flush()
    return cohort, other, learner, active, expired, elsewhere, today


def test_an_assessor_assesses_until_the_end_of_their_last_day(assessed, query_counter):
    from datetime import timedelta

    cohort, other, learner, active, expired, elsewhere, today = assessed
    _loaded_before_counting = (cohort.id, active.id)
    with query_counter as counted:
        assert is_assessor_of(active, cohort, today)
    assert counted.count == 1, counted.statements
    assert not is_assessor_of(active, cohort, today + timedelta(days=1))
    assert not is_assessor_of(expired, cohort, today)
    assert is_assessor_of(expired, cohort, today - timedelta(days=1))
    assert not is_assessor_of(elsewhere, cohort, today)
    assert not is_assessor_of(active, other, today)
    assert not is_assessor_of(learner, cohort, today)
    assert not is_assessor_of(UserFactory(admin=True), cohort, today)
    assert set(db.session.scalars(active_assessor_ids(cohort.id, today))) == {active.id}
    assert set(db.session.scalars(active_assessor_ids(other.id, today))) == {elsewhere.id}


def test_today_defaults_to_the_organisation_s_date(assessed, monkeypatch):
    from datetime import timedelta

    import lms.cohorts.access as access

    cohort, _other, _learner, active, _expired, _elsewhere, today = assessed
    monkeypatch.setattr(access, "local_today", lambda: today)
    assert is_assessor_of(active, cohort)
    monkeypatch.setattr(access, "local_today", lambda: today + timedelta(days=1))
    assert not is_assessor_of(active, cohort)
    assert list(db.session.scalars(active_assessor_ids(cohort.id))) == []


def test_local_today_is_the_date_in_paris(app, monkeypatch):
    from datetime import UTC, date, datetime

    import lms.core.time as time

    # 23:30 UTC on 31 December is already 1 January in Paris.
    monkeypatch.setattr(time, "utcnow", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "Europe/Paris")
    assert time.local_today() == date(2027, 1, 1)


def test_an_assessor_is_neither_staff_nor_learner(assessed):
    cohort, _other, learner, active, _expired, _elsewhere, _today = assessed

    assert member_role(active, cohort) == MembershipRole.ASSESSOR
    assert not is_staff(active, cohort)
    assert not is_trainer_of(active, cohort)
    assert not is_learner_of(active, cohort)
    assert list(db.session.scalars(staff_cohort_ids(active))) == []
    assert not is_staff_of_learner(active, learner.id, cohort.path_id)
    assert isinstance(_in_request(active, staff_cohort_or_403, cohort.id), HTTPException)
    assert _in_request(active, staff_cohort_or_403, cohort.id).code == 403
    assert _in_request(active, cohort_learner_or_404, cohort, active.id).code == 404


def test_an_assessor_s_work_has_no_staff(assessed):
    # Their own membership does not make them a learner whose work a trainer grades.
    cohort, _other, _learner, active, _expired, _elsewhere, _today = assessed
    trainer = UserFactory()
    MembershipFactory(cohort=cohort, user=trainer, trainer=True)
    assert not is_staff_of_learner(trainer, active.id, cohort.path_id)


def test_the_database_requires_an_end_date_of_assessors_only(world):
    from datetime import date

    from sqlalchemy.exc import IntegrityError

    cohort_id = world[0].id
    for role, ends_on in (
        (MembershipRole.ASSESSOR, None),
        (MembershipRole.LEARNER, date(2027, 1, 1)),
        (MembershipRole.TRAINER, date(2027, 1, 1)),
    ):
        with pytest.raises(IntegrityError):  # noqa: PT012  adding may flush already
            MembershipFactory(
                cohort=db.session.get(Cohort, cohort_id), role=role, access_ends_on=ends_on
            )
            db.session.flush()
        db.session.rollback()
