"""Eligibility (DESIGN.md §7) and certification decisions (SECURITY.md G28)."""

from __future__ import annotations

import pytest

from lms.accounts.models import AuditEvent
from lms.certificates.decisions import (
    awarded_without_certificate,
    latest_decision,
    latest_decisions,
    record_decision,
)
from lms.certificates.eligibility import Lack, cohort_eligibility, learner_eligibility
from lms.certificates.errors import CertificateError
from lms.certificates.models import CertificationDecision, DecisionOutcome
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world
from tests.factories import UserFactory


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


def test_a_learner_with_everything_is_eligible_for_the_path_and_every_block(world):
    learner = world.eligible_learner()

    judged = learner_eligibility(world.cohort, learner)

    assert judged.is_eligible
    assert judged.missing == ()
    assert [(block.code, block.is_eligible) for block in judged.blocks] == [
        ("BC1", True),
        ("BC2", True),
    ]


def test_a_new_learner_lacks_every_module_and_every_competency(world):
    learner = world.enrol()

    judged = learner_eligibility(world.cohort, learner)

    assert not judged.is_eligible
    modules = [item for item in judged.missing if item.lack is Lack.MODULE]
    competencies = [item for item in judged.missing if item.lack is Lack.COMPETENCY]
    assert [item.code for item in modules] == ["M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8"]
    assert modules[0].details  # names the lesson that is missing
    assert {(item.code, item.level, item.required_level) for item in competencies} == {
        ("C1.1", None, 3),
        ("C1.2", None, 3),
        ("C2.1", None, 3),
    }


def test_a_competency_below_its_level_blocks_the_path_and_its_block_only(world):
    learner = world.enrol()
    world.built.complete_modules(learner, world.built.modules)
    world.rate(learner, {"C1.1": 3, "C1.2": 2, "C2.1": 4})

    judged = learner_eligibility(world.cohort, learner)

    assert [(item.code, item.level) for item in judged.missing] == [("C1.2", 2)]
    assert not judged.block("BC1").is_eligible
    assert judged.block("BC2").is_eligible


def test_the_cohort_report_judges_every_learner_like_the_single_one(world):
    ready = world.eligible_learner(display_name="Alice Prête")
    world.enrol(display_name="Bruno Débutant")

    report = cohort_eligibility(world.cohort)

    assert [item.learner.display_name for item in report.learners] == [
        "Alice Prête",
        "Bruno Débutant",
    ]
    assert report.eligible_count == 1
    assert report.learner(ready.id).is_eligible


def test_the_report_costs_the_same_queries_for_one_or_many_learners(world, query_counter):
    world.eligible_learner()
    with query_counter as few:
        cohort_eligibility(world.cohort)
    for _ in range(6):
        world.eligible_learner()
    world.enrol()
    db.session.expire_all()
    with query_counter as many:
        cohort_eligibility(world.cohort)

    assert many.count == few.count <= 15


def test_awarding_an_eligible_learner_records_the_evidence(world):
    learner = world.eligible_learner()

    decision = record_decision(
        world.cohort,
        learner,
        outcome=DecisionOutcome.AWARDED,
        reason="",
        decided_by=world.admin,
    )
    db.session.commit()

    assert not decision.is_override
    assert decision.snapshot["eligible"] is True
    assert latest_decision(world.cohort, learner) == decision
    assert awarded_without_certificate(world.cohort) == [learner]
    assert db.session.scalar(db.select(AuditEvent.action)) == "certification.decide"


def test_awarding_a_non_eligible_learner_needs_a_reason(world):
    learner = world.enrol()

    with pytest.raises(CertificateError, match="needs a reason"):
        record_decision(
            world.cohort,
            learner,
            outcome=DecisionOutcome.AWARDED,
            reason="   ",
            decided_by=world.admin,
        )
    assert db.session.scalar(db.select(db.func.count(CertificationDecision.id))) == 0


def test_an_override_is_recorded_and_audited_as_such(world):
    learner = world.enrol()

    decision = record_decision(
        world.cohort,
        learner,
        outcome=DecisionOutcome.AWARDED,
        reason="Jury souverain : validation des acquis de l'expérience.",
        decided_by=world.admin,
    )
    db.session.commit()

    assert decision.is_override
    assert decision.snapshot["eligible"] is False
    assert db.session.scalar(db.select(AuditEvent.action)) == "certification.override"


@pytest.mark.parametrize("outcome", [DecisionOutcome.DEFERRED, DecisionOutcome.REFUSED])
def test_deferring_or_refusing_needs_a_reason(world, outcome):
    learner = world.eligible_learner()

    with pytest.raises(CertificateError, match="Say why"):
        record_decision(world.cohort, learner, outcome=outcome, reason="", decided_by=world.admin)


def test_the_latest_decision_counts(world):
    learner = world.eligible_learner()
    record_decision(
        world.cohort,
        learner,
        outcome=DecisionOutcome.DEFERRED,
        reason="Soutenance à repasser.",
        decided_by=world.admin,
    )
    later = record_decision(
        world.cohort, learner, outcome=DecisionOutcome.AWARDED, reason="", decided_by=world.admin
    )
    db.session.commit()

    assert latest_decisions(world.cohort) == {learner.id: later}


def test_a_decision_on_someone_outside_the_cohort_is_refused(world):
    with pytest.raises(CertificateError, match="not a learner of this cohort"):
        record_decision(
            world.cohort,
            UserFactory(),
            outcome=DecisionOutcome.AWARDED,
            reason="",
            decided_by=world.admin,
        )
