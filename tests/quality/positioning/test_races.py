"""Reviews and self-assessments raced for real (SECURITY.md J44), through the live server:
threads released by one barrier, each request on its own connection. One success, one 409,
never a 500 and never a lost or doubled positioning."""

from __future__ import annotations

from lms.extensions import db
from lms.quality.positioning.models import Positioning, PositioningLevel
from tests.live import at_once, logged_in
from tests.quality.positioning.support import self_assessed


def review_form(world, level: int, adjustments: str, version: str) -> dict[str, str]:
    form = {f"entry_{c.id}": str(level) for c in world.competencies}
    return {**form, "adjustments": adjustments, "version": version}


def self_form(world, level: int, version: str) -> dict[str, str]:
    return {**{f"level_{c.id}": str(level) for c in world.competencies}, "version": version}


def stored(world) -> Positioning:
    db.session.expire_all()
    return db.session.scalar(db.select(Positioning).filter_by(learner_id=world.learner.id))


def test_two_trainers_reviewing_at_once_give_one_success_and_one_409(app, live_server, world):
    self_assessed(world.cohort, world.learner, (1, 2, 0))
    trainers = [logged_in(app, live_server, t) for t in (world.trainer, world.trainer_b)]
    url = f"/manage/cohorts/{world.cohort.id}/positioning/{world.learner.id}"
    db.session.commit()
    forms = [review_form(world, 3, "Aucune.", "1"), review_form(world, 1, "Tout revoir.", "1")]
    answers = at_once(
        [lambda: trainers[0].post(url, forms[0]), lambda: trainers[1].post(url, forms[1])]
    )
    assert sorted(answer.status for answer in answers) == [302, 409]
    level, adjustments = (3, "Aucune.") if answers[0].status == 302 else (1, "Tout revoir.")
    positioning = stored(world)
    assert positioning.adjustments == adjustments
    assert {row.entry_level for row in positioning.levels} == {level}
    assert positioning.version_id == 2


def test_two_first_reviews_at_once_keep_one_positioning(app, live_server, world):
    trainers = [logged_in(app, live_server, t) for t in (world.trainer, world.admin)]
    url = f"/manage/cohorts/{world.cohort.id}/positioning/{world.learner.id}"
    db.session.commit()
    forms = [review_form(world, level, "Aucune.", "") for level in (2, 3)]
    answers = at_once(
        [
            lambda browser=browser, form=form: browser.post(url, form)
            for browser, form in zip(trainers, forms, strict=True)
        ]
    )
    assert sorted(answer.status for answer in answers) == [302, 409]
    assert db.session.scalar(db.select(db.func.count(Positioning.id))) == 1
    assert db.session.scalar(db.select(db.func.count(PositioningLevel.id))) == 3


def test_a_self_assessment_and_a_review_at_once_never_lose_the_review(app, live_server, world):
    self_assessed(world.cohort, world.learner, (1, 1, 1))
    learner = logged_in(app, live_server, world.learner)
    trainer = logged_in(app, live_server, world.trainer)
    own, review = self_form(world, 4, "1"), review_form(world, 2, "Aucune.", "1")
    own_url = f"/positioning/cohorts/{world.cohort.id}"
    review_url = f"/manage/cohorts/{world.cohort.id}/positioning/{world.learner.id}"
    db.session.commit()
    answers = at_once(
        [lambda: learner.post(own_url, own), lambda: trainer.post(review_url, review)]
    )
    assert sorted(answer.status for answer in answers) == [302, 409]
    positioning = stored(world)
    if answers[1].status == 302:  # the review won: the self-assessment is what it reviewed
        assert {row.self_level for row in positioning.levels} == {1}
        assert positioning.reviewed_at is not None
    else:
        assert {row.self_level for row in positioning.levels} == {4}
        assert positioning.reviewed_at is None
