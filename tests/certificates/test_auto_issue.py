"""Automatic issuance (``LMS_CERTIFICATES_AUTO_ISSUE``): eligible, then issued after the commit."""

from __future__ import annotations

import pytest

from lms.assessments.grading.services import release_grade
from lms.assessments.models import GradeState, QuizAttempt
from lms.certificates import auto_issue
from lms.certificates.decisions import record_decision
from lms.certificates.models import Certificate, CertificationDecision, DecisionOutcome
from lms.extensions import db
from lms.learning.services import complete_lesson
from tests.certificates.helpers import make_certificate_world
from tests.factories import GradeChoiceFactory, GradeFactory

BEFORE_LAST = ("M1", "M2", "M3", "M4", "M5", "M6", "M7")


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


@pytest.fixture
def auto(app, monkeypatch):
    """Turn automatic issuance on for one test."""
    monkeypatch.setitem(app.config, "CERTIFICATES_AUTO_ISSUE", True)


def almost_eligible(world):
    """Rate every competency and complete every module but M8."""
    learner = world.enrol(display_name="Zoé Lefèvre")
    world.rate(learner, dict.fromkeys(world.competencies, 3))
    world.built.complete_modules(learner, BEFORE_LAST)
    return learner


def certificates_of(learner) -> list[Certificate]:
    db.session.rollback()
    return list(db.session.scalars(db.select(Certificate).filter_by(learner_id=learner.id)))


def decisions_of(learner) -> list[CertificationDecision]:
    query = db.select(CertificationDecision).filter_by(learner_id=learner.id)
    return list(db.session.scalars(query))


def test_it_is_off_by_default(app, world):
    learner = almost_eligible(world)

    complete_lesson(learner, world.cohort, world.built.lessons["M8"])
    db.session.commit()

    assert app.config["CERTIFICATES_AUTO_ISSUE"] is False
    assert certificates_of(learner) == []
    assert decisions_of(learner) == []


def test_completing_the_last_lesson_issues_the_certificate_after_the_commit(world, auto):
    learner = almost_eligible(world)

    complete_lesson(learner, world.cohort, world.built.lessons["M8"])
    count = db.select(db.func.count(Certificate.id))
    assert db.session.scalar(count) == 0  # nothing happens inside the transaction
    db.session.commit()

    [certificate] = certificates_of(learner)
    assert certificate.issued_by_id is None
    [decision] = decisions_of(learner)
    assert decision.outcome == DecisionOutcome.AWARDED
    assert decision.decided_by_id is None
    assert not decision.is_override
    assert decision.reason == f"automatic: eligible on {decision.decided_at.date().isoformat()}"
    assert certificate.decision_id == decision.id


def test_an_event_rolled_back_issues_nothing(world, auto):
    learner = almost_eligible(world)

    complete_lesson(learner, world.cohort, world.built.lessons["M8"])
    db.session.rollback()
    db.session.commit()

    assert certificates_of(learner) == []


def test_releasing_the_last_grade_issues_the_certificate(world, auto):
    learner = world.enrol()
    world.built.complete_modules(learner, [*BEFORE_LAST, "M8"])
    grade = GradeFactory(evaluation=True, graded=True, assessment=world.evaluation, learner=learner)
    for criterion in world.criteria.values():
        chosen = next(level for level in criterion.levels if level.proficiency == 3)
        GradeChoiceFactory(grade=grade, criterion=criterion, level=chosen)
    assert certificates_of(learner) == []  # graded, not released: no rating yet

    release_grade(world.trainer, grade)
    db.session.commit()

    assert grade.state == GradeState.RELEASED
    assert len(certificates_of(learner)) == 1


def test_a_learner_not_eligible_yet_gets_nothing(world, auto):
    learner = world.enrol()
    world.built.complete_modules(learner, BEFORE_LAST)

    complete_lesson(learner, world.cohort, world.built.lessons["M8"])
    db.session.commit()  # every module done, no competency rated

    assert certificates_of(learner) == []
    assert decisions_of(learner) == []


def test_a_deferred_learner_stays_deferred(world, auto):
    learner = almost_eligible(world)
    record_decision(
        world.cohort,
        learner,
        outcome=DecisionOutcome.DEFERRED,
        reason="Soutenance à repasser devant le jury.",
        decided_by=world.admin,
    )
    db.session.commit()

    complete_lesson(learner, world.cohort, world.built.lessons["M8"])
    db.session.commit()

    assert certificates_of(learner) == []
    assert [d.outcome for d in decisions_of(learner)] == [DecisionOutcome.DEFERRED]


def test_an_awarded_learner_is_issued_under_that_decision(world, auto):
    learner = almost_eligible(world)
    decision = record_decision(
        world.cohort,
        learner,
        outcome=DecisionOutcome.AWARDED,
        reason="Jury du 12 juin.",
        decided_by=world.admin,
    )
    db.session.commit()
    assert certificates_of(learner) == []  # awarded, then nothing happened: no event yet

    complete_lesson(learner, world.cohort, world.built.lessons["M8"])
    db.session.commit()

    [certificate] = certificates_of(learner)
    assert certificate.decision_id == decision.id
    assert len(decisions_of(learner)) == 1


def test_a_passed_quiz_written_as_a_statement_is_noticed(world):
    update = (
        db.update(QuizAttempt)
        .where(QuizAttempt.id == 42, QuizAttempt.submitted_at.is_(None))
        .values(score=3, passed=True)
    )
    failed = db.update(QuizAttempt).where(QuizAttempt.id == 42).values(score=0, passed=False)

    assert auto_issue.watched_statement(update) == (set(), {42})
    assert auto_issue.watched_statement(failed) == (set(), set())


def test_the_job_checks_whole_cohorts_released_at_once(world, app, monkeypatch):
    ready = world.eligible_learner()
    world.enrol()  # not eligible
    monkeypatch.setitem(app.config, "CERTIFICATES_AUTO_ISSUE", True)

    assert auto_issue.auto_issue([], [world.cohort.id]) == 1
    assert len(certificates_of(ready)) == 1
    assert auto_issue.auto_issue([], [world.cohort.id]) == 0  # run again: nothing new
