"""Fixed data for the territory dashboard: a small grid, projects and their evaluations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert

from lms.accounts.models import User
from lms.cohorts.models import Membership, MembershipRole
from lms.extensions import db
from lms.projects.models import (
    EvaluationMoment,
    Project,
    ProjectDimension,
    ProjectDomain,
    ProjectEvaluation,
    ProjectEvaluationValue,
    ProjectGrid,
    ProjectGridLevel,
    ProjectStage,
    project_domain_links,
)
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

LEVELS = ("Aucune contribution", "Faible", "Moyenne", "Forte", "Très forte")
DIMENSIONS = (("sante", "Santé et bien-être"), ("lien", "Lien social"))
DOMAINS = (("alimentation", "Alimentation"), ("mobilite", "Mobilité"))


def make_grid(path) -> dict:
    """Give ``path`` a grid: values 0–4, two dimensions and two domains; return them by code."""
    db.session.add(ProjectGrid(path_id=path.id, later_ex_post_months=6))
    for value, label in enumerate(LEVELS):
        db.session.add(ProjectGridLevel(path_id=path.id, value=value, label=label))
    found = {}
    for position, (code, title) in enumerate(DIMENSIONS, start=1):
        found[code] = ProjectDimension(
            path_id=path.id,
            code=code,
            title=title,
            question="?",
            indicators=["…"],
            position=position,
        )
    for position, (code, title) in enumerate(DOMAINS, start=1):
        found[code] = ProjectDomain(path_id=path.id, code=code, title=title, position=position)
    db.session.add_all(found.values())
    db.session.flush()
    return found


def evaluate(project, moment: EvaluationMoment, grid: dict, **values: int) -> None:
    evaluation = ProjectEvaluation(
        project=project,
        moment=moment,
        evaluator_name="Évaluatrice",
        evaluated_on=date(2026, 6, 1),
        evaluated_by=project.learner,
    )
    for code, value in values.items():
        evaluation.values.append(
            ProjectEvaluationValue(dimension=grid[code], value=value, justification="Parce que.")
        )
    db.session.add(evaluation)


def project(cohort, grid: dict, stage: ProjectStage, domains=(), **fields):
    learner = UserFactory()
    MembershipFactory(cohort=cohort, user=learner)
    made = ProjectFactory(cohort=cohort, learner=learner, stage=stage, **fields)
    made.domains = [grid[code] for code in domains]
    db.session.flush()
    return made


def _inserted(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` in one statement; return their ids in the rows' order."""
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def bulk_projects(cohort, grid: dict, count: int) -> None:
    """Add ``count`` learners with a project evaluated ex ante and ex post, in a few inserts."""
    tag = db.session.scalar(db.select(db.func.count(User.id)))
    users = _inserted(
        User,
        [
            {"email": f"bulk{tag}-{n}@example.org", "display_name": f"Bulk {n}"}
            for n in range(count)
        ],
    )
    db.session.execute(
        insert(Membership),
        [{"user_id": i, "cohort_id": cohort.id, "role": MembershipRole.LEARNER} for i in users],
    )
    stages = list(ProjectStage)
    projects = _inserted(
        Project,
        [
            {
                "cohort_id": cohort.id,
                "learner_id": user,
                "territory_id": cohort.territory_id,
                "title": f"Projet {n}",
                "holder": "Association",
                "stage": stages[n % 4],
            }
            for n, user in enumerate(users)
        ],
    )
    db.session.execute(
        insert(project_domain_links),
        [{"project_id": p, "domain_id": grid["alimentation"].id} for p in projects],
    )
    moments = (EvaluationMoment.EX_ANTE, EvaluationMoment.EX_POST)
    pairs = [
        (p, user, moment) for p, user in zip(projects, users, strict=True) for moment in moments
    ]
    evaluations = _inserted(
        ProjectEvaluation,
        [
            {
                "project_id": p,
                "moment": moment,
                "evaluated_by_id": user,
                "evaluator_name": "Bulk",
                "evaluated_on": date(2026, 6, 1),
            }
            for p, user, moment in pairs
        ],
    )
    db.session.execute(
        insert(ProjectEvaluationValue),
        [
            {
                "evaluation_id": e,
                "dimension_id": grid[code].id,
                "value": (n + position) % 5,
                "justification": "Parce que.",
            }
            for n, e in enumerate(evaluations)
            for position, code in enumerate(("sante", "lien"))
        ],
    )
    db.session.flush()
