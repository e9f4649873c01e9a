"""Projects of the main cohort's learners, evaluated with the path's grid: the territory
dashboard's chart and tables then have something to show in the accessibility sweep."""

from __future__ import annotations

from datetime import date

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.projects.grid import grid_of
from lms.projects.models import (
    EvaluationMoment,
    Project,
    ProjectEvaluation,
    ProjectEvaluationValue,
    ProjectStage,
)

PROJECTS = (
    ("reader", "Jardin partagé des Moulins", ProjectStage.RUNNING, (1, 3)),
    ("advanced", "Cantine solidaire", ProjectStage.FINANCED, (2, 4)),
    ("polyglot", "Vélo-école du quartier", ProjectStage.IDEA, (0, None)),
)


def seed_dashboard_projects(cohort: Cohort, user_ids: dict[str, int]) -> None:
    """Give three learners of ``cohort`` a project, evaluated ex ante and (two) ex post."""
    grid = grid_of(cohort.path_id)
    if grid is None:
        return
    for slug, title, stage, (ante, post) in PROJECTS:
        learner = db.session.get(User, user_ids[slug])
        if db.session.scalar(db.select(Project.id).filter_by(cohort=cohort, learner=learner)):
            continue  # another part of the world declared this learner's project
        project = Project(
            cohort=cohort,
            learner=learner,
            territory_id=cohort.territory_id,
            title=title,
            holder="Association du quartier",
            stage=stage,
            domains=list(grid.domains[:2]),
        )
        db.session.add(project)
        for moment, base in ((EvaluationMoment.EX_ANTE, ante), (EvaluationMoment.EX_POST, post)):
            if base is None:
                continue
            evaluation = ProjectEvaluation(
                project=project,
                moment=moment,
                evaluated_by=learner,
                evaluator_name=learner.display_name,
                evaluated_on=date(2026, 3, 2),
            )
            for index, dimension in enumerate(grid.dimensions):
                value = min(grid.highest, base + index % 2)
                evaluation.values.append(
                    ProjectEvaluationValue(dimension=dimension, value=value, justification="Vu.")
                )
            db.session.add(evaluation)
    db.session.flush()
