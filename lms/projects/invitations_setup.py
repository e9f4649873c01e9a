"""Setting up a project's later ex post evaluation: its date and the person invited to make it.

The date (``Project.later_ex_post_on``) comes after the ex post evaluation (the defence): by
default that day plus the grid's ``later_ex_post_months``. The person invited is the project's
holder or a partner (a name and an e-mail address, no account). Either the link leaves now
(``send_now``: a link that works ``PROJECT_LINK_DAYS`` days, e-mailed by the caller after the
flush), or it is planned and ``lms send-project-invitations`` sends it on the date.

Saving again with the same person keeps a link already sent (only the date changes); another
person, or « send now », withdraws the earlier link and makes a new one. Once the later ex
post evaluation is recorded, nothing changes any more. Services flush and never commit.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.core.db import lock_row_for_update
from lms.core.time import utcnow
from lms.extensions import db
from lms.projects.evaluations import ProjectError
from lms.projects.grid import Grid
from lms.projects.invitations import (
    create_invitation,
    current_invitation,
    link_days,
)
from lms.projects.models import (
    EvaluationMoment,
    Project,
    ProjectEvaluation,
    ProjectInvitation,
)


@dataclass(frozen=True)
class LaterEvaluationStatus:
    """Where a project's later ex post evaluation stands, for its page and the set-up page."""

    ex_post_on: date | None  # the day of the ex post evaluation (None: not recorded yet)
    later_on: date | None  # the date set for the later one
    invitation: ProjectInvitation | None  # the newest link, whatever its state
    evaluation: ProjectEvaluation | None  # the later ex post evaluation, once recorded

    @property
    def can_set_up(self) -> bool:
        """Say whether the date and person may be set: after the ex post, before the later."""
        return self.ex_post_on is not None and self.evaluation is None

    @property
    def link_state(self) -> str | None:
        """Name the newest link's state: planned, sent, used, withdrawn or expired (or None)."""
        link = self.invitation
        if link is None:
            return None
        if link.used_at is not None:
            return "used"
        if link.revoked_at is not None:
            return "withdrawn"
        if link.sent_at is None:
            return "planned"
        return "expired" if link.expires_at <= utcnow() else "sent"


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def evaluation_at(project: Project, moment: EvaluationMoment) -> ProjectEvaluation | None:
    """Return the project's evaluation at ``moment``, or None (one query)."""
    return db.session.scalar(
        db.select(ProjectEvaluation).filter_by(project_id=project.id, moment=moment)
    )


def later_status(project: Project) -> LaterEvaluationStatus:
    """Return where the project's later ex post evaluation stands (three queries)."""
    ex_post = evaluation_at(project, EvaluationMoment.EX_POST)
    return LaterEvaluationStatus(
        ex_post_on=ex_post.evaluated_on if ex_post is not None else None,
        later_on=project.later_ex_post_on,
        invitation=current_invitation(project),
        evaluation=evaluation_at(project, EvaluationMoment.EX_POST_LATER),
    )


def default_later_date(status: LaterEvaluationStatus, grid: Grid) -> date | None:
    """Return the date set, else the ex post date plus the grid's months (None before it)."""
    if status.later_on is not None:
        return status.later_on
    if status.ex_post_on is None:
        return None
    return add_months(status.ex_post_on, grid.later_ex_post_months)


def set_up_later_evaluation(
    actor: User,
    project: Project,
    *,
    later_on: date,
    name: str,
    email: str,
    send_now: bool,
) -> tuple[ProjectInvitation, str | None]:
    """Set the date and the person; return the link and, when it leaves now, its token.

    Two people setting it up at once are served one after the other (the project's row is
    locked, then read again): the second sees the first's link and replaces it when the person
    differs, so one link stays live.
    """
    lock_row_for_update(db.session(), Project, project.id)
    db.session.refresh(project)
    status = later_status(project)
    if status.evaluation is not None:
        raise ProjectError(_("The later ex post evaluation is already recorded."))
    if status.ex_post_on is None:
        raise ProjectError(
            _("The later ex post evaluation is set up once the ex post evaluation is recorded.")
        )
    if later_on <= status.ex_post_on:
        raise ProjectError(
            _(
                "The later ex post evaluation comes after the ex post evaluation (%(day)s).",
                day=status.ex_post_on.isoformat(),
            ),
            field="later_on",
        )
    name, email = name.strip(), email.strip()
    before = project.later_ex_post_on
    project.later_ex_post_on = later_on
    if before != later_on:
        record_audit_event(
            actor,
            "project.later_date",
            project,
            before={"later_ex_post_on": before.isoformat() if before else None},
            after={"later_ex_post_on": later_on.isoformat()},
        )
    link = status.invitation
    if not send_now and _still_current(link, name, email):
        db.session.flush()
        assert link is not None  # _still_current says so
        return link, None
    now = utcnow()
    if send_now:
        expires_at = now + timedelta(days=link_days())
    else:  # replaced with the real expiry when the command sends it
        day_after = datetime.combine(later_on + timedelta(days=1), time(), tzinfo=UTC)
        expires_at = max(day_after, now) + timedelta(days=link_days())
    invitation, token = create_invitation(
        actor, project, email=email, name=name, expires_at=expires_at, sent=send_now
    )
    return invitation, token if send_now else None  # a planned link gets its token when sent


def _still_current(link: ProjectInvitation | None, name: str, email: str) -> bool:
    """Say whether the newest link is live (planned or sent) for this same person."""
    return (
        link is not None
        and link.used_at is None
        and link.revoked_at is None
        and (link.sent_at is None or link.expires_at > utcnow())
        and link.email.lower() == email.lower()
        and link.name == name
    )
