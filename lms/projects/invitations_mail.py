"""The e-mail that carries a later ex post evaluation link, and sending the planned ones once.

The person invited has no account, so no language of their own: the message is written in
French, with the same text in English below it (one template rendered in each language). It
says who asks, about which project, that the link works once and until when, and that no
account is needed. The token appears only in the message, never in a log line.

``send_due_invitations`` (``lms send-project-invitations``, daily) sends each planned link whose
date has come, once: it claims the link (``claim_planned``, one ``UPDATE … WHERE sent_at IS
NULL``) in the transaction that sends the message and commits right after it; a second run, even
at the same time, claims nothing. A message the SMTP server refuses rolls the claim back: the
next run tries again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.accounts.services import record_audit_event
from lms.accounts.tokens import link_to
from lms.core.formatting import format_day
from lms.core.mail import MailError, send_mail
from lms.core.time import organisation_timezone, utcnow
from lms.extensions import db
from lms.projects.invitations import claim_planned
from lms.projects.models import EvaluationMoment, Project, ProjectEvaluation, ProjectInvitation

TEMPLATE = "projects/invitations/mail/invitation.txt"
# French first, then English: the person invited has no account, hence no language of their own.
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class SentLink:
    """A link that left: to whom, about which project (for the command's report)."""

    invitation_id: int
    project_id: int
    email: str


def one_line(text: str) -> str:
    """Return ``text`` on one line: a subject never carries a CR or LF (header injection)."""
    return " ".join(text.split())


def render_invitation(invitation: ProjectInvitation, token: str) -> tuple[str, str]:
    """Return the subject and text of the message: French, then the same in English."""
    project = invitation.project
    link = link_to("project_link.evaluate", token=token)
    subjects, bodies = [], []
    for language in LANGUAGES:
        with force_locale(language):
            subjects.append(_("Evaluation of the project “%(title)s”", title=project.title))
            bodies.append(
                render_template(
                    TEMPLATE,
                    name=invitation.name,
                    project=project,
                    learner=project.learner.display_name,
                    training=project.cohort.path.title,
                    link=link,
                    expires_on=format_day(invitation.expires_at, "long"),
                ).strip()
            )
    subject = one_line(" / ".join(dict.fromkeys(subjects)))
    return subject, "\n\n— English below —\n\n".join(bodies) + "\n"


def send_link(invitation: ProjectInvitation, token: str) -> None:
    """E-mail the link (raise MailError when refused) and audit that it left (flushes)."""
    subject, body = render_invitation(invitation, token)
    send_mail(invitation.email, subject, body)
    record_audit_event(
        None,
        "project.invitation_send",
        invitation.project,
        after={"invitation": invitation.id, "email": invitation.email},
    )
    db.session.flush()
    current_app.logger.info(
        "project_link.sent project=%s invitation=%s", invitation.project_id, invitation.id
    )


def due_invitation_ids(today: date) -> list[int]:
    """Return the planned links whose date has come, the evaluation not being recorded."""
    recorded = db.select(ProjectEvaluation.id).where(
        ProjectEvaluation.project_id == Project.id,
        ProjectEvaluation.moment == EvaluationMoment.EX_POST_LATER,
    )
    query = (
        db.select(ProjectInvitation.id)
        .join(Project, Project.id == ProjectInvitation.project_id)
        .where(
            ProjectInvitation.sent_at.is_(None),
            ProjectInvitation.used_at.is_(None),
            ProjectInvitation.revoked_at.is_(None),
            Project.later_ex_post_on <= today,
            ~recorded.exists(),
        )
        .order_by(ProjectInvitation.id)
    )
    return list(db.session.scalars(query))


def send_planned(invitation_id: int, now: datetime) -> SentLink | None:
    """Claim, send and commit one planned link; None when another run took it or mail failed."""
    token = claim_planned(invitation_id, now)
    if token is None:  # sent by another run meanwhile, or withdrawn
        db.session.rollback()
        return None
    invitation = db.session.get(ProjectInvitation, invitation_id, populate_existing=True)
    assert invitation is not None  # just claimed
    try:
        send_link(invitation, token)
    except MailError:
        db.session.rollback()
        current_app.logger.warning("project_link.failed invitation=%s", invitation_id)
        return None
    sent = SentLink(invitation.id, invitation.project_id, invitation.email)
    db.session.commit()
    return sent


def send_due_invitations(now: datetime | None = None) -> list[SentLink]:
    """Send every planned link whose date has come, each once; return those that left."""
    now = now or utcnow()
    ids = due_invitation_ids(now.astimezone(organisation_timezone()).date())
    db.session.rollback()  # end the reading transaction: each link has its own
    return [sent for sent in (send_planned(key, now) for key in ids) if sent is not None]
