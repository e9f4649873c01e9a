"""Only administrators reach the users and audit pages; refused writes change nothing."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from lms.accounts.models import AuditEvent, User
from lms.extensions import db
from tests.factories import AuditEventFactory, MembershipFactory, UserFactory
from tests.web.helpers import log_in

GET_ROUTES = [
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{id}/edit",
    "/admin/audit",
    "/admin/audit.csv",
]
POST_ROUTES = [
    ("/admin/users/new", {"email": "new@example.org", "display_name": "New", "locale": "fr"}),
    (
        "/admin/users/{id}/edit",
        {"email": "changed@example.org", "display_name": "X", "locale": "en"},
    ),
    ("/admin/users/{id}/deactivate", {}),
    ("/admin/users/{id}/reactivate", {}),
    ("/admin/users/{id}/send-reset", {}),
    ("/admin/users/{id}/end-sessions", {}),
    ("/admin/users/{id}/grant-admin", {}),
    ("/admin/users/{id}/revoke-admin", {}),
]


def state() -> tuple:
    """Return everything a refused write could have changed."""
    db.session.expire_all()
    users = db.session.execute(
        db.select(User.id, User.email, User.display_name, User.is_admin, User.is_active)
    ).all()
    events = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    return sorted(users), events


@pytest.fixture
def target():
    """Return an administrator other than the visitor, with a secret-looking name."""
    user = UserFactory(admin=True, email="target@example.org", display_name="Target Secretname")
    AuditEventFactory(actor=user, action="user.secret_action")
    return user


@pytest.fixture(params=["learner", "trainer", "in no cohort"])
def outsider(request, client):
    """Log in someone who is not an administrator."""
    user = UserFactory()
    if request.param != "in no cohort":
        MembershipFactory(user=user, trainer=request.param == "trainer")
    log_in(client, user)
    return user


@pytest.mark.parametrize("route", GET_ROUTES)
def test_non_administrators_get_403_and_see_nothing(client, outsider, target, route):
    response = client.get(route.format(id=target.id))
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "target@example.org" not in body
    assert "Secretname" not in body
    assert "user.secret_action" not in body


@pytest.mark.parametrize(("route", "data"), POST_ROUTES)
def test_non_administrators_cannot_write(client, outsider, target, route, data):
    before = state()
    response = client.post(route.format(id=target.id), data=data)
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize("route", GET_ROUTES)
def test_anonymous_visitors_are_sent_to_login(client, target, route):
    path = route.format(id=target.id)
    response = client.get(path)
    assert response.headers["Location"] == f"/login?next={quote(path, safe='')}"


@pytest.mark.parametrize(("route", "data"), POST_ROUTES)
def test_anonymous_writes_change_nothing(client, target, route, data):
    before = state()
    path = route.format(id=target.id)
    response = client.post(path, data=data)
    assert response.headers["Location"].startswith("/login?next=")
    assert state() == before


@pytest.mark.parametrize(("route", "data"), POST_ROUTES)
def test_writes_without_a_csrf_token_are_refused(client, csrf_enabled, target, route, data):
    log_in(client, UserFactory(admin=True))  # with the CSRF token, and the second factor
    assert client.get("/admin/users").status_code == 200
    before = state()
    response = client.post(route.format(id=target.id), data=data)
    assert response.status_code == 400
    assert state() == before


def test_administrators_see_the_pages(client, target):
    log_in(client, UserFactory(admin=True))
    for route in GET_ROUTES:
        assert client.get(route.format(id=target.id)).status_code == 200
