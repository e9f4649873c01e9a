"""The world the security tests run in: two cohorts on two territories, the personas and their
logged-in clients.

``build_world(app)`` creates the objects that tests/security/routes.py names (``cohort``,
``learner_a``...) and one test client per persona, logged in through the login form (and, for
the administrator, the second-factor step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from markupsafe import escape
from werkzeug.routing import IntegerConverter

from lms.core.time import local_today
from lms.extensions import db
from lms.learning.calendar.models import CalendarFeed
from lms.learning.calendar.services import hash_token
from tests.assessments.assignments.support import security_world_assignments
from tests.assessments.grading.support import security_world_grading
from tests.assessments.marking.support import security_world_marking
from tests.assessments.quizzes.support import security_world_quizzes
from tests.attendance.sheet_support import security_world_sheets
from tests.attendance.support import security_world_sessions
from tests.certificates.batch_support import security_world_batches
from tests.certificates.jury.support import security_world_jury
from tests.certificates.realisation.support import security_world_realisation
from tests.certificates.support import security_world_certificates
from tests.conftest import _empty_tables
from tests.factories import MembershipFactory, TerritoryAdministratorFactory, UserFactory
from tests.learning.helpers import make_bien_vivre_path
from tests.organisations.support import security_world_territories
from tests.projects.links_support import security_world_links
from tests.projects.support import security_world_projects
from tests.quality.dossiers.support import security_world_dossiers
from tests.quality.indicators.support import security_world_indicators
from tests.quality.positioning.support import security_world_positioning
from tests.quality.surveys.support import security_world_surveys
from tests.security.routes import CALENDAR_TOKEN, PERSONAS, RESOLVERS, ROUTES, Ref, Rule
from tests.web.helpers import enrol_two_factor, log_in

# Names and addresses unlikely to appear on a page by chance, so a leak is unmistakable.
PEOPLE = {
    "learner_a": ("aurore.alpha@example.org", "Aurore Alphaquartz"),
    "learner_b": ("basile.bravo@example.org", "Basile Bravoquartz"),
    "trainer": ("tina.tango@example.org", "Tina Tangoquartz"),
    "other_trainer": ("oscar.oscar@example.org", "Oscar Oscarquartz"),
    "admin": ("ada.admin@example.org", "Ada Adminquartz"),
    "outsider": ("olga.out@example.org", "Olga Outquartz"),
    "other_learner": ("otto.other@example.org", "Otto Otherquartz"),
    "assessor": ("edith.echo@example.org", "Edith Echoquartz"),
    "assessor_expired": ("ernest.expired@example.org", "Ernest Expiredquartz"),
    "jury_member": ("jules.jury@example.org", "Jules Juryquartz"),
    # Territories (SECURITY.md J39): the local administrator of ``cohort``'s territory, and the
    # one of ``other_cohort``'s, on the other side (with other_trainer and other_learner).
    "local_admin": ("lucie.locale@example.org", "Lucie Localequartz"),
    "other_local_admin": ("gaston.grenoble@example.org", "Gaston Grenoblequartz"),
}


@dataclass
class World:
    """Objects by name, and a logged-in test client per persona (anonymous: not logged in)."""

    app: Any
    keys: dict[str, tuple[type, int]] = field(default_factory=dict)
    clients: dict[str, Any] = field(default_factory=dict)
    saved_rows: dict[str, list[dict]] = field(default_factory=dict)
    saved_cookies: dict[str, str | None] = field(default_factory=dict)

    def save(self) -> None:
        """Remember every row and every persona's session cookie, to restore them later."""
        self.saved_rows = {
            table.name: [dict(row._mapping) for row in db.session.execute(db.select(table))]
            for table in db.metadata.sorted_tables
        }
        db.session.rollback()
        cookie = self.app.config["SESSION_COOKIE_NAME"]
        for persona, client in self.clients.items():
            found = client.get_cookie(cookie)
            self.saved_cookies[persona] = found.value if found else None

    def restore(self) -> None:
        """Put back the saved rows and cookies: the world as built, in a few statements."""
        _empty_tables()
        for table in db.metadata.sorted_tables:
            if self.saved_rows[table.name]:
                db.session.execute(table.insert(), self.saved_rows[table.name])
        if db.engine.dialect.name == "postgresql":
            _advance_sequences()
        db.session.commit()
        cookie = self.app.config["SESSION_COOKIE_NAME"]
        for persona, value in self.saved_cookies.items():
            self.clients[persona].delete_cookie(cookie)
            if value is not None:
                self.clients[persona].set_cookie(cookie, value)
        _reset_limiter()

    def add(self, **objects: Any) -> None:
        """Remember objects by name (by class and id: the world outlives database sessions)."""
        self.keys.update({name: (type(obj), obj.id) for name, obj in objects.items()})

    @property
    def objects(self) -> dict[str, Any]:
        """Return every named object, loaded in the current database session."""
        return {name: self.get(name) for name in self.keys}

    def get(self, name: str) -> Any:
        """Return the object ``name`` from the current database session."""
        model, key = self.keys[name]
        return db.session.get(model, key)

    def resolve(self, name: str, persona: str) -> Any:
        """Return the object ``name`` as seen by ``persona`` (RESOLVERS first)."""
        if name in RESOLVERS:
            return RESOLVERS[name](self, persona)
        return self.get(name)

    def value(self, value: Any, persona: str) -> Any:
        """Return a URL or form value: names and refs become ids, other values stay."""
        name = value.name if isinstance(value, Ref) else value
        if isinstance(name, str) and (name in self.keys or name in RESOLVERS):
            found = self.resolve(name, persona)
            return getattr(found, "id", found)
        return value

    def url(self, endpoint: str, rule: Rule, persona: str, **overrides: Any) -> str:
        """Build the URL of ``endpoint`` for ``persona`` from the rule's recipe."""
        values = {name: self.value(value, persona) for name, value in rule.url_args.items()}
        values.update(rule.query)
        values.update(overrides)
        adapter = self.app.url_map.bind("localhost")
        return adapter.build(endpoint, values, force_external=False)

    def data(self, rule: Rule, persona: str) -> dict[str, Any]:
        """Return the rule's form data for ``persona``, refs resolved to ids."""
        return {
            key: self.value(value, persona) if isinstance(value, Ref) else value
            for key, value in rule.data.items()
        }

    def request(
        self,
        persona: str,
        endpoint: str,
        method: str,
        *,
        url: str | None = None,
        data: Any = None,
    ):
        """Send the route's request as ``persona`` (its URL and form unless given)."""
        rule = ROUTES[(endpoint, method)]
        url = url or self.url(endpoint, rule, persona)
        if data is None and method != "GET":
            data = self.data(rule, persona)
        response = self.clients[persona].open(url, method=method, data=data)
        response.get_data()  # read and release streamed bodies (static files)
        response.close()
        return response

    def live_session(self, persona: str):
        """Return the newest live session record of ``persona`` (anonymous: learner A's)."""
        from lms.accounts.models import UserSession

        persona = "learner_a" if persona == "anonymous" else persona

        query = (
            db.select(UserSession)
            .filter_by(user_id=self.keys[persona][1], revoked_at=None)
            .order_by(UserSession.id.desc())
        )
        return db.session.scalars(query).first()

    def protected_strings(self, persona: str) -> list[str]:
        """Return the e-mails and names of everyone but ``persona``, raw and HTML-escaped."""
        strings = []
        for name, (email, display_name) in PEOPLE.items():
            if name != persona:
                strings += [email, display_name, str(escape(display_name))]
        return strings


def build_world(app) -> World:
    """Create both cohorts, the personas and their logged-in clients."""
    world = World(app)
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"), opened=("M1",))
    cohort = bien_vivre.cohort
    # The other cohort follows another path, so its modules and lessons are foreign too.
    other = make_bien_vivre_path(codes=("M1",), opened=("M1",))
    other_cohort = other.cohort
    users = {name: _person(name) for name in PEOPLE}
    MembershipFactory(user=users["learner_a"], cohort=cohort)
    MembershipFactory(user=users["learner_b"], cohort=cohort)
    MembershipFactory(user=users["trainer"], cohort=cohort, trainer=True)
    MembershipFactory(user=users["other_trainer"], cohort=other_cohort, trainer=True)
    MembershipFactory(user=users["other_learner"], cohort=other_cohort)
    today = local_today()
    for name, ends_on in (("assessor", 60), ("assessor_expired", -1)):
        MembershipFactory(
            user=users[name],
            cohort=cohort,
            assessor=True,
            access_ends_on=today + timedelta(days=ends_on),
        )
    TerritoryAdministratorFactory(user=users["local_admin"], territory=cohort.territory)
    TerritoryAdministratorFactory(user=users["other_local_admin"], territory=other_cohort.territory)
    bien_vivre.complete_modules(users["learner_a"], ["M1"])
    # Learner A's calendar address (only its hash is stored; the token is CALENDAR_TOKEN).
    db.session.add(CalendarFeed(user=users["learner_a"], token_sha256=hash_token(CALENDAR_TOKEN)))
    world.add(**users)
    world.add(
        cohort=cohort,
        other_cohort=other_cohort,
        territory=cohort.territory,
        other_territory=other_cohort.territory,
        path=cohort.path,
        module=bien_vivre.modules["M1"],
        lesson=bien_vivre.lessons["M1"],
        other_path=other_cohort.path,
        other_module=other.modules["M1"],
        other_lesson=other.lessons["M1"],
    )
    world.add(**security_world_quizzes(bien_vivre, other, users))
    world.add(**security_world_assignments(bien_vivre, other, users))
    world.add(**security_world_grading(bien_vivre, other, users))
    world.add(**security_world_marking(bien_vivre, other, users))
    world.add(**security_world_certificates(bien_vivre, other, users))
    world.add(**security_world_batches(bien_vivre, other, users))
    world.add(**security_world_realisation(bien_vivre, other, users))
    world.add(**security_world_jury(bien_vivre, other, users))
    world.add(**security_world_sessions(bien_vivre, other, users))
    world.add(**security_world_sheets(bien_vivre, other, users))
    world.add(**security_world_projects(bien_vivre, other, users))
    world.add(**security_world_links(bien_vivre, other, users))
    world.add(**security_world_territories(bien_vivre, other, users))
    world.add(**security_world_positioning(bien_vivre, other, users))
    world.add(**security_world_indicators(bien_vivre, other, users))
    world.add(**security_world_dossiers(bien_vivre, other, users))
    world.add(**security_world_surveys(bien_vivre, other, users))
    _log_everyone_in(app, world)
    world.save()
    return world


def _person(name: str):
    """Create the user ``name`` of PEOPLE; the administrator has the second factor on."""
    email, display_name = PEOPLE[name]
    user = UserFactory(email=email, display_name=display_name, is_admin=name == "admin")
    if user.is_admin:
        enrol_two_factor(user)  # log_in then answers the second step with its code
    return user


def _log_everyone_in(app, world: World) -> None:
    """Give each persona a client; each logs in from its own address (no shared throttle)."""
    _reset_limiter()
    for number, persona in enumerate(PERSONAS, start=10):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number}"
        if persona != "anonymous":
            response = log_in(client, world.get(persona))
            assert "/login" not in response.headers.get("Location", "/login"), persona
        world.clients[persona] = client


def _reset_limiter() -> None:
    """Forget earlier login attempts, when login throttling is installed."""
    try:
        from lms.extensions import limiter
    except ImportError:
        return
    limiter.reset()


def _advance_sequences() -> None:
    """Move each id sequence past the restored ids (PostgreSQL)."""
    for table in db.metadata.sorted_tables:
        if "id" in table.columns and table.columns["id"].autoincrement:
            # Table names come from the metadata, never from input.
            sql = f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), coalesce(max(id), 0) + 1, false) FROM \"{table.name}\""  # noqa: E501, S608
            db.session.execute(db.text(sql))


def snapshot() -> dict[str, list[tuple]]:
    """Return every row of every table (volatile columns aside), to compare before and after."""
    db.session.expire_all()
    tables = {}
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if not _is_volatile(column.name)]
        query = db.select(*columns).order_by(*table.primary_key.columns)
        tables[table.name] = [tuple(row) for row in db.session.execute(query)]
    db.session.rollback()
    return tables


def _is_volatile(name: str) -> bool:
    """Tell whether a column may change on any request (last-seen times of session records)."""
    return "last_seen" in name or "last_used" in name


def int_arguments(app, endpoint: str) -> list[str]:
    """Return the names of the integer URL arguments of ``endpoint``."""
    names = []
    for rule in app.url_map.iter_rules(endpoint):
        names += [n for n, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
    return names


def row_counts() -> dict[str, int]:
    """Return the number of rows of every table."""
    counts = {}
    for table in db.metadata.sorted_tables:
        counts[table.name] = db.session.scalar(db.select(db.func.count()).select_from(table))
    db.session.rollback()
    return counts
