"""Single-use links for a project's later ex post evaluation (SECURITY.md J40).

A link carries a random token (32 bytes, URL-safe); only its SHA-256 is stored. It works until
its expiry and once: ``use_invitation`` marks it used in the same statement that checks it is
still usable (``UPDATE … WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > now``),
so two submissions of one link at once record one evaluation and refuse the other. A refused
link records nothing. Services flush and never commit.

A link is either sent at once (``create_invitation``) or **planned** for the evaluation's date
(``plan_invitation``: a row without ``sent_at`` whose stored hash belongs to a token nobody was
given); the daily command claims a planned link (``claim_planned``: one ``UPDATE … WHERE
sent_at IS NULL``, so two runs at once send it once), gives it a fresh token and sends it
(lms.projects.invitations_mail). A link that was not sent cannot be used.
"""

from __future__ import annotations

import hashlib
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
from lms.projects.evaluations import ProjectError
from lms.projects.models import Project, ProjectInvitation

TOKEN_BYTES = 32


class InvitationRefused(ProjectError):
    """The link is unknown, used, withdrawn or expired (the page says which, as far as safe)."""


class InvitationGone(InvitationRefused):
    """The link existed and no longer works: used, withdrawn or expired (answered 410)."""


def hash_token(token: str) -> str:
    """Return the SHA-256 (hex) under which a link's token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_days() -> int:
    """Return how many days a sent link works (``PROJECT_LINK_DAYS``, 30 by default)."""
    return int(current_app.config.get("PROJECT_LINK_DAYS") or 30)


def create_invitation(
    actor: User | None,
    project: Project,
    *,
    email: str,
    name: str,
    expires_at: datetime,
    sent: bool = True,
) -> tuple[ProjectInvitation, str]:
    """Create a link for ``email`` (the holder or a partner); return it and its token.

    The token is shown or sent once and never stored; earlier unused links of the project are
    withdrawn (one live link per project, even when two people send at once: the project's row
    is locked). ``sent=False`` plans the link without sending it.
    """
    # Two people sending at once: the second waits here, then withdraws the first one's link.
    lock_row_for_update(db.session(), Project, project.id)
    now = utcnow()
    withdraw_invitations(project, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = ProjectInvitation(
        project=project,
        token_sha256=hash_token(token),
        email=email.strip(),
        name=name.strip(),
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
        expires_at=expires_at,
        sent_at=now if sent else None,
    )
    db.session.add(invitation)
    db.session.flush()
    record_audit_event(
        actor,
        "project.invite",
        project,
        after={
            "email": invitation.email,
            "name": invitation.name,
            "expires_at": expires_at.isoformat(),
            "sent": sent,
        },
    )
    return invitation, token


def withdraw_invitations(project: Project, now: datetime | None = None) -> None:
    """Withdraw the project's links that are neither used nor withdrawn yet (flushes)."""
    db.session.execute(
        db.update(ProjectInvitation)
        .where(
            ProjectInvitation.project_id == project.id,
            ProjectInvitation.used_at.is_(None),
            ProjectInvitation.revoked_at.is_(None),
        )
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def current_invitation(project: Project) -> ProjectInvitation | None:
    """Return the project's newest link, whatever its state (None when it never had one)."""
    return db.session.scalar(
        db.select(ProjectInvitation)
        .filter_by(project_id=project.id)
        .order_by(ProjectInvitation.id.desc())
        .limit(1)
    )


def claim_planned(invitation_id: int, now: datetime | None = None) -> str | None:
    """Mark a planned link sent, with a fresh token and expiry; return the token.

    One statement (``WHERE sent_at IS NULL``): when two runs claim the same link at once, the
    second waits for the first's transaction and then claims nothing (None).
    """
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    result = db.session.execute(
        db.update(ProjectInvitation)
        .where(
            ProjectInvitation.id == invitation_id,
            ProjectInvitation.sent_at.is_(None),
            ProjectInvitation.used_at.is_(None),
            ProjectInvitation.revoked_at.is_(None),
        )
        .values(
            token_sha256=hash_token(token),
            sent_at=now,
            expires_at=now + timedelta(days=link_days()),
        )
        .execution_options(synchronize_session=False)
    )
    return token if cast(CursorResult, result).rowcount == 1 else None


def find_invitation(token: str) -> ProjectInvitation | None:
    """Return the link's invitation whatever its state, or None for an unknown token."""
    return db.session.scalar(db.select(ProjectInvitation).filter_by(token_sha256=hash_token(token)))


def check_usable(invitation: ProjectInvitation | None, now: datetime | None = None) -> None:
    """Refuse an unknown, used, withdrawn or expired link, saying which."""
    now = now or utcnow()
    if invitation is None or invitation.sent_at is None:  # a planned link: nobody has it
        raise InvitationRefused(_("This link is not valid."))
    if invitation.used_at is not None:
        raise InvitationGone(_("This link has already been used: it works once."))
    if invitation.revoked_at is not None:
        raise InvitationGone(_("This link was withdrawn: a newer one was sent."))
    if invitation.expires_at <= now:
        raise InvitationGone(_("This link has expired."))


def use_invitation(invitation: ProjectInvitation) -> None:
    """Mark the link used, if it still can be; refuse it otherwise (one statement, no race)."""
    now = utcnow()
    result = db.session.execute(
        db.update(ProjectInvitation)
        .where(
            ProjectInvitation.id == invitation.id,
            ProjectInvitation.sent_at.is_not(None),
            ProjectInvitation.used_at.is_(None),
            ProjectInvitation.revoked_at.is_(None),
            ProjectInvitation.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult, result).rowcount != 1:
        db.session.refresh(invitation)
        check_usable(invitation, now)
        raise InvitationGone(_("This link has already been used: it works once."))
    db.session.refresh(invitation)
    record_audit_event(
        None, "project.invitation_use", invitation.project, after={"invitation": invitation.id}
    )
