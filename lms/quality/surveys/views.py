"""The learner's surveys (blueprint ``surveys``): « Mes questionnaires » and the answer form.

A learner sees the open campaigns they are asked in, answered or not, and answers each once.
Answering twice is a 409 saying the answer is recorded (nothing changes); a closed campaign is
refused (409 too). After an anonymous survey the learner is told that their answers are kept
without their name: not even they can see them again, and no page shows them what they answered.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from lms.core.markdown import render_markdown
from lms.core.time import utcnow
from lms.core.transactions import unit_of_work
from lms.extensions import db
from lms.quality.surveys.access import own_participation_or_403
from lms.quality.surveys.answering import (
    AlreadyAnswered,
    AnswerRefused,
    CampaignClosed,
    record_response,
)
from lms.quality.surveys.campaigns import is_open
from lms.quality.surveys.forms import answers_form, field_name
from lms.quality.surveys.models import SurveyCampaign, SurveyParticipation

bp = Blueprint("surveys", __name__)


@bp.get("/surveys")
@login_required
def mine():
    """List the open campaigns the learner is asked in (a constant number of queries)."""
    now = utcnow()
    participations = db.session.scalars(
        db.select(SurveyParticipation)
        .join(SurveyCampaign)
        .options(
            joinedload(SurveyParticipation.campaign).joinedload(SurveyCampaign.survey),
            joinedload(SurveyParticipation.campaign).joinedload(SurveyCampaign.module),
            joinedload(SurveyParticipation.campaign).joinedload(SurveyCampaign.cohort),
        )
        .where(
            SurveyParticipation.learner_id == current_user.id,
            SurveyCampaign.opens_at <= now,
            SurveyCampaign.closes_at > now,
        )
        .order_by(SurveyCampaign.closes_at, SurveyCampaign.id)
    ).all()
    return render_template("quality/surveys/mine.html", participations=participations)


@bp.route("/surveys/<int:campaign_id>", methods=["GET", "POST"])
@login_required
def answer(campaign_id: int):
    """Show the survey's form; record the learner's answers once."""
    participation = own_participation_or_403(campaign_id)
    campaign = participation.campaign
    survey = campaign.survey
    if participation.answered:
        return _done(campaign, 409 if request.method == "POST" else 200)
    if not is_open(campaign):
        return _closed(campaign)
    form = answers_form(survey)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                record_response(participation, form.values(survey))
        except AlreadyAnswered:
            return _done(campaign, 409)
        except CampaignClosed:
            return _closed(campaign)
        except AnswerRefused as error:
            form[f"q_{error.question}"].errors = [*form[f"q_{error.question}"].errors, str(error)]
        else:
            flash(_("Thank you: your answers are recorded."), "success")
            return redirect(url_for("surveys.mine"))
    return render_template(
        "quality/surveys/answer.html",
        campaign=campaign,
        survey=survey,
        form=form,
        field_name=field_name,
        introduction=render_markdown(survey.introduction),
    )


def _done(campaign: SurveyCampaign, status: int):
    """Say the answer is recorded (and, for an anonymous survey, that it cannot be shown)."""
    db.session.rollback()
    page = render_template(
        "quality/surveys/answered.html", campaign=campaign, repeated=status == 409
    )
    return page, status


def _closed(campaign: SurveyCampaign):
    """Say the campaign does not take answers (409)."""
    db.session.rollback()
    return render_template("quality/surveys/closed.html", campaign=campaign), 409
