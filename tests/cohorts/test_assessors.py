"""The external assessors' use cases (lms.cohorts.assessors): invite, change, end, remove."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.accounts.models import AuditEvent, PasswordToken, User
from lms.cohorts.access import is_assessor_of
from lms.cohorts.assessors import (
    assessor_memberships,
    change_assessor_access,
    cohort_assessors,
    invite_assessor,
    latest_access_end,
    notify_assessor,
    remove_assessor,
)
from lms.cohorts.models import Membership, MembershipRole
from lms.cohorts.services import CohortError
from lms.extensions import db
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.smtp import body_of

TODAY = date(2027, 3, 10)


@pytest.fixture
def cohort():
    """A cohort from January to June 2027."""
    return CohortFactory(name="Promo 2027", starts_on=date(2027, 1, 4), ends_on=date(2027, 6, 30))


@pytest.fixture
def admin():
    """The administrator who acts."""
    return UserFactory(admin=True)


def invite(admin, cohort, **overrides):
    """Invite with sensible values, overridden by ``overrides``."""
    values = {
        "email": "ines.eval@example.org",
        "display_name": "Inès Évaluatrice",
        "locale": "fr",
        "access_ends_on": date(2027, 7, 15),
        "today": TODAY,
    }
    return invite_assessor(admin, cohort, **(values | overrides))


def audited(action: str) -> list[AuditEvent]:
    """Return the audit events of one action."""
    return list(db.session.scalars(db.select(AuditEvent).filter_by(action=action)))


def test_inviting_a_new_person_creates_an_invited_account(admin, cohort, monkeypatch):
    invited = []
    monkeypatch.setattr(
        "lms.accounts.tokens.send_invitation", lambda user, **kw: invited.append(user)
    )
    membership = invite(admin, cohort, email=" Ines.Eval@Example.org ", locale="en")
    user = membership.user
    assert (user.email, user.display_name, user.locale) == (
        "ines.eval@example.org",
        "Inès Évaluatrice",
        "en",
    )
    assert user.password_hash is None
    assert invited == [user]
    assert membership.role == MembershipRole.ASSESSOR
    assert membership.access_ends_on == date(2027, 7, 15)
    assert is_assessor_of(user, cohort, TODAY)
    (event,) = audited("assessor.invite")
    assert event.after["access_ends_on"] == "2027-07-15"
    assert event.after["email"] == "ines.eval@example.org"
    assert len(audited("user.create")) == 1


def test_inviting_an_existing_account_reuses_it(admin, cohort, monkeypatch):
    monkeypatch.setattr("lms.accounts.tokens.send_invitation", pytest.fail)
    learner_elsewhere = MembershipFactory().user
    membership = invite(
        admin, cohort, email=learner_elsewhere.email.upper(), display_name="", locale="en"
    )
    assert membership.user is learner_elsewhere
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2  # no new account
    assert audited("user.create") == []


@pytest.mark.parametrize("role", ["learner", "trainer", "assessor"])
def test_someone_with_a_role_in_the_cohort_is_refused_naming_it(admin, cohort, role):
    kwargs = {"trainer": role == "trainer"}
    if role == "assessor":
        kwargs = {"assessor": True}
    member = MembershipFactory(cohort=cohort, **kwargs).user
    words = {"learner": "learner", "trainer": "trainer", "assessor": "external assessor"}[role]
    with pytest.raises(CohortError, match=f"already a {words} of Promo 2027") as error:
        invite(admin, cohort, email=member.email)
    assert error.value.field == "email"
    assert audited("assessor.invite") == []


def test_a_deactivated_account_is_refused(admin, cohort):
    user = UserFactory(is_active=False)
    with pytest.raises(CohortError, match="deactivated") as error:
        invite(admin, cohort, email=user.email)
    assert error.value.field == "email"


@pytest.mark.parametrize(
    ("ends_on", "message"),
    [
        (TODAY - timedelta(days=1), "cannot be in the past"),
        (date(2028, 7, 1), "at the latest"),
    ],
)
def test_an_end_in_the_past_or_beyond_a_year_after_the_cohort_is_refused(
    admin, cohort, monkeypatch, ends_on, message
):
    monkeypatch.setattr("lms.accounts.tokens.send_invitation", pytest.fail)
    with pytest.raises(CohortError, match=message) as error:
        invite(admin, cohort, access_ends_on=ends_on)
    assert error.value.field == "access_ends_on"
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1  # the administrator only


def test_the_bounds_themselves_are_accepted(admin, cohort, monkeypatch):
    monkeypatch.setattr("lms.accounts.tokens.send_invitation", lambda user, **kw: None)
    assert latest_access_end(cohort) == date(2028, 6, 30)
    invite(admin, cohort, access_ends_on=TODAY)
    invite(admin, cohort, email="other@example.org", access_ends_on=date(2028, 6, 30))


def test_one_year_after_the_29th_of_february_is_the_28th():
    assert latest_access_end(CohortFactory(ends_on=date(2028, 2, 29))) == date(2029, 2, 28)


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Give the name"), ("   ", "Give the name"), ("Inès\u202e", "invisible or control")],
)
def test_a_new_account_needs_a_printable_name(admin, cohort, monkeypatch, name, message):
    monkeypatch.setattr("lms.accounts.tokens.send_invitation", pytest.fail)
    with pytest.raises(CohortError, match=message) as error:
        invite(admin, cohort, display_name=name)
    assert error.value.field == "display_name"


@pytest.fixture
def assessor(cohort):
    """An external assessor of the cohort until 31 March 2027."""
    return MembershipFactory(cohort=cohort, assessor=True, access_ends_on=date(2027, 3, 31))


def test_access_is_extended_or_shortened_audited(admin, assessor):
    change_assessor_access(admin, assessor, date(2027, 9, 1), today=TODAY)
    assert assessor.access_ends_on == date(2027, 9, 1)
    change_assessor_access(admin, assessor, date(2027, 3, 20), today=TODAY)
    assert assessor.access_ends_on == date(2027, 3, 20)
    first, second = audited("assessor.access")
    assert (first.before["access_ends_on"], first.after["access_ends_on"]) == (
        "2027-03-31",
        "2027-09-01",
    )
    assert second.after["access_ends_on"] == "2027-03-20"


@pytest.mark.parametrize("day", [TODAY, TODAY - timedelta(days=30)])
def test_today_or_earlier_ends_the_access_now(admin, assessor, day):
    change_assessor_access(admin, assessor, day, today=TODAY)
    assert assessor.access_ends_on == TODAY - timedelta(days=1)
    assert not is_assessor_of(assessor.user, assessor.cohort, TODAY)


def test_the_same_date_again_records_nothing(admin, assessor):
    change_assessor_access(admin, assessor, date(2027, 3, 31), today=TODAY)
    assert audited("assessor.access") == []


def test_an_access_beyond_a_year_after_the_cohort_is_refused(admin, assessor):
    with pytest.raises(CohortError, match="at the latest") as error:
        change_assessor_access(admin, assessor, date(2028, 7, 1), today=TODAY)
    assert error.value.field == "access_ends_on"
    assert assessor.access_ends_on == date(2027, 3, 31)


@pytest.mark.parametrize("trainer", [True, False])
def test_learners_and_trainers_are_no_assessors_to_change_or_remove(admin, cohort, trainer):
    membership = MembershipFactory(cohort=cohort, trainer=trainer)
    with pytest.raises(CohortError, match="not an external assessor"):
        change_assessor_access(admin, membership, date(2027, 5, 1), today=TODAY)
    with pytest.raises(CohortError, match="not an external assessor"):
        remove_assessor(admin, membership)
    assert membership.access_ends_on is None


def test_removing_an_assessor_keeps_their_account(admin, assessor):
    user = assessor.user
    remove_assessor(admin, assessor)
    assert db.session.scalar(db.select(db.func.count(Membership.id))) == 0
    assert db.session.get(User, user.id) is user
    (event,) = audited("assessor.remove")
    assert event.before["email"] == user.email


def test_lists_of_assessors(cohort, assessor):
    MembershipFactory(cohort=cohort)
    later = MembershipFactory(assessor=True, user=assessor.user, access_ends_on=date(2027, 9, 1))
    assert cohort_assessors(cohort) == [assessor]
    assert assessor_memberships(assessor.user) == [later, assessor]


def test_the_notice_says_the_cohort_and_the_last_day_in_their_language(assessor, smtp_server, app):
    assessor.user.locale = "en"
    assert notify_assessor(assessor)
    (message,) = smtp_server
    assert message["Subject"] == "You are an external assessor of Promo 2027"
    body = body_of(message)
    assert "Promo 2027" in body
    assert "March 31, 2027" in body
    assert "/login" in body
    assert "You have not chosen a password yet" not in body  # the factory's users have one


def test_the_notice_of_a_new_account_reminds_the_invitation(assessor, smtp_server):
    assessor.user.password_hash = None
    assessor.user.locale = "fr"
    assert notify_assessor(assessor)
    body = body_of(smtp_server[0])
    assert "31 mars 2027" in body
    assert "mot de passe" in body
    assert smtp_server[0]["Subject"] == "Vous êtes évaluateur·ice externe de Promo 2027"


def test_a_refused_notice_is_logged_and_undoes_nothing(assessor, app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)  # discard: nothing listens
    assert not notify_assessor(assessor)
    assert "assessor notice" in caplog.text
    assert db.session.get(Membership, assessor.id) is assessor


def test_unused_invitation_tokens_are_the_accounts_own(admin, cohort, monkeypatch):
    # The invitation really issues a token (the mail is written to the log in development).
    membership = invite(admin, cohort)
    tokens = db.session.scalars(db.select(PasswordToken).filter_by(user_id=membership.user_id))
    assert len(list(tokens)) == 1
