"""The cohorts of a territory (or of all) with their progress and certification figures.

- learners: the cohort's learner memberships (one ``GROUP BY``);
- progress and eligibility (active cohorts only): the path's completion and eligibility rules
  as the eligibility page applies them (``cohort_eligibility``, a constant number of queries per
  cohort whatever its size): mean completed modules, learners eligible for the path certificate.
  Draft cohorts have not started and archived ones are over: they show their decisions only;
- decisions: each learner's **latest** decision in the cohort (earlier ones are history), by
  outcome (one ``GROUP BY`` over the latest ids);
- certificates: the path certificates issued in the cohort, by state (one ``GROUP BY``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import joinedload

from lms.certificates.document import CertificateKind
from lms.certificates.eligibility import Lack, cohort_eligibility
from lms.certificates.models import (
    Certificate,
    CertificateState,
    CertificationDecision,
    DecisionOutcome,
)
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole
from lms.curriculum.models import Module
from lms.extensions import db


@dataclass(frozen=True)
class CohortFigures:
    cohort: Cohort
    learners: int
    modules: int
    # None when not computed (a draft or archived cohort, or no learner).
    mean_completed: float | None = None
    eligible: int | None = None
    decisions: dict[str, int] = field(default_factory=dict)
    certificates: dict[str, int] = field(default_factory=dict)

    @property
    def mean_percent(self) -> int | None:
        if self.mean_completed is None or not self.modules:
            return None
        return round(100 * self.mean_completed / self.modules)

    def decided(self, outcome: str) -> int:
        return self.decisions.get(outcome, 0)

    def issued(self, state: str) -> int:
        return self.certificates.get(state, 0)


@dataclass(frozen=True)
class CertificationTotals:
    learners: int
    eligible: int
    decisions: dict[str, int]
    certificates: dict[str, int]

    def decided(self, outcome: str) -> int:
        return self.decisions.get(outcome, 0)

    def issued(self, state: str) -> int:
        return self.certificates.get(state, 0)


def _cohorts(territory_id: int | None) -> list:
    """Return (cohort, learners, modules) rows, newest first, in one query."""
    learners = (
        db.select(Membership.cohort_id, func.count().label("learners"))
        .where(Membership.role == MembershipRole.LEARNER)
        .group_by(Membership.cohort_id)
        .subquery()
    )
    modules = (
        db.select(func.count(Module.id))
        .where(Module.path_id == Cohort.path_id)
        .correlate(Cohort)
        .scalar_subquery()
    )
    query = (
        db.select(Cohort, func.coalesce(learners.c.learners, 0), modules)
        .outerjoin(learners, learners.c.cohort_id == Cohort.id)
        .options(joinedload(Cohort.path), joinedload(Cohort.territory))
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    )
    if territory_id is not None:
        query = query.where(Cohort.territory_id == territory_id)
    return list(db.session.execute(query).tuples())


def _decisions(cohort_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return cohort id -> outcome -> learners whose latest decision it is."""
    latest = (
        db.select(func.max(CertificationDecision.id))
        .where(CertificationDecision.cohort_id.in_(cohort_ids))
        .group_by(CertificationDecision.learner_id, CertificationDecision.cohort_id)
    )
    query = (
        db.select(CertificationDecision.cohort_id, CertificationDecision.outcome, func.count())
        .where(CertificationDecision.id.in_(latest))
        .group_by(CertificationDecision.cohort_id, CertificationDecision.outcome)
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for cohort_id, outcome, count in db.session.execute(query):
        found[cohort_id][str(outcome)] = count
    return found


def _certificates(cohort_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return cohort id -> state -> path certificates issued in the cohort."""
    query = (
        db.select(Certificate.cohort_id, Certificate.state, func.count())
        .where(Certificate.cohort_id.in_(cohort_ids), Certificate.kind == CertificateKind.PATH)
        .group_by(Certificate.cohort_id, Certificate.state)
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for cohort_id, state, count in db.session.execute(query):
        found[cohort_id][str(state)] = count
    return found


def _progress(cohort: Cohort, modules: int) -> tuple[float, int]:
    """Return the cohort's mean completed modules and its learners eligible for the path."""
    report = cohort_eligibility(cohort)
    if not report.learners:
        return 0.0, 0
    lacking = sum(
        1 for learner in report.learners for item in learner.missing if item.lack is Lack.MODULE
    )
    completed = modules * len(report.learners) - lacking
    return round(completed / len(report.learners), 2), report.eligible_count


def cohort_figures(territory_id: int | None) -> list[CohortFigures]:
    """Return the figures of every cohort of the territory (of all when None)."""
    rows = _cohorts(territory_id)
    ids = [cohort.id for cohort, _learners, _modules in rows]
    decisions = _decisions(ids) if ids else {}
    certificates = _certificates(ids) if ids else {}
    figures = []
    for cohort, learners, modules in rows:
        mean, eligible = None, None
        if cohort.state == CohortState.ACTIVE and learners:
            mean, eligible = _progress(cohort, modules)
        figures.append(
            CohortFigures(
                cohort,
                learners,
                modules,
                mean,
                eligible,
                decisions.get(cohort.id, {}),
                certificates.get(cohort.id, {}),
            )
        )
    return figures


def certification_totals(figures: list[CohortFigures]) -> CertificationTotals:
    """Add the cohorts' figures up (a handful of rows, already aggregated)."""
    decisions: dict[str, int] = {}
    certificates: dict[str, int] = {}
    for item in figures:
        for outcome in DecisionOutcome:
            decisions[outcome] = decisions.get(outcome, 0) + item.decided(outcome)
        for state in CertificateState:
            certificates[state] = certificates.get(state, 0) + item.issued(state)
    return CertificationTotals(
        learners=sum(item.learners for item in figures),
        eligible=sum(item.eligible or 0 for item in figures),
        decisions=decisions,
        certificates=certificates,
    )


__all__ = ["CohortFigures", "certification_totals", "cohort_figures"]
