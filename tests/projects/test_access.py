"""Who reads, edits and evaluates a project: each role, through the pages (lms.projects.access)."""

from __future__ import annotations

import pytest

from lms.projects.models import EvaluationMoment
from tests.projects.support import evaluate
from tests.web.helpers import log_in

READERS = ("learner", "trainer", "admin", "local_admin", "project_admin", "juror")
# Denied with 403; far_admin (another territory's administrator, no role) gets a 404.
DENIED = ("learner_b", "other_trainer", "former_juror", "outsider")


def page(app, world, who, url):
    client = app.test_client()
    log_in(client, getattr(world, who))
    return client.get(url)


@pytest.mark.parametrize("who", READERS)
def test_each_reader_sees_the_project_page(app, world, who):
    response = page(app, world, who, f"/projects/{world.project.id}")
    assert response.status_code == 200
    assert world.project.title in response.get_data(as_text=True)


@pytest.mark.parametrize("who", DENIED)
def test_others_are_refused_the_project_page(app, world, who):
    response = page(app, world, who, f"/projects/{world.project.id}")
    assert response.status_code == 403
    assert world.project.title not in response.get_data(as_text=True)


def test_another_territorys_administrator_gets_the_404_of_an_unknown_id(app, world):
    assert page(app, world, "far_admin", f"/projects/{world.project.id}").status_code == 404
    assert page(app, world, "far_admin", "/projects/999999").status_code == 404


def test_anonymous_visitors_go_to_the_login_page(client, world):
    response = client.get(f"/projects/{world.project.id}")
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("who", "moment", "allowed"),
    [
        ("learner", "ex_ante", True),
        ("learner", "ex_post", False),
        ("learner", "ex_post_later", False),
        ("trainer", "ex_ante", True),
        ("trainer", "ex_post", True),
        ("trainer", "ex_post_later", True),
        ("juror", "ex_ante", False),
        ("juror", "ex_post", True),
        ("juror", "ex_post_later", False),
        ("admin", "ex_post_later", True),
        ("local_admin", "ex_ante", False),
        ("local_admin", "ex_post", False),
        ("project_admin", "ex_ante", False),
        ("former_juror", "ex_post", False),
        ("learner_b", "ex_ante", False),
    ],
)
def test_who_may_open_each_evaluation_form(app, world, who, moment, allowed):
    response = page(app, world, who, f"/projects/{world.project.id}/evaluations/{moment}")
    assert response.status_code == (200 if allowed else 403)


def test_only_the_learner_edits_the_declaration(app, world):
    url = f"/projects/{world.project.id}/edit"
    assert page(app, world, "learner", url).status_code == 200
    for who in ("trainer", "admin", "local_admin", "juror", "learner_b"):
        assert page(app, world, who, url).status_code == 403, who


def test_the_cohorts_list_is_for_its_trainers_and_administrators(app, world):
    url = f"/manage/cohorts/{world.cohort.id}/projects"
    for who in ("trainer", "admin", "local_admin"):
        assert page(app, world, who, url).status_code == 200, who
    for who in ("learner", "juror", "other_trainer"):
        assert page(app, world, who, url).status_code == 403, who
    assert page(app, world, "far_admin", url).status_code == 404


def test_the_project_page_offers_each_person_their_evaluations(app, world):
    evaluate(world.project, world.grid, EvaluationMoment.EX_ANTE, 1, 1, 1, user=world.trainer)
    base = f"/projects/{world.project.id}/evaluations/"
    learner = page(app, world, "learner", f"/projects/{world.project.id}").get_data(as_text=True)
    assert base + "ex_ante" in learner
    assert base + 'ex_post"' not in learner
    juror = page(app, world, "juror", f"/projects/{world.project.id}").get_data(as_text=True)
    assert base + 'ex_post"' in juror
    assert base + "ex_ante" not in juror
    local = page(app, world, "local_admin", f"/projects/{world.project.id}").get_data(as_text=True)
    assert base not in local


def test_a_juror_reaches_the_project_from_the_candidates_dossier(app, world):
    from lms.certificates.jury.models import Jury
    from lms.extensions import db

    jury = db.session.scalar(db.select(Jury).filter_by(cohort_id=world.cohort.id))
    dossier = page(app, world, "juror", f"/jury/{jury.id}/candidates/{world.learner.id}")
    assert f'href="/projects/{world.project.id}"' in dossier.get_data(as_text=True)


def test_unknown_moments_and_projects_are_not_found(app, world):
    assert (
        page(app, world, "trainer", f"/projects/{world.project.id}/evaluations/bogus").status_code
        == 404
    )
    assert page(app, world, "trainer", "/projects/999999/evaluations/ex_ante").status_code == 404
    assert page(app, world, "learner", "/projects/cohorts/999999/new").status_code == 404
