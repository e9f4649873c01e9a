"""``lms build-dossiers``: a cohort or a learner, and clear errors naming the problem."""

from __future__ import annotations

import pytest

from lms.extensions import db
from lms.quality.dossiers.models import DossierState, LearnerDossier
from tests.factories import CohortFactory, UserFactory
from tests.quality.dossiers.support import learner_with_evidence
from tests.stores import empty_file_stores


@pytest.fixture(autouse=True)
def _empty_stores():
    empty_file_stores()
    yield
    empty_file_stores()


def states() -> list[DossierState]:
    db.session.expire_all()
    return [row.state for row in db.session.scalars(db.select(LearnerDossier))]


def test_a_cohort_builds_every_learner(runner):
    world = learner_with_evidence()
    result = runner.invoke(args=["build-dossiers", "--cohort", str(world.cohort.id)])
    assert result.exit_code == 0, result.output
    assert "dossiers: 2 requested, 0 failed" in result.output
    assert "sha256=" in result.output
    assert states() == [DossierState.READY, DossierState.READY]


def test_a_learner_by_email(runner):
    world = learner_with_evidence()
    result = runner.invoke(args=["build-dossiers", "--learner", world.learner.email.upper()])
    assert result.exit_code == 0, result.output
    assert world.learner.email in result.output
    assert states() == [DossierState.READY]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "--cohort <id> or --learner <email>"),
        (["--cohort", "999999"], "no cohort has the id 999999"),
        (["--learner", "nobody@example.org"], "no user has the e-mail address nobody@example.org"),
        (["--cohort", "abc"], "'abc' is not a valid integer"),
    ],
)
def test_bad_input_names_the_problem(runner, arguments, message):
    result = runner.invoke(args=["build-dossiers", *arguments])
    assert result.exit_code != 0
    assert message in result.output


def test_a_learner_of_no_cohort_and_a_cohort_without_learners_are_refused(runner):
    user = UserFactory(email="zoe@example.org")
    result = runner.invoke(args=["build-dossiers", "--learner", "zoe@example.org"])
    assert "zoe@example.org is a learner of no cohort" in result.output
    cohort = CohortFactory()
    result = runner.invoke(args=["build-dossiers", "--cohort", str(cohort.id)])
    assert result.exit_code == 1
    assert "This cohort has no learners" in result.output
    result = runner.invoke(
        args=["build-dossiers", "--cohort", str(cohort.id), "--learner", user.email]
    )
    assert "is not a learner of this cohort" in result.output
    assert states() == []


def test_a_failed_build_fails_the_command(runner, monkeypatch):
    from lms.core import storage

    world = learner_with_evidence()

    def broken(folder, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "store_bytes", broken)
    result = runner.invoke(args=["build-dossiers", "--learner", world.learner.email])
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert "1 failed" in result.output
