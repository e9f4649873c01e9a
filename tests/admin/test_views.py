"""The administration overview."""

from __future__ import annotations

import re

import pytest

from tests.factories import (
    CohortFactory,
    MembershipFactory,
    ModuleFactory,
    TrainingPathFactory,
    UserFactory,
)
from tests.web.helpers import count_queries, log_in, text


def cohort_counts(html: str) -> dict[str, tuple[str, str]]:
    """Return cohort id -> (learners, trainers) as shown in the table."""
    rows = re.findall(
        r'<tr data-cohort="(\d+)">.*?data-learners>(\d+)<.*?data-trainers>(\d+)<', html, re.S
    )
    return {cohort_id: (learners, trainers) for cohort_id, learners, trainers in rows}


def total(html: str, name: str) -> str:
    """Return one of the totals shown at the top of the overview."""
    return re.search(rf'data-total="{name}">(\d+)<', html).group(1)


def populate(cohorts: int) -> list:
    """Create ``cohorts`` cohorts with a few learners and one trainer each."""
    created = []
    for index in range(cohorts):
        cohort = CohortFactory()
        MembershipFactory.create_batch(index + 1, cohort=cohort)
        MembershipFactory(cohort=cohort, trainer=True)
        created.append(cohort)
    return created


def test_overview_shows_cohorts_counts_totals_and_paths(client):
    admin = UserFactory(admin=True)
    UserFactory(inactive=True)
    first, second = populate(2)
    empty = CohortFactory()
    path = TrainingPathFactory(code="bien-vivre", version=2, title="Entrepreneur·e du bien-vivre")
    ModuleFactory.create_batch(3, path=path)
    log_in(client, admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert cohort_counts(html) == {
        str(first.id): ("1", "1"),
        str(second.id): ("2", "1"),
        str(empty.id): ("0", "0"),
    }
    # admin + inactive user + 3 learners + 2 trainers
    assert (total(html, "users"), total(html, "active"), total(html, "admins")) == ("7", "6", "1")
    assert total(html, "cohorts") == "3"
    assert text(first.name) in html
    path_item = re.search(r'<li data-path="bien-vivre">.*?</li>', html, re.S).group(0)
    assert text(path.title) in path_item
    assert text("version %(version)d", version=2) in path_item


def test_overview_query_count_does_not_grow_with_cohorts(client):
    admin = UserFactory(admin=True)
    populate(1)
    log_in(client, admin)
    with count_queries() as few:
        client.get("/admin/")
    populate(5)
    with count_queries() as many:
        html = client.get("/admin/").get_data(as_text=True)
    assert len(cohort_counts(html)) == 6
    assert len(many) == len(few)


def test_overview_without_data_says_so(client):
    log_in(client, UserFactory(admin=True))
    html = client.get("/admin/").get_data(as_text=True)
    assert text("No cohort yet.") in html
    assert "lms load-path" in html


@pytest.mark.parametrize("role", ["learner", "trainer", "nobody"])
def test_non_administrators_are_denied(client, role):
    user = UserFactory()
    if role != "nobody":
        MembershipFactory(user=user, trainer=role == "trainer")
    populate(1)
    log_in(client, user)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "data-cohort" not in response.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_login(client):
    assert client.get("/admin/").headers["Location"] == "/login?next=%2Fadmin%2F"
