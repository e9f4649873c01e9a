"""``lms demo``: a ready-to-explore instance on the embedded SQLite default.

The demo data is for exploring the product only: its accounts get fresh random passwords on
every run (printed once), and nothing here is ever used by a real installation, which starts
with no account at all (``lms create-admin``).

Every cohort has its sessions (``lms.demo.sessions``) and the sheets of the sessions held,
signed and closed (``lms.demo.attendance``); the cohort under way has sessions to come and one
under way when the demo is created, whose sheet a reader may sign. Besides the cohort under way,
a cohort that finished last year shows certification end to end: one graduate holds a
certificate, one is awarded and waits for it (the batch button issues it), one is eligible and
waits for the jury's decision; each holds a certificat de réalisation (``lms.demo.realisation``).
The organisation is Crois/Sens, which designed the path with its partner Pragma-tic and signs in
Lille; the cohort under way is in Lille, the finished ones in Grenoble, and Mulhouse/Strasbourg
has none yet, each territory with its local administrator (``lms.demo.territories``); learners
who reached M5 declare projects, evaluated ex ante, ex post and later (``lms.demo.projects``);
and the quality evidence follows: positionings, satisfaction surveys, last year's indicators,
retention and a learner's dossier (``lms.demo.quality``).
The signatory and place of certificates, and the training organisation of the certificats de
réalisation, are written for the demo into the instance's ``lms.cfg`` when the instance does not
configure them, so that any process serving the instance issues; the sample certificate's
verification link points at the address the demo serves on (``--host``/``--port``) unless
``LMS_BASE_URL`` is set.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from lms.accounts.models import User
from lms.accounts.services import create_user, find_user_by_email
from lms.certificates.errors import CertificateError
from lms.certificates.issuing import issue_certificate
from lms.certificates.settings import missing_settings, missing_settings_message
from lms.cohorts.models import Cohort, MembershipRole
from lms.cohorts.services import CalendarEntry, add_member, create_cohort, find_cohort, set_calendar
from lms.config import instance_config_path
from lms.core.instance_settings import add_instance_settings
from lms.core.transactions import unit_of_work
from lms.curriculum.models import TrainingPath
from lms.curriculum.services import load_path_file, shipped_path_file
from lms.demo import marking
from lms.demo.assessors import ensure_assessors
from lms.demo.attendance import ensure_sheets
from lms.demo.jury import ensure_closed_jury, ensure_open_jury, jury_people
from lms.demo.progress import record_progress
from lms.demo.projects import ensure_projects
from lms.demo.quality import QualityPeople, ensure_quality
from lms.demo.realisation import (
    DEMO_ORGANISATION,
    DEMO_PLACE,
    DEMO_TRAINING_ORGANISATION,
    ensure_realisation_documents,
)
from lms.demo.sessions import ensure_sessions
from lms.demo.signing import ensure_signing_identity
from lms.demo.territories import GRENOBLE, LILLE, ensure_local_administrators, ensure_territories
from lms.extensions import db

COHORT_NAME = "Promotion de démonstration"
GRADUATES_COHORT_NAME = "Promotion 2025 (terminée)"
DEMO_DOMAIN = "demo.bien-vivre.example"
# Certificate settings the demo needs to issue, written to lms.cfg where the instance sets none.
# Crois/Sens certifies and signs where it is, in Lille (lms.demo.realisation).
DEMO_CERTIFICATE_SETTINGS = {
    "CERTIFICATE_ORGANISATION": DEMO_ORGANISATION,
    "CERTIFICATE_SIGNATORY_NAME": "Claire Martin",
    "CERTIFICATE_SIGNATORY_TITLE": "Directrice de la certification (démonstration)",
    "CERTIFICATE_PLACE": DEMO_PLACE,
    # Not a real RNCP code (those read RNCP and digits): marked as the demo's own.
    "CERTIFICATE_RNCP_CODE": "RNCP-DÉMO",
}

# Days from today when each module opens: M1–M5 are open, M6–M8 still ahead.
OPENING_DAYS = {
    **{"M1": -120, "M2": -95, "M3": -70, "M4": -70, "M5": -40},
    **{"M6": 10, "M7": 40, "M8": 75},
}


@dataclass(frozen=True)
class DemoLearner:
    """A demo learner and how far along the path they are."""

    slug: str
    name: str
    completed: tuple[str, ...]  # modules whose lessons are all done
    partial: str | None = None  # a module where only the first lesson is done


LEARNERS = (
    DemoLearner("ines", "Inès Martin", ()),
    DemoLearner("hugo", "Hugo Bernard", (), partial="M1"),
    DemoLearner("lea", "Léa Dubois", ("M1",)),
    DemoLearner("tom", "Tom Thomas", ("M1",), partial="M2"),
    DemoLearner("chloe", "Chloé Robert", ("M1", "M2")),
    DemoLearner("nael", "Naël Richard", ("M1", "M2"), partial="M3"),
    DemoLearner("manon", "Manon Petit", ("M1", "M2", "M3")),
    DemoLearner("yanis", "Yanis Durand", ("M1", "M2", "M4")),
    DemoLearner("camille", "Camille Leroy", ("M1", "M2", "M3", "M4")),
    DemoLearner("sacha", "Sacha Moreau", ("M1", "M2", "M3", "M4"), partial="M5"),
    DemoLearner("jade", "Jade Simon", ("M1", "M2", "M3", "M4", "M5")),
    DemoLearner("adam", "Adam Laurent", ("M1", "M2", "M3", "M4", "M5")),
)
ALL_MODULES = ("M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8")
# The finished cohort's graduates: issued, awarded and waiting, eligible and waiting.
GRADUATES = (
    DemoLearner("elise", "Élise Fontaine", ALL_MODULES),
    DemoLearner("rayan", "Rayan Girard", ALL_MODULES),
    DemoLearner("lina", "Lina Morel", ALL_MODULES),
)
# Another finished cohort, whose jury waits for one vote.
SPRING_COHORT_NAME = "Promotion printemps 2025 (terminée)"
SPRING_GRADUATES = (
    DemoLearner("zoe", "Zoé Lambert", ALL_MODULES),
    DemoLearner("mehdi", "Mehdi Caron", ALL_MODULES),
)
STAFF = (
    ("admin", "Alice Administratrice", None),
    ("formatrice", "Fatou Formatrice", MembershipRole.TRAINER),
    ("formateur", "Félix Formateur", MembershipRole.TRAINER),
)


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Prepare the demo data and exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo_command(no_serve: bool, host: str, port: int) -> None:
    """Create or upgrade the database, load the path and a demo cohort, then serve."""
    from flask_migrate import upgrade  # Alembic: imported by the commands that migrate only

    upgrade()
    ensure_signing_identity()  # before any PDF is issued, so that every one is signed
    path = load_path_file(shipped_path_file()).path
    now = datetime.now(UTC)
    cohort = find_cohort(COHORT_NAME) or _create_demo_cohort(path, now)
    credentials = _ensure_people(cohort, now)
    trainers = [_demo_user(slug, name) for slug, name, role in STAFF if role is not None]
    ensure_sessions(cohort, trainers, now)
    db.session.commit()
    ensure_sheets(cohort, now)
    _ensure_certificate_settings()
    credentials += _ensure_graduates(path, now, f"http://{host}:{port}/")
    credentials += _ensure_assessors(cohort)
    credentials += _ensure_territories_and_projects(cohort)
    finished = find_cohort(GRADUATES_COHORT_NAME)
    assert finished is not None  # made by _ensure_graduates
    people = QualityPeople(
        admin=_demo_user("admin", STAFF[0][1], is_admin=True),
        trainers=trainers,
        reviewer=_demo_user("formatrice", STAFF[1][1]),
        graduate=_demo_user(GRADUATES[0].slug, GRADUATES[0].name),
        find=lambda slug: find_user_by_email(f"{slug}@{DEMO_DOMAIN}"),
        make=_demo_user,
    )
    ensure_quality(path, cohort, finished, people, now)
    _print_credentials(credentials)
    if not no_serve:
        from werkzeug.serving import run_simple

        click.echo(f"Serving on http://{host}:{port} (Ctrl+C to stop)")
        run_simple(host, port, current_app._get_current_object(), threaded=True)


def _create_demo_cohort(path: TrainingPath, now: datetime) -> Cohort:
    """Create the demo cohort and its calendar around today."""
    openings = {code: now + timedelta(days=days) for code, days in OPENING_DAYS.items()}
    return _create_cohort(
        COHORT_NAME, path, now - timedelta(days=130), now + timedelta(120), openings, LILLE
    )


def _create_graduates_cohort(
    path: TrainingPath, now: datetime, name: str = GRADUATES_COHORT_NAME, days: int = 420
) -> Cohort:
    """Create a finished cohort: every module opened and closed, months ago."""
    starts = now - timedelta(days=days)
    modules = sorted(path.modules, key=lambda m: m.position)
    openings = {m.code: starts + timedelta(days=35 * index) for index, m in enumerate(modules)}
    return _create_cohort(name, path, starts, starts + timedelta(days=320), openings, GRENOBLE)


def _create_cohort(
    name: str,
    path: TrainingPath,
    starts: datetime,
    ends: datetime,
    openings: dict[str, datetime],
    territory: str,
) -> Cohort:
    """Create a demo cohort whose modules open at 7:00 on the given days, for four weeks each."""
    cohort = create_cohort(
        name,
        path,
        starts_on=starts.date(),
        ends_on=ends.date(),
        territory=ensure_territories()[territory],
        capacity=20,
    )
    entries = {}
    for code, day in openings.items():
        opens_at = day.replace(hour=7, minute=0, second=0, microsecond=0)
        entries[code] = CalendarEntry(opens_at=opens_at, closes_at=opens_at + timedelta(days=28))
    set_calendar(cohort, entries)
    return cohort


def _ensure_certificate_settings() -> None:
    """Keep the demo's certificate settings in the instance's lms.cfg, where they are missing.

    Every process that serves the instance reads that file (``lms run``, gunicorn, a worker),
    so they issue too; an operator's values (in the file or the environment) stay untouched.
    """
    added = add_instance_settings(
        current_app,
        {**DEMO_CERTIFICATE_SETTINGS, **DEMO_TRAINING_ORGANISATION},
        comment="Certificate settings of the demo (lms demo): change them here at will.",
    )
    if added:
        path = instance_config_path(current_app)
        click.echo(f"Demo certificate settings written to {path}: {', '.join(added)}.")


def _ensure_graduates(
    path: TrainingPath, now: datetime, address: str
) -> list[tuple[str, str, str]]:
    """Fill the finished cohorts; their juries decide (lms.demo.jury), then issue."""
    admin = _demo_user("admin", STAFF[0][1], is_admin=True)
    people = jury_people(_demo_user)
    credentials = [("jury member", user.email, _reset_password(user)) for user, *_ in people[1:]]
    cohorts = []
    for name, days, graduates in (
        (GRADUATES_COHORT_NAME, 420, GRADUATES),
        (SPRING_COHORT_NAME, 520, SPRING_GRADUATES),
    ):
        cohort = find_cohort(name) or _create_graduates_cohort(path, now, name, days)
        # Two trainers and an external professional mark the double-marked work; Félix, who
        # trains the current cohort only, sits on these cohorts' juries and so marks nothing.
        markers = marking.ensure_markers(cohort, trainers=marking.JURY_FREE_TRAINERS, external=True)
        if not cohorts:
            credentials += [
                (role.value, user.email, _reset_password(user))
                for user, role in markers
                if role == MembershipRole.ASSESSOR
            ]
        users = []
        for learner in graduates:
            user = _demo_user(learner.slug, learner.name)
            if cohort.role_of(user) is None:
                add_member(user, cohort, MembershipRole.LEARNER)
                record_progress(user, cohort, learner.completed, learner.partial, now)
            credentials.append(("learner", user.email, _reset_password(user)))
            users.append(user)
        cohorts.append((cohort, users))
        ensure_sessions(cohort, _trainers_of(cohort), now, running=False)
        db.session.commit()
        ensure_sheets(cohort, now)
    db.session.commit()
    (finished, graduated), (spring, spring_graduates) = cohorts
    closed = ensure_closed_jury(admin, finished, graduated, people, now)
    ensure_open_jury(admin, spring, spring_graduates, people, now)
    if closed is not None:
        _certify(finished, admin, now, address)
    ensure_realisation_documents(finished, admin)
    return credentials


def _certify(cohort: Cohort, admin: User, now: datetime, address: str) -> None:
    """Issue the first graduate's certificate from the jury's decision (once).

    Its verification link points at ``address``, where the demo serves, unless the instance
    sets ``LMS_BASE_URL``: this command has no request whose address the link could follow.
    """
    elise = _demo_user(GRADUATES[0].slug, GRADUATES[0].name)
    if missing := missing_settings():
        click.echo(f"No demo certificate: {missing_settings_message(missing)}")
        return
    try:
        with _links_to(address), unit_of_work():
            issue_certificate(cohort, elise, issued_by=admin, now=now - timedelta(days=29))
    except CertificateError as error:  # no Pango on this machine: the rest of the demo stands
        click.echo(f"No demo certificate: {error} (see the README's system packages).")


@contextmanager
def _links_to(address: str) -> Iterator[None]:
    """Make links point at ``address`` meanwhile, unless the instance sets its BASE_URL."""
    config = current_app.config
    base_url = config.get("BASE_URL")
    config["BASE_URL"] = base_url or address
    try:
        yield
    finally:
        config["BASE_URL"] = base_url


def _ensure_assessors(cohort: Cohort) -> list[tuple[str, str, str]]:
    """Name the demo's external assessors (lms.demo.assessors) and give them fresh passwords."""
    admin = _demo_user("admin", STAFF[0][1], is_admin=True)
    finished = find_cohort(GRADUATES_COHORT_NAME)
    assert finished is not None  # made by _ensure_graduates
    people = ensure_assessors(cohort, finished, admin, DEMO_DOMAIN)
    credentials = [(label, user.email, _reset_password(user)) for label, user in people]
    db.session.commit()
    return credentials


def _ensure_territories_and_projects(cohort: Cohort) -> list[tuple[str, str, str]]:
    """Name the local administrators, then the projects of learners who reached M5."""
    admin = _demo_user("admin", STAFF[0][1], is_admin=True)
    people = ensure_local_administrators(_demo_user, admin)
    credentials = [(role, user.email, _reset_password(user)) for role, user in people]
    cohorts = {"current": cohort}
    for key, name in (("finished", GRADUATES_COHORT_NAME), ("spring", SPRING_COHORT_NAME)):
        finished = find_cohort(name)
        assert finished is not None  # made by _ensure_graduates
        cohorts[key] = finished
    ensure_projects(cohorts, lambda slug: find_user_by_email(f"{slug}@{DEMO_DOMAIN}"), DEMO_DOMAIN)
    db.session.commit()
    return credentials


def _ensure_people(cohort: Cohort, now: datetime) -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing and give every one a fresh password."""
    credentials = []
    for slug, name, role in STAFF:
        user = _demo_user(slug, name, is_admin=role is None)
        if role is not None and cohort.role_of(user) is None:
            add_member(user, cohort, role)
        credentials.append((_label(user, role), user.email, _reset_password(user)))
    for user, role in marking.ensure_markers(cohort)[2:]:  # the third reader
        credentials.append((role.value, user.email, _reset_password(user)))
    for learner in LEARNERS:
        user = _demo_user(learner.slug, learner.name)
        if cohort.role_of(user) is None:
            add_member(user, cohort, MembershipRole.LEARNER)
            record_progress(user, cohort, learner.completed, learner.partial, now)
        credentials.append(("learner", user.email, _reset_password(user)))
    return credentials


def _demo_user(slug: str, name: str, *, is_admin: bool = False) -> User:
    email = f"{slug}@{DEMO_DOMAIN}"
    return find_user_by_email(email) or create_user(email, name, is_admin=is_admin)


def _reset_password(user: User) -> str:
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    return password


def _label(user: User, role: MembershipRole | None) -> str:
    return "administrator" if user.is_admin else role.value


def _trainers_of(cohort: Cohort) -> list[User]:
    return [m.user for m in cohort.memberships if m.role == MembershipRole.TRAINER]


def _print_credentials(credentials: list[tuple[str, str, str]]) -> None:
    click.echo(
        f"Demo organisation: {DEMO_ORGANISATION}, which designed the path with its partner "
        "Pragma-tic for skills development; territories: Lille (the cohort under way), "
        "Grenoble (the finished cohorts), Mulhouse / Strasbourg (no cohort yet)."
    )
    click.echo("Demo accounts (demo data only; passwords change on every run):")
    width = max(len(role) for role, _email, _password in credentials)
    for role, email, password in credentials:
        click.echo(f"  {role:<{width}} {email:<40} {password}")
    click.echo(
        "The administrator sets up two-step verification at first login "
        "(any authenticator app), as every administrator must."
    )


def init_app(app: Flask) -> None:
    """Add ``lms demo``."""
    app.cli.add_command(demo_command)
