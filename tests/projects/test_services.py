"""The project services: declaring, updating, saving evaluations, the comparison's rows."""

from __future__ import annotations

import pytest

from lms.accounts.models import AuditEvent
from lms.extensions import db
from lms.projects.comparison import compare, layout
from lms.projects.evaluations import EvaluationExists, ProjectError
from lms.projects.models import EvaluationMoment, ProjectStage
from lms.projects.services import (
    ProjectConflict,
    ProjectDraft,
    cohort_projects,
    declare_project,
    partner_lines,
    save_evaluation,
    update_project,
)
from tests.projects.support import values


def draft(world, **changes) -> ProjectDraft:
    base = {
        "title": " Cantine ",
        "holder": "Les Fourneaux",
        "partners": "Mairie\n\n  Centre social  \n",
        "territory_id": world.cohort.territory_id,
        "domain_ids": [world.grid.domains[2].id, world.grid.domains[0].id],
        "stage": ProjectStage.IDEA,
        "description": "",
    }
    return ProjectDraft(**{**base, **changes})


def test_declaring_keeps_the_grids_order_of_domains_and_trims(world):
    project = declare_project(world.learner_b, world.cohort, world.grid, draft(world))
    assert project.title == "Cantine"
    assert project.partners == "Mairie\nCentre social"
    assert [d.code for d in project.domains] == ["alimentation", "mobilite"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"holder": ""}, "holder"),
        ({"territory_id": 999999}, "territory"),
        ({"domain_ids": [999999]}, "domains"),
        ({"description": "x" * 4001}, "description"),
    ],
)
def test_a_bad_declaration_names_its_field(world, changes, field):
    with pytest.raises(ProjectError) as refused:
        declare_project(world.learner_b, world.cohort, world.grid, draft(world, **changes))
    assert refused.value.field == field


def test_a_second_declaration_is_a_conflict(world):
    with pytest.raises(ProjectConflict):
        declare_project(world.learner, world.cohort, world.grid, draft(world))


def test_an_update_from_a_stale_read_is_a_conflict_and_an_unchanged_one_is_not_audited(world):
    project = world.project
    with pytest.raises(ProjectConflict):
        update_project(world.learner, project, world.grid, draft(world), expected_version=0)
    update_project(world.learner, project, world.grid, draft(world), expected_version=1)
    db.session.commit()
    update_project(world.learner, project, world.grid, draft(world), expected_version=2)
    db.session.commit()
    assert project.version_id == 3
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="project.update"))
    assert len(list(events)) == 1


def test_saving_an_evaluation_records_then_amends_and_refuses_a_stale_version(world):
    grid, project = world.grid, world.project
    moment = EvaluationMoment.EX_ANTE
    evaluation = save_evaluation(
        world.trainer, project, grid, moment, values(1, 1, 1), expected_version=None
    )
    db.session.commit()
    with pytest.raises(EvaluationExists):
        save_evaluation(
            world.learner, project, grid, moment, values(2, 2, 2), expected_version=None
        )
    db.session.rollback()
    save_evaluation(world.learner, project, grid, moment, values(2, 2, 2), expected_version=1)
    db.session.commit()
    assert evaluation.version_id == 2
    assert evaluation.evaluator_name == world.trainer.display_name
    assert sorted(row.value for row in evaluation.values) == [2, 2, 2]


def test_the_comparison_pairs_each_dimensions_values(world):
    grid, project = world.grid, world.project
    for moment, numbers in (
        (EvaluationMoment.EX_ANTE, (0, 2, 4)),
        (EvaluationMoment.EX_POST, (2, 2, 3)),
        (EvaluationMoment.EX_POST_LATER, (4, 1, 3)),
    ):
        save_evaluation(
            world.trainer, project, grid, moment, values(*numbers), expected_version=None
        )
    db.session.commit()
    comparison = compare(grid, project.evaluations)
    assert [row.difference for row in comparison.rows] == [2, 0, -1]
    chart = layout(grid, comparison)
    first = chart.rows[0]
    assert (first.ex_ante_x, first.ex_post_x, first.later_x) == (32.0, 192.0, 352.0)
    assert [tick.value for tick in chart.ticks] == [0, 1, 2, 3, 4]


def test_partner_lines_and_the_cohorts_projects(world):
    assert partner_lines(" A \n\nB\n") == ["A", "B"]
    assert [p.id for p in cohort_projects(world.cohort)] == [world.project.id]
    assert cohort_projects(world.other_cohort) == []
