"""The surveys' e-mails, and the daily round of ``lms send-surveys``.

A learner's invitation and reminder are written in their language (``User.locale``) and lead to
the survey's page in the application; a funder's or employer's carries their single-use link, in
French with the same text in English below (they have no account, hence no language). The token
appears only in the message, never in a log line.

Each message leaves once, even when two runs overlap: the participation is **claimed** in one
statement (``sent_at``, ``reminded_at``: ``UPDATE … WHERE … IS NULL``) in the transaction that
sends it, committed right after; a message the SMTP server refuses rolls its claim back and the
next run tries again. The one reminder goes ``SURVEY_REMINDER_DAYS`` (7) after the invitation to
those who have not answered, while the campaign is open; the campaign's ``reminded_at`` records
when its reminder round started.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.tokens import link_to
from lms.cohorts.models import Cohort
from lms.core.formatting import format_day
from lms.core.mail import MailError, send_mail
from lms.core.time import utcnow
from lms.curriculum.models import Module
from lms.extensions import db
from lms.quality.surveys.campaigns import (
    CampaignExists,
    due_campaigns,
    open_campaign,
)
from lms.quality.surveys.links import new_token
from lms.quality.surveys.models import Survey, SurveyCampaign, SurveyParticipation

LANGUAGES = ("fr", "en")


@dataclass
class Round:
    """What one run did: campaigns opened, invitations and reminders sent."""

    opened: list[int] = field(default_factory=list)
    invited: int = 0
    reminded: int = 0


def one_line(text: str) -> str:
    """Return ``text`` on one line: a subject never carries a CR or LF (header injection)."""
    return " ".join(text.split())


def reminder_days() -> int:
    """Return after how many days the one reminder goes (``SURVEY_REMINDER_DAYS``, 7)."""
    return int(current_app.config.get("SURVEY_REMINDER_DAYS") or 7)


def survey_subject(campaign: SurveyCampaign, reminder: bool) -> str:
    """Return the subject of a message about the campaign (in the current language)."""
    if reminder:
        return _("Reminder: your opinion on “%(title)s”", title=campaign.survey.title)
    return _("Your opinion on “%(title)s”", title=campaign.survey.title)


def render_learner_mail(
    participation: SurveyParticipation, learner: User, reminder: bool
) -> tuple[str, str]:
    """Return the subject and text of a learner's invitation or reminder, in their language."""
    campaign = participation.campaign
    with force_locale(learner.locale):
        subject = one_line(survey_subject(campaign, reminder))
        body = render_template(
            "quality/surveys/mail/learner.txt",
            learner=learner,
            campaign=campaign,
            reminder=reminder,
            link=link_to("surveys.answer", campaign_id=campaign.id),
            closes_on=format_day(campaign.closes_at, "long"),
        ).strip()
    return subject, body + "\n"


def render_contact_mail(
    participation: SurveyParticipation, token: str, reminder: bool
) -> tuple[str, str]:
    """Return the subject and text of a contact's link: French, then the same in English."""
    campaign = participation.campaign
    assert participation.expires_at is not None  # a link was just given
    subjects, bodies = [], []
    for language in LANGUAGES:
        with force_locale(language):
            subjects.append(survey_subject(campaign, reminder))
            bodies.append(
                render_template(
                    "quality/surveys/mail/contact.txt",
                    participation=participation,
                    campaign=campaign,
                    reminder=reminder,
                    link=link_to("survey_link.answer", token=token),
                    expires_on=format_day(participation.expires_at, "long"),
                ).strip()
            )
    subject = one_line(" / ".join(dict.fromkeys(subjects)))
    return subject, "\n\n— English below —\n\n".join(bodies) + "\n"


def send_contact_link(
    participation: SurveyParticipation, now: datetime | None = None, *, reminder: bool = False
) -> bool:
    """Give the contact a fresh link and e-mail it (raises MailError); False if they answered."""
    token = new_token(participation, now, reminder=reminder)
    if token is None:
        return False
    assert participation.email is not None
    send_mail(participation.email, *render_contact_mail(participation, token, reminder))
    current_app.logger.info(
        "survey_link.sent campaign=%s participation=%s", participation.campaign_id, participation.id
    )
    return True


def _claim(participation_id: int, column: str, now: datetime) -> bool:
    """Set ``column`` (sent_at or reminded_at) if it is still empty; tell whether we did."""
    attribute = getattr(SurveyParticipation, column)
    result = db.session.execute(
        db.update(SurveyParticipation)
        .where(SurveyParticipation.id == participation_id, attribute.is_(None))
        .where(SurveyParticipation.learner_id.is_not(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount == 1


def send_learner_mail(participation_id: int, now: datetime, *, reminder: bool) -> bool:
    """Claim, send and commit one learner's invitation or reminder; False when not sent."""
    if not _claim(participation_id, "reminded_at" if reminder else "sent_at", now):
        db.session.rollback()
        return False
    participation = db.session.get(SurveyParticipation, participation_id, populate_existing=True)
    assert participation is not None
    assert participation.learner is not None
    try:
        send_mail(
            participation.learner.email,
            *render_learner_mail(participation, participation.learner, reminder),
        )
    except MailError:
        db.session.rollback()
        current_app.logger.warning("survey.mail_failed participation=%s", participation_id)
        return False
    db.session.commit()
    return True


def send_contact_reminder(participation_id: int, now: datetime) -> bool:
    """Give a contact who has not answered a fresh link as their reminder; commit."""
    participation = db.session.get(SurveyParticipation, participation_id)
    assert participation is not None
    try:
        sent = send_contact_link(participation, now, reminder=True)
    except MailError:
        db.session.rollback()
        return False
    db.session.commit()
    return sent


def open_due(now: datetime) -> list[int]:
    """Open every campaign due now, each in its own transaction; return their ids."""
    opened = []
    for due in due_campaigns(now):
        survey = db.session.get(Survey, due.survey_id)
        cohort = db.session.get(Cohort, due.cohort_id)
        module = db.session.get(Module, due.module_id) if due.module_id else None
        assert survey is not None
        assert cohort is not None
        try:
            campaign = open_campaign(None, survey, cohort, module, now)
            db.session.commit()
        except (CampaignExists, IntegrityError):  # another run opened it meanwhile
            db.session.rollback()
            continue
        opened.append(campaign.id)
    return opened


def pending_invitations(now: datetime) -> list[int]:
    """Return the learners' participations of open campaigns not invited yet."""
    return list(
        db.session.scalars(
            db.select(SurveyParticipation.id)
            .join(SurveyCampaign)
            .where(
                SurveyParticipation.learner_id.is_not(None),
                SurveyParticipation.sent_at.is_(None),
                SurveyParticipation.answered.is_(False),
                SurveyCampaign.opens_at <= now,
                SurveyCampaign.closes_at > now,
            )
            .order_by(SurveyParticipation.id)
        )
    )


def pending_reminders(now: datetime) -> list[tuple[int, bool]]:
    """Return (participation id, is a learner) of those to remind now, once each."""
    since = now - timedelta(days=reminder_days())
    rows = db.session.execute(
        db.select(SurveyParticipation.id, SurveyParticipation.learner_id.is_not(None))
        .join(SurveyCampaign)
        .where(
            SurveyParticipation.answered.is_(False),
            SurveyParticipation.reminded_at.is_(None),
            SurveyParticipation.sent_at <= since,
            SurveyCampaign.closes_at > now,
        )
        .order_by(SurveyParticipation.id)
    )
    return [(key, bool(learner)) for key, learner in rows]


def mark_campaigns_reminded(participation_ids: list[int], now: datetime) -> None:
    """Record when each campaign's reminder round started (once per campaign); commit."""
    if not participation_ids:
        return
    campaigns = db.select(SurveyParticipation.campaign_id).where(
        SurveyParticipation.id.in_(participation_ids)
    )
    db.session.execute(
        db.update(SurveyCampaign)
        .where(SurveyCampaign.id.in_(campaigns), SurveyCampaign.reminded_at.is_(None))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def run_round(now: datetime | None = None) -> Round:
    """Open what is due, invite the learners not invited yet, remind once; each message once."""
    now = now or utcnow()
    done = Round(opened=open_due(now))
    invitations = pending_invitations(now)
    db.session.rollback()  # end the reading transaction: each message has its own
    done.invited = sum(send_learner_mail(key, now, reminder=False) for key in invitations)
    reminders = pending_reminders(now)
    mark_campaigns_reminded([key for key, _learner in reminders], now)
    for key, learner in reminders:
        sent = (
            send_learner_mail(key, now, reminder=True)
            if learner
            else send_contact_reminder(key, now)
        )
        done.reminded += sent
    return done
