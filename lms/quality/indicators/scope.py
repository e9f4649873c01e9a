"""What the figures are computed over: a period, and cohorts narrowed by path, territory, cohort.

**Period rule** (docs/quality-indicators.md): a cohort's *learners entered* are counted in the
period its cohort **starts** in; every outcome (completion, dropout, success, certification,
attendance, hours, satisfaction) in the period its cohort **ends** in, when its results are known.
Draft cohorts are never counted (they have not started).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select

from lms.cohorts.models import Cohort, CohortState
from lms.curriculum.models import TrainingPath
from lms.extensions import db


@dataclass(frozen=True)
class Period:
    """From and to, both days included."""

    starts_on: date
    ends_on: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))


@dataclass(frozen=True)
class Scope:
    """The cohorts the figures count: a period and optional narrowing (None: not narrowed).

    ``territory_ids`` None means every territory (a central administrator, or the public page);
    a local administrator's scope always lists their territories.
    """

    period: Period
    path_code: str | None = None
    territory_ids: tuple[int, ...] | None = None
    cohort_id: int | None = None

    def cohort_ids(self, *, ending: bool) -> Select[tuple[int]]:
        """Return a select of the ids of the cohorts ending (or starting) in the period."""
        column = Cohort.ends_on if ending else Cohort.starts_on
        query = db.select(Cohort.id).where(
            Cohort.state != CohortState.DRAFT,
            column >= self.period.starts_on,
            column <= self.period.ends_on,
        )
        if self.path_code is not None:
            paths = db.select(TrainingPath.id).where(TrainingPath.code == self.path_code)
            query = query.where(Cohort.path_id.in_(paths))
        if self.territory_ids is not None:
            query = query.where(Cohort.territory_id.in_(self.territory_ids))
        if self.cohort_id is not None:
            query = query.where(Cohort.id == self.cohort_id)
        return query
