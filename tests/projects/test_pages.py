"""Declaring, editing and evaluating a project through its pages; the chart and the table."""

from __future__ import annotations

import re

import pytest

from lms.accounts.models import AuditEvent
from lms.extensions import db
from lms.projects.models import EvaluationMoment, Project, ProjectEvaluation, ProjectStage
from tests.factories import CohortFactory, MembershipFactory, ProjectFactory, UserFactory
from tests.projects.support import evaluate, evaluation_form
from tests.web.helpers import log_in


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def declaration(world, **changes) -> dict:
    data = {
        "title": "Cantine partagée",
        "holder": "Association Les Fourneaux",
        "partners": "  Mairie \n\nCentre social\n",
        "territory": str(world.cohort.territory_id),
        "domains": [str(world.grid.domains[1].id)],
        "stage": "financed",
        "description": "Des repas cuisinés ensemble.",
    }
    return {**data, **changes}


def test_declaring_a_project_defaults_to_the_cohorts_territory_and_records_it(app, world):
    client = client_of(app, world.learner_b)
    form = client.get(f"/projects/cohorts/{world.cohort.id}/new").get_data(as_text=True)
    selected = re.search(r'<option selected value="(\d+)"', form)
    assert selected
    assert int(selected.group(1)) == world.cohort.territory_id
    for domain in world.grid.domains:
        assert f'value="{domain.id}"' in form
        assert domain.title in form
    response = client.post(f"/projects/cohorts/{world.cohort.id}/new", data=declaration(world))
    project = db.session.scalar(db.select(Project).filter_by(learner_id=world.learner_b.id))
    assert response.headers["Location"] == f"/projects/{project.id}"
    assert project.partners == "Mairie\nCentre social"
    assert project.stage == ProjectStage.FINANCED
    assert [d.code for d in project.domains] == [world.grid.domains[1].code]
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="project.declare"))


def test_my_project_goes_to_the_project_or_to_its_declaration(app, world):
    assert client_of(app, world.learner).get("/projects").headers["Location"] == (
        f"/projects/{world.project.id}"
    )
    assert client_of(app, world.learner_b).get("/projects").headers["Location"] == (
        f"/projects/cohorts/{world.cohort.id}/new"
    )
    page = client_of(app, world.outsider).get("/projects").get_data(as_text=True)
    assert 'id="no-project"' in page


def test_a_cohort_whose_path_has_no_grid_answers_a_404_that_says_so(app, world):
    cohort = CohortFactory()
    MembershipFactory(user=world.learner_b, cohort=cohort)
    response = client_of(app, world.learner_b).get(f"/projects/cohorts/{cohort.id}/new")
    assert response.status_code == 404
    assert 'id="no-grid"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"holder": "x" * 201}, "holder", "200"),
        ({"territory": "999999"}, "territory", "Not a valid choice"),
        ({"domains": ["999999"]}, "domains", "not a valid choice"),
        ({"stage": "dreamt"}, "stage", "Not a valid choice"),
    ],
)
def test_a_refused_declaration_keeps_what_was_typed(app, world, changes, field, words):
    client = client_of(app, world.learner_b)
    data = declaration(world, **changes)
    response = client.post(f"/projects/cohorts/{world.cohort.id}/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert words in page
    assert "Association Les Fourneaux" in page or field == "holder"
    assert db.session.scalar(db.select(Project).filter_by(learner_id=world.learner_b.id)) is None


def test_a_second_declaration_is_sent_to_the_edit_form(app, world):
    client = client_of(app, world.learner)
    response = client.post(f"/projects/cohorts/{world.cohort.id}/new", data=declaration(world))
    assert response.headers["Location"] == f"/projects/{world.project.id}/edit"
    assert db.session.scalar(db.select(db.func.count(Project.id))) == 1


def test_editing_the_project_with_a_stale_version_answers_409_and_keeps_the_input(app, world):
    client = client_of(app, world.learner)
    url = f"/projects/{world.project.id}/edit"
    ok = client.post(url, data=declaration(world, version="1"))
    assert ok.headers["Location"] == f"/projects/{world.project.id}"
    stale = client.post(url, data=declaration(world, title="Autre titre", version="1"))
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Autre titre" in page
    assert "changed meanwhile" in page
    db.session.expire_all()
    assert db.session.get(Project, world.project.id).title == "Cantine partagée"


def test_recording_then_amending_an_evaluation_is_audited(app, world):
    client = client_of(app, world.trainer)
    url = f"/projects/{world.project.id}/evaluations/ex_ante"
    form = client.get(url).get_data(as_text=True)
    for dimension in world.grid.dimensions:
        assert dimension.question in form
        assert dimension.indicators[0] in form
    assert "4 — Transformatrice" in form
    assert client.post(url, data=evaluation_form(1, 2, 0)).status_code == 302
    evaluation = db.session.scalar(db.select(ProjectEvaluation))
    assert evaluation.evaluator_name == world.trainer.display_name
    read = evaluation.version_id
    amended = client.post(url, data=evaluation_form(2, 2, 0, version=read))
    assert amended.status_code == 302
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="project.evaluation_amend"))
    stale = client.post(url, data=evaluation_form(3, 3, 3, version=read))
    assert stale.status_code == 409


def test_a_second_recording_of_the_same_moment_answers_409(app, world):
    evaluate(world.project, world.grid, EvaluationMoment.EX_ANTE, 1, 1, 1, user=world.trainer)
    client = client_of(app, world.learner)
    response = client.post(
        f"/projects/{world.project.id}/evaluations/ex_ante", data=evaluation_form(4, 4, 4)
    )
    assert response.status_code == 409
    assert "Constaté sur place." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value_sante": "9"}, "Not a valid choice"),
        ({"value_sante": ""}, "Choose a value of the scale."),
        ({"justification_lien_social": " "}, "Justify the value given for"),
        ({"justification_lien_social": "x" * 1001}, "1000"),
    ],
)
def test_a_refused_evaluation_shows_the_error_beside_its_field(app, world, changes, message):
    client = client_of(app, world.trainer)
    data = {**evaluation_form(1, 2, 3, why="Mon texte"), **changes}
    response = client.post(f"/projects/{world.project.id}/evaluations/ex_ante", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Mon texte (environnement)" in page
    assert db.session.scalar(db.select(ProjectEvaluation)) is None


def test_ex_post_needs_the_ex_ante_first(app, world):
    client = client_of(app, world.juror)
    response = client.post(
        f"/projects/{world.project.id}/evaluations/ex_post", data=evaluation_form(1, 1, 1)
    )
    assert response.status_code == 400
    assert "needs the ex ante evaluation first" in response.get_data(as_text=True)


def test_the_project_page_shows_ex_ante_against_ex_post_in_a_chart_and_a_table(app, world):
    evaluate(world.project, world.grid, EvaluationMoment.EX_ANTE, 1, 2, 0, user=world.learner)
    evaluate(world.project, world.grid, EvaluationMoment.EX_POST, 3, 2, 1, user=world.juror)
    page = client_of(app, world.learner).get(f"/projects/{world.project.id}").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-describedby="project-table-caption"' in svg
    assert "<title" in svg
    # The track runs from 32 (value 0) to 352 (value 4): 80 per step.
    assert 'class="project-chart__ex-ante" data-value="1" cx="112.0"' in svg
    assert 'class="project-chart__ex-post" data-value="3" cx="272.0"' in svg
    assert "project-chart__later" not in svg
    row = re.search(r'<tr data-dimension="sante">(.*?)</tr>', page, re.S).group(1)
    assert "1 — Faible" in row
    assert "3 — Forte" in row
    assert "+2" in row
    assert "Constaté sur place. (sante)" in row
    assert "Not evaluated yet" in row
    assert world.juror.display_name in page
    assert world.learner.display_name in page
    assert "Mobilité" in page
    assert "Vallée de la Bruche" in page
    # The learner's page links the assessments that use the project to their module.
    assert f'href="/modules/{world.modules["M1"].id}"' in page
    assert "M2-A1 — Bilan" in page


def test_the_cohorts_list_shows_each_project_and_its_evaluations(app, world):
    evaluate(world.project, world.grid, EvaluationMoment.EX_ANTE, 1, 2, 0, user=world.learner)
    page = client_of(app, world.trainer).get(f"/manage/cohorts/{world.cohort.id}/projects")
    row = re.search(r'<tr data-project="\d+">(.*?)</tr>', page.get_data(as_text=True), re.S)
    text = row.group(1)
    assert world.project.title in text
    assert world.learner.display_name in text
    assert 'data-moment="ex_ante">recorded' in text
    assert "to do" in text


def _cohort_list_queries(app, world, count, query_counter):
    for number in range(count):
        learner = UserFactory(display_name=f"Learner {number:03d}")
        MembershipFactory(user=learner, cohort=world.cohort)
        project = ProjectFactory(cohort=world.cohort, learner=learner)
        project.domains = list(world.grid.domains[:2])
        db.session.commit()
        evaluate(project, world.grid, EvaluationMoment.EX_ANTE, 1, 1, 1, user=world.trainer)
    client = client_of(app, world.trainer)
    with query_counter as counted:
        assert client.get(f"/manage/cohorts/{world.cohort.id}/projects").status_code == 200
    return counted.count


def test_the_cohorts_list_costs_the_same_queries_for_10_and_60_projects(app, world, query_counter):
    few = _cohort_list_queries(app, world, 9, query_counter)
    many = _cohort_list_queries(app, world, 50, query_counter)
    assert few == many
    print(f"\na cohort's projects: {few} queries for 10 and for 60 projects")
