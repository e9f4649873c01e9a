"""Import learners from a CSV file: parse, preview (nothing written), then commit idempotently.

The file has a header row naming the columns ``email``, ``display_name``, ``cohort`` (the
cohort's name) and optionally ``locale`` (``fr`` or ``en``) and ``funder`` (who funds the
training: ``cpf``, ``opco``, ``employer``, ``france_travail``, ``self`` or ``other``, or their
label in French or English; empty when not known; recorded on new memberships only). It may be
UTF-8 (with or without a byte-order mark) or Windows Latin-1 (cp1252, what French Excel
writes), comma or semicolon separated. ``preview_import`` says what would happen to every row;
``commit_import`` applies the valid rows: it creates the missing accounts (without password:
they receive an invitation) and the memberships, and skips what is already there, so that
running it twice creates nothing new. Rows name only the cohorts the importing person
administers (``lms.cohorts.access.administered_cohort_ids``): a local administrator's row naming
another territory's cohort is refused as an unknown cohort, so territories do not learn of each
other.

Between the preview and the commit, the file is kept in the instance folder under a random key,
beside its SHA-256 and the administrator who uploaded it (``stash_upload`` / ``load_upload``):
the commit applies exactly the file that was previewed, and only for that administrator.

Services flush, never commit. Lookups are batched: one query per chunk of rows, never per row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func

from lms.accounts.models import User, normalise_email
from lms.accounts.services import record_audit_event
from lms.cohorts.access import administered_cohort_ids
from lms.cohorts.funders import parse_funder
from lms.cohorts.models import Cohort, CohortState, Funder, Membership, MembershipRole
from lms.cohorts.services import CohortError
from lms.core.mail import MailError
from lms.core.text import refused_summary
from lms.extensions import db

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5_000
UPLOAD_LIFETIME_SECONDS = 24 * 3600
CHUNK = 500  # ids per IN (...) list: well below every database's parameter limit
COLUMNS = ("email", "display_name", "cohort", "locale", "funder")
REQUIRED_COLUMNS = ("email", "display_name", "cohort")
LOCALES = ("fr", "en")
EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.]+$")


class ImportFileError(CohortError):
    """The file cannot be imported at all (size, encoding, header, row count, lost upload)."""


class RowStatus(StrEnum):
    CREATE = "create"  # a new account and its membership
    ENROL = "enrol"  # an existing account joins the cohort
    SKIP = "skip"  # already a learner of the cohort
    ERROR = "error"


@dataclass
class ImportRow:
    """One line of the file, cleaned, and what happens to it."""

    line: int
    email: str
    display_name: str
    cohort_name: str
    locale: str
    funder: Funder | None = None
    status: RowStatus = RowStatus.CREATE
    reason: str = ""
    user: User | None = None
    cohort: Cohort | None = None

    def refuse(self, reason: str) -> None:
        """Mark the row as an error, keeping the first reason found."""
        if self.status != RowStatus.ERROR:
            self.status, self.reason = RowStatus.ERROR, reason


@dataclass
class ImportReport:
    """Every row with its status; ``counts`` sums them up by status."""

    rows: list[ImportRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.status for row in self.rows)
        return {status.value: found[status] for status in RowStatus}

    @property
    def errors(self) -> list[ImportRow]:
        return [row for row in self.rows if row.status == RowStatus.ERROR]


def decode_csv(data: bytes) -> str:
    """Return the text of a UTF-8 (BOM or not) or cp1252 file."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: plain Latin-1
        return data.decode("latin-1")


def read_rows(data: bytes) -> list[ImportRow]:
    """Parse the file into rows, refusing an oversize, header-less or too long file."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("The file is larger than %(size)d MB.", size=_megabytes()))
    text = decode_csv(data)
    if not text.strip():
        raise ImportFileError(_("The file is empty: it needs a header row and learners."))
    first_line = text.lstrip().splitlines()[0]
    reader = csv.reader(io.StringIO(text.lstrip(), newline=""), delimiter=_delimiter(first_line))
    try:
        header = [name.strip().lower() for name in next(reader)]
        rows = _read_body(header, reader)
    except csv.Error as error:
        message = _("The file is not a readable CSV file (line %(line)d).", line=reader.line_num)
        raise ImportFileError(message) from error
    return rows


def _read_body(header: Sequence[str], reader) -> list[ImportRow]:
    """Read the rows under the header, refusing missing columns and too many rows."""
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        message = _("The header row lacks the columns: %(columns)s.", columns=", ".join(missing))
        raise ImportFileError(message)
    rows = []
    for values in reader:
        row = _row(header, values, reader.line_num)
        if row is None:
            continue
        if len(rows) == MAX_IMPORT_ROWS:
            message = _("The file has more than %(count)d rows.", count=MAX_IMPORT_ROWS)
            raise ImportFileError(message)
        rows.append(row)
    return rows


def _megabytes() -> int:
    """Return the size limit in megabytes, for messages."""
    return MAX_IMPORT_BYTES // (1024 * 1024)


def _delimiter(header: str) -> str:
    """Sniff the separator from the header row: semicolon when it has more of them."""
    return ";" if header.count(";") > header.count(",") else ","


def _row(header: Sequence[str], values: Sequence[str], line: int) -> ImportRow | None:
    """Build one row from its values (None for a blank line)."""
    if not any(value.strip() for value in values):
        return None
    cells = {name: value.strip() for name, value in zip(header, values, strict=False)}
    row = ImportRow(
        line=line,
        email=normalise_email(cells.get("email", "")),
        display_name=cells.get("display_name", ""),
        cohort_name=cells.get("cohort", ""),
        locale=cells.get("locale", "").lower() or "fr",
    )
    if len(values) > len(header):
        row.refuse(_("more values than columns"))
    _check_fields(row)
    try:
        row.funder = parse_funder(cells.get("funder"))
    except ValueError as error:
        row.refuse(str(error))
    return row


def _check_fields(row: ImportRow) -> None:
    """Refuse a row whose own values are wrong, before looking anything up."""
    named = refused_summary("".join((row.email, row.display_name, row.cohort_name, row.locale)))
    if named:
        row.refuse(_("invisible or control characters: %(characters)s", characters=named))
    if not row.email:
        row.refuse(_("missing e-mail address"))
    elif len(row.email) > 254:
        row.refuse(_("e-mail address too long (254 characters at most)"))
    elif not EMAIL.match(row.email):
        row.refuse(_("bad e-mail address"))
    if not row.display_name:
        row.refuse(_("missing name"))
    elif len(row.display_name) > 120:
        row.refuse(_("name too long (120 characters at most)"))
    if not row.cohort_name:
        row.refuse(_("missing cohort"))
    if row.locale not in LOCALES:
        row.refuse(_("unknown language (fr or en)"))


def preview_import(data: bytes, actor: User) -> ImportReport:
    """Say what importing the file would do to every row, writing nothing.

    Only the cohorts ``actor`` administers are found: the others are unknown cohorts.
    """
    rows = read_rows(data)
    _mark_duplicates(rows)
    _attach_cohorts(rows, actor)
    _attach_users(rows)
    _classify_memberships(rows)
    _check_capacity(rows)
    return ImportReport(rows)


def _mark_duplicates(rows: Iterable[ImportRow]) -> None:
    """Refuse every repetition of an e-mail address already met earlier in the file."""
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.email or row.status == RowStatus.ERROR:
            continue
        if row.email in first_line:
            row.refuse(_("duplicate in the file (line %(line)d)", line=first_line[row.email]))
        else:
            first_line[row.email] = row.line


def _chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    """Yield slices of ``values`` short enough for one ``IN (...)`` list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _attach_cohorts(rows: Sequence[ImportRow], actor: User) -> None:
    """Find the cohorts the rows name among those ``actor`` administers (one query per chunk);
    refuse unknown or archived ones."""
    names = sorted({row.cohort_name for row in rows if row.status != RowStatus.ERROR})
    cohorts = {}
    administered = administered_cohort_ids(actor)
    for chunk in _chunks(names):
        found = db.session.scalars(
            db.select(Cohort).where(Cohort.name.in_(chunk), Cohort.id.in_(administered))
        )
        cohorts.update({cohort.name: cohort for cohort in found})
    for row in rows:
        if row.status == RowStatus.ERROR:
            continue
        row.cohort = cohorts.get(row.cohort_name)
        if row.cohort is None:
            row.refuse(_("unknown cohort “%(name)s”", name=row.cohort_name))
        elif row.cohort.state == CohortState.ARCHIVED:
            row.refuse(_("the cohort “%(name)s” is archived", name=row.cohort_name))


def _attach_users(rows: Sequence[ImportRow]) -> None:
    """Find the accounts that already exist for the rows' e-mail addresses, by chunk."""
    emails = sorted({row.email for row in rows if row.status != RowStatus.ERROR})
    users = {}
    for chunk in _chunks(emails):
        users.update({user.email: user for user in db.session.scalars(_users_in(chunk))})
    for row in rows:
        if row.status != RowStatus.ERROR:
            row.user = users.get(row.email)
            row.status = RowStatus.CREATE if row.user is None else RowStatus.ENROL


def _users_in(emails: Sequence[str]):
    """Select the accounts having one of these (normalised) e-mail addresses."""
    return db.select(User).where(User.email.in_(emails))


def _classify_memberships(rows: Sequence[ImportRow]) -> None:
    """Skip learners already in their cohort; refuse people who train or assess it."""
    known = [row for row in rows if row.status == RowStatus.ENROL]
    roles: dict[tuple[int, int], MembershipRole] = {}
    for chunk in _chunks(sorted({row.user.id for row in known})):
        query = db.select(Membership.user_id, Membership.cohort_id, Membership.role).where(
            Membership.user_id.in_(chunk)
        )
        roles.update({(uid, cid): role for uid, cid, role in db.session.execute(query)})
    for row in known:
        role = roles.get((row.user.id, row.cohort.id))
        if role == MembershipRole.LEARNER:
            row.status, row.reason = RowStatus.SKIP, _("already enrolled")
        elif role == MembershipRole.TRAINER:
            row.refuse(_("is a trainer of this cohort"))
        elif role == MembershipRole.ASSESSOR:
            row.refuse(_("is an external assessor of this cohort"))


def _check_capacity(rows: Sequence[ImportRow]) -> None:
    """Refuse the rows that would enrol learners beyond a cohort's capacity, in file order."""
    cohort_ids = sorted({row.cohort.id for row in rows if row.cohort is not None})
    if not cohort_ids:
        return
    query = (
        db.select(Membership.cohort_id, func.count(Membership.id))
        .where(Membership.cohort_id.in_(cohort_ids), Membership.role == MembershipRole.LEARNER)
        .group_by(Membership.cohort_id)
    )
    enrolled = Counter(dict(db.session.execute(query).all()))
    for row in rows:
        if row.status not in (RowStatus.CREATE, RowStatus.ENROL):
            continue
        capacity = row.cohort.capacity
        if capacity is not None and enrolled[row.cohort.id] >= capacity:
            row.refuse(_("over capacity (%(capacity)d learners)", capacity=capacity))
        else:
            enrolled[row.cohort.id] += 1


def commit_import(data: bytes, actor: User) -> ImportReport:
    """Apply the valid rows: create accounts, enrol, invite the new people; audited."""
    from lms.accounts.tokens import send_invitation  # the accounts domain mails invitations

    report = preview_import(data, actor)
    applied = [row for row in report.rows if row.status in (RowStatus.CREATE, RowStatus.ENROL)]
    new_users = []
    for row in applied:
        if row.user is None:
            row.user = User(email=row.email, display_name=row.display_name, locale=row.locale)
            new_users.append(row.user)
        db.session.add(
            Membership(
                user=row.user, cohort=row.cohort, role=MembershipRole.LEARNER, funder=row.funder
            )
        )
    db.session.add_all(new_users)
    db.session.flush()
    for row in applied:
        if row.status == RowStatus.CREATE:
            _invite(row, actor, send_invitation)
    _audit_import(actor, applied)
    return report


def _invite(row: ImportRow, actor: User, send_invitation) -> None:
    """Send the new account its invitation; a mail failure is reported, not fatal."""
    try:
        send_invitation(row.user, invited_by=actor)
    except MailError:
        row.reason = _("the invitation e-mail could not be sent: send a reset link later")


def _audit_import(actor: User, applied: Sequence[ImportRow]) -> None:
    """Record, for each cohort the import changed, how many accounts and learners it added."""
    by_cohort: dict[int, tuple[Cohort, Counter]] = {}
    for row in applied:
        cohort, counts = by_cohort.setdefault(row.cohort.id, (row.cohort, Counter()))
        counts["enrolled"] += 1
        counts["accounts_created"] += row.status == RowStatus.CREATE
    for cohort, counts in by_cohort.values():
        record_audit_event(actor, "cohort.import", cohort, after=dict(counts))


def stash_upload(folder: str | Path, data: bytes, actor: User) -> str:
    """Keep an uploaded file until its commit; return the random key that names it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old_uploads(folder)
    key = secrets.token_urlsafe(24)
    (folder / f"{key}.csv").write_bytes(data)
    meta = {"sha256": hashlib.sha256(data).hexdigest(), "actor_id": actor.id}
    (folder / f"{key}.json").write_text(json.dumps(meta))
    return key


def load_upload(folder: str | Path, key: str, actor: User) -> bytes:
    """Return the file kept under ``key`` for ``actor``, unchanged since its preview."""
    folder = Path(folder)
    lost = ImportFileError(_("This import has expired or does not exist; upload the file again."))
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", key or ""):
        raise lost
    try:
        meta = json.loads((folder / f"{key}.json").read_text())
        data = (folder / f"{key}.csv").read_bytes()
    except (OSError, ValueError):
        raise lost from None
    if meta.get("actor_id") != actor.id or hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        raise lost
    return data


def _forget_old_uploads(folder: Path) -> None:
    """Delete kept files older than a day: an unfinished import does not stay forever."""
    limit = time.time() - UPLOAD_LIFETIME_SECONDS
    for path in folder.glob("*.*"):
        if path.suffix in (".csv", ".json") and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
