"""Who may be certified, and what each learner still lacks (DESIGN.md §7).

A learner is eligible for the **path certificate** when every module of the path is completed
(every required lesson done, every required assessment passed, every module's minimum
attendance reached), every competency is rated at or above its required level and, when the
path declares ``[attendance] minimum``, their attendance over all the sessions held so far reaches
it (``lms.attendance.hours``: closed sheets only; no session held yet asks nothing). A **block
attestation** needs the competencies of that block only.

The report is built from cohort-wide computations — ``cohort_progress`` (modules, with what is
missing in each), ``cohort_competency_matrix`` (competency levels) and ``cohort_attendance``
(rates) — so its query count does not grow with the cohort.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.attendance.hours import path_shortfalls
from lms.cohorts.models import Cohort
from lms.core.time import organisation_timezone
from lms.learning.cohort_progress import cohort_progress
from lms.learning.competencies import (
    CompetencyProfile,
    CompetencyStatus,
    cohort_competency_matrix,
    competency_profile,
)
from lms.learning.progress import CohortProgress, LearnerProgress, ProgressStatus


class Lack(StrEnum):
    MODULE = "module"
    COMPETENCY = "competency"
    ATTENDANCE = "attendance"


@dataclass(frozen=True)
class Missing:
    """One thing a learner lacks: a module not completed, a competency below its level, or
    attendance below the path's minimum.

    ``details`` names what is missing inside a module (lessons, assessments); ``level`` is the
    competency's current level (None: no evidence yet) against ``required_level``. For
    attendance (code ``attendance``), ``level`` is the learner's rate and ``required_level`` the
    path's minimum, both whole percentages (the rate rounded down).
    """

    lack: Lack
    code: str
    title: str
    details: tuple[str, ...] = ()
    level: int | None = None
    required_level: int | None = None


@dataclass(frozen=True)
class BlockEligibility:
    """Eligibility for the attestation of one block of competencies."""

    block_id: int
    code: str
    title: str
    missing: tuple[Missing, ...]

    @property
    def is_eligible(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class LearnerEligibility:
    """One learner: eligibility for the path certificate and for each block attestation."""

    learner: User
    missing: tuple[Missing, ...]  # for the path certificate
    blocks: tuple[BlockEligibility, ...]

    @property
    def is_eligible(self) -> bool:
        return not self.missing

    def block(self, code: str) -> BlockEligibility | None:
        """Return the eligibility for the block with this code, if the path has it."""
        return next((block for block in self.blocks if block.code == code), None)

    def snapshot(self) -> dict[str, Any]:
        """Return the report as plain JSON values, to freeze it in a decision."""
        return {
            "eligible": self.is_eligible,
            "missing": [_plain(item) for item in self.missing],
            "blocks": [
                {
                    "code": block.code,
                    "title": block.title,
                    "eligible": block.is_eligible,
                    "missing": [_plain(item) for item in block.missing],
                }
                for block in self.blocks
            ],
        }


@dataclass(frozen=True)
class EligibilityReport:
    """Every learner of a cohort (by name) with what they lack."""

    cohort: Cohort
    learners: tuple[LearnerEligibility, ...]
    computed_at: datetime

    @property
    def eligible_count(self) -> int:
        return sum(1 for learner in self.learners if learner.is_eligible)

    def learner(self, user_id: int) -> LearnerEligibility | None:
        """Return the eligibility of the learner with this id, if they belong to the cohort."""
        return next((item for item in self.learners if item.learner.id == user_id), None)


def _plain(item: Missing) -> dict[str, Any]:
    values = asdict(item)
    values["details"] = list(item.details)
    return values


def _missing_modules(progress: LearnerProgress) -> list[Missing]:
    """Return the modules the learner has not completed, each with what it still needs."""
    return [
        Missing(Lack.MODULE, item.code, item.module.title, tuple(item.missing))
        for item in progress.modules
        if item.status is not ProgressStatus.COMPLETED
    ]


def _attendance_lacks(
    cohort: Cohort, progress: CohortProgress, now: datetime | None
) -> dict[int, Missing]:
    """Return user id -> the attendance lack of each learner below the path's minimum."""
    if not progress.learners:
        return {}
    as_of = now.astimezone(organisation_timezone()).date() if now else None
    learners = [row.learner for row in progress.learners]
    shortfalls = path_shortfalls(cohort, learners, progress.modules, as_of)
    title = _("Attendance")
    return {
        user_id: Missing(Lack.ATTENDANCE, "attendance", title, (), rate, minimum)
        for user_id, (rate, minimum) in shortfalls.items()
    }


def _judge(
    progress: LearnerProgress, profile: CompetencyProfile, attendance: Missing | None = None
) -> LearnerEligibility:
    """Combine a learner's progress, competency profile and attendance into their eligibility."""
    blocks = []
    for block in profile.blocks:
        lacking = tuple(
            Missing(Lack.COMPETENCY, line.code, line.title, (), line.level, line.required_level)
            for line in block.competencies
            if line.status is not CompetencyStatus.ATTAINED
        )
        blocks.append(BlockEligibility(block.id, block.code, block.title, lacking))
    lacking_competencies = [item for block in blocks for item in block.missing]
    lacking_attendance = [attendance] if attendance is not None else []
    missing = (*_missing_modules(progress), *lacking_competencies, *lacking_attendance)
    return LearnerEligibility(progress.learner, missing, tuple(blocks))


def cohort_eligibility(cohort: Cohort, now: datetime | None = None) -> EligibilityReport:
    """Return the eligibility of every learner of the cohort (queries independent of its size)."""
    progress = cohort_progress(cohort, now, with_activity=False)
    matrix = cohort_competency_matrix(cohort)
    attendance = _attendance_lacks(cohort, progress, now)
    learners = tuple(
        _judge(row, matrix.profiles[row.learner.id], attendance.get(row.learner.id))
        for row in progress.learners
        if row.learner.id in matrix.profiles
    )
    return EligibilityReport(cohort, learners, progress.now)


def learner_eligibility(
    cohort: Cohort, learner: User, now: datetime | None = None
) -> LearnerEligibility:
    """Return one learner's eligibility, computed exactly as for the whole cohort."""
    progress = cohort_progress(cohort, now, learners=[learner], with_activity=False)
    attendance = _attendance_lacks(cohort, progress, now).get(learner.id)
    return _judge(progress.learners[0], competency_profile(learner, cohort), attendance)
