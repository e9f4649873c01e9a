"""The rules of ``learner_dossiers`` that the database keeps."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from lms.core.time import utcnow
from lms.extensions import db
from lms.quality.dossiers.models import DossierState, LearnerDossier
from tests.factories import CohortFactory, MembershipFactory


@pytest.fixture
def member():
    membership = MembershipFactory(cohort=CohortFactory())
    return membership.user_id, membership.cohort_id


def add(learner_id, cohort_id, **fields) -> None:
    db.session.add(LearnerDossier(learner_id=learner_id, cohort_id=cohort_id, **fields))
    db.session.flush()


def refused(learner_id, cohort_id, **fields) -> None:
    with pytest.raises(IntegrityError):
        add(learner_id, cohort_id, **fields)
    db.session.rollback()


def test_one_build_under_way_per_learner_and_cohort(member):
    add(*member, version=1)
    db.session.commit()
    refused(*member, version=2, state=DossierState.BUILDING)
    add(*member, version=2, state=DossierState.FAILED, error="x", finished_at=utcnow())
    db.session.commit()


def test_versions_are_unique_and_positive(member):
    add(*member, version=1, state=DossierState.FAILED, error="x", finished_at=utcnow())
    db.session.commit()
    refused(*member, version=1, state=DossierState.FAILED, error="y", finished_at=utcnow())
    refused(*member, version=0)


def test_a_ready_build_names_its_archive_and_only_a_ready_one_does(member):
    refused(*member, version=1, state=DossierState.READY, finished_at=utcnow())
    refused(*member, version=1, storage_key="a" * 32, sha256="b" * 64, size=10)
    add(
        *member,
        version=1,
        state=DossierState.READY,
        finished_at=utcnow(),
        storage_key="a" * 32,
        sha256="b" * 64,
        size=10,
    )


def test_a_failed_build_says_why(member):
    refused(*member, version=1, state=DossierState.FAILED, finished_at=utcnow())
