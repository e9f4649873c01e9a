"""Projects with their ex ante and ex post evaluations, ready for a later ex post link.

``make_grid`` gives a path a small common grid (a scale of 0 to 4, two dimensions),
``make_evaluated_project`` a project of a learner evaluated ex ante and ex post by a trainer,
``make_link`` a link sent now (returns the invitation and its token), ``link_form`` the form a
person invited would post. ``security_world_links`` adds them to the security world.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lms.core.time import local_today, utcnow
from lms.extensions import db
from lms.projects.evaluations import record_evaluation, recorded_moments
from lms.projects.grid import Grid, grid_of
from lms.projects.invitations import create_invitation, hash_token
from lms.projects.models import (
    EvaluationMoment,
    Project,
    ProjectDimension,
    ProjectGrid,
    ProjectGridLevel,
    ProjectInvitation,
)
from tests.factories import CohortFactory, MembershipFactory, ProjectFactory, UserFactory
from tests.security.routes import PROJECT_LINK_TOKEN

LEVELS = ("Aucune contribution", "Faible", "Modérée", "Forte", "Transformatrice")
DIMENSIONS = (("sante", "Santé et bien-être"), ("lien", "Lien social"))


def make_grid(path) -> Grid:
    """Give ``path`` the small common grid, unless it has one already; return it."""
    if db.session.scalar(db.select(ProjectGrid).filter_by(path_id=path.id)) is None:
        db.session.add(ProjectGrid(path_id=path.id, later_ex_post_months=6))
        for value, label in enumerate(LEVELS):
            db.session.add(ProjectGridLevel(path_id=path.id, value=value, label=label))
        for position, (code, title) in enumerate(DIMENSIONS, start=1):
            db.session.add(
                ProjectDimension(
                    path_id=path.id,
                    code=code,
                    title=title,
                    question=f"Le projet agit-il sur « {title} » ?",
                    indicators=["Témoignages des habitant·es"],
                    position=position,
                )
            )
        db.session.commit()
    grid = grid_of(path.id)
    assert grid is not None
    return grid


def values(grid: Grid, value: int = 2, text: str = "Constaté sur place.") -> dict:
    return {dimension.code: (value, text) for dimension in grid.dimensions}


@dataclass
class Evaluated:
    project: Project
    grid: Grid
    trainer: object


def make_evaluated_project(
    cohort=None, learner=None, trainer=None, *, ex_post_days_ago: int = 200, ex_post: bool = True
) -> Evaluated:
    """Return a learner's project evaluated ex ante (and ex post ``ex_post_days_ago`` days ago)."""
    cohort = cohort or CohortFactory()
    grid = make_grid(cohort.path)
    if learner is None:
        learner = UserFactory()
        MembershipFactory(user=learner, cohort=cohort)
    if trainer is None:
        trainer = UserFactory()
        MembershipFactory(user=trainer, cohort=cohort, trainer=True)
    project = db.session.scalar(
        db.select(Project).filter_by(cohort_id=cohort.id, learner_id=learner.id)
    ) or ProjectFactory(cohort=cohort, learner=learner)
    db.session.commit()
    today = local_today()
    moments = {EvaluationMoment.EX_ANTE: (1, 400)}
    if ex_post:
        moments[EvaluationMoment.EX_POST] = (3, ex_post_days_ago)
    done = recorded_moments(project)  # a project another fixture evaluated keeps its evaluations
    for moment, (value, days_ago) in moments.items():
        if moment in done:
            continue
        record_evaluation(
            project,
            grid,
            moment,
            values(grid, value),
            user=trainer,
            evaluated_on=today - timedelta(days=days_ago),
        )
    db.session.commit()
    return Evaluated(project, grid, trainer)


def make_link(project: Project, *, days: int = 30, email: str = "holder@example.org"):
    """Create a link sent now for ``project``; return (invitation, token)."""
    invitation, token = create_invitation(
        None, project, email=email, name="Hélène Holder", expires_at=utcnow() + timedelta(days)
    )
    db.session.commit()
    return invitation, token


def link_form(grid: Grid, value: int = 4, name: str = "Hélène Holder") -> dict[str, str]:
    """Return the form a person invited posts: a value and a justification per dimension."""
    form = {"evaluator_name": name}
    for dimension in grid.dimensions:
        form[f"value_{dimension.code}"] = str(value)
        form[f"justification_{dimension.code}"] = f"Six mois après : {dimension.title}."
    return form


def security_world_links(bien_vivre, other, users) -> dict:
    """Learner A's project (evaluated ex ante and ex post) with a link sent: PROJECT_LINK_TOKEN."""
    made = make_evaluated_project(bien_vivre.cohort, users["learner_a"], users["trainer"])
    foreign = make_evaluated_project(other.cohort, users["other_learner"], users["other_trainer"])
    now = utcnow()
    db.session.add(
        ProjectInvitation(
            project=made.project,
            token_sha256=hash_token(PROJECT_LINK_TOKEN),
            email="helene.holder@example.org",
            name="Hélène Holder",
            created_at=now,
            sent_at=now,
            expires_at=now + timedelta(days=3650),
        )
    )
    db.session.commit()
    return {"linked_project": made.project, "other_linked_project": foreign.project}


def live_world_links(cohort, learner, trainer) -> dict:
    """For the browser tests: the learner's project evaluated ex ante and ex post, a live link
    and a used one (of another project of the cohort would need another learner: the used link
    is an earlier link of the same project, marked used)."""
    made = make_evaluated_project(cohort, learner, trainer)
    used, used_token = make_link(made.project, email="ancien@example.org")
    used.used_at = utcnow()
    db.session.flush()
    _live, token = make_link(made.project)
    return {"project_id": made.project.id, "token": token, "used_token": used_token}
