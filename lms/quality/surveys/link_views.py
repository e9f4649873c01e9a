"""The public page of a funder's or employer's survey link (blueprint ``survey_link``).

No account: the link is the key. The page shows the survey's title, introduction and questions,
the cohort and the training; nothing about learners. An unknown token is a 404; a used or
expired link, or one whose survey closed, a 410 saying which; a refused link records nothing
(the claim and the response are one unit of work; a form error leaves the link usable). Two
submissions at once: one is recorded, the other gets the 410 of a used link. Every answer is
rate-limited per client address (``RATELIMIT_SURVEY_LINK``), never cached, sent with
``Referrer-Policy: no-referrer``; the token is redacted from the logs (lms.core.redaction).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _

from lms.accounts.throttling import client_address
from lms.core.logging import security_event
from lms.core.markdown import render_markdown
from lms.core.transactions import unit_of_work
from lms.extensions import db, limiter
from lms.quality.surveys.answering import (
    AlreadyAnswered,
    AnswerRefused,
    CampaignClosed,
    record_response,
)
from lms.quality.surveys.forms import answers_form, field_name
from lms.quality.surveys.links import LinkGone, LinkRefused, check_link, find_link

bp = Blueprint("survey_link", __name__)

link_limit = limiter.limit(
    lambda: current_app.config["RATELIMIT_SURVEY_LINK"],
    scope="survey-link",
    key_func=client_address,
)


@bp.after_request
def private(response):
    """Keep the link's address out of Referer headers and of every cache."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/surveys/link/<token>", methods=["GET", "POST"])
@link_limit
def answer(token: str):
    """Show the survey of a usable link; record the answers once, by this link."""
    participation = find_link(token)
    try:
        check_link(participation)
    except LinkRefused as error:
        return _refused(error)
    assert participation is not None  # check_link refuses None
    campaign = participation.campaign
    survey = campaign.survey
    form = answers_form(survey)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                record_response(participation, form.values(survey))
        except (AlreadyAnswered, CampaignClosed):
            db.session.refresh(participation)
            return _refused(
                LinkGone(_("This link has already been used: it works once."))
                if participation.answered
                else LinkGone(_("This survey is closed: it no longer takes answers."))
            )
        except AnswerRefused as error:
            field = form[f"q_{error.question}"]
            field.errors = [*field.errors, str(error)]
        else:
            security_event("survey_link.used", campaign_id=campaign.id)
            return _page("quality/surveys/link_thanks.html", 200, campaign=campaign)
    return render_template(
        "quality/surveys/link.html",
        participation=participation,
        campaign=campaign,
        survey=survey,
        form=form,
        field_name=field_name,
        introduction=render_markdown(survey.introduction),
    )


def _refused(error: LinkRefused):
    """Answer a refused link: 410 when it existed and no longer works, 404 otherwise."""
    status = 410 if isinstance(error, LinkGone) else 404
    security_event("survey_link.refused", status=status)
    return _page("quality/surveys/link_refused.html", status, message=str(error))


def _page(template: str, status: int, **context):
    """Render one of the link's answers (nothing from the request in it)."""
    db.session.rollback()
    heading = {404: _("This link does not work"), 410: _("This link no longer works")}.get(
        status, _("Thank you")
    )
    return render_template(template, heading=heading, **context), status
