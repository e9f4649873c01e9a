"""Who may see what of the surveys: the one place for their access rules.

- A **campaign's results, people and export**, and opening a campaign or adding contacts: those
  who follow its cohort (its trainers, central administrators, local administrators of its
  territory: ``lms.cohorts.access.follows``). Learners and assessors are refused; another
  territory's cohort is a 404 for a local administrator, as unknown ids are.
- A **learner's survey page**: the learner asked in the campaign (a participation of theirs);
  anyone else is refused (403; 404 for another territory's local administrator).
- A **funder's link**: whoever holds the token (lms.quality.surveys.links).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.permissions import deny
from lms.cohorts.access import deny_cohort, follows
from lms.extensions import db
from lms.quality.surveys.models import SurveyCampaign, SurveyParticipation


def followed_campaign_or_404(campaign_id: int) -> SurveyCampaign:
    """Return the campaign (survey, cohort, module loaded) for those who follow its cohort."""
    if not current_user.is_authenticated:
        deny()
    campaign = db.session.scalar(
        db.select(SurveyCampaign)
        .options(
            joinedload(SurveyCampaign.survey),
            joinedload(SurveyCampaign.cohort),
            joinedload(SurveyCampaign.module),
        )
        .where(SurveyCampaign.id == campaign_id)
    )
    if campaign is None:
        abort(404)
    if not follows(current_user, campaign.cohort):
        deny_cohort(campaign.cohort)
    return campaign


def own_participation_or_403(campaign_id: int) -> SurveyParticipation:
    """Return the current learner's participation in the campaign; deny anyone else."""
    if not current_user.is_authenticated:
        deny()
    campaign = db.session.scalar(
        db.select(SurveyCampaign)
        .options(joinedload(SurveyCampaign.survey), joinedload(SurveyCampaign.cohort))
        .where(SurveyCampaign.id == campaign_id)
    )
    if campaign is None:
        abort(404)
    participation = db.session.scalar(
        db.select(SurveyParticipation).where(
            SurveyParticipation.campaign_id == campaign_id,
            SurveyParticipation.learner_id == current_user.id,
        )
    )
    if participation is None:
        deny_cohort(campaign.cohort)
    return participation


def followed_contact_or_404(participation_id: int) -> SurveyParticipation:
    """Return a funder campaign's contact for those who follow its cohort."""
    if not current_user.is_authenticated:
        deny()
    participation = db.session.get(SurveyParticipation, participation_id)
    if participation is None or participation.email is None:
        abort(404)
    followed_campaign_or_404(participation.campaign_id)
    return participation
