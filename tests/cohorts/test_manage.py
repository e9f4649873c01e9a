"""The trainer's list of cohorts."""

from __future__ import annotations

import re

from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.web.helpers import count_queries, log_in, text


def cohort_rows(html: str) -> dict[str, str]:
    """Return cohort id -> learner count as shown in the table."""
    return dict(re.findall(r'<tr data-cohort="(\d+)">.*?data-learners>(\d+)<', html, re.S))


def make_trainer_with_cohorts(learners_per_cohort=(2, 0)):
    """Create a trainer of one cohort per entry, each with that many learners."""
    trainer = UserFactory()
    cohorts = []
    for learners in learners_per_cohort:
        cohort = CohortFactory()
        MembershipFactory(user=trainer, cohort=cohort, trainer=True)
        MembershipFactory.create_batch(learners, cohort=cohort)
        cohorts.append(cohort)
    return trainer, cohorts


def test_trainer_sees_the_cohorts_they_train_with_learner_counts(client):
    trainer, (busy, empty) = make_trainer_with_cohorts((2, 0))
    MembershipFactory(cohort=busy, trainer=True)  # a co-trainer is not a learner
    other = CohortFactory(name="Promotion d'un autre formateur")
    MembershipFactory(cohort=other)
    log_in(client, trainer)
    response = client.get("/manage/cohorts/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert cohort_rows(html) == {str(busy.id): "2", str(empty.id): "0"}
    assert text(busy.name) in html
    assert text(busy.path.title) in html
    assert text("version %(version)d", version=busy.path.version) in html
    assert text(other.name) not in html


def test_trainer_page_query_count_does_not_grow_with_cohorts(client):
    trainer, _cohorts = make_trainer_with_cohorts((1,))
    log_in(client, trainer)
    with count_queries() as few:
        client.get("/manage/cohorts/")
    many_trainer, _cohorts = make_trainer_with_cohorts((3, 1, 0, 2))
    client.post("/logout")
    log_in(client, many_trainer)
    with count_queries() as many:
        html = client.get("/manage/cohorts/").get_data(as_text=True)
    assert len(cohort_rows(html)) == 4
    assert len(many) == len(few)


def test_learner_is_denied_the_trainer_page(client):
    learner = MembershipFactory().user
    log_in(client, learner)
    response = client.get("/manage/cohorts/")
    assert response.status_code == 403
    assert "data-cohort" not in response.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/manage/cohorts/")
    assert response.headers["Location"] == "/login?next=%2Fmanage%2Fcohorts%2F"
