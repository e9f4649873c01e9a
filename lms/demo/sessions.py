"""The demo cohorts' sessions: half-days in person and remote live, past, to come, under way.

Each in-person or blended module of the path (M2 to M8 in the shipped path) gets the hours its
sessions are to cover: the module's hours minus its remote work (``[modules.attendance]
remote_hours``), in half-days of 3 h 30, 9:00–12:30 and 13:30–17:00 in the organisation's time
zone, on weekdays from the day the module opens for the cohort, one module after another so
that no two sessions overlap. Modules already open have their sessions in the past, the others
ahead. In person they meet at a few places of their territory (Lille for the cohort under way,
Grenoble for the finished ones); a blended module's afternoons are remote live. One session of
the module under way runs when the demo is created (it started 30 minutes earlier), so that a
reader can try signing its sheet.

The sessions are planned through the sessions service (checked and audited as a trainer's
would be), without e-mail; the one under way, whose times follow the clock, is added as is. A
cohort that has sessions already keeps them: running the demo again adds none.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import cycle

from lms.accounts.models import User
from lms.attendance.models import Modality, ModuleAttendance, TrainingSession
from lms.attendance.sessions.services import SessionPlan, create_session, new_session
from lms.cohorts.models import Cohort
from lms.core.time import organisation_timezone
from lms.curriculum.models import Module, ModuleMode
from lms.extensions import db

HALF_DAYS = ((time(9, 0), time(12, 30)), (time(13, 30), time(17, 0)))
HALF_DAY_MINUTES = 210
PLACES = (
    "Tiers-lieu La Coursive, 8 rue de Paris, Lille",
    "Maison de l'économie sociale et solidaire, 235 boulevard Paul-Painlevé, Lille",
    "Salle des fêtes de Fives, 2 place Degeyter, Lille",
)
# The finished cohorts trained in Grenoble (lms.demo.territories): they met there.
GRENOBLE_PLACES = (
    "Maison des associations, Grenoble",
    "Salle polyvalente du Village Olympique, Grenoble",
    "Maison de l'économie sociale et solidaire, Échirolles",
)
LINK = "https://visio.example.org/bien-vivre-{code}-{number}"
RUNNING_LENGTH = timedelta(hours=3, minutes=30)


def ensure_sessions(
    cohort: Cohort, trainers: list[User], now: datetime, *, running: bool = True
) -> list[TrainingSession]:
    """Plan the cohort's sessions unless it has some already; return those created.

    ``running=False`` (a finished cohort): no session under way, every one of them held.
    """
    if db.session.scalar(db.select(TrainingSession.id).filter_by(cohort_id=cohort.id).limit(1)):
        return []
    modules = [
        module
        for module in sorted(cohort.path.modules, key=lambda module: module.position)
        if module.mode in (ModuleMode.IN_PERSON, ModuleMode.BLENDED)
    ]
    query = db.select(ModuleAttendance.module_id, ModuleAttendance.remote_hours).where(
        ModuleAttendance.module_id.in_([module.id for module in modules])
    )
    remote = {row.module_id: row.remote_hours for row in db.session.execute(query)}
    opening = {row.module_id: row.opens_at for row in cohort.calendar}
    zone = organisation_timezone()
    today = now.astimezone(zone).date()
    current = _module_under_way(modules, opening, now) if running else None
    admin_or_trainer = trainers[0]
    places = cycle(GRENOBLE_PLACES if cohort.territory.code == "grenoble" else PLACES)
    created = []
    cursor = cohort.starts_on
    for module in modules:
        half_days = (module.hours - remote.get(module.id, 0)) * 60 // HALF_DAY_MINUTES
        if module is current:
            half_days -= 1  # the session under way is one of them
        opens = opening.get(module.id)
        first = max(cursor, opens.astimezone(zone).date() if opens else cursor)
        place = next(places)
        for number, (day, (start, end)) in enumerate(_slots(first, today, half_days), start=1):
            afternoon = start.hour >= 12
            remote_live = module.mode == ModuleMode.BLENDED and afternoon
            plan = SessionPlan(
                module=module,
                starts_at=_instant(day, start),
                ends_at=_instant(day, end),
                modality=Modality.REMOTE if remote_live else Modality.IN_PERSON,
                place=None if remote_live else place,
                link=LINK.format(code=module.code.lower(), number=number) if remote_live else None,
                trainers=[trainers[1 if afternoon and len(trainers) > 1 else 0]],
            )
            created.append(create_session(admin_or_trainer, cohort, plan))
            cursor = day + timedelta(days=1)
    if current is not None:
        created.append(_running_session(cohort, current, trainers, now))
    db.session.flush()
    return created


def _module_under_way(
    modules: list[Module], opening: dict[int, datetime], now: datetime
) -> Module | None:
    """Return the module that opened last before ``now`` (its session runs now)."""
    opened = [module for module in modules if (opens := opening.get(module.id)) and opens <= now]
    return max(opened, key=lambda module: opening[module.id], default=None)


def _slots(first: date, today: date, count: int):
    """Yield ``count`` (day, half-day) slots on weekdays from ``first``, never today."""
    day = first
    while count > 0:
        if day.weekday() < 5 and day != today:
            for half_day in HALF_DAYS[: min(count, 2)]:
                yield day, half_day
                count -= 1
        day += timedelta(days=1)


def _instant(day: date, clock: time) -> datetime:
    """Return the UTC instant of a day and clock time in the organisation's time zone."""
    return datetime.combine(day, clock, tzinfo=organisation_timezone()).astimezone(UTC)


def _running_session(
    cohort: Cohort, module: Module, trainers: list[User], now: datetime
) -> TrainingSession:
    """Add the session under way: it started 30 minutes ago and lasts a half-day."""
    starts_at = (now - timedelta(minutes=30)).replace(second=0, microsecond=0)
    plan = SessionPlan(
        module=module,
        starts_at=starts_at,
        ends_at=starts_at + RUNNING_LENGTH,
        modality=Modality.IN_PERSON,
        place=PLACES[0],
        trainers=list(trainers),
    )
    return new_session(cohort, plan)
