"""The transaction boundary: ``unit_of_work`` and the rollback at the end of every request."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms import create_app
from lms.accounts.models import User
from lms.core.transactions import DomainError, has_unfinished_work, unit_of_work
from lms.extensions import db


def add_user(email: str) -> None:
    db.session.add(User(email=email, display_name="Camille Test", locale="en"))
    db.session.flush()


def add_again(email: str) -> None:
    with unit_of_work():
        db.session.add(User(email=email, display_name="Again", locale="en"))


def committed_emails() -> set[str]:
    """Return the e-mail addresses committed to the database (read on a connection of its own)."""
    with db.engine.connect() as connection:
        return set(connection.scalars(select(User.email)))


def session_emails() -> set[str]:
    """Return the e-mail addresses the current session sees (its own uncommitted work included)."""
    return set(db.session.scalars(select(User.email)))


@pytest.fixture(scope="module")
def work_app(app):
    """An application on the suite's database with views that write in various ways."""
    work_app = create_app({**app.config, "TESTING": True})

    @work_app.post("/commits")
    def commits():
        with unit_of_work():
            add_user("kept@example.org")
        return "done"

    @work_app.post("/raises")
    def raises():
        with unit_of_work():
            add_user("lost@example.org")
            raise RuntimeError("the view failed")

    @work_app.post("/refused")
    def refused():
        with unit_of_work(error_redirect="/after"):
            add_user("refused@example.org")
            raise DomainError("This cannot be done now.")
        return "never"

    @work_app.post("/forgets")
    def forgets():
        add_user("forgotten@example.org")  # no commit: the request's end rolls it back
        return "done"

    @work_app.get("/reads")
    def reads():
        return str(len(session_emails()))

    yield work_app
    with work_app.app_context():
        db.engine.dispose()  # its own connections, apart from the suite's


@pytest.fixture
def work_client(work_app):
    """A client of ``work_app`` whose application context spans the test, as in the suite."""
    with work_app.app_context():
        yield work_app.test_client()
        db.session.rollback()


def test_the_work_of_a_block_that_ends_is_committed(work_client):
    assert work_client.post("/commits").status_code == 200
    assert committed_emails() == {"kept@example.org"}


def test_nothing_is_committed_when_the_view_raises(work_client):
    with pytest.raises(RuntimeError, match="the view failed"):  # TESTING lets errors through
        work_client.post("/raises")
    assert "lost@example.org" not in committed_emails() | session_emails()


def test_a_refusal_is_rolled_back_flashed_and_redirected(work_client):
    response = work_client.post("/refused")
    assert response.location == "/after"
    with work_client.session_transaction() as session:
        assert session["_flashes"] == [("error", "This cannot be done now.")]
    assert "refused@example.org" not in committed_emails() | session_emails()


def test_work_a_view_forgot_to_commit_is_rolled_back_at_the_end_of_the_request(work_client, caplog):
    assert work_client.post("/forgets").status_code == 200
    # Without the rollback, the next request of the same application context would see it.
    assert work_client.get("/reads").text == "0"
    assert "forgotten@example.org" not in committed_emails()
    assert "uncommitted work rolled back at the end of POST /forgets" in caplog.text


def test_a_request_that_changed_nothing_leaves_the_session_alone(work_client, caplog):
    assert work_client.get("/reads").text == "0"
    assert "uncommitted" not in caplog.text


def refused_work() -> None:
    with unit_of_work():
        add_user("caller@example.org")
        raise DomainError("Refused.")


def test_without_a_redirect_a_refusal_reaches_the_caller_after_the_rollback(app):
    with app.test_request_context("/"):
        with pytest.raises(DomainError):
            refused_work()
        assert get_flashed_messages() == []
    assert not has_unfinished_work(db.session())
    assert "caller@example.org" not in session_emails()


def test_a_failed_commit_is_rolled_back(app):
    add_user("twice@example.org")
    db.session.commit()
    with pytest.raises(IntegrityError):
        add_again("twice@example.org")
    assert session_emails() == {"twice@example.org"}  # the session is usable again
