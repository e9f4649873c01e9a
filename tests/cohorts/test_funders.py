"""Funders: how pages name them and how a file may name them."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from lms.accounts.models import AuditEvent, User
from lms.cohorts.funders import FUNDER_LABELS, funder_label, parse_funder
from lms.cohorts.models import Funder, Membership
from lms.cohorts.services import CohortError, set_funder
from lms.extensions import db
from tests.cohorts.test_admin import add_learners
from tests.cohorts.test_admin_import import import_key, row_statuses, upload
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.web.helpers import log_in, text


def test_every_funder_has_a_label_in_french():
    assert set(FUNDER_LABELS) == set(Funder)
    with force_locale("fr"):
        labels = [funder_label(funder) for funder in Funder]
        assert labels == [
            "CPF",
            "OPCO",
            "Employeur",
            "France Travail",
            "Autofinancement",
            "Autre",
        ]
        assert funder_label(None) == "Non renseigné"
        assert funder_label("france_travail") == "France Travail"
    assert funder_label(Funder.SELF) == "Self-funded"


@pytest.mark.parametrize(
    ("text", "funder"),
    [
        ("cpf", Funder.CPF),
        (" CPF ", Funder.CPF),
        ("france_travail", Funder.FRANCE_TRAVAIL),
        ("France Travail", Funder.FRANCE_TRAVAIL),
        ("Pôle emploi", Funder.FRANCE_TRAVAIL),
        ("Employeur", Funder.EMPLOYER),
        ("autofinancement", Funder.SELF),
        ("Self-funded", Funder.SELF),
        ("Autre", Funder.OTHER),
        ("", None),
        (None, None),
    ],
)
def test_a_file_names_a_funder_by_code_or_label(text, funder):
    assert parse_funder(text) is funder


def test_an_unknown_funder_is_named_with_the_accepted_codes():
    with pytest.raises(ValueError, match="“Région” is not a known funder") as error:
        parse_funder("Région")
    assert "cpf, opco, employer, france_travail, self, other" in str(error.value)


# The members page ------------------------------------------------------------------------------


@pytest.fixture
def admin(client):
    user = UserFactory(admin=True)
    log_in(client, user)
    return user


def funders_listed(html: str) -> dict[str, str]:
    """Return e-mail -> the funder recorded ('' when none; '-' for a trainer's row)."""
    rows = re.findall(r'<tr data-member="([^"]+)".*?<td data-funder="([^"]*)">', html, re.S)
    return dict(rows)


def members_url(cohort, **query) -> str:
    args = "&".join(f"{name}={value}" for name, value in query.items())
    return f"/admin/cohorts/{cohort.id}/members" + (f"?{args}" if args else "")


def test_the_members_page_shows_and_sets_each_learners_funder(client, admin):
    cohort = CohortFactory()
    alice = MembershipFactory(cohort=cohort, funder=Funder.CPF, user__display_name="Alice")
    bruno = MembershipFactory(cohort=cohort, user__display_name="Bruno")
    trainer = MembershipFactory(cohort=cohort, trainer=True)
    html = client.get(members_url(cohort)).get_data(as_text=True)
    assert funders_listed(html) == {
        trainer.user.email: "",
        alice.user.email: "cpf",
        bruno.user.email: "",
    }
    assert f'<label class="visually-hidden" for="funder-{bruno.id}">Funder of Bruno</label>' in html
    assert '<option selected value="cpf">CPF</option>' in html
    response = client.post(
        f"/admin/cohorts/{cohort.id}/members/{bruno.id}/funder", data={"funder": "opco"}
    )
    assert response.headers["Location"].endswith(f"/members#member-{bruno.id}")
    assert db.session.get(Membership, bruno.id).funder is Funder.OPCO
    (event,) = db.session.scalars(db.select(AuditEvent).filter_by(action="membership.funder"))
    assert (event.before, event.after) == (
        {"funder": None},
        {"funder": "opco", "learner_id": bruno.user_id},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert text("Funder of %(name)s: %(funder)s.", name="Bruno", funder="OPCO") in page
    # Saving the same funder again changes nothing and records nothing.
    client.post(f"/admin/cohorts/{cohort.id}/members/{bruno.id}/funder", data={"funder": "opco"})
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 1
    # « Non renseigné » takes it off again.
    client.post(f"/admin/cohorts/{cohort.id}/members/{alice.id}/funder", data={"funder": ""})
    assert db.session.get(Membership, alice.id).funder is None


def test_a_funder_outside_the_list_is_refused_with_a_message(client, admin):
    membership = MembershipFactory(user__display_name="Bruno")
    url = f"/admin/cohorts/{membership.cohort_id}/members/{membership.id}/funder"
    response = client.post(url, data={"funder": "region"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert text("Choose the funder of %(name)s from the list.", name="Bruno") in page
    assert db.session.get(Membership, membership.id).funder is None


def test_only_a_learner_of_this_cohort_has_a_funder(client, admin):
    trainer = MembershipFactory(trainer=True)
    learner = MembershipFactory()
    other = CohortFactory()
    for cohort_id, membership in ((trainer.cohort_id, trainer), (other.id, learner)):
        url = f"/admin/cohorts/{cohort_id}/members/{membership.id}/funder"
        assert client.post(url, data={"funder": "cpf"}).status_code == 404
    with pytest.raises(CohortError, match="Only a learner has a funder"):
        set_funder(admin, trainer, Funder.CPF)


def test_the_members_list_filters_by_funder(client, admin):
    cohort = CohortFactory()
    alice = MembershipFactory(cohort=cohort, funder=Funder.CPF)
    bruno = MembershipFactory(cohort=cohort)
    trainer = MembershipFactory(cohort=cohort, trainer=True)
    html = client.get(members_url(cohort, funder="cpf")).get_data(as_text=True)
    assert set(funders_listed(html)) == {alice.user.email}
    assert "1 of 2 learners shown." in html
    html = client.get(members_url(cohort, funder="none")).get_data(as_text=True)
    assert set(funders_listed(html)) == {bruno.user.email}
    html = client.get(members_url(cohort, funder="opco")).get_data(as_text=True)
    assert funders_listed(html) == {}
    assert "No learner of this cohort has this funder." in html
    html = client.get(members_url(cohort, funder="r%C3%A9gion")).get_data(as_text=True)
    assert set(funders_listed(html)) == {alice.user.email, bruno.user.email, trainer.user.email}
    assert text("“%(value)s” is not a known funder; every member is shown.", value="région") in html


def test_the_members_page_costs_the_same_queries_with_funders(client, admin, query_counter):
    small, large = CohortFactory(capacity=None), CohortFactory(capacity=None)
    add_learners(small, 10)
    add_learners(large, 200)
    with query_counter as few:
        client.get(members_url(small, funder="none"))
    with query_counter as many:
        client.get(members_url(large, funder="none"))
    assert many.count == few.count


# The import ------------------------------------------------------------------------------------


def test_the_import_records_the_funder_and_names_an_unknown_one(client, admin, smtp_server):
    cohort = CohortFactory(name="Promo Lille")
    data = (
        "email;display_name;cohort;funder\n"
        "alice@example.org;Alice;Promo Lille;CPF\n"
        "bruno@example.org;Bruno;Promo Lille;Région\n"
        "chloe@example.org;Chloé;Promo Lille;\n"
        "dan@example.org;Dan;Promo Lille;france_travail\n"
    ).encode()
    html = upload(client, data).get_data(as_text=True)
    assert row_statuses(html) == {"2": "create", "3": "error", "4": "create", "5": "create"}
    reason = text(
        "“%(value)s” is not a known funder (use one of: %(codes)s)",
        value="Région",
        codes="cpf, opco, employer, france_travail, self, other",
    )
    assert reason in html
    assert '<td data-funder="cpf">CPF</td>' in html
    client.post("/admin/cohorts/import/commit", data={"key": import_key(html)})
    funders = dict(
        db.session.execute(
            db.select(User.email, Membership.funder)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.cohort_id == cohort.id)
        ).all()
    )
    assert funders == {
        "alice@example.org": Funder.CPF,
        "chloe@example.org": None,
        "dan@example.org": Funder.FRANCE_TRAVAIL,
    }
