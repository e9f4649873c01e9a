"""The positioning pages cost the same queries whatever the cohort's or the path's size."""

from __future__ import annotations

from lms.extensions import db
from tests.factories import CompetencyFactory, MembershipFactory, QuizAttemptFactory, UserFactory
from tests.quality.positioning.support import reviewed, self_assessed
from tests.web.helpers import count_queries, log_in


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def add_learners(world, count: int) -> None:
    """Enrol ``count`` learners: each self-assessed, reviewed, and with a quiz attempt."""
    for index in range(count):
        learner = UserFactory(display_name=f"Apprenant·e {index:03d}")
        MembershipFactory(user=learner, cohort=world.cohort)
        QuizAttemptFactory(
            assessment=world.quiz, user=learner, submitted=True, score=1, max_score=2
        )
        db.session.commit()
        self_assessed(world.cohort, learner, (1, 2, 0))
        if index % 2:
            reviewed(world.cohort, learner, world.trainer, (1, 1, 1))


def test_the_cohort_page_costs_the_same_queries_for_2_or_22_learners(app, world):
    client = client_of(app, world.trainer)
    url = f"/manage/cohorts/{world.cohort.id}/positioning"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add_learners(world, 20)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), "\n".join(many)


def _more_competencies(world, count: int) -> None:
    block = world.competencies[0].block
    for index in range(count):
        CompetencyFactory(block=block, code=f"C1.{index + 3}", position=index + 3)
    db.session.commit()


def test_the_learner_pages_cost_the_same_queries_for_3_or_13_competencies(app, world):
    self_assessed(world.cohort, world.learner, (1, 2, 0))
    mine, trainer = client_of(app, world.learner), client_of(app, world.trainer)
    urls = (
        (mine, f"/positioning/cohorts/{world.cohort.id}"),
        (mine, "/competencies"),
        (trainer, f"/manage/cohorts/{world.cohort.id}/positioning/{world.learner.id}"),
        (trainer, f"/manage/cohorts/{world.cohort.id}/learners/{world.learner.id}"),
    )
    counts = []
    for client, url in urls:
        client.get(url)
        with count_queries() as few:
            assert client.get(url).status_code == 200
        counts.append(len(few))
    _more_competencies(world, 10)
    for (client, url), before in zip(urls, counts, strict=True):
        with count_queries() as many:
            assert client.get(url).status_code == 200
        assert len(many) == before, url + "\n" + "\n".join(many)
