"""A session's plan and its checks: what a session is to be, and everything wrong with it.

A session is planned as a **plan** (``SessionPlan``): a module of the cohort's path, a start and
an end (aware UTC instants, typed as a day and two clock times in the organisation's time zone:
``local_instant`` refuses a time the clocks skip or repeat), a modality with its place (in
person) or its https link (remote live), and one trainer or more among the cohort's trainers.

``plan_problems`` lists everything wrong with a plan, each beside its field:

- the end comes after the start, on the same day, 12 hours at most later (longer days are split
  into half-days: each half-day is signed on its own sheet);
- the session falls within the cohort's dates;
- the module belongs to the cohort's path; the trainers train the cohort;
- an in-person session has a place, a remote one an ``https://`` link; neither holds invisible
  or control characters (``lms.core.text``);
- **no two sessions of the same cohort overlap**: the cohort's learners attend every session of
  their cohort, and nobody signs two sheets for the same hour. One session may start when the
  previous one ends. Sessions of different cohorts may overlap, even with the same trainer (a
  trainer may lead two cohorts together in one room).

``SessionFacts`` is what a session was at one moment (audit events, e-mails after a deletion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from babel.dates import format_time
from flask_babel import get_locale, to_user_timezone
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.attendance.models import Modality, TrainingSession
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.dates import local_time_problem
from lms.core.formatting import format_moment
from lms.core.text import text_problem
from lms.core.time import organisation_timezone
from lms.curriculum.models import Module
from lms.extensions import db

LONGEST_SESSION = timedelta(hours=12)
PLACE_LENGTH = 200
LINK_LENGTH = 500
CLOCK = re.compile(r"^([01]?\d|2[0-3])\s*[:hH]\s*([0-5]\d)$")


@dataclass(frozen=True)
class Problem:
    """Something wrong with a plan, and the field it belongs beside (None: the whole plan)."""

    field: str | None
    message: str


@dataclass
class SessionPlan:
    """What a session is to be: its module, times (UTC), modality, place or link, trainers."""

    module: Module
    starts_at: datetime
    ends_at: datetime
    modality: Modality
    place: str | None = None
    link: str | None = None
    trainers: list[User] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Keep only the modality's own address: a place in person, a link remote."""
        self.place = (self.place or "").strip() or None
        self.link = (self.link or "").strip() or None
        if self.modality == Modality.IN_PERSON:
            self.link = None
        else:
            self.place = None


@dataclass(frozen=True)
class SessionFacts:
    """What a session was at one moment: for audit events and for e-mails after a deletion."""

    id: int
    cohort_id: int
    module_code: str
    module_title: str
    starts_at: datetime
    ends_at: datetime
    modality: Modality
    place: str | None
    link: str | None
    trainer_ids: tuple[int, ...]
    trainer_names: tuple[str, ...]

    def audit(self) -> dict:
        """Return the facts as the audit log keeps them."""
        return {
            "module": self.module_code,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "modality": str(self.modality),
            "place": self.place,
            "link": self.link,
            "trainers": list(self.trainer_ids),
        }

    def moved_from(self, before: SessionFacts) -> bool:
        """Tell whether the session moved: another time, modality, place or link."""
        keys = ("starts_at", "ends_at", "modality", "place", "link")
        return any(getattr(self, key) != getattr(before, key) for key in keys)


def facts(session: TrainingSession) -> SessionFacts:
    """Return what the session is now."""
    return SessionFacts(
        id=session.id,
        cohort_id=session.cohort_id,
        module_code=session.module.code,
        module_title=session.module.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        modality=Modality(session.modality),
        place=session.place,
        link=session.link,
        trainer_ids=tuple(user.id for user in session.trainers),
        trainer_names=tuple(user.display_name for user in session.trainers),
    )


# Typing times -------------------------------------------------------------------------------


def parse_clock(text: str | None) -> time | None:
    """Read a clock time typed as ``9:00``, ``09:00`` or ``9h00`` (None when it is not one)."""
    match = CLOCK.match((text or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def local_instant(day: date, clock: time) -> tuple[datetime | None, str | None]:
    """Return the UTC instant of a day and clock time in the organisation's time zone.

    Returns ``(None, problem)`` when the clocks skip or repeat that time (lms.core.dates).
    """
    local = datetime.combine(day, clock, tzinfo=organisation_timezone())
    if problem := local_time_problem(local):
        return None, problem
    return local.astimezone(UTC), None


def local_day(moment: datetime) -> date:
    """Return the day of an instant in the organisation's time zone."""
    return moment.astimezone(organisation_timezone()).date()


# Checking a plan ----------------------------------------------------------------------------


def cohort_trainer_ids(cohort: Cohort) -> set[int]:
    """Return the ids of the cohort's trainers (one query)."""
    query = db.select(Membership.user_id).filter_by(
        cohort_id=cohort.id, role=MembershipRole.TRAINER
    )
    return set(db.session.scalars(query))


def cohort_trainers(cohort: Cohort) -> list[User]:
    """Return the cohort's trainers by name (one query)."""
    return list(
        db.session.scalars(
            db.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.TRAINER)
            .order_by(User.display_name, User.id)
        )
    )


def describe(session: TrainingSession | SessionFacts) -> str:
    """Name a session for a message: its module and when (« M2, 12 mars 2026, 09:00–12:30 »)."""
    code = session.module_code if isinstance(session, SessionFacts) else session.module.code
    start, end = format_moment(session.starts_at), clock_text(session.ends_at)
    return _("%(module)s, %(start)s–%(end)s", module=code, start=start, end=end)


def clock_text(moment: datetime) -> str:
    """Return the clock time of an instant in the reader's language and time zone (« 09:00 »)."""
    return format_time(to_user_timezone(moment), format="short", locale=get_locale())


def overlapping(
    cohort: Cohort, starts_at: datetime, ends_at: datetime, *, exclude_id: int | None = None
) -> TrainingSession | None:
    """Return a session of the cohort that overlaps the time span, if any (one query)."""
    query = (
        db.select(TrainingSession)
        .options(selectinload(TrainingSession.module))
        .where(
            TrainingSession.cohort_id == cohort.id,
            TrainingSession.starts_at < ends_at,
            TrainingSession.ends_at > starts_at,
        )
        .order_by(TrainingSession.starts_at)
        .limit(1)
    )
    if exclude_id is not None:
        query = query.where(TrainingSession.id != exclude_id)
    return db.session.scalar(query)


def plan_problems(
    cohort: Cohort,
    plan: SessionPlan,
    *,
    trainer_ids: set[int] | None = None,
    session: TrainingSession | None = None,
    check_overlap: bool = True,
) -> list[Problem]:
    """Return what is wrong with the plan for the cohort, each problem beside its field.

    ``trainer_ids`` (the cohort's trainers) is read when not given; ``session`` is the session
    being changed (it does not overlap itself). The overlap query is skipped when the times are
    wrong already, or when ``check_overlap`` is off (the import checks its rows in memory).
    """
    problems = _time_problems(cohort, plan)
    if plan.module.path_id != cohort.path_id:
        problems.append(Problem("module", _("Choose a module of the cohort's path.")))
    problems += _address_problems(plan)
    problems += _trainer_problems(cohort, plan, trainer_ids)
    if check_overlap and not any(p.field in ("starts", "ends") for p in problems):
        other = overlapping(
            cohort, plan.starts_at, plan.ends_at, exclude_id=session.id if session else None
        )
        if other is not None:
            problems.append(Problem("starts", overlap_message(other)))
    return problems


def overlap_message(other: TrainingSession | SessionFacts) -> str:
    """Say which session of the cohort a plan overlaps."""
    return _(
        "Another session of the cohort takes place at that time (%(session)s): two sessions "
        "of a cohort cannot overlap.",
        session=describe(other),
    )


def _time_problems(cohort: Cohort, plan: SessionPlan) -> list[Problem]:
    """Check that the session ends after it starts, the same day, within the cohort's dates."""
    if plan.ends_at <= plan.starts_at:
        return [Problem("ends", _("The session must end after it starts."))]
    if plan.ends_at - plan.starts_at > LONGEST_SESSION:
        message = _("A session lasts 12 hours at most: split a longer day into half-days.")
        return [Problem("ends", message)]
    if local_day(plan.starts_at) != local_day(plan.ends_at - timedelta(microseconds=1)):
        return [Problem("ends", _("The session must end on the day it starts."))]
    if not cohort.starts_on <= local_day(plan.starts_at) <= cohort.ends_on:
        message = _(
            "The session must take place within the cohort's dates, from %(start)s to %(end)s.",
            start=cohort.starts_on.isoformat(),
            end=cohort.ends_on.isoformat(),
        )
        return [Problem("day", message)]
    return []


def _address_problems(plan: SessionPlan) -> list[Problem]:
    """Check the place of an in-person session, or the link of a remote one."""
    if plan.modality == Modality.IN_PERSON:
        if not plan.place:
            return [Problem("place", _("Give the place of an in-person session."))]
        if len(plan.place) > PLACE_LENGTH:
            message = _("The place is too long (%(count)d characters at most).", count=PLACE_LENGTH)
            return [Problem("place", message)]
        if problem := text_problem(plan.place):
            return [Problem("place", problem)]
        return []
    if not plan.link:
        return [Problem("link", _("Give the link of a remote session."))]
    if len(plan.link) > LINK_LENGTH:
        message = _("The link is too long (%(count)d characters at most).", count=LINK_LENGTH)
        return [Problem("link", message)]
    if problem := text_problem(plan.link):
        return [Problem("link", problem)]
    if not is_https_link(plan.link):
        message = _("The link must be a web address starting with https://.")
        return [Problem("link", message)]
    return []


def is_https_link(link: str) -> bool:
    """Tell whether ``link`` is an https address with a host and no space."""
    if any(char.isspace() for char in link):
        return False
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme == "https" and bool(host) and "@" not in parts.netloc


def _trainer_problems(
    cohort: Cohort, plan: SessionPlan, trainer_ids: set[int] | None
) -> list[Problem]:
    """Check that the session has trainers, all of the cohort."""
    if not plan.trainers:
        return [Problem("trainers", _("Choose at least one trainer of the cohort."))]
    known = cohort_trainer_ids(cohort) if trainer_ids is None else trainer_ids
    strangers = [user.display_name for user in plan.trainers if user.id not in known]
    if strangers:
        message = _("Not a trainer of this cohort: %(names)s.", names=", ".join(sorted(strangers)))
        return [Problem("trainers", message)]
    return []
