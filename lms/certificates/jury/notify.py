"""E-mails of the jury, in each recipient's language, sent after the commit.

Members hear that the jury opened (its date, place and their page); the president hears when
every vote is in. A refused message is logged and undoes nothing: the pages show the same.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lms.accounts.tokens import link_to
from lms.certificates.jury.models import Jury, JuryMember
from lms.certificates.notify import one_line
from lms.core.mail import MailError, send_mail

SUBJECTS = {
    "opened": _l("You sit on the certification jury of “%(cohort)s”"),
    "all_votes_in": _l("Every vote is in: the jury of “%(cohort)s” can close"),
}


def _send(member: JuryMember, template: str) -> bool:
    """Render and send one message to a member in their language."""
    user, jury = member.user, member.jury
    with force_locale(user.locale):
        body = render_template(
            f"certificates/jury/mail/{template}.txt",
            user=user,
            jury=jury,
            member=member,
            link=link_to("jury.jury_page", jury_id=jury.id),
        )
        subject = str(SUBJECTS[template]) % {"cohort": one_line(jury.cohort.name)}
    try:
        send_mail(user.email, subject, body)
    except MailError:
        current_app.logger.warning("jury mail %r to user %s not sent", template, user.id)
        return False
    return True


def notify_opened(jury: Jury) -> int:
    """Tell every member that the jury opened; return how many messages went."""
    return sum(_send(member, "opened") for member in jury.members)


def notify_all_votes_in(jury: Jury) -> bool:
    """Tell the president that every vote is in."""
    president = jury.president
    return _send(president, "all_votes_in") if president else False
