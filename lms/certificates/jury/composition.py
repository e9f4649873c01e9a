"""Composing a jury (administrators): its session, its members in their seats, and opening it.

Services flush and never commit. A jury is composed while it is a draft; it opens only when its
composition keeps the path's rules (``composition_problems`` names each breach); a closed jury
is frozen (``JuryConflict``, answered 409).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from lms.accounts.invitations import invite_account
from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.certificates.decisions import checked_reason
from lms.certificates.jury.definition import jury_of_path
from lms.certificates.jury.errors import JuryConflict, JuryError
from lms.certificates.jury.models import Jury, JuryMember, JuryState, PathJury
from lms.certificates.jury.recusals import trainers_of_cohort
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.logging import security_event
from lms.core.text import text_problem
from lms.core.time import utcnow
from lms.extensions import db


def rules_or_error(cohort: Cohort) -> PathJury:
    """Return the jury rules of the cohort's path; refuse when the path declares no jury."""
    rules = jury_of_path(cohort.path_id)
    if rules is None:
        raise JuryError(_("The path of this cohort declares no jury."))
    return rules


def refuse_if_closed(jury: Jury) -> None:
    """A closed jury is frozen: refuse any change (409)."""
    if jury.state == JuryState.CLOSED:
        raise JuryConflict(
            _("This jury is closed: its deliberation is frozen. An administrator may reopen it.")
        )


def _checked_place(place: str, is_remote: bool) -> str:
    if problem := text_problem(place):
        raise JuryError(problem)
    place = (place or "").strip()
    if not is_remote and not place:
        raise JuryError(_("Give the place of the jury, or say that it sits remotely."))
    return place


def create_jury(actor: User, cohort: Cohort, *, held_on: date, place: str, is_remote: bool) -> Jury:
    """Create a draft jury for the cohort (its path must declare a jury)."""
    rules_or_error(cohort)
    jury = Jury(
        cohort=cohort, held_on=held_on, place=_checked_place(place, is_remote), is_remote=is_remote
    )
    db.session.add(jury)
    db.session.flush()
    record_audit_event(actor, "jury.create", jury, after=_plain(jury))
    return jury


def update_jury(actor: User, jury: Jury, *, held_on: date, place: str, is_remote: bool) -> Jury:
    """Change the jury's date and place (draft or open; a closed jury is frozen)."""
    refuse_if_closed(jury)
    before = _plain(jury)
    jury.held_on, jury.is_remote = held_on, is_remote
    jury.place = _checked_place(place, is_remote)
    db.session.flush()
    record_audit_event(actor, "jury.update", jury, before=before, after=_plain(jury))
    return jury


def _plain(jury: Jury) -> dict:
    return {
        "cohort_id": jury.cohort_id,
        "held_on": jury.held_on.isoformat(),
        "place": jury.place,
        "is_remote": jury.is_remote,
        "state": jury.state.value if jury.state else JuryState.DRAFT.value,
    }


def refuse_unless_draft(jury: Jury) -> None:
    refuse_if_closed(jury)
    if jury.state != JuryState.DRAFT:
        raise JuryConflict(_("This jury is open: its members can no longer change."))


def add_member(
    actor: User,
    jury: Jury,
    user: User,
    *,
    seat: str,
    organisation: str,
    is_president: bool,
    access_ends_on: date,
) -> JuryMember:
    """Seat an existing account on the draft jury (external or not as its seat says)."""
    refuse_unless_draft(jury)
    rules = rules_or_error(jury.cohort)
    declared = rules.seat(seat)
    if declared is None:
        raise JuryError(_("Choose one of the seats the path declares."))
    if problem := text_problem(organisation):
        raise JuryError(problem)
    if any(member.user_id == user.id for member in jury.members):
        raise JuryError(_("%(name)s already sits on this jury.", name=user.display_name))
    if is_president and jury.president is not None:
        raise JuryError(
            _("%(name)s already presides this jury.", name=jury.president.user.display_name)
        )
    if access_ends_on < jury.held_on:
        raise JuryError(_("The access must last at least until the jury's date."))
    member = JuryMember(
        jury=jury,
        user=user,
        seat=seat,
        is_external=bool(declared["external"]),
        organisation=(organisation or "").strip(),
        is_president=is_president,
        access_ends_on=access_ends_on,
    )
    db.session.add(member)
    db.session.flush()
    after = {"jury_id": jury.id, "user_id": user.id, "seat": seat, "is_president": is_president}
    record_audit_event(actor, "jury.member_add", member, after=after)
    security_event("jury.member_add", actor_id=actor.id, user_id=user.id, jury_id=jury.id)
    return member


def seat_person(
    actor: User, jury: Jury, *, email: str, display_name: str, locale: str, **seat
) -> tuple[JuryMember, bool]:
    """Seat the account with this e-mail, or invite a new one first; say whether invited."""
    refuse_unless_draft(jury)
    email = (email or "").strip().lower()
    user = db.session.scalar(db.select(User).where(db.func.lower(User.email) == email))
    invited = user is None
    if user is None:
        if not (display_name or "").strip():
            raise JuryError(
                _("Nobody has this e-mail address yet: give their name to invite them.")
            )
        user = invite_account(actor, email=email, display_name=display_name, locale=locale)
    return add_member(actor, jury, user, **seat), invited


def remove_member(actor: User, jury: Jury, member: JuryMember) -> None:
    """Take a member off the draft jury."""
    refuse_unless_draft(jury)
    after = {"jury_id": jury.id, "user_id": member.user_id}
    record_audit_event(actor, "jury.member_remove", member, after=after)
    jury.members.remove(member)
    db.session.flush()


def composition_problems(jury: Jury, rules: PathJury, today: date) -> list[str]:
    """Name every way the composition breaks the path's rules (empty: the jury may open)."""
    problems: list[str] = []
    members = jury.members
    if len(members) != rules.size:
        problems.append(
            ngettext(
                "The jury needs %(size)d members; it has %(num)d.",
                "The jury needs %(size)d members; it has %(num)d.",
                len(members),
                size=rules.size,
            )
        )
    for seat in rules.seats:
        filled = sum(1 for member in members if member.seat == seat["code"])
        if filled != seat["count"]:
            problems.append(
                _(
                    "The seat “%(seat)s” needs %(count)d member(s); it has %(filled)d.",
                    seat=seat["title"],
                    count=seat["count"],
                    filled=filled,
                )
            )
    if jury.president is None:
        problems.append(_("Name the jury's president."))
    external = sum(1 for member in members if member.is_external)
    if members and external * 100 < rules.min_external_share * len(members):
        problems.append(
            _(
                "At least %(share)d%% of the members must be external to the organisation;"
                " %(external)d of %(total)d are.",
                share=rules.min_external_share,
                external=external,
                total=len(members),
            )
        )
    problems.extend(_people_problems(jury, today))
    return problems


def _people_problems(jury: Jury, today: date) -> list[str]:
    """Members who may not sit as they do: staff on external seats, the cohort's trainers and
    learners, closed accounts, access ending before the jury."""
    problems = []
    users = [member.user_id for member in jury.members]
    roles = (
        db.session.execute(
            db.select(Membership.user_id, Membership.cohort_id, Membership.role).where(
                Membership.user_id.in_(users)
            )
        ).all()
        if users
        else []
    )
    trains_somewhere = {user for user, _cohort, role in roles if role == MembershipRole.TRAINER}
    learns_here = {
        user
        for user, cohort, role in roles
        if cohort == jury.cohort_id and role == MembershipRole.LEARNER
    }
    trained_here = trainers_of_cohort(jury)
    for member in jury.members:
        name = member.user.display_name
        if member.user_id in trained_here:
            problems.append(
                _("%(name)s trains this cohort: the candidates' trainers do not sit.", name=name)
            )
        elif member.is_external and (member.user.is_admin or member.user_id in trains_somewhere):
            problems.append(
                _(
                    "%(name)s works for the organisation: they cannot sit on an external seat.",
                    name=name,
                )
            )
        if member.user_id in learns_here:
            problems.append(_("%(name)s is a learner of this cohort.", name=name))
        if not member.user.is_active:
            problems.append(_("The account of %(name)s is deactivated.", name=name))
        if member.access_ends_on < max(jury.held_on, today):
            problems.append(_("The access of %(name)s ends before the jury sits.", name=name))
    return problems


def open_jury(actor: User, jury: Jury, today: date, now: datetime | None = None) -> Jury:
    """Open the draft jury for its members' votes, if its composition keeps the rules."""
    refuse_unless_draft(jury)
    problems = composition_problems(jury, rules_or_error(jury.cohort), today)
    if problems:
        raise JuryError(" ".join([_("The jury cannot open:"), *problems]))
    jury.state, jury.opened_at = JuryState.OPEN, now or utcnow()
    db.session.flush()
    record_audit_event(actor, "jury.open", jury, after=_plain(jury))
    security_event("jury.open", actor_id=actor.id, jury_id=jury.id)
    return jury


def reopen_jury(actor: User, jury: Jury, reason: str, now: datetime | None = None) -> Jury:
    """Reopen a closed jury (administrators, with a reason): its next closing supersedes the
    decisions it took."""
    if jury.state != JuryState.CLOSED:
        raise JuryConflict(_("Only a closed jury can be reopened."))
    reason = checked_reason(reason)
    if not reason:
        raise JuryError(_("Say why the jury is reopened."))
    before, actor_id = _plain(jury), actor.id  # read before the changes: no partial autoflush
    jury.reopen_reason, jury.reopened_by_id = reason, actor_id
    jury.state, jury.reopened_at = JuryState.OPEN, now or utcnow()
    db.session.flush()
    record_audit_event(
        actor, "jury.reopen", jury, before=before, after={**_plain(jury), "reason": reason}
    )
    security_event("jury.reopen", actor_id=actor.id, jury_id=jury.id)
    return jury
