"""The administrators' cohort list, creation, edition and archiving."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from lms.accounts.models import AuditEvent, User
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole, ModuleCalendar
from lms.cohorts.signals import learners_progress_count
from lms.extensions import db
from tests.factories import (
    CohortFactory,
    LessonCompletionFactory,
    LessonFactory,
    MembershipFactory,
    ModuleCalendarFactory,
    ModuleFactory,
    TerritoryFactory,
    TrainingPathFactory,
    UserFactory,
)
from tests.web.helpers import log_in, text


@pytest.fixture
def admin(client):
    """Log an administrator in and return them."""
    user = UserFactory(admin=True)
    log_in(client, user)
    return user


def listed_cohorts(html: str) -> dict[str, str]:
    """Return cohort id -> learners cell of the list."""
    return dict(re.findall(r'<tr data-cohort="(\d+)">.*?data-learners>([^<]*)<', html, re.S))


def field_errors(html: str, field_id: str) -> str:
    """Return the error messages shown under one field ('' when there are none)."""
    match = re.search(rf'<ul class="field__errors" id="{field_id}-errors">(.*?)</ul>', html, re.S)
    return " ".join(re.findall(r"<li>(.*?)</li>", match.group(1), re.S)) if match else ""


def add_learners(cohort, count: int) -> None:
    """Enrol ``count`` new learners without password (hashing hundreds would be slow)."""
    users = [
        User(email=f"learner{cohort.id}-{number}@example.org", display_name=f"Learner {number}")
        for number in range(count)
    ]
    db.session.add_all(users)
    db.session.add_all(
        Membership(user=user, cohort=cohort, role=MembershipRole.LEARNER) for user in users
    )
    db.session.commit()


def audit_actions(obj) -> list[str]:
    """Return the audited actions about ``obj``, oldest first."""
    query = db.select(AuditEvent.action).filter_by(
        object_type=type(obj).__name__, object_id=str(obj.id)
    )
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def cohort_data(cohort_path, territory=None, **changes) -> dict:
    """Return a valid cohort form for ``cohort_path`` on ``territory`` (a new one by default),
    with ``changes``."""
    data = {
        "name": "Promotion printemps",
        "path": str(cohort_path.id),
        "territory": str((territory or TerritoryFactory()).id),
        "starts_on": "2026-03-02",
        "ends_on": "2026-12-18",
        "capacity": "24",
        "state": "active",
    }
    return data | changes


def test_list_shows_cohorts_with_path_counts_and_trainers(client, admin):
    cohort = CohortFactory(capacity=20)
    MembershipFactory.create_batch(3, cohort=cohort)
    trainer = MembershipFactory(cohort=cohort, trainer=True).user
    open_ended = CohortFactory(capacity=None)
    html = client.get("/admin/cohorts/").get_data(as_text=True)
    assert listed_cohorts(html) == {
        str(cohort.id): text("%(count)d / %(capacity)d", count=3, capacity=20),
        str(open_ended.id): "0",
    }
    assert text(trainer.display_name) in html
    assert text("version %(version)d", version=cohort.path.version) in html


def test_list_filters_by_state(client, admin):
    active = CohortFactory()
    archived = CohortFactory(state=CohortState.ARCHIVED)
    html = client.get("/admin/cohorts/?state=archived").get_data(as_text=True)
    assert list(listed_cohorts(html)) == [str(archived.id)]
    html = client.get("/admin/cohorts/?state=nonsense").get_data(as_text=True)
    assert set(listed_cohorts(html)) == {str(active.id), str(archived.id)}


def test_list_query_count_does_not_grow_with_learners(client, admin, query_counter):
    def fill(learners: int) -> None:
        cohort = CohortFactory(capacity=None)
        add_learners(cohort, learners)
        MembershipFactory(cohort=cohort, trainer=True)

    fill(10)
    with query_counter as few:
        client.get("/admin/cohorts/")
    few_count = few.count
    fill(200)
    fill(5)
    with query_counter as many:
        html = client.get("/admin/cohorts/").get_data(as_text=True)
    assert len(listed_cohorts(html)) == 3
    assert many.count == few_count


def test_admin_creates_a_cohort_audited(client, admin):
    path = TrainingPathFactory()
    response = client.post("/admin/cohorts/new", data=cohort_data(path))
    cohort = db.session.scalar(db.select(Cohort).filter_by(name="Promotion printemps"))
    assert response.headers["Location"] == f"/admin/cohorts/{cohort.id}/calendar"
    assert (cohort.path, cohort.starts_on, cohort.capacity) == (path, date(2026, 3, 2), 24)
    assert audit_actions(cohort) == ["cohort.create"]


def test_new_cohort_form_lists_path_versions(client, admin):
    TrainingPathFactory(code="bien-vivre", version=1, title="Bien-vivre")
    TrainingPathFactory(code="bien-vivre", version=2, title="Bien-vivre")
    html = client.get("/admin/cohorts/new").get_data(as_text=True)
    for version in (1, 2):
        assert text("%(title)s (version %(version)d)", title="Bien-vivre", version=version) in html


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"ends_on": "2026-03-01"}, "ends_on", "The cohort cannot end before it starts."),
        ({"name": ""}, "name", "This field is required."),
        ({"capacity": "0"}, "capacity", "Number must be between 1 and 10000."),
        (
            {"starts_on": "2026-02-30"},
            "starts_on",
            "Not a valid date: enter the day, month and year.",
        ),
        ({"starts_on": "0001-01-01"}, "starts_on", "Enter a date between the years 2000 and 2100."),
        ({"ends_on": "9999-12-31"}, "ends_on", "Enter a date between the years 2000 and 2100."),
    ],
)
def test_create_refuses_bad_fields_beside_them(client, admin, changes, field_id, message):
    path = TrainingPathFactory()
    response = client.post("/admin/cohorts/new", data=cohort_data(path, **changes))
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field_id) == text(message)
    assert db.session.scalar(db.select(db.func.count(Cohort.id))) == 0


def test_create_refuses_a_taken_name(client, admin):
    existing = CohortFactory(name="Promotion printemps")
    response = client.post("/admin/cohorts/new", data=cohort_data(existing.path))
    errors = field_errors(response.get_data(as_text=True), "name")
    assert errors == text("A cohort named “%(name)s” already exists.", name=existing.name)
    assert db.session.scalar(db.select(db.func.count(Cohort.id))) == 1


def test_edit_changes_fields_and_audits_before_and_after(client, admin):
    cohort = CohortFactory(capacity=10)
    former_name = cohort.name
    data = cohort_data(cohort.path, cohort.territory, name="Renommée", capacity="12", state="draft")
    data |= {"starts_on": cohort.starts_on.isoformat(), "ends_on": cohort.ends_on.isoformat()}
    response = client.post(f"/admin/cohorts/{cohort.id}/edit", data=data)
    assert response.headers["Location"] == "/admin/cohorts/"
    db.session.refresh(cohort)
    assert (cohort.name, cohort.capacity, cohort.state) == ("Renommée", 12, CohortState.DRAFT)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="cohort.update"))
    assert event.before == {"name": former_name, "capacity": 10, "state": "active"}
    assert event.after == {"name": "Renommée", "capacity": 12, "state": "draft"}


def test_edit_refuses_capacity_below_the_learners(client, admin):
    cohort = CohortFactory(capacity=5)
    MembershipFactory.create_batch(3, cohort=cohort)
    data = cohort_data(cohort.path, cohort.territory, name=cohort.name, capacity="2")
    response = client.post(f"/admin/cohorts/{cohort.id}/edit", data=data)
    errors = field_errors(response.get_data(as_text=True), "capacity")
    assert errors == text("The capacity cannot be below the %(count)d learners enrolled.", count=3)
    db.session.refresh(cohort)
    assert cohort.capacity == 5


def test_edit_refuses_dates_leaving_the_calendar_outside(client, admin):
    cohort = CohortFactory(starts_on=date(2026, 1, 5), ends_on=date(2026, 12, 18))
    module = ModuleFactory(path=cohort.path, code="M1")
    ModuleCalendarFactory(
        cohort=cohort, module=module, opens_at=datetime(2026, 2, 1, 8, tzinfo=UTC)
    )
    data = cohort_data(cohort.path, cohort.territory, name=cohort.name, starts_on="2026-03-01")
    response = client.post(f"/admin/cohorts/{cohort.id}/edit", data=data)
    errors = field_errors(response.get_data(as_text=True), "starts_on")
    assert errors == text(
        "Module %(code)s is scheduled outside these dates; change the calendar first.", code="M1"
    )
    db.session.refresh(cohort)
    assert cohort.starts_on == date(2026, 1, 5)


def test_path_change_is_refused_once_learners_have_progress(client, admin):
    cohort = CohortFactory()
    newer = TrainingPathFactory(code=cohort.path.code, version=2)

    def one_learner_has_progress(sender, **kwargs):
        return 1 if sender.id == cohort.id else 0

    data = cohort_data(newer, cohort.territory, name=cohort.name)
    with learners_progress_count.connected_to(one_learner_has_progress):
        response = client.post(f"/admin/cohorts/{cohort.id}/edit", data=data)
    errors = field_errors(response.get_data(as_text=True), "path")
    assert errors == text(
        "The path cannot change: learners of this cohort have already made progress in it."
    )
    db.session.refresh(cohort)
    assert cohort.path_id != newer.id


def test_path_change_is_refused_once_a_learner_did_a_lesson(client, admin):
    cohort = CohortFactory()
    learner = MembershipFactory(cohort=cohort).user
    lesson = LessonFactory(module=ModuleFactory(path=cohort.path))
    LessonCompletionFactory(user=learner, lesson=lesson)
    newer = TrainingPathFactory(code=cohort.path.code, version=2)
    response = client.post(
        f"/admin/cohorts/{cohort.id}/edit",
        data=cohort_data(newer, cohort.territory, name=cohort.name),
    )
    assert field_errors(response.get_data(as_text=True), "path")
    db.session.refresh(cohort)
    assert cohort.path_id != newer.id


def test_path_change_without_progress_drops_the_old_calendar(client, admin):
    cohort = CohortFactory()
    ModuleCalendarFactory(cohort=cohort, module=ModuleFactory(path=cohort.path))
    newer = TrainingPathFactory(code=cohort.path.code, version=2)
    data = cohort_data(newer, cohort.territory, name=cohort.name)
    data |= {"starts_on": cohort.starts_on.isoformat(), "ends_on": cohort.ends_on.isoformat()}
    response = client.post(f"/admin/cohorts/{cohort.id}/edit", data=data)
    assert response.headers["Location"] == "/admin/cohorts/"
    db.session.refresh(cohort)
    assert cohort.path_id == newer.id
    assert db.session.scalar(db.select(db.func.count(ModuleCalendar.id))) == 0


def test_archive_sets_the_state_and_audits(client, admin):
    cohort = CohortFactory()
    response = client.post(f"/admin/cohorts/{cohort.id}/archive")
    assert response.headers["Location"] == "/admin/cohorts/"
    db.session.refresh(cohort)
    assert cohort.state == CohortState.ARCHIVED
    assert audit_actions(cohort) == ["cohort.archive"]
    again = client.post(f"/admin/cohorts/{cohort.id}/archive", follow_redirects=True)
    assert text("This cohort is already archived.") in again.get_data(as_text=True)
    assert audit_actions(cohort) == ["cohort.archive"]


def test_archive_needs_the_csrf_token(client, admin, csrf_enabled):
    cohort = CohortFactory()
    response = client.post(f"/admin/cohorts/{cohort.id}/archive")
    assert response.status_code == 400
    db.session.refresh(cohort)
    assert cohort.state == CohortState.ACTIVE


def test_unknown_cohort_is_not_found(client, admin):
    assert client.get("/admin/cohorts/999/edit").status_code == 404
    assert client.post("/admin/cohorts/999/archive").status_code == 404


PAGES = [
    ("get", "/admin/cohorts/"),
    ("get", "/admin/cohorts/new"),
    ("post", "/admin/cohorts/new"),
    ("get", "/admin/cohorts/{id}/edit"),
    ("post", "/admin/cohorts/{id}/edit"),
    ("post", "/admin/cohorts/{id}/archive"),
    ("get", "/admin/cohorts/{id}/calendar"),
    ("post", "/admin/cohorts/{id}/calendar"),
    ("get", "/admin/cohorts/{id}/members"),
    ("post", "/admin/cohorts/{id}/members"),
    ("get", "/admin/cohorts/import"),
    ("post", "/admin/cohorts/import"),
    ("post", "/admin/cohorts/import/commit"),
]


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_trainers_and_learners_are_refused(client, method, url):
    cohort = CohortFactory(name="Promotion secrète")
    trainer = MembershipFactory(cohort=cohort, trainer=True).user
    log_in(client, trainer)
    response = getattr(client, method)(url.format(id=cohort.id))
    assert response.status_code == 403
    assert "Promotion secrète" not in response.get_data(as_text=True)
    db.session.refresh(cohort)
    assert cohort.state == CohortState.ACTIVE


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_anonymous_visitors_are_sent_to_login(client, method, url):
    cohort = CohortFactory()
    path = url.format(id=cohort.id)
    response = getattr(client, method)(path)
    assert response.headers["Location"].startswith("/login?next=%2Fadmin%2Fcohorts%2F")
