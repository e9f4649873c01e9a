"""The account services behind the administration pages, and their security log lines."""

from __future__ import annotations

import json
import logging

import pytest

from lms.accounts.models import UserSession
from lms.accounts.services import AccountError, set_admin, update_user
from lms.accounts.sessions import start_session
from lms.admin.services import contains, end_user_sessions
from lms.core.logging import SECURITY_LOGGER
from lms.extensions import db
from tests.admin.helpers import audit_events
from tests.factories import UserFactory


def logged_events(caplog, action: str) -> list[dict]:
    """Return the security log lines of one action, parsed."""
    lines = [r.getMessage() for r in caplog.records if r.name == SECURITY_LOGGER]
    return [event for event in map(json.loads, lines) if event["action"] == action]


@pytest.fixture
def actor():
    """Return an administrator acting in the services."""
    return UserFactory(admin=True)


def test_set_admin_refuses_oneself_either_way(actor):
    for wanted in (True, False):
        with pytest.raises(AccountError, match="your own administrator rights"):
            set_admin(actor, actor, wanted)
    assert actor.is_admin is True
    assert audit_events("user.revoke_admin") == []


def test_set_admin_to_the_current_value_records_nothing(actor):
    user = UserFactory()
    set_admin(actor, user, False)
    assert audit_events("user.revoke_admin") == []


def test_revoking_ends_every_session_and_logs_one_line(actor, caplog):
    user = UserFactory(admin=True)
    start_session(user)
    start_session(user)
    with caplog.at_level(logging.INFO, logger=SECURITY_LOGGER):
        set_admin(actor, user, False)
    live = db.session.scalars(db.select(UserSession).filter_by(user_id=user.id, revoked_at=None))
    assert live.all() == []
    [line] = logged_events(caplog, "user.revoke_admin")
    assert (line["user_id"], line["by_user_id"]) == (user.id, actor.id)


def test_granting_keeps_the_sessions(actor):
    user = UserFactory()
    start_session(user)
    set_admin(actor, user, True)
    live = db.session.scalars(db.select(UserSession).filter_by(user_id=user.id, revoked_at=None))
    assert len(live.all()) == 1


def test_update_user_refuses_an_unknown_language_and_empty_values(actor):
    user = UserFactory(locale="fr")
    with pytest.raises(AccountError):
        update_user(actor, user, email=user.email, display_name="X", locale="de")
    with pytest.raises(AccountError):
        update_user(actor, user, email="  ", display_name="X", locale="fr")
    with pytest.raises(AccountError):
        update_user(actor, user, email=user.email, display_name="  ", locale="fr")
    assert user.locale == "fr"


def test_update_user_refuses_an_email_of_another_account_whatever_its_case(actor):
    UserFactory(email="taken@example.org")
    user = UserFactory(email="mine@example.org")
    with pytest.raises(AccountError, match="already uses"):
        update_user(actor, user, email="Taken@Example.org", display_name="X", locale="fr")
    assert user.email == "mine@example.org"


def test_update_user_keeps_the_own_address_in_another_case(actor, caplog):
    user = UserFactory(email="mine@example.org", display_name="Old", locale="fr")
    with caplog.at_level(logging.INFO, logger=SECURITY_LOGGER):
        update_user(actor, user, email="MINE@example.org", display_name=" New ", locale="fr")
    assert (user.email, user.display_name) == ("mine@example.org", "New")
    [event] = audit_events("user.update")
    assert (event.before, event.after) == ({"display_name": "Old"}, {"display_name": "New"})
    [line] = logged_events(caplog, "user.update")
    assert line["fields"] == ["display_name"]
    assert "New" not in json.dumps(line)  # the log says what changed, not the values


def test_end_user_sessions_counts_only_live_ones(actor):
    user = UserFactory()
    start_session(user)
    start_session(user)
    assert end_user_sessions(actor, user) == 2
    assert end_user_sessions(actor, user) == 0
    assert [event.after for event in audit_events("user.end_sessions")] == [
        {"sessions_ended": 2},
        {"sessions_ended": 0},
    ]


@pytest.mark.parametrize(
    ("text", "pattern"),
    [("bob", "%bob%"), ("50%", "%50\\%%"), ("a_b", "%a\\_b%"), ("back\\slash", "%back\\\\slash%")],
)
def test_search_patterns_escape_wildcards(text, pattern):
    assert contains(text) == pattern
