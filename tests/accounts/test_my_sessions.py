"""The "my sessions" page: list one's live sessions, end one, or end all the others."""

from __future__ import annotations

import re

from lms.accounts.sessions import end_session
from lms.extensions import db
from tests.accounts.helpers import (
    captured_cookie,
    is_refused,
    logged_in_client,
    replay,
    sessions_of,
)
from tests.factories import UserFactory
from tests.web.helpers import csrf_token_of, text


def listed_sessions(html: str) -> list[int]:
    """Return the ids of the session rows of the page, in order."""
    return [int(found) for found in re.findall(r'<tr data-session="(\d+)">', html)]


def test_page_lists_the_live_sessions_of_the_visitor_only(app):
    user, other = UserFactory(), UserFactory()
    laptop = logged_in_client(app, user, address="203.0.113.5", user_agent="Laptop <Firefox>")
    logged_in_client(app, user, user_agent="Phone")
    ended = logged_in_client(app, user, user_agent="Ended")
    ended.post("/logout")
    logged_in_client(app, other, user_agent="Someone else")
    first, second, _ = sessions_of(user)
    html = laptop.get("/account/sessions").get_data(as_text=True)
    assert sorted(listed_sessions(html)) == [first.id, second.id]
    assert "Laptop &lt;Firefox&gt;" in html
    assert "203.0.113.5" in html
    assert "Someone else" not in html
    assert "Ended" not in html
    row = re.search(rf'<tr data-session="{first.id}">.*?</tr>', html, re.S).group(0)
    assert text("This session") in row
    assert text("End all my other sessions") in html


def test_anonymous_visitors_are_sent_to_login(client):
    assert is_refused(client.get("/account/sessions"))
    assert client.post("/account/sessions/1/end").headers["Location"].startswith("/login")
    assert client.post("/account/sessions/end-others").headers["Location"].startswith("/login")


def test_ending_another_of_ones_sessions_refuses_its_cookie(app):
    user = UserFactory()
    current = logged_in_client(app, user)
    other_cookie = captured_cookie(logged_in_client(app, user))
    _, other = sessions_of(user)
    response = current.post(f"/account/sessions/{other.id}/end")
    assert response.headers["Location"] == "/account/sessions"
    assert is_refused(replay(app, other_cookie))
    assert current.get("/account/sessions").status_code == 200
    assert sessions_of(user)[1].revoked_reason == "ended_by_user"


def test_ending_the_current_session_logs_out(app):
    user = UserFactory()
    client = logged_in_client(app, user)
    [record] = sessions_of(user)
    response = client.post(f"/account/sessions/{record.id}/end")
    assert response.headers["Location"] == "/login"
    assert is_refused(client.get("/account/sessions"))


def test_another_users_session_is_not_found_and_stays_alive(app):
    user, victim = UserFactory(), UserFactory()
    client = logged_in_client(app, user)
    victim_cookie = captured_cookie(logged_in_client(app, victim))
    [victim_session] = sessions_of(victim)
    assert client.post(f"/account/sessions/{victim_session.id}/end").status_code == 404
    assert client.post("/account/sessions/999999/end").status_code == 404
    assert sessions_of(victim)[0].revoked_at is None
    assert replay(app, victim_cookie).status_code == 200


def test_ending_an_already_ended_session_keeps_its_first_reason(app):
    user = UserFactory()
    client = logged_in_client(app, user)
    logged_in_client(app, user)
    _, other = sessions_of(user)
    end_session(other, reason="logout")
    db.session.commit()
    response = client.post(f"/account/sessions/{other.id}/end")
    assert response.headers["Location"] == "/account/sessions"
    assert sessions_of(user)[1].revoked_reason == "logout"


def test_end_others_keeps_only_the_current_session(app):
    user = UserFactory()
    client = logged_in_client(app, user)
    cookies = [captured_cookie(logged_in_client(app, user)) for _ in range(2)]
    response = client.post("/account/sessions/end-others")
    assert response.headers["Location"] == "/account/sessions"
    assert all(is_refused(replay(app, cookie)) for cookie in cookies)
    html = client.get("/account/sessions").get_data(as_text=True)
    assert listed_sessions(html) == [sessions_of(user)[0].id]
    assert text("Your other sessions have been ended.") in html
    assert text("End all my other sessions") not in html


def test_ending_sessions_needs_a_csrf_token(app, csrf_enabled):
    user = UserFactory()
    client = logged_in_client(app, user)
    cookie = captured_cookie(logged_in_client(app, user))
    _, other = sessions_of(user)
    assert client.post(f"/account/sessions/{other.id}/end").status_code == 400
    assert client.post("/account/sessions/end-others").status_code == 400
    assert replay(app, cookie).status_code == 200
    token = csrf_token_of(client.get("/account/sessions").get_data(as_text=True))
    response = client.post("/account/sessions/end-others", data={"csrf_token": token})
    assert response.headers["Location"] == "/account/sessions"
    assert is_refused(replay(app, cookie))


def test_ending_sessions_is_logged(app, caplog):
    user = UserFactory()
    client = logged_in_client(app, user)
    logged_in_client(app, user)
    client.post("/account/sessions/end-others")
    events = [r.security_event for r in caplog.records if hasattr(r, "security_event")]
    ended = [event for event in events if event["action"] == "sessions.ended"]
    assert ended == [ended[0]]
    assert ended[0]["user_id"] == user.id
    assert ended[0]["count"] == 1
