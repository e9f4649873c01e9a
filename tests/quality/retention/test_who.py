"""Whose data the purge touches: the edges of « every cohort past » and « no later activity »."""

from __future__ import annotations

from lms.accounts.models import User, UserSession
from lms.assessments.models import Submission
from lms.core.time import utcnow
from lms.extensions import db
from tests.factories import (
    AssessmentFactory,
    CohortFactory,
    MembershipFactory,
    ModuleFactory,
    SubmissionFactory,
    TerritoryAdministratorFactory,
    UserFactory,
)
from tests.quality.retention.world import years_ago


def old_cohort(**kwargs):
    return CohortFactory(starts_on=years_ago(8, 9, 1), ends_on=years_ago(7), **kwargs)


def purge(runner) -> str:
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    return result.output


def test_work_on_a_path_stays_while_a_cohort_of_that_path_is_kept(runner):
    old = old_cohort()
    recent = CohortFactory(path=old.path, starts_on=years_ago(2), ends_on=years_ago(1))
    learner = UserFactory()
    MembershipFactory(user=learner, cohort=old)
    MembershipFactory(user=learner, cohort=recent)
    SubmissionFactory(
        assessment=AssessmentFactory(module=ModuleFactory(path=old.path)), user=learner
    )
    output = purge(runner)
    assert "[submissions]" not in output
    assert "[accounts]" not in output
    submission = db.session.scalar(db.select(Submission))
    assert submission.purged_at is None
    assert submission.text == "Mon travail."


def test_administrators_and_people_seen_lately_are_not_anonymised(runner):
    old = old_cohort()
    central = UserFactory(admin=True)
    local = UserFactory()
    TerritoryAdministratorFactory(user=local, territory=old.territory)
    seen = UserFactory()
    db.session.add(UserSession(user=seen, token_hash="e" * 64, last_seen_at=utcnow()))
    gone = UserFactory(display_name="Gone Away")
    for user in (central, local, seen, gone):
        MembershipFactory(user=user, cohort=old)
    db.session.commit()
    purge(runner)
    names = dict(db.session.execute(db.select(User.id, User.display_name)).all())
    assert names[gone.id] == f"Personne anonymisée n° {gone.id}"
    assert names[central.id] == central.display_name
    assert names[local.id] == local.display_name
    assert names[seen.id] == seen.display_name


def test_a_trainer_who_never_was_a_learner_is_never_anonymised(runner):
    trainer = UserFactory(display_name="Tania Formatrice")
    MembershipFactory(user=trainer, cohort=old_cohort(), trainer=True)
    assert "[accounts]" not in purge(runner)
    assert db.session.get(User, trainer.id).display_name == "Tania Formatrice"
