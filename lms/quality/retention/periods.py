"""How long things are kept: the rule « 31 December of N + k » and the cohorts past it.

A cohort that ended in year N keeps its evidence until 31 December of N + k, k being the cohort's
own ``evidence_retention_years`` or the setting ``RETENTION_EVIDENCE_YEARS`` (6): on 1 January
of N + k + 1 it is past its period. Other dated things (a campaign's closing, an account's last
sign-in, an audit event) follow the same rule with their own year and k. Everything is computed
for one day, ``as_of`` (today, or the day a drill or a test names), so that a dry run and the
run after it see the same past.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app

from lms.cohorts.models import Cohort, MembershipRole
from lms.extensions import db


def kept_until(year: int, years: int) -> date:
    """Return the last day kept for something of ``year`` kept ``years`` more years."""
    return date(year + years, 12, 31)


def first_day_kept(as_of: date, years: int) -> datetime:
    """Return the earliest instant (UTC) still kept on ``as_of``: 1 January of as_of − years."""
    return datetime(as_of.year - years, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Horizon:
    """What is past its period on ``as_of``, with the settings in force."""

    as_of: date
    evidence_years: int
    survey_years: int
    # Cohorts whose evidence is past its period, and those still kept.
    past_cohort_ids: frozenset[int]
    kept_cohort_ids: frozenset[int]
    # (learner, path) pairs whose every cohort of that path is past: their work on it goes.
    past_learner_paths: frozenset[tuple[int, int]]

    @property
    def evidence_start(self) -> datetime:
        """The earliest instant of evidence kept (default period), in UTC."""
        return first_day_kept(self.as_of, self.evidence_years)

    @property
    def survey_start(self) -> datetime:
        """The earliest campaign closing whose raw answers are kept, in UTC."""
        return first_day_kept(self.as_of, self.survey_years)


def cohort_years(cohort: Cohort, default: int) -> int:
    """Return the years after its end's year a cohort's evidence is kept."""
    return cohort.evidence_retention_years or default


def is_cohort_past(cohort: Cohort, as_of: date, default: int) -> bool:
    """Tell whether a cohort's evidence is past its period on ``as_of``."""
    return as_of > kept_until(cohort.ends_on.year, cohort_years(cohort, default))


def horizon(as_of: date) -> Horizon:
    """Classify the cohorts and the learners' paths for ``as_of`` with the current settings."""
    evidence_years = int(current_app.config["RETENTION_EVIDENCE_YEARS"])
    survey_years = int(current_app.config["RETENTION_SURVEY_YEARS"])
    past: set[int] = set()
    kept: set[int] = set()
    paths: dict[int, int] = {}
    for cohort in db.session.scalars(db.select(Cohort).order_by(Cohort.id)):
        paths[cohort.id] = cohort.path_id
        (past if is_cohort_past(cohort, as_of, evidence_years) else kept).add(cohort.id)
    return Horizon(
        as_of=as_of,
        evidence_years=evidence_years,
        survey_years=survey_years,
        past_cohort_ids=frozenset(past),
        kept_cohort_ids=frozenset(kept),
        past_learner_paths=_past_learner_paths(past, paths),
    )


def _past_learner_paths(past: set[int], paths: dict[int, int]) -> frozenset[tuple[int, int]]:
    """Return the (learner, path) pairs with cohorts of the path all past their period."""
    from lms.cohorts.models import Membership

    rows = db.session.execute(
        db.select(Membership.user_id, Membership.cohort_id).where(
            Membership.role == MembershipRole.LEARNER
        )
    )
    past_pairs: set[tuple[int, int]] = set()
    kept_pairs: set[tuple[int, int]] = set()
    for user_id, cohort_id in rows:
        pair = (user_id, paths[cohort_id])
        (past_pairs if cohort_id in past else kept_pairs).add(pair)
    return frozenset(past_pairs - kept_pairs)
