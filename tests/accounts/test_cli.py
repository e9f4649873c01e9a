"""``lms create-admin``: the first administrator, created from the command line."""

from __future__ import annotations

from lms.accounts.models import AuditEvent, User
from lms.accounts.passwords import TOO_COMMON, TOO_SHORT
from lms.extensions import db
from tests.factories import UserFactory

STRONG = "Un jardin partagé pour tout le quartier"


def create_admin(runner, *args, password_input):
    """Run ``lms create-admin`` with ``args`` and the given answers to the prompts."""
    return runner.invoke(args=["create-admin", *args], input=password_input)


def users():
    """Return every user in the database."""
    return list(db.session.scalars(db.select(User)))


def test_create_admin_creates_an_administrator_and_audits_it(runner):
    result = create_admin(
        runner,
        "--email",
        "Admin@Example.org",
        "--name",
        "Alex Martin",
        password_input=f"{STRONG}\n{STRONG}\n",
    )
    assert result.exit_code == 0, result.output
    assert "admin@example.org" in result.output
    assert STRONG not in result.output  # the prompt never echoes the password
    [admin] = users()
    assert (admin.email, admin.display_name, admin.is_admin) == (
        "admin@example.org",
        "Alex Martin",
        True,
    )
    assert admin.check_password(STRONG)
    [event] = db.session.scalars(db.select(AuditEvent))
    assert (event.action, event.object_type, event.object_id) == (
        "user.create_admin",
        "User",
        str(admin.id),
    )
    assert event.actor_id is None
    assert STRONG not in str(event.after)


def test_create_admin_names_the_admin_after_the_email_by_default(runner):
    result = create_admin(
        runner, "--email", "root@example.org", password_input=f"{STRONG}\n{STRONG}\n"
    )
    assert result.exit_code == 0, result.output
    assert users()[0].display_name == "root@example.org"


def test_create_admin_refuses_a_weak_password_and_lists_the_problems(runner):
    result = create_admin(
        runner, "--email", "admin@example.org", password_input="motdepasse\nmotdepasse\n"
    )
    assert result.exit_code != 0
    assert str(TOO_SHORT) in result.output
    assert str(TOO_COMMON) in result.output
    assert users() == []


def test_create_admin_refuses_a_password_built_on_the_email(runner):
    password = "marie.dupont2026"
    result = create_admin(
        runner, "--email", "marie.dupont@example.org", password_input=f"{password}\n{password}\n"
    )
    assert result.exit_code != 0
    assert users() == []


def test_create_admin_refuses_two_different_passwords(runner):
    result = create_admin(
        runner, "--email", "admin@example.org", password_input=f"{STRONG}\n{STRONG}!\n"
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert users() == []


def test_create_admin_refuses_an_existing_email(runner):
    UserFactory(email="taken@example.org")
    result = create_admin(
        runner, "--email", "Taken@Example.org", password_input=f"{STRONG}\n{STRONG}\n"
    )
    assert result.exit_code != 0
    assert "taken@example.org" in result.output
    [user] = users()
    assert not user.is_admin
    assert db.session.scalars(db.select(AuditEvent)).all() == []


def test_create_admin_refuses_an_invalid_email(runner):
    result = create_admin(runner, "--email", "not-an-email", password_input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code != 0
    assert users() == []


def test_create_admin_requires_an_email(runner):
    result = runner.invoke(args=["create-admin"])
    assert result.exit_code != 0
    assert "--email" in result.output
