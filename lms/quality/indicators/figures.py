"""The indicators of a scope, each one ``GROUP BY`` or scalar statement whatever its size.

Nine statements in all, whatever the number of cohorts, learners, sessions or answers: the
Python that follows only arranges a handful of aggregate rows. The definitions (population,
numerator, denominator, period) are written in docs/quality-indicators.md and on the page's help;
they count only rows a purge keeps: memberships, withdrawals, grades' values and states, quiz
attempts' results, decisions, certificates' states, attendance statuses, survey answers' values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func

from lms.assessments.models import Assessment
from lms.assessments.results.services import passed_pairs
from lms.attendance.models import (
    AttendanceRecord,
    AttendanceSheet,
    AttendanceStatus,
    SheetState,
    TrainingSession,
)
from lms.certificates.document import CertificateKind
from lms.certificates.jury.models import split_codes
from lms.certificates.models import (
    Certificate,
    CertificateState,
    CertificationDecision,
    DecisionOutcome,
)
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.time import utcnow
from lms.curriculum.models import CompetencyBlock
from lms.extensions import db
from lms.quality.indicators.models import Withdrawal
from lms.quality.indicators.ratio import Ratio
from lms.quality.indicators.satisfaction import SatisfactionFigures, satisfaction_figures
from lms.quality.indicators.scope import Scope


@dataclass(frozen=True)
class BlockFigures:
    code: str
    title: str
    validated: Ratio  # learners whose latest decision validates the block / candidates
    attestations: int  # learners holding a valid attestation of the block


@dataclass(frozen=True)
class AttendanceFigures:
    learners: int  # learners (not withdrawn) with at least one held session
    held_minutes: int
    attended_minutes: int
    statuses: dict[str, int] = field(default_factory=dict)  # status (or "none") -> records

    @property
    def rate(self) -> Ratio:
        return Ratio(self.attended_minutes, self.held_minutes, self.learners)

    @property
    def realised_hours(self) -> float:
        return round(self.attended_minutes / 60, 1)

    @property
    def mean_hours(self) -> float | None:
        if not self.learners:
            return None
        return round(self.attended_minutes / 60 / self.learners, 1)


@dataclass(frozen=True)
class Indicators:
    entered: int
    learners: int  # learners of the cohorts ending in the period
    withdrawn: int
    success: Ratio
    decisions: dict[str, int]
    certificates: int  # learners holding a valid path certificate
    blocks: tuple[BlockFigures, ...]
    attendance: AttendanceFigures
    satisfaction: SatisfactionFigures

    @property
    def completion(self) -> Ratio:
        return Ratio(self.learners - self.withdrawn, self.learners, self.learners)

    @property
    def dropout(self) -> Ratio:
        return Ratio(self.withdrawn, self.learners, self.learners)

    @property
    def candidates(self) -> int:
        return sum(self.decisions.values())

    @property
    def certification(self) -> Ratio:
        return Ratio(
            self.decisions.get(DecisionOutcome.AWARDED, 0), self.candidates, self.candidates
        )

    @property
    def certified(self) -> Ratio:
        """Valid path certificates over awarded decisions."""
        awarded = self.decisions.get(DecisionOutcome.AWARDED, 0)
        return Ratio(self.certificates, awarded, awarded)


def _learners(cohort_ids):
    return and_(Membership.role == MembershipRole.LEARNER, Membership.cohort_id.in_(cohort_ids))


def _counts(scope: Scope, now: datetime) -> tuple[int, ...]:
    """Return learners entered, learners of the ending cohorts, withdrawn, path certificates,
    and learners who stayed in a cohort with a held session (one statement)."""
    ending = scope.cohort_ids(ending=True)
    entered = db.select(func.count(Membership.id)).where(_learners(scope.cohort_ids(ending=False)))
    learners = db.select(func.count(Membership.id)).where(_learners(ending))
    withdrawn = (
        db.select(func.count(Withdrawal.id))
        .join(Membership, Membership.id == Withdrawal.membership_id)
        .where(_learners(ending))
    )
    certificates = db.select(func.count(func.distinct(Certificate.learner_id))).where(
        Certificate.cohort_id.in_(ending),
        Certificate.kind == CertificateKind.PATH,
        Certificate.state == CertificateState.VALID,
    )
    row = db.session.execute(
        db.select(
            entered.scalar_subquery(),
            learners.scalar_subquery(),
            withdrawn.scalar_subquery(),
            certificates.scalar_subquery(),
            _attendance_learners(scope, now).scalar_subquery(),
        )
    ).one()
    return tuple(value or 0 for value in row)


def _stayed(scope: Scope):
    """Return the subquery of the learners of the ending cohorts who did not withdraw."""
    return (
        db.select(
            Membership.id.label("membership_id"),
            Membership.user_id,
            Cohort.path_id,
        )
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .outerjoin(Withdrawal, Withdrawal.membership_id == Membership.id)
        .where(_learners(scope.cohort_ids(ending=True)), Withdrawal.id.is_(None))
        .subquery("stayed")
    )


def _success(scope: Scope) -> Ratio:
    """Learners who stayed and passed every required assessment of their path / those who
    stayed, on a path with at least one required assessment (the house's pass rule)."""
    stayed = _stayed(scope)
    required = (
        db.select(Assessment.path_id, func.count(Assessment.id).label("count"))
        .where(Assessment.is_required)
        .group_by(Assessment.path_id)
        .subquery("required")
    )
    passed = passed_pairs(db.select(stayed.c.user_id))
    done = (
        db.select(stayed.c.membership_id, func.count(func.distinct(Assessment.id)).label("count"))
        .select_from(stayed)
        .join(passed, passed.c.user_id == stayed.c.user_id)
        .join(
            Assessment,
            and_(
                Assessment.id == passed.c.assessment_id,
                Assessment.path_id == stayed.c.path_id,
                Assessment.is_required,
            ),
        )
        .group_by(stayed.c.membership_id)
        .subquery("done")
    )
    complete = func.coalesce(done.c.count, 0) >= required.c.count
    query = (
        db.select(func.count(required.c.count), func.count(case((complete, 1))))
        .select_from(stayed)
        .outerjoin(required, required.c.path_id == stayed.c.path_id)
        .outerjoin(done, done.c.membership_id == stayed.c.membership_id)
    )
    denominator, numerator = db.session.execute(query).one()
    return Ratio(numerator or 0, denominator or 0, denominator or 0)


def _decision_rows(scope: Scope) -> list:
    """Return (path id, outcome, validated blocks, learners) of the latest decisions.

    Each learner's latest decision in a cohort counts (earlier ones are history), as on the
    territory dashboard; partial decisions name their blocks, so rows stay few.
    """
    ending = scope.cohort_ids(ending=True)
    decision = CertificationDecision
    latest = (
        db.select(func.max(decision.id))
        .where(decision.cohort_id.in_(ending))
        .group_by(decision.learner_id, decision.cohort_id)
    )
    query = (
        db.select(Cohort.path_id, decision.outcome, decision.validated_blocks, func.count())
        .join(Cohort, Cohort.id == decision.cohort_id)
        .where(decision.id.in_(latest))
        .group_by(Cohort.path_id, decision.outcome, decision.validated_blocks)
    )
    return list(db.session.execute(query).tuples())


def _blocks(scope: Scope, rows: list) -> tuple[BlockFigures, ...]:
    """Per block code (every version of the path together): validated over candidates."""
    ending = scope.cohort_ids(ending=True)
    paths = db.select(Cohort.path_id).where(Cohort.id.in_(ending))
    blocks = db.session.execute(
        db.select(CompetencyBlock.path_id, CompetencyBlock.code, CompetencyBlock.title)
        .where(CompetencyBlock.path_id.in_(paths))
        .order_by(CompetencyBlock.code, CompetencyBlock.path_id.desc())
    ).all()
    attested = db.session.execute(
        db.select(CompetencyBlock.code, func.count(func.distinct(Certificate.learner_id)))
        .join(CompetencyBlock, CompetencyBlock.id == Certificate.block_id)
        .where(
            Certificate.cohort_id.in_(ending),
            Certificate.kind == CertificateKind.BLOCK,
            Certificate.state == CertificateState.VALID,
        )
        .group_by(CompetencyBlock.code)
    )
    attestations: dict[str, int] = {row[0]: row[1] for row in attested}
    titles: dict[str, str] = {}
    path_ids: dict[str, set[int]] = defaultdict(set)
    for path_id, code, title in blocks:
        titles.setdefault(code, title)  # the newest version's title
        path_ids[code].add(path_id)
    result = []
    for code, title in titles.items():
        candidates = validated = 0
        for path_id, outcome, named, count in rows:
            if path_id not in path_ids[code]:
                continue
            candidates += count
            if outcome == DecisionOutcome.AWARDED or code in split_codes(named):
                validated += count
        ratio = Ratio(validated, candidates, candidates)
        result.append(BlockFigures(code, title, ratio, attestations.get(code, 0)))
    return tuple(result)


def _attendance(scope: Scope, now: datetime, learners: int) -> AttendanceFigures:
    """Closed sheets of sessions ended by now, learners who did not withdraw (hours.py rules)."""
    from lms.quality.indicators.sql import minutes_between

    minutes = minutes_between(TrainingSession.starts_at, TrainingSession.ends_at)
    attended = AttendanceRecord.status.in_((AttendanceStatus.PRESENT, AttendanceStatus.LATE))
    query = (
        db.select(
            AttendanceRecord.status,
            func.count(),
            func.sum(minutes),
            func.sum(case((attended, minutes), else_=0)),
        )
        .select_from(TrainingSession)
        .join(
            AttendanceSheet,
            and_(
                AttendanceSheet.session_id == TrainingSession.id,
                AttendanceSheet.state == SheetState.CLOSED,
            ),
        )
        .join(
            Membership,
            and_(
                Membership.cohort_id == TrainingSession.cohort_id,
                Membership.role == MembershipRole.LEARNER,
            ),
        )
        .outerjoin(Withdrawal, Withdrawal.membership_id == Membership.id)
        .outerjoin(
            AttendanceRecord,
            and_(
                AttendanceRecord.sheet_id == AttendanceSheet.id,
                AttendanceRecord.learner_id == Membership.user_id,
            ),
        )
        .where(
            TrainingSession.cohort_id.in_(scope.cohort_ids(ending=True)),
            TrainingSession.ends_at <= now,
            Withdrawal.id.is_(None),
        )
        .group_by(AttendanceRecord.status)
    )
    statuses: dict[str, int] = {}
    held = attended_minutes = 0
    for status, count, held_part, attended_part in db.session.execute(query):
        statuses[str(status) if status is not None else "none"] = count
        held += held_part or 0
        attended_minutes += attended_part or 0
    return AttendanceFigures(learners, held, attended_minutes, statuses)


def _attendance_learners(scope: Scope, now: datetime):
    """Select the learners who stayed, in a cohort with at least one held session."""
    held = (
        db.select(TrainingSession.cohort_id)
        .join(
            AttendanceSheet,
            and_(
                AttendanceSheet.session_id == TrainingSession.id,
                AttendanceSheet.state == SheetState.CLOSED,
            ),
        )
        .where(TrainingSession.ends_at <= now)
    )
    stayed = _stayed(scope)
    return (
        db.select(func.count(stayed.c.membership_id))
        .select_from(stayed)
        .join(Membership, Membership.id == stayed.c.membership_id)
        .where(Membership.cohort_id.in_(held))
    )


def indicators(scope: Scope, now: datetime | None = None) -> Indicators:
    """Compute every indicator of ``scope`` (a constant number of statements)."""
    now = now or utcnow()
    entered, learners, withdrawn, certificates, attending = _counts(scope, now)
    rows = _decision_rows(scope)
    decisions: dict[str, int] = dict.fromkeys(DecisionOutcome, 0)
    for _path_id, outcome, _named, count in rows:
        decisions[str(outcome)] += count
    return Indicators(
        entered=entered,
        learners=learners,
        withdrawn=withdrawn,
        success=_success(scope),
        decisions=decisions,
        certificates=certificates,
        blocks=_blocks(scope, rows),
        attendance=_attendance(scope, now, attending),
        satisfaction=satisfaction_figures(scope),
    )


__all__ = ["AttendanceFigures", "BlockFigures", "Indicators", "Ratio", "indicators"]
