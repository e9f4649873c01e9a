"""Campaigns: putting a survey to a cohort, and who is asked (services: flush, never commit).

When a campaign is due (``due_campaigns``, read by ``lms send-surveys`` every day):

- a module « à chaud » survey, for each module of the cohort's calendar, once the module has
  ended for the cohort: its calendar's closing instant, or else the end of its last session
  (``module_ends``); a module with neither has no known end and is not surveyed by itself;
- an end-of-path « à chaud » survey, on the cohort's last day (``Cohort.ends_on``);
- an « à froid » survey, ``delay_days`` after that day.

A campaign is due only while its window (``SURVEY_OPEN_DAYS``, 21) since that end has not
passed, so that installing the surveys on an old instance does not survey cohorts finished
long ago; staff can still open one by hand from the cohort's surveys page. Funder surveys are
opened by hand: their contacts are typed by staff.

``open_campaign`` creates the campaign and one participation per active learner of the cohort
(none for a funder survey). Two openings at once (two runs, or a run and a person) meet the
cohort's row lock (``lock_row_for_update``): the second waits, then gets ``CampaignExists``;
the unique indexes of ``survey_campaigns`` stay the last guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.attendance.models import TrainingSession
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole, ModuleCalendar
from lms.core.db import lock_row_for_update
from lms.core.time import organisation_timezone, utcnow
from lms.core.transactions import DomainError
from lms.curriculum.models import Module
from lms.extensions import db
from lms.quality.surveys.models import (
    Survey,
    SurveyCampaign,
    SurveyKind,
    SurveyParticipation,
)


class SurveyError(DomainError):
    """A survey use case refused (the message says why)."""


class CampaignExists(SurveyError):
    """The survey is already put to this cohort (for this module)."""


def open_days() -> int:
    """Return how many days a campaign stays open (``SURVEY_OPEN_DAYS``, 21)."""
    return int(current_app.config.get("SURVEY_OPEN_DAYS") or 21)


@dataclass(frozen=True)
class DueCampaign:
    """A campaign the daily command should open: which survey, cohort and module."""

    survey_id: int
    cohort_id: int
    module_id: int | None


def day_end(day) -> datetime:
    """Return the instant a day ends in the organisation's timezone."""
    zone = organisation_timezone()
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def module_ends(cohort_ids: list[int]) -> dict[tuple[int, int], datetime]:
    """Return when each module ended for each cohort: its closing, else its last session."""
    last_session = (
        db.select(
            TrainingSession.cohort_id,
            TrainingSession.module_id,
            func.max(TrainingSession.ends_at).label("ends_at"),
        )
        .where(TrainingSession.cohort_id.in_(cohort_ids))
        .group_by(TrainingSession.cohort_id, TrainingSession.module_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(
            ModuleCalendar.cohort_id,
            ModuleCalendar.module_id,
            ModuleCalendar.closes_at,
            last_session.c.ends_at,
        )
        .outerjoin(
            last_session,
            (last_session.c.cohort_id == ModuleCalendar.cohort_id)
            & (last_session.c.module_id == ModuleCalendar.module_id),
        )
        .where(ModuleCalendar.cohort_id.in_(cohort_ids))
    )
    ends = {}
    for cohort_id, module_id, closes_at, session_end in rows:
        end = closes_at or session_end
        if end is not None:
            ends[(cohort_id, module_id)] = end
    return ends


def due_campaigns(now: datetime | None = None) -> list[DueCampaign]:
    """Return the campaigns whose time has come and that are not open yet (a few queries)."""
    now = now or utcnow()
    window = timedelta(days=open_days())
    cohorts = db.session.scalars(
        db.select(Cohort).where(Cohort.state != CohortState.DRAFT).order_by(Cohort.id)
    ).all()
    surveys = db.session.scalars(
        db.select(Survey)
        .where(Survey.path_id.in_({cohort.path_id for cohort in cohorts}))
        .where(Survey.kind != SurveyKind.FUNDER)
        .order_by(Survey.position)
    ).all()
    existing = {
        (row.survey_id, row.cohort_id, row.module_id)
        for row in db.session.execute(
            db.select(SurveyCampaign.survey_id, SurveyCampaign.cohort_id, SurveyCampaign.module_id)
        )
    }
    ends = module_ends([cohort.id for cohort in cohorts])
    due = []
    for cohort in cohorts:
        for survey in (s for s in surveys if s.path_id == cohort.path_id):
            for module_id, start in _starts(survey, cohort, ends):
                fresh = (survey.id, cohort.id, module_id) not in existing
                if fresh and start <= now < start + window:
                    due.append(DueCampaign(survey.id, cohort.id, module_id))
    return due


def _starts(survey: Survey, cohort: Cohort, ends: dict[tuple[int, int], datetime]):
    """Yield (module id or None, when the survey is due) for one survey and cohort."""
    if survey.kind == SurveyKind.MODULE_HOT:
        for (cohort_id, module_id), end in ends.items():
            if cohort_id == cohort.id:
                yield module_id, end
    elif survey.kind == SurveyKind.PATH_HOT:
        yield None, day_end(cohort.ends_on) - timedelta(days=1)
    elif survey.kind == SurveyKind.PATH_COLD:
        yield None, day_end(cohort.ends_on) + timedelta(days=(survey.delay_days or 90) - 1)


def open_campaign(
    actor: User | None,
    survey: Survey,
    cohort: Cohort,
    module: Module | None = None,
    now: datetime | None = None,
) -> SurveyCampaign:
    """Put ``survey`` to ``cohort`` (for ``module``) from now; ask its active learners."""
    if survey.path_id != cohort.path_id:
        raise SurveyError(_("This survey belongs to another path."))
    if (survey.kind == SurveyKind.MODULE_HOT) != (module is not None):
        raise SurveyError(_("A module survey is put for one module, the others for the path."))
    if module is not None and module.path_id != cohort.path_id:
        raise SurveyError(_("This module belongs to another path."))
    # Two openings at once (two runs, or a run and a person) are served in turn: the second
    # waits here for the first's transaction, then finds its campaign.
    lock_row_for_update(db.session(), Cohort, cohort.id)
    existing = db.select(SurveyCampaign.id).filter_by(
        survey_id=survey.id, cohort_id=cohort.id, module_id=module.id if module else None
    )
    if db.session.scalar(existing.limit(1)) is not None:
        raise CampaignExists(_("This survey is already put to this cohort."))
    now = now or utcnow()
    campaign = SurveyCampaign(
        survey=survey,
        cohort=cohort,
        module=module,
        opens_at=now,
        closes_at=now + timedelta(days=open_days()),
        created_at=now,
    )
    db.session.add(campaign)
    db.session.flush()
    if survey.kind != SurveyKind.FUNDER:
        learners = db.session.scalars(
            db.select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.cohort_id == cohort.id,
                Membership.role == MembershipRole.LEARNER,
                User.is_active.is_(True),
            )
            .order_by(Membership.user_id)
        ).all()
        db.session.add_all(
            SurveyParticipation(campaign_id=campaign.id, learner_id=learner_id)
            for learner_id in learners
        )
        db.session.flush()
    record_audit_event(
        actor,
        "survey.open",
        campaign,
        after={"survey": survey.code, "cohort": cohort.id, "module": module and module.id},
    )
    return campaign


def is_open(campaign: SurveyCampaign, now: datetime | None = None) -> bool:
    """Tell whether the campaign takes answers now."""
    now = now or utcnow()
    return campaign.opens_at <= now < campaign.closes_at


def openable(cohort: Cohort) -> list[tuple[Survey, Module | None]]:
    """Return what staff may still open for the cohort: each survey (per module) not put yet."""
    surveys = db.session.scalars(
        db.select(Survey).filter_by(path_id=cohort.path_id).order_by(Survey.position)
    ).all()
    modules = db.session.scalars(
        db.select(Module).filter_by(path_id=cohort.path_id).order_by(Module.position)
    ).all()
    existing = {
        (row.survey_id, row.module_id)
        for row in db.session.execute(
            db.select(SurveyCampaign.survey_id, SurveyCampaign.module_id).filter_by(
                cohort_id=cohort.id
            )
        )
    }
    targets: list[tuple[Survey, Module | None]] = []
    for survey in surveys:
        if survey.kind == SurveyKind.MODULE_HOT:
            targets.extend((survey, m) for m in modules if (survey.id, m.id) not in existing)
        elif (survey.id, None) not in existing:
            targets.append((survey, None))
    return targets
