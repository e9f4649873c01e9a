"""Funders' and employers' single-use links (SECURITY.md J40): no account, the link is the key.

Staff add a contact (name, organisation, e-mail) to a funder campaign: a participation with the
e-mail and no learner. Sending the link gives it a random token (32 bytes, URL-safe) of which
only the SHA-256 is stored, with an expiry (``SURVEY_LINK_DAYS``, 30); sending it again, or the
reminder, gives a new token: the old link no longer matches anything. The link works until its
expiry, while the campaign is open, and once: answering claims the participation
(lms.quality.surveys.answering). A refused link records nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.engine import CursorResult

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.core.db import lock_row_for_update
from lms.core.time import utcnow
from lms.extensions import db
from lms.quality.surveys.campaigns import SurveyError, is_open
from lms.quality.surveys.models import SurveyCampaign, SurveyKind, SurveyParticipation

TOKEN_BYTES = 32
# What a token may look like (``secrets.token_urlsafe``); anything else is not looked up.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{20,100}")


class LinkRefused(SurveyError):
    """The link is unknown (404)."""


class LinkGone(LinkRefused):
    """The link existed and no longer works: used, expired or its survey closed (410)."""


def hash_token(token: str) -> str:
    """Return the SHA-256 (hex) under which a link's token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_days() -> int:
    """Return how many days a sent link works (``SURVEY_LINK_DAYS``, 30)."""
    return int(current_app.config.get("SURVEY_LINK_DAYS") or 30)


def add_contact(
    actor: User,
    campaign: SurveyCampaign,
    *,
    name: str,
    organisation: str,
    email: str,
    now: datetime | None = None,
) -> SurveyParticipation:
    """Add a funder or employer to a funder campaign (its link is sent by ``new_token``)."""
    if campaign.survey.kind != SurveyKind.FUNDER:
        raise SurveyError(_("Only a funder and employer survey is sent to contacts."))
    if not is_open(campaign, now):
        raise SurveyError(_("This survey is closed: it no longer takes answers."))
    email = email.strip().lower()
    # Two people adding the same address at once are served in turn (the campaign's row).
    lock_row_for_update(db.session(), SurveyCampaign, campaign.id)
    taken = db.select(SurveyParticipation.id).filter_by(campaign_id=campaign.id, email=email)
    if db.session.scalar(taken.limit(1)) is not None:
        raise SurveyError(_("This address is already asked in this survey."))
    participation = SurveyParticipation(
        campaign_id=campaign.id,
        email=email,
        contact_name=name.strip(),
        organisation=organisation.strip(),
    )
    db.session.add(participation)
    db.session.flush()
    record_audit_event(
        actor,
        "survey.contact_add",
        campaign,
        after={"email": participation.email, "organisation": participation.organisation},
    )
    return participation


def new_token(
    participation: SurveyParticipation, now: datetime | None = None, *, reminder: bool = False
) -> str | None:
    """Give the contact a fresh link (the old one dies); None when they answered meanwhile.

    One statement (``WHERE answered = false``, and for a reminder ``reminded_at IS NULL``): two
    senders at once each get their own token, the last one written being the live link; two
    reminder runs at once send one reminder.
    """
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    values: dict[str, object] = {
        "token_sha256": hash_token(token),
        "expires_at": min(now + timedelta(days=link_days()), participation.campaign.closes_at),
        "sent_at": now,
    }
    query = db.update(SurveyParticipation).where(
        SurveyParticipation.id == participation.id,
        SurveyParticipation.email.is_not(None),
        SurveyParticipation.answered.is_(False),
    )
    if reminder:
        query = query.where(SurveyParticipation.reminded_at.is_(None))
        values = {**values, "reminded_at": now}
        del values["sent_at"]
    result = db.session.execute(query.values(**values).execution_options(synchronize_session=False))
    if cast(CursorResult, result).rowcount != 1:
        return None
    db.session.refresh(participation)
    return token


def find_link(token: str) -> SurveyParticipation | None:
    """Return the participation of a link whatever its state, or None for an unknown token."""
    if not TOKEN_FORMAT.fullmatch(token):
        return None
    return db.session.scalar(
        db.select(SurveyParticipation).filter_by(token_sha256=hash_token(token))
    )


def check_link(participation: SurveyParticipation | None, now: datetime | None = None) -> None:
    """Refuse an unknown, used or expired link, or one whose survey is closed, saying which."""
    now = now or utcnow()
    if participation is None or participation.expires_at is None:
        raise LinkRefused(_("This link is not valid."))
    if participation.answered:
        raise LinkGone(_("This link has already been used: it works once."))
    if participation.expires_at <= now:
        raise LinkGone(_("This link has expired."))
    if not is_open(participation.campaign, now):
        raise LinkGone(_("This survey is closed: it no longer takes answers."))
