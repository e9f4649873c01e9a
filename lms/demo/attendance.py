"""The demo's attendance sheets: the sessions already held are signed and closed, as in real life.

In each session held (ended before the demo is made), most learners sign with the code the
trainer shows a few minutes after the start, a few arrive late, a trainer marks one excused
absence, and whoever did not sign is recorded absent when the trainer closes the sheet, which
stores its PDF. The session under way stays open: a reader signs it with the code its trainer's
page shows (README).

In the cohort under way, Adam Laurent missed six half-days (three of M2, two of M4, one of M3):
13 of the 19 half-days held, 68 % of their hours, under the path's 80 %, so the eligibility page
names the shortfall; M3 and M5, whose minimum is 80 % too, he attended at 83 % and 100 %. In the
finished cohorts every graduate attended at least 80 %. A sheet already closed is left as it is,
so running the demo again changes nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from lms.accounts.models import User
from lms.attendance.models import AttendanceSheet, AttendanceStatus, SheetState, TrainingSession
from lms.attendance.sheets import codes
from lms.attendance.sheets.closing import close_sheet
from lms.attendance.sheets.services import Mark, mark_learner, sheet_of, sign
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.transactions import unit_of_work
from lms.extensions import db

# Learner (the slug of their demo e-mail) -> module code -> half-days missed, earliest first.
ABSENCES = {
    "adam": {"M2": 3, "M4": 2, "M3": 1},
    "hugo": {"M4": 1},
    "rayan": {"M3": 1},
    # Last year's Lille cohort (lms.demo.quality_indicators).
    "farid": {"M3": 2, "M4": 1},
    "gaelle": {"M2": 2, "M4": 2},
    "hamza": {"M3": 4, "M4": 4, "M5": 4},
    "irene": {"M4": 4, "M5": 4},
}
# Learner -> the held half-days (0 the first) when they come 25 minutes late.
LATE = {"tom": (1, 7), "lea": (4,), "lina": (2,), "dylan": (3,), "emma": (1, 6)}
# Learner -> the held half-day of an excused absence, and its reason.
EXCUSED = {
    "chloe": (2, "Rendez-vous médical, justificatif remis au formateur."),
    "celia": (5, "Enfant malade, justificatif remis à la formatrice."),
}
SIGNS_AFTER = timedelta(minutes=4)  # learners sign once seated
LATE_BY = timedelta(minutes=25)
CLOSES_AFTER_END = timedelta(minutes=10)


def ensure_sheets(cohort: Cohort, now: datetime) -> int:
    """Sign and close the sheets of the cohort's sessions held before ``now``; return how many.

    Each sheet is signed and closed in its own transaction, through the same services as the
    pages (one PDF per closing).
    """
    held = list(
        db.session.scalars(
            db.select(TrainingSession)
            .outerjoin(AttendanceSheet)
            .where(TrainingSession.cohort_id == cohort.id, TrainingSession.ends_at <= now)
            .order_by(TrainingSession.starts_at)
        )
    )
    learners = _learners(cohort)
    missed: Counter[tuple[str, str]] = Counter()
    closed = 0
    for index, session in enumerate(held):
        code = session.module.code
        to_miss = [
            slug for slug in learners if missed[slug, code] < ABSENCES.get(slug, {}).get(code, 0)
        ]
        missed.update((slug, code) for slug in to_miss)
        if session.sheet is not None and session.sheet.state is SheetState.CLOSED:
            continue
        with unit_of_work():
            _keep_sheet(session, index, learners, set(to_miss))
        closed += 1
    return closed


def _learners(cohort: Cohort) -> dict[str, User]:
    """Return the cohort's learners by the slug of their e-mail, by name."""
    users = db.session.scalars(
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER)
        .order_by(User.display_name)
    )
    return {user.email.split("@")[0]: user for user in users}


def _keep_sheet(
    session: TrainingSession, index: int, learners: dict[str, User], absent: set[str]
) -> None:
    """Sign the learners present, mark the excused one, then close the sheet (flush only)."""
    sheet = sheet_of(session)
    trainer = session.trainers[0]
    for number, (slug, learner) in enumerate(learners.items()):
        if slug in absent:
            continue  # recorded absent at closing
        excused = EXCUSED.get(slug)
        if excused is not None and excused[0] == index:
            reason = excused[1]
            mark = Mark(AttendanceStatus.EXCUSED, reason=reason)
            mark_learner(sheet, learner, mark, trainer, now=session.starts_at)
            continue
        late = index in LATE.get(slug, ())
        when = session.starts_at + (
            LATE_BY if late else SIGNS_AFTER + timedelta(seconds=7 * number)
        )
        sign(sheet, learner, codes.current_code(sheet.id, when), now=when)
    close_sheet(sheet, trainer, now=session.ends_at + CLOSES_AFTER_END)
