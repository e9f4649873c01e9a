"""A path's project grid, projects and evaluations for the projects' tests and the security world."""

from __future__ import annotations

from lms.extensions import db
from lms.projects.evaluations import record_evaluation
from lms.projects.grid import grid_of
from lms.projects.models import (
    EvaluationMoment,
    ProjectDimension,
    ProjectDomain,
    ProjectGrid,
    ProjectGridLevel,
    ProjectGridUse,
)
from tests.factories import ProjectFactory

LEVELS = ("Aucune contribution", "Faible", "Modérée", "Forte", "Transformatrice")
DIMENSIONS = (
    ("sante", "Santé et bien-être", "Le projet améliore-t-il la santé ?"),
    ("lien_social", "Lien social et solidarités", "Le projet crée-t-il des relations ?"),
    ("environnement", "Environnement et ressources", "Le projet ménage-t-il les ressources ?"),
)
DOMAINS = (("alimentation", "Alimentation"), ("sante", "Santé"), ("mobilite", "Mobilité"))
USES = (("M1-E1", "Cadrage du projet", EvaluationMoment.EX_ANTE), ("M2-A1", "Bilan", None))


def declare_grid(path):
    """Give ``path`` a common project grid (scale 0–4, three dimensions); return it."""
    db.session.add(ProjectGrid(path_id=path.id, later_ex_post_months=6))
    for value, label in enumerate(LEVELS):
        db.session.add(ProjectGridLevel(path_id=path.id, value=value, label=label))
    for position, (code, title, question) in enumerate(DIMENSIONS, start=1):
        db.session.add(
            ProjectDimension(
                path_id=path.id,
                code=code,
                title=title,
                question=question,
                indicators=[f"Indicateur de {title}"],
                position=position,
            )
        )
    for position, (code, title) in enumerate(DOMAINS, start=1):
        db.session.add(ProjectDomain(path_id=path.id, code=code, title=title, position=position))
    for position, (code, title, moment) in enumerate(USES, start=1):
        db.session.add(
            ProjectGridUse(
                path_id=path.id,
                assessment_code=code,
                assessment_title=title,
                moment=moment,
                position=position,
            )
        )
    db.session.commit()
    return grid_of(path.id)


def values(*numbers: int, why: str = "Constaté sur place.") -> dict[str, tuple[int, str]]:
    """Return typed values for the grid's dimensions, in order."""
    return {
        code: (number, f"{why} ({code})")
        for (code, _title, _question), number in zip(DIMENSIONS, numbers, strict=True)
    }


def evaluation_form(*numbers: int, why: str = "Constaté sur place.", **extra) -> dict[str, str]:
    """Return the evaluation form's fields for these values."""
    data = {}
    for (code, _title, _question), number in zip(DIMENSIONS, numbers, strict=True):
        data[f"value_{code}"] = str(number)
        data[f"justification_{code}"] = f"{why} ({code})"
    return {**data, **{key: str(value) for key, value in extra.items()}}


def evaluate(project, grid, moment, *numbers, user):
    """Record an evaluation of the project and commit it."""
    evaluation = record_evaluation(project, grid, moment, values(*numbers), user=user)
    db.session.commit()
    return evaluation


def security_world_projects(bien_vivre, other, users) -> dict:
    """Both paths of the security world get a grid; learner A's project in ``cohort`` (evaluated
    ex ante by the trainer) and the other learner's in ``other_cohort``."""
    grid = declare_grid(bien_vivre.cohort.path)
    declare_grid(other.cohort.path)
    project = ProjectFactory(cohort=bien_vivre.cohort, learner=users["learner_a"])
    foreign = ProjectFactory(cohort=other.cohort, learner=users["other_learner"])
    db.session.commit()
    evaluate(project, grid, EvaluationMoment.EX_ANTE, 1, 2, 1, user=users["trainer"])
    return {"project": project, "other_project": foreign, "project_domain": grid.domains[0]}
