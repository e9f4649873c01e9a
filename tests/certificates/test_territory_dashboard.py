"""The territory dashboard: figures equal hand-computed values on fixed data (page and CSV),
access by territory, a formula-safe CSV, and a query count that does not grow with projects."""

from __future__ import annotations

import csv
import io
import re

import pytest

from lms.projects.models import EvaluationMoment, ProjectStage
from tests.certificates.dashboard_data import bulk_projects, evaluate, make_grid, project
from tests.factories import (
    CertificateFactory,
    CertificationDecisionFactory,
    CohortFactory,
    MembershipFactory,
    TerritoryAdministratorFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.web.helpers import count_queries, log_in

ANTE, POST = EvaluationMoment.EX_ANTE, EvaluationMoment.EX_POST


@pytest.fixture
def world():
    """Territory T (cohort C, four projects) and territory U (one project), one path's grid."""
    territory = TerritoryFactory(name="Lille et sa métropole", code="lille")
    other = TerritoryFactory(name='=HYPERLINK("http://x")', code="autre")
    cohort = CohortFactory(territory=territory, name="Promotion Lille")
    other_cohort = CohortFactory(territory=other, path=cohort.path, name="Promotion Autre")
    grid = make_grid(cohort.path)
    p1 = project(cohort, grid, ProjectStage.IDEA, ("alimentation",))
    evaluate(p1, ANTE, grid, sante=1, lien=2)
    evaluate(p1, POST, grid, sante=3, lien=2)
    p2 = project(cohort, grid, ProjectStage.RUNNING, ("alimentation", "mobilite"))
    evaluate(p2, ANTE, grid, sante=2, lien=0)
    evaluate(p2, POST, grid, sante=4, lien=1)
    p3 = project(cohort, grid, ProjectStage.RUNNING)
    evaluate(p3, ANTE, grid, sante=2, lien=3)
    p4 = project(cohort, grid, ProjectStage.FINANCED, ("mobilite",))
    evaluate(p4, POST, grid, sante=4, lien=4)
    evaluate(p4, EvaluationMoment.EX_POST_LATER, grid, sante=0, lien=0)  # not counted
    p5 = project(other_cohort, grid, ProjectStage.IDEA)
    evaluate(p5, ANTE, grid, sante=0, lien=0)
    # Certification in C: A deferred then awarded (latest counts), B refused; certificates.
    learner_a, learner_b = p1.learner, p2.learner
    CertificationDecisionFactory(learner=learner_a, cohort=cohort, deferred=True)
    CertificationDecisionFactory(learner=learner_a, cohort=cohort)
    CertificationDecisionFactory(learner=learner_b, cohort=cohort, refused=True)
    CertificateFactory(learner=learner_a, cohort=cohort)
    CertificateFactory(learner=p3.learner, cohort=cohort, revoked=True)
    admin = UserFactory(admin=True)
    local = TerritoryAdministratorFactory(territory=territory).user
    other_local = TerritoryAdministratorFactory(territory=other).user
    return {
        "territory": territory,
        "other": other,
        "cohort": cohort,
        "admin": admin,
        "local": local,
        "other_local": other_local,
        "grid": grid,
    }


def url(territory=None, csv_file=False) -> str:
    base = "/admin/dashboard/territories/" + (str(territory.id) if territory else "")
    if csv_file:
        base += ("/" if territory else "") + "export.csv"
    return base


def cell(html: str, row: str, name: str) -> str:
    """Return the text of the cell ``data-<name>`` in the row whose attributes contain ``row``."""
    match = re.search(rf"<tr [^>]*{row}[^>]*>(.*?)</tr>", html, re.S)
    assert match, row
    found = re.search(rf"<td [^>]*data-{name}[^>]*>(.*?)</td>", match.group(1), re.S)
    assert found, (row, name)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_figures_of_a_territory_are_the_hand_computed_ones(world, client):
    log_in(client, world["admin"])
    html = client.get(url(world["territory"])).get_data(as_text=True)
    # Means ex ante / ex post over projects evaluated at that moment.
    sante, lien = 'data-dimension="sante"', 'data-dimension="lien"'
    assert cell(html, sante, 'evaluated="ex_ante"') == "3"
    assert cell(html, sante, 'mean="ex_ante"') == "1.67"  # (1 + 2 + 2) / 3
    assert cell(html, sante, 'mean="ex_post"') == "3.67"  # (3 + 4 + 4) / 3
    assert cell(html, lien, 'mean="ex_ante"') == "1.67"  # (2 + 0 + 3) / 3
    assert cell(html, lien, 'mean="ex_post"') == "2.33"  # (2 + 1 + 4) / 3
    # Paired: P1 and P2 only.
    assert cell(html, sante, "paired") == "2"
    assert cell(html, sante, 'paired-mean="ex_ante"') == "1.50"
    assert cell(html, sante, 'paired-mean="ex_post"') == "3.50"
    assert cell(html, sante, "change") == "+2.00"
    assert cell(html, lien, "change") == "+0.50"
    # Distribution.
    row = 'data-dimension="sante" data-moment="ex_ante"'
    assert [cell(html, row, f'value="{v}"') for v in range(5)] == ["0", "1", "2", "0", "0"]
    row = 'data-dimension="lien" data-moment="ex_post"'
    assert [cell(html, row, f'value="{v}"') for v in range(5)] == ["0", "1", "1", "0", "1"]
    # Stages and domains.
    for stage, count in (("idea", 1), ("experimentation", 0), ("financed", 1), ("running", 2)):
        assert re.search(rf'data-stage="{stage}">.*?<td class="num">{count}</td>', html)
    assert re.search(r'data-domain="alimentation">.*?<td class="num">2</td>', html)
    assert re.search(r'data-domain="mobilite">.*?<td class="num">2</td>', html)
    # Certification: latest decisions, path certificates by state.
    assert cell(html, f'data-cohort="{world["cohort"].id}"', "awarded") == "1"
    assert cell(html, f'data-cohort="{world["cohort"].id}"', "deferred") == "0"
    assert cell(html, f'data-cohort="{world["cohort"].id}"', "refused") == "1"
    assert cell(html, f'data-cohort="{world["cohort"].id}"', "valid") == "1"
    assert cell(html, f'data-cohort="{world["cohort"].id}"', "revoked") == "1"
    assert cell(html, f'data-cohort="{world["cohort"].id}"', "learners") == "4"
    assert "Promotion Autre" not in html
    # The chart: an image with a title and a description, bars as wide as the means.
    assert 'role="img"' in html
    assert "<desc" in html
    assert 'href="#means-' in html


def test_the_csv_holds_the_same_figures(world, client):
    log_in(client, world["admin"])
    rows = read_csv(client.get(url(world["territory"], csv_file=True)))
    by = {(r["figure"], r["code"], r["moment"], r["scale_value"]): r for r in rows}
    assert by[("dimension_mean", "sante", "ex_ante", "")]["mean"] == "1.67"
    assert by[("dimension_mean", "sante", "ex_ante", "")]["projects"] == "3"
    assert by[("dimension_mean", "lien", "ex_post", "")]["mean"] == "2.33"
    assert by[("dimension_value", "sante", "ex_ante", "2")]["projects"] == "2"
    assert by[("dimension_value", "sante", "ex_post", "4")]["projects"] == "2"
    assert by[("dimension_paired", "sante", "ex_post", "")]["mean"] == "3.5"
    assert by[("dimension_paired", "sante", "ex_post", "")]["projects"] == "2"
    assert by[("stage", "running", "", "")]["projects"] == "2"
    assert by[("domain", "mobilite", "", "")]["projects"] == "2"
    assert {r["territory"] for r in rows} == {"Lille et sa métropole"}


def test_all_territories_add_every_project(world, client):
    log_in(client, world["admin"])
    html = client.get(url()).get_data(as_text=True)
    assert cell(html, 'data-dimension="sante"', 'mean="ex_ante"') == "1.25"  # (0+1+2+2) / 4
    assert cell(html, 'data-dimension="sante"', 'evaluated="ex_ante"') == "4"
    assert "Promotion Autre" in html
    assert "Promotion Lille" in html
    rows = read_csv(client.get(url(csv_file=True)))
    by = {(r["figure"], r["code"], r["moment"], r["scale_value"]): r for r in rows}
    assert by[("stage", "idea", "", "")]["projects"] == "2"
    assert by[("dimension_value", "sante", "ex_ante", "0")]["projects"] == "1"


def test_the_csv_is_formula_safe(world, client):
    log_in(client, world["admin"])
    response = client.get(url(world["other"], csv_file=True))
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows
    assert {r["territory"] for r in rows} == {'\'=HYPERLINK("http://x")'}


def test_local_administrators_see_their_territory_only(world, client):
    log_in(client, world["local"])
    assert client.get(url(world["territory"])).status_code == 200
    assert client.get(url(world["territory"], csv_file=True)).status_code == 200
    assert client.get(url(world["other"])).status_code == 404
    assert client.get(url(world["other"], csv_file=True)).status_code == 404
    assert client.get("/admin/dashboard/territories/999999").status_code == 404
    assert client.get(url()).status_code == 403
    assert client.get(url(csv_file=True)).status_code == 403


def test_an_unknown_territory_is_not_found(world, client):
    log_in(client, world["admin"])
    assert client.get("/admin/dashboard/territories/999999").status_code == 404
    assert client.get("/admin/dashboard/territories/999999/export.csv").status_code == 404


def test_others_are_denied(world, client):
    assert client.get(url(world["territory"])).status_code == 302  # to the login page
    trainer = UserFactory()
    MembershipFactory(cohort=world["cohort"], user=trainer, trainer=True)
    log_in(client, trainer)
    assert client.get(url(world["territory"])).status_code == 403
    assert client.get(url(world["territory"], csv_file=True)).status_code == 403
    assert client.get(url()).status_code == 403


def test_a_territory_without_projects_shows_empty_figures(client):
    territory = TerritoryFactory()
    admin = UserFactory(admin=True)
    log_in(client, admin)
    response = client.get(url(territory))
    assert response.status_code == 200
    assert "No cohort yet." in response.get_data(as_text=True)
    rows = read_csv(client.get(url(territory, csv_file=True)))
    assert [r["figure"] for r in rows] == ["stage"] * 4


def _count(client, address: str) -> int:
    with count_queries() as statements:
        assert client.get(address).status_code == 200
    return len(statements)


def test_queries_do_not_grow_with_projects(world, client):
    log_in(client, world["admin"])
    territory = world["territory"]
    bulk_projects(world["cohort"], world["grid"], 6)  # 10 projects in the territory
    small = (
        _count(client, url(territory)),
        _count(client, url(territory, csv_file=True)),
        _count(client, url()),
    )
    bulk_projects(world["cohort"], world["grid"], 190)  # 200
    large = (
        _count(client, url(territory)),
        _count(client, url(territory, csv_file=True)),
        _count(client, url()),
    )
    assert small == large
    print(f"\nterritory dashboard (page, CSV, all territories), queries at 10 and 200: {small}")
    html = client.get(url(territory)).get_data(as_text=True)
    assert re.search(r'data-stage="running">.*?<td class="num">(\d+)</td>', html)
    assert cell(html, 'data-dimension="sante"', 'evaluated="ex_post"') == str(3 + 196)


def test_each_path_grid_has_its_own_section(world, client):
    """A cohort of the territory on another path version: its projects go to its own grid."""
    newer = CohortFactory(territory=world["territory"], name="Promotion suivante")
    grid = make_grid(newer.path)
    late = project(newer, grid, ProjectStage.IDEA)
    evaluate(late, ANTE, grid, sante=4, lien=4)
    log_in(client, world["admin"])
    html = client.get(url(world["territory"])).get_data(as_text=True)
    sections = re.findall(r'<section class="dashboard-grid"[^>]*data-grid="(\d+)"', html)
    assert sorted(map(int, sections)) == sorted([world["cohort"].path_id, newer.path_id])
    # From the newer grid's section on, the first rows are its own: its single project.
    second = html.split(f'data-grid="{newer.path_id}"')[1]
    assert cell(second, 'data-dimension="sante"', 'mean="ex_ante"') == "4.00"
    assert cell(second, 'data-dimension="sante"', 'evaluated="ex_ante"') == "1"
    rows = read_csv(client.get(url(world["territory"], csv_file=True)))
    means = {
        (r["path"], r["moment"]): r["mean"]
        for r in rows
        if r["figure"] == "dimension_mean" and r["code"] == "sante"
    }
    assert sorted(means.values()) == ["", "1.67", "3.67", "4.0"]
