"""The administrators' page of a cohort's members: list, enrol, assign, remove."""

from __future__ import annotations

import re

import pytest

from lms.accounts.models import AuditEvent
from lms.cohorts.access import is_trainer_of
from lms.cohorts.models import Membership, MembershipRole
from lms.extensions import db
from tests.cohorts.test_admin import add_learners, field_errors
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.web.helpers import log_in, text


@pytest.fixture
def admin(client):
    """Log an administrator in and return them."""
    user = UserFactory(admin=True)
    log_in(client, user)
    return user


def listed_members(html: str) -> dict[str, str]:
    """Return e-mail -> role of the members table."""
    return dict(re.findall(r'<tr data-member="([^"]+)" data-role="(\w+)">', html))


def audited(action: str) -> list[AuditEvent]:
    """Return the audit events of one action."""
    return list(db.session.scalars(db.select(AuditEvent).filter_by(action=action)))


def test_page_lists_trainers_then_learners(client, admin):
    cohort = CohortFactory()
    learner = MembershipFactory(cohort=cohort).user
    trainer = MembershipFactory(cohort=cohort, trainer=True).user
    MembershipFactory()  # someone of another cohort
    html = client.get(f"/admin/cohorts/{cohort.id}/members").get_data(as_text=True)
    assert list(listed_members(html).items()) == [
        (trainer.email, "trainer"),
        (learner.email, "learner"),
    ]


def test_members_page_query_count_does_not_grow_with_learners(client, admin, query_counter):
    small, large = CohortFactory(capacity=None), CohortFactory(capacity=None)
    add_learners(small, 10)
    add_learners(large, 200)
    with query_counter as few:
        client.get(f"/admin/cohorts/{small.id}/members")
    with query_counter as many:
        html = client.get(f"/admin/cohorts/{large.id}/members").get_data(as_text=True)
    assert len(listed_members(html)) == 200
    assert many.count == few.count


@pytest.mark.parametrize("role", [MembershipRole.LEARNER, MembershipRole.TRAINER])
def test_admin_adds_someone_by_email_audited(client, admin, role):
    cohort = CohortFactory()
    user = UserFactory(email="zoe@example.org")
    data = {"email": " ZOE@example.org ", "role": role.value}
    response = client.post(f"/admin/cohorts/{cohort.id}/members", data=data)
    assert response.headers["Location"] == f"/admin/cohorts/{cohort.id}/members"
    assert cohort.role_of(user) == role
    (event,) = audited("membership.add")
    assert event.after["email"] == "zoe@example.org"
    assert event.after["role"] == role.value


def post_refused(client, cohort, email: str, role: str = "learner") -> str:
    """Add someone, expecting a refusal; return the error shown beside the e-mail field."""
    before = db.session.scalar(db.select(db.func.count(Membership.id)))
    data = {"email": email, "role": role}
    response = client.post(f"/admin/cohorts/{cohort.id}/members", data=data)
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Membership.id))) == before
    assert audited("membership.add") == []
    return field_errors(response.get_data(as_text=True), "email")


def test_unknown_email_is_refused(client, admin):
    cohort = CohortFactory()
    errors = post_refused(client, cohort, "nobody@example.org")
    assert errors == text("No account uses this e-mail address.")


def test_existing_member_is_refused(client, admin):
    cohort = CohortFactory()
    learner = MembershipFactory(cohort=cohort).user
    errors = post_refused(client, cohort, learner.email, role="trainer")
    assert errors == text(
        "%(email)s is already a %(role)s of %(cohort)s",
        email=learner.email,
        role=text("learner"),
        cohort=cohort.name,
    )


def test_full_cohort_refuses_learners_but_not_trainers(client, admin):
    cohort = CohortFactory(capacity=1)
    MembershipFactory(cohort=cohort)
    newcomer = UserFactory()
    errors = post_refused(client, cohort, newcomer.email)
    assert errors == text(
        "%(cohort)s is full (%(capacity)d learners)", cohort=cohort.name, capacity=1
    )
    data = {"email": newcomer.email, "role": "trainer"}
    client.post(f"/admin/cohorts/{cohort.id}/members", data=data)
    assert is_trainer_of(newcomer, cohort)


def test_bad_input_is_refused_beside_the_field(client, admin):
    cohort = CohortFactory()
    assert post_refused(client, cohort, "")
    response = client.post(
        f"/admin/cohorts/{cohort.id}/members", data={"email": "a@example.org", "role": "owner"}
    )
    assert field_errors(response.get_data(as_text=True), "role")


def test_admin_removes_a_member_audited(client, admin):
    membership = MembershipFactory()
    cohort, user = membership.cohort, membership.user
    url = f"/admin/cohorts/{cohort.id}/members/{membership.id}/remove"
    response = client.post(url)
    assert response.headers["Location"] == f"/admin/cohorts/{cohort.id}/members"
    db.session.expire_all()
    assert cohort.role_of(user) is None
    (event,) = audited("membership.remove")
    assert event.before["email"] == user.email


def test_removing_through_another_cohort_is_not_found(client, admin):
    membership = MembershipFactory()
    other = CohortFactory()
    response = client.post(f"/admin/cohorts/{other.id}/members/{membership.id}/remove")
    assert response.status_code == 404
    assert db.session.get(Membership, membership.id) is not None


def test_removing_needs_the_csrf_token(client, admin, csrf_enabled):
    membership = MembershipFactory()
    url = f"/admin/cohorts/{membership.cohort.id}/members/{membership.id}/remove"
    assert client.post(url).status_code == 400
    assert db.session.get(Membership, membership.id) is not None


def test_learner_cannot_remove_anyone(client):
    membership = MembershipFactory()
    log_in(client, membership.user)
    url = f"/admin/cohorts/{membership.cohort.id}/members/{membership.id}/remove"
    assert client.post(url).status_code == 403
    assert db.session.get(Membership, membership.id) is not None
