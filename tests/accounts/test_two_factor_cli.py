"""``lms reset-two-factor`` for a locked-out user, and what ``lms create-admin`` says about it."""

from __future__ import annotations

from lms.accounts.models import AuditEvent
from lms.extensions import db
from tests.accounts.two_factor_helpers import recovery_code_rows, reloaded, start_login
from tests.factories import UserFactory
from tests.web.helpers import enrol_two_factor

STRONG = "Un jardin partagé pour tout le quartier"


def reset(runner, *args):
    """Run ``lms reset-two-factor`` with ``args``; return the result."""
    return runner.invoke(args=["reset-two-factor", *args])


def test_reset_removes_the_factor_and_the_codes_and_is_audited(runner):
    operator = UserFactory(admin=True, email="ops@example.org")
    locked_out = UserFactory(admin=True, email="lost@example.org")
    enrol_two_factor(locked_out)
    result = reset(runner, "--email", "Lost@Example.org", "--by", "ops@example.org")
    assert result.exit_code == 0, result.output
    assert "lost@example.org" in result.output
    user = reloaded(locked_out)
    assert not user.two_factor_enabled
    assert (user.totp_secret_encrypted, user.totp_last_used_step) == (None, None)
    assert recovery_code_rows(user) == []
    [event] = db.session.scalars(db.select(AuditEvent).filter_by(action="user.reset_2fa"))
    assert (event.actor_id, event.object_id) == (operator.id, str(user.id))


def test_a_reset_administrator_is_confined_until_enrolled_again(runner, client):
    admin = UserFactory(admin=True)
    enrol_two_factor(admin)
    assert reset(runner, "--email", admin.email).exit_code == 0
    assert start_login(client, admin).headers["Location"] == "/"
    assert client.get("/admin/").headers["Location"] == "/account/two-factor"


def test_reset_without_by_is_audited_as_the_operator(runner):
    user = UserFactory()
    enrol_two_factor(user)
    assert reset(runner, "--email", user.email).exit_code == 0
    [event] = db.session.scalars(db.select(AuditEvent).filter_by(action="user.reset_2fa"))
    assert event.actor_id is None


def test_reset_refuses_an_unknown_account(runner):
    result = reset(runner, "--email", "nobody@example.org")
    assert result.exit_code == 1
    assert "No account uses nobody@example.org." in result.output


def test_reset_refuses_an_account_without_the_factor(runner):
    user = UserFactory(email="plain@example.org")
    result = reset(runner, "--email", user.email)
    assert result.exit_code == 1
    assert "plain@example.org has no two-step verification to reset." in result.output
    assert db.session.scalars(db.select(AuditEvent)).all() == []


def test_reset_by_someone_who_is_not_an_administrator_is_refused(runner):
    user = UserFactory()
    enrol_two_factor(user)
    learner = UserFactory(email="learner@example.org")
    result = reset(runner, "--email", user.email, "--by", learner.email)
    assert result.exit_code == 1
    assert "learner@example.org is not an administrator." in result.output
    assert reloaded(user).two_factor_enabled


def test_create_admin_says_the_administrator_enrols_at_first_login(runner):
    result = runner.invoke(
        args=["create-admin", "--email", "first@example.org"], input=f"{STRONG}\n{STRONG}\n"
    )
    assert result.exit_code == 0, result.output
    assert "At their first login, they will set up two-step verification." in result.output
