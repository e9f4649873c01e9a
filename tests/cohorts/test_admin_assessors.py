"""The external assessors section of a cohort's members page: list, invite, change, remove."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.accounts.models import AuditEvent, User
from lms.cohorts.models import Membership, MembershipRole
from lms.core.time import local_today
from lms.extensions import db
from tests.cohorts.test_admin import field_errors
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.smtp import body_of
from tests.web.helpers import log_in, text


@pytest.fixture
def admin(client):
    """Log an administrator in and return them."""
    user = UserFactory(admin=True)
    log_in(client, user)
    return user


@pytest.fixture
def cohort():
    """A cohort that ends in 200 days."""
    today = local_today()
    return CohortFactory(starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=200))


def in_days(days: int) -> str:
    """Return the ISO date ``days`` from today (Paris), as a date input sends it."""
    return (local_today() + timedelta(days=days)).isoformat()


def listed_assessors(html: str) -> dict[str, str]:
    """Return e-mail -> "true"/"false" (ended) of the assessors table."""
    return dict(re.findall(r'<tr data-assessor="([^"]+)" data-ended="(\w+)">', html))


def members_url(cohort) -> str:
    """Return the members page of the cohort."""
    return f"/admin/cohorts/{cohort.id}/members"


def audited(action: str) -> list[AuditEvent]:
    """Return the audit events of one action."""
    return list(db.session.scalars(db.select(AuditEvent).filter_by(action=action)))


def test_the_page_lists_assessors_apart_with_ended_ones_marked(client, admin, cohort):
    MembershipFactory(cohort=cohort)
    active = MembershipFactory(cohort=cohort, assessor=True, access_ends_on=local_today())
    ended = MembershipFactory(
        cohort=cohort, assessor=True, access_ends_on=local_today() - timedelta(days=1)
    )
    MembershipFactory(assessor=True)  # of another cohort
    html = client.get(members_url(cohort)).get_data(as_text=True)
    assert listed_assessors(html) == {active.user.email: "false", ended.user.email: "true"}
    assert f'data-member="{active.user.email}"' not in html
    assert text("ended") in html
    assert text("Invite an external assessor") in html


def test_the_page_says_when_there_is_no_assessor(client, admin, cohort):
    html = client.get(members_url(cohort)).get_data(as_text=True)
    assert text("No external assessor yet.") in html


def test_members_page_query_count_does_not_grow_with_assessors(
    client, admin, cohort, query_counter
):
    other = CohortFactory()
    MembershipFactory(cohort=other, assessor=True)
    for _number in range(12):
        MembershipFactory(cohort=cohort, assessor=True)
    with query_counter as few:
        client.get(members_url(other))
    with query_counter as many:
        html = client.get(members_url(cohort)).get_data(as_text=True)
    assert len(listed_assessors(html)) == 12
    assert many.count == few.count


def invite_data(**overrides) -> dict[str, str]:
    """Return the invitation form's values, overridden by ``overrides``."""
    values = {
        "email": "ines.eval@example.org",
        "display_name": "Inès Évaluatrice",
        "locale": "en",
        "access_ends_on": in_days(60),
    }
    return {f"invite-{key}": value for key, value in (values | overrides).items()}


def test_inviting_a_new_person_creates_the_account_and_sends_two_mails(
    client, admin, cohort, smtp_server
):
    response = client.post(f"/admin/cohorts/{cohort.id}/assessors", data=invite_data())
    assert response.headers["Location"] == f"{members_url(cohort)}#assessors"
    user = db.session.scalar(db.select(User).filter_by(email="ines.eval@example.org"))
    assert cohort.role_of(user) == MembershipRole.ASSESSOR
    subjects = sorted(message["Subject"] for message in smtp_server)
    assert subjects == [
        "You are an external assessor of " + cohort.name,
        "Your account is ready: choose your password",
    ]
    notice = next(m for m in smtp_server if m["Subject"].startswith("You are"))
    assert "You have not chosen a password yet" in body_of(notice)
    assert len(audited("assessor.invite")) == 1
    html = client.get(members_url(cohort)).get_data(as_text=True)
    assert listed_assessors(html) == {"ines.eval@example.org": "false"}


def test_inviting_an_existing_account_sends_the_notice_only(client, admin, cohort, smtp_server):
    known = UserFactory(locale="fr")
    data = invite_data(email=known.email, display_name="")
    client.post(f"/admin/cohorts/{cohort.id}/assessors", data=data)
    (notice,) = smtp_server
    assert notice["Subject"] == f"Vous êtes évaluateur·ice externe de {cohort.name}"
    assert notice["X-Envelope-To"] == known.email


def post_refused(client, cohort, **overrides) -> str:
    """Invite, expecting a refusal; return the page (nothing recorded, no mail)."""
    before = db.session.scalar(db.select(db.func.count(Membership.id)))
    url = f"/admin/cohorts/{cohort.id}/assessors"
    response = client.post(url, data=invite_data(**overrides))
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Membership.id))) == before
    assert audited("assessor.invite") == []
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not an address"}, "email", "Invalid email address."),
        ({"access_ends_on": ""}, "access_ends_on", "This field is required."),
        ({"access_ends_on": "2027-02-30"}, "access_ends_on", None),
        ({"access_ends_on": -1}, "access_ends_on", "The last day of access cannot be in the past."),
        ({"access_ends_on": 600}, "access_ends_on", None),
        ({"display_name": ""}, "display_name", "Give the name of the person."),
        ({"locale": "de"}, "locale", None),
    ],
)
def test_bad_input_is_refused_beside_its_field(client, admin, cohort, overrides, field, message):
    if isinstance(overrides.get("access_ends_on"), int):  # days from today
        overrides = {"access_ends_on": in_days(overrides["access_ends_on"])}
    html = post_refused(client, cohort, **overrides)
    errors = field_errors(html, f"invite-{field}")
    assert errors
    if message is not None:
        assert errors == text(message)


def test_someone_already_in_the_cohort_is_refused_naming_their_role(client, admin, cohort):
    trainer = MembershipFactory(cohort=cohort, trainer=True).user
    html = post_refused(client, cohort, email=trainer.email)
    assert field_errors(html, "invite-email") == text(
        "%(email)s is already a %(role)s of %(cohort)s",
        email=trainer.email,
        role=text("trainer"),
        cohort=cohort.name,
    )


@pytest.fixture
def assessor(cohort):
    """An external assessor of the cohort for 30 more days."""
    return MembershipFactory(
        cohort=cohort, assessor=True, access_ends_on=local_today() + timedelta(days=30)
    )


def access_url(assessor, action: str = "access") -> str:
    """Return the URL of an action on one assessor."""
    return f"/admin/cohorts/{assessor.cohort_id}/assessors/{assessor.id}/{action}"


def test_changing_the_date_extends_or_ends_the_access(client, admin, assessor):
    field = "access-access_ends_on"
    response = client.post(access_url(assessor), data={field: in_days(90)})
    assert response.headers["Location"] == f"{members_url(assessor.cohort)}#assessors"
    db.session.expire_all()
    assert assessor.access_ends_on == local_today() + timedelta(days=90)
    client.post(access_url(assessor), data={field: in_days(0)})
    db.session.expire_all()
    assert assessor.access_ends_on == local_today() - timedelta(days=1)
    assert len(audited("assessor.access")) == 2
    html = client.get(members_url(assessor.cohort)).get_data(as_text=True)
    assert listed_assessors(html) == {assessor.user.email: "true"}


@pytest.mark.parametrize("value", ["", "31/12/2030", 600])
def test_a_bad_date_is_refused_beside_the_row(client, admin, assessor, value):
    value = in_days(value) if isinstance(value, int) else value
    response = client.post(access_url(assessor), data={"access-access_ends_on": value})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert field_errors(html, f"assessor-{assessor.id}-access_ends_on")
    db.session.expire_all()
    assert assessor.access_ends_on == local_today() + timedelta(days=30)


def test_removing_an_assessor_keeps_the_account(client, admin, assessor):
    user_id = assessor.user_id
    response = client.post(access_url(assessor, "remove"))
    assert response.headers["Location"] == f"{members_url(assessor.cohort)}#assessors"
    assert db.session.get(Membership, assessor.id) is None
    assert db.session.get(User, user_id) is not None
    assert len(audited("assessor.remove")) == 1


def test_removing_needs_the_csrf_token(client, admin, assessor, csrf_enabled):
    assert client.post(access_url(assessor, "remove")).status_code == 400
    assert db.session.get(Membership, assessor.id) is not None


@pytest.mark.parametrize("action", ["access", "remove"])
def test_a_learner_or_another_cohort_s_assessor_is_not_found(client, admin, assessor, action):
    learner = MembershipFactory(cohort=assessor.cohort)
    elsewhere = CohortFactory()
    for url in (
        access_url(learner, action),
        f"/admin/cohorts/{elsewhere.id}/assessors/{assessor.id}/{action}",
    ):
        assert client.post(url, data={}).status_code == 404, url
    assert db.session.get(Membership, assessor.id) is not None


def test_the_learners_remove_route_does_not_take_assessors(client, admin, assessor):
    url = f"/admin/cohorts/{assessor.cohort_id}/members/{assessor.id}/remove"
    assert client.post(url).status_code == 404
    assert db.session.get(Membership, assessor.id) is not None


def test_people_who_are_no_administrators_are_denied(client, assessor):
    trainer = MembershipFactory(cohort=assessor.cohort, trainer=True).user
    for user in (trainer, assessor.user):
        client.post("/logout")
        log_in(client, user)
        for url in (access_url(assessor), access_url(assessor, "remove")):
            assert client.post(url).status_code == 403
        url = f"/admin/cohorts/{assessor.cohort_id}/assessors"
        assert client.post(url, data=invite_data()).status_code == 403
    assert db.session.scalar(db.select(db.func.count(Membership.id))) == 2
