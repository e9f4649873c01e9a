"""The surveys for a cohort's staff (blueprint ``surveys_manage``).

For those who follow the cohort (lms.quality.surveys.access): the cohort's campaigns with their
response rates and reminders, and opening one by hand; a campaign's results (per question the
distribution and mean, choices counted, comments in alphabetical order), who answered for a
named survey (whether, never what), its CSV; and for a funder survey its contacts, each with a
single-use link, added and sent again here. Each page costs a constant number of queries.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from lms.accounts.permissions import acting_user
from lms.cohorts.access import followed_cohort_or_403, is_cohort_admin
from lms.cohorts.models import Cohort
from lms.core.csv import csv_response
from lms.core.mail import MailError
from lms.core.transactions import unit_of_work
from lms.curriculum.models import Module
from lms.extensions import db
from lms.quality.surveys.access import followed_campaign_or_404, followed_contact_or_404
from lms.quality.surveys.campaigns import SurveyError, is_open, open_campaign, openable
from lms.quality.surveys.forms import ContactForm, OpenCampaignForm
from lms.quality.surveys.links import add_contact
from lms.quality.surveys.mail import send_contact_link
from lms.quality.surveys.models import Survey, SurveyCampaign, SurveyKind
from lms.quality.surveys.results import csv_rows, people, question_results, rates

bp = Blueprint("surveys_manage", __name__, url_prefix="/manage")


def kind_label(kind: SurveyKind) -> str:
    """Return the survey kind's name in the current language."""
    return {
        SurveyKind.MODULE_HOT: _("« à chaud », end of module"),
        SurveyKind.PATH_HOT: _("« à chaud », end of path"),
        SurveyKind.PATH_COLD: _("« à froid »"),
        SurveyKind.FUNDER: _("funders and employers"),
    }[kind]


def one_decimal(value: float) -> str:
    """Return a mean with one decimal, written as the current language writes numbers."""
    return format_decimal(value, format="0.0")


def target_label(survey: Survey, module: Module | None) -> str:
    """Name what can be opened: the survey, and its module for a module survey."""
    label = f"{survey.title} ({kind_label(survey.kind)})"
    return f"{label} – {module.code} {module.title}" if module else label


def _open_form(cohort: Cohort) -> tuple[OpenCampaignForm, dict[str, tuple[Survey, Module | None]]]:
    """Return the opening form and what each of its values opens."""
    targets = {
        (f"{survey.id}:{module.id}" if module else str(survey.id)): (survey, module)
        for survey, module in openable(cohort)
    }
    form = OpenCampaignForm()
    form.target.choices = [SelectChoice(key, target_label(*pair)) for key, pair in targets.items()]
    return form, targets


@bp.get("/cohorts/<int:cohort_id>/surveys")
def cohort_surveys(cohort_id: int):
    """List the cohort's campaigns with their response rates and reminders."""
    cohort = followed_cohort_or_403(cohort_id, joinedload(Cohort.path))
    campaigns = db.session.scalars(
        db.select(SurveyCampaign)
        .options(joinedload(SurveyCampaign.survey), joinedload(SurveyCampaign.module))
        .filter_by(cohort_id=cohort.id)
        .order_by(SurveyCampaign.opens_at.desc(), SurveyCampaign.id.desc())
    ).all()
    form, _targets = _open_form(cohort)
    return render_template(
        "quality/surveys/manage/cohort.html",
        cohort=cohort,
        as_admin=is_cohort_admin(current_user, cohort),
        campaigns=campaigns,
        rates=rates([campaign.id for campaign in campaigns]),
        form=form,
        kind_label=kind_label,
        is_open=is_open,
    )


@bp.post("/cohorts/<int:cohort_id>/surveys/open")
def open_now(cohort_id: int):
    """Put a survey to the cohort now (staff's hand instead of the daily command)."""
    cohort = followed_cohort_or_403(cohort_id)
    back = url_for("surveys_manage.cohort_surveys", cohort_id=cohort.id)
    form, targets = _open_form(cohort)
    if not form.validate_on_submit():
        flash(_("Choose a survey that is not open yet."), "error")
        return redirect(back)
    survey, module = targets[form.target.data]
    with unit_of_work(error_redirect=back):
        campaign = open_campaign(acting_user(), survey, cohort, module)
    flash(_("The survey is open; the daily sending invites the learners."), "success")
    return redirect(url_for("surveys_manage.campaign", campaign_id=campaign.id))


@bp.get("/surveys/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    """Show a campaign's results, who answered (named surveys) or its contacts (funders)."""
    found = followed_campaign_or_404(campaign_id)
    survey = found.survey
    return render_template(
        "quality/surveys/manage/campaign.html",
        campaign=found,
        survey=survey,
        cohort=found.cohort,
        as_admin=is_cohort_admin(current_user, found.cohort),
        rate=rates([found.id]).get(found.id),
        results=question_results(found, survey),
        people=[] if survey.anonymous and survey.kind != SurveyKind.FUNDER else people(found),
        contact_form=ContactForm() if survey.kind == SurveyKind.FUNDER else None,
        kind_label=kind_label,
        is_open=is_open(found),
        decimal=one_decimal,
    )


@bp.get("/surveys/campaigns/<int:campaign_id>/export.csv")
def export(campaign_id: int):
    """Download the campaign's responses (anonymous: no person, sorted by answers)."""
    found = followed_campaign_or_404(campaign_id)
    name = f"{found.survey.code}-{found.cohort.name}"
    if found.module is not None:
        name += f"-{found.module.code}"
    return csv_response(csv_rows(found, found.survey), f"{name}.csv")


@bp.post("/surveys/campaigns/<int:campaign_id>/contacts")
def add_contact_page(campaign_id: int):
    """Add a funder or employer and e-mail their single-use link, in one transaction."""
    found = followed_campaign_or_404(campaign_id)
    if found.survey.kind != SurveyKind.FUNDER:
        abort(404)
    form = ContactForm()
    back = url_for("surveys_manage.campaign", campaign_id=found.id)
    if not form.validate_on_submit():
        return _campaign_with_errors(found, form)
    try:
        with unit_of_work():
            participation = add_contact(
                acting_user(),
                found,
                name=form.name.data or "",
                organisation=form.organisation.data or "",
                email=form.email.data or "",
            )
            send_contact_link(participation)
    except SurveyError as error:
        form.email.errors = [*form.email.errors, str(error)]
        return _campaign_with_errors(found, form)
    except MailError:
        form.form_errors.append(
            _("The e-mail could not be sent: nothing was changed. Try again later.")
        )
        return _campaign_with_errors(found, form)
    flash(_("The link was sent to %(email)s.", email=participation.email), "success")
    return redirect(back)


@bp.post("/surveys/contacts/<int:participation_id>/resend")
def resend(participation_id: int):
    """Send a contact a new link (the old one no longer works)."""
    participation = followed_contact_or_404(participation_id)
    back = url_for("surveys_manage.campaign", campaign_id=participation.campaign_id)
    if not is_open(participation.campaign):
        flash(_("This survey is closed: it no longer takes answers."), "error")
        return redirect(back)
    try:
        with unit_of_work():
            sent = send_contact_link(participation)
    except MailError:
        flash(_("The e-mail could not be sent: nothing was changed. Try again later."), "error")
        return redirect(back)
    if sent:
        flash(_("A new link was sent to %(email)s.", email=participation.email), "success")
    else:
        flash(_("This contact has already answered."), "error")
    return redirect(back)


def _campaign_with_errors(found: SurveyCampaign, form: ContactForm):
    """Show the campaign page again with the contact form's errors (422)."""
    db.session.rollback()
    survey = found.survey
    page = render_template(
        "quality/surveys/manage/campaign.html",
        campaign=found,
        survey=survey,
        cohort=found.cohort,
        as_admin=is_cohort_admin(current_user, found.cohort),
        rate=rates([found.id]).get(found.id),
        results=question_results(found, survey),
        people=people(found),
        contact_form=form,
        kind_label=kind_label,
        is_open=is_open(found),
        decimal=one_decimal,
    )
    return page, 422
