"""Import a cohort's sessions from a CSV file: parse, preview (nothing written), then commit.

The file has a header row naming the columns ``module`` (the module's code, M2), ``date``
(2026-03-12 or 12/03/2026), ``start`` and ``end`` (09:00 or 9h00, in the organisation's time
zone), ``modality`` (``in_person`` or ``remote``; « présentiel » and « distanciel » are read
too), ``place`` (in person), ``link`` (remote live, https) and ``trainers`` (the e-mail
addresses of the session's trainers, separated by ``;``). Encodings and separators are those of
the learners' import (``lms.cohorts.importing``): UTF-8 or Windows Latin-1, comma or semicolon.

``preview_sessions`` says what would happen to every row, each bad row with its line and its
problem (the checks of ``lms.attendance.sessions.services.plan_problems``, and no overlap with
the cohort's sessions nor with an earlier row of the file). ``commit_sessions`` checks the file
again against the database as it is then, creates the valid rows' sessions and records one
audit event for the import; the rows with an error are left out.

Between the preview and the commit the file is kept under a random key, for the person who
uploaded it and in a folder of the cohort (``upload_folder``): the commit applies the file that
was previewed, to the cohort it was previewed for. Lookups are a few queries per file, never
one per row.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from lms.accounts.models import User, normalise_email
from lms.accounts.services import record_audit_event
from lms.attendance.models import Modality, TrainingSession
from lms.attendance.sessions.services import (
    SessionError,
    SessionPlan,
    local_instant,
    new_session,
    overlap_message,
    parse_clock,
    plan_problems,
)
from lms.cohorts.importing import decode_csv
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.text import refused_summary
from lms.curriculum.models import Module
from lms.extensions import db

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 1_000
COLUMNS = ("module", "date", "start", "end", "modality", "place", "link", "trainers")
REQUIRED_COLUMNS = ("module", "date", "start", "end", "modality", "trainers")
MODALITIES = {
    "in_person": Modality.IN_PERSON,
    "in-person": Modality.IN_PERSON,
    "présentiel": Modality.IN_PERSON,
    "presentiel": Modality.IN_PERSON,
    "remote": Modality.REMOTE,
    "distanciel": Modality.REMOTE,
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


class ImportFileError(SessionError):
    """The file cannot be imported at all (size, encoding, header, row count, lost upload)."""


class RowStatus(StrEnum):
    CREATE = "create"
    ERROR = "error"


@dataclass
class SessionRow:
    """One line of the file, as typed, and what happens to it."""

    line: int
    module: str
    day: str
    start: str
    end: str
    modality: str
    place: str
    link: str
    trainers: str
    status: RowStatus = RowStatus.CREATE
    reason: str = ""
    plan: SessionPlan | None = None

    def refuse(self, reason: str) -> None:
        """Mark the row as an error, keeping the first reason found."""
        if self.status != RowStatus.ERROR:
            self.status, self.reason = RowStatus.ERROR, reason


@dataclass
class SessionImportReport:
    """Every row with its status; the sessions created by a commit."""

    rows: list[SessionRow] = field(default_factory=list)
    created: list[TrainingSession] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.status for row in self.rows)
        return {status.value: found[status] for status in RowStatus}

    @property
    def errors(self) -> list[SessionRow]:
        return [row for row in self.rows if row.status == RowStatus.ERROR]

    @property
    def valid(self) -> list[SessionRow]:
        return [row for row in self.rows if row.status == RowStatus.CREATE]


def upload_folder(cohort: Cohort) -> Path:
    """Return the folder keeping a cohort's session files between preview and commit."""
    return Path(current_app.instance_path) / "imports" / "sessions" / str(cohort.id)


# Reading the file ---------------------------------------------------------------------------


def read_rows(data: bytes) -> list[SessionRow]:
    """Parse the file into rows, refusing an oversize, header-less or too long file."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("The file is larger than 1 MB."))
    text = decode_csv(data).lstrip()
    if not text.strip():
        raise ImportFileError(_("The file is empty: it needs a header row and sessions."))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            message = _(
                "The header row lacks the columns: %(columns)s.", columns=", ".join(missing)
            )
            raise ImportFileError(message)
        rows: list[SessionRow] = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) == MAX_IMPORT_ROWS:
                message = _("The file has more than %(count)d rows.", count=MAX_IMPORT_ROWS)
                raise ImportFileError(message)
            rows.append(_row(header, values, reader.line_num))
    except csv.Error as error:
        message = _("The file is not a readable CSV file (line %(line)d).", line=reader.line_num)
        raise ImportFileError(message) from error
    return rows


def _row(header: Sequence[str], values: Sequence[str], line: int) -> SessionRow:
    cells = {name: value.strip() for name, value in zip(header, values, strict=False)}
    module, day, start, end, modality, place, link, trainers = (
        cells.get(name, "") for name in COLUMNS
    )
    row = SessionRow(line, module, day, start, end, modality, place, link, trainers)
    if len(values) > len(header):
        row.refuse(_("more values than columns"))
    typed = "".join(cells.get(name, "") for name in COLUMNS)
    if named := refused_summary(typed):
        row.refuse(_("invisible or control characters: %(characters)s", characters=named))
    return row


def parse_day(text: str) -> date | None:
    """Read a day written 2026-03-12 or 12/03/2026 (None when it is not one)."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


# Checking the rows --------------------------------------------------------------------------


def preview_sessions(cohort: Cohort, data: bytes) -> SessionImportReport:
    """Say what importing the file into the cohort would do to every row, writing nothing."""
    rows = read_rows(data)
    modules = {
        module.code.upper(): module
        for module in db.session.scalars(db.select(Module).filter_by(path_id=cohort.path_id))
    }
    trainers = _trainers_by_email(cohort)
    trainer_ids = {user.id for user in trainers.values()}
    taken = list(
        db.session.scalars(
            db.select(TrainingSession)
            .where(TrainingSession.cohort_id == cohort.id)
            .options(selectinload(TrainingSession.module))
        )
    )
    accepted: list[tuple[SessionRow, SessionPlan]] = []
    for row in rows:
        if row.status == RowStatus.ERROR:
            continue
        plan = _plan(row, modules, trainers)
        if plan is None:
            continue
        problems = plan_problems(cohort, plan, trainer_ids=trainer_ids, check_overlap=False)
        if problems:
            row.refuse(problems[0].message)
            continue
        if clash := _clash(plan, taken, accepted):
            row.refuse(clash)
            continue
        row.plan = plan
        accepted.append((row, plan))
    return SessionImportReport(rows)


def _trainers_by_email(cohort: Cohort) -> dict[str, User]:
    """Return the cohort's trainers by (normalised) e-mail address (one query)."""
    query = (
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.TRAINER)
    )
    return {user.email: user for user in db.session.scalars(query)}


def _plan(row: SessionRow, modules: dict[str, Module], trainers: dict[str, User]):
    """Build the row's plan, or refuse the row naming its first unreadable value."""
    module = modules.get(row.module.upper())
    if not row.module:
        return row.refuse(_("missing module code"))
    if module is None:
        return row.refuse(_("unknown module “%(code)s” in the cohort's path", code=row.module))
    day = parse_day(row.day)
    if day is None:
        return row.refuse(_("bad date “%(value)s” (2026-03-12 or 12/03/2026)", value=row.day))
    moments: list[datetime] = []
    for text in (row.start, row.end):
        clock = parse_clock(text)
        if clock is None:
            return row.refuse(_("bad time “%(value)s” (such as 09:00)", value=text))
        moment, problem = local_instant(day, clock)
        if moment is None:
            return row.refuse(problem or "")
        moments.append(moment)
    modality = MODALITIES.get(row.modality.lower())
    if modality is None:
        return row.refuse(
            _("unknown modality “%(value)s” (in_person or remote)", value=row.modality)
        )
    emails = [normalise_email(part) for part in row.trainers.split(";") if part.strip()]
    strangers = [email for email in emails if email not in trainers]
    if strangers:
        return row.refuse(
            _("not a trainer of this cohort: %(emails)s", emails=", ".join(strangers))
        )
    return SessionPlan(
        module=module,
        starts_at=moments[0],
        ends_at=moments[1],
        modality=modality,
        place=row.place,
        link=row.link,
        trainers=list({trainers[email].id: trainers[email] for email in emails}.values()),
    )


def _clash(
    plan: SessionPlan,
    taken: Sequence[TrainingSession],
    accepted: Sequence[tuple[SessionRow, SessionPlan]],
) -> str | None:
    """Say which existing session or earlier row the plan overlaps (None when none)."""
    for session in taken:
        if session.starts_at < plan.ends_at and session.ends_at > plan.starts_at:
            return overlap_message(session)
    for row, other in accepted:
        if other.starts_at < plan.ends_at and other.ends_at > plan.starts_at:
            return _("overlaps the session of line %(line)d", line=row.line)
    return None


# Committing ---------------------------------------------------------------------------------


def commit_sessions(cohort: Cohort, data: bytes, actor: User) -> SessionImportReport:
    """Check the file again, create the valid rows' sessions; one audit event for the import."""
    report = preview_sessions(cohort, data)
    for row in report.valid:
        assert row.plan is not None  # set for every valid row
        report.created.append(new_session(cohort, row.plan))
    if report.created:
        db.session.flush()
        record_audit_event(
            actor,
            "session.import",
            cohort,
            after={
                "created": len(report.created),
                "sessions": [session.id for session in report.created],
                "errors": report.counts["error"],
            },
        )
    return report
