"""Who reads, declares and evaluates a project: the one place for the projects' access rules.

Built on ``lms.cohorts.access`` and ``lms.organisations.access`` (whose rules are never copied
here). For the project of a learner in a cohort:

- **declares and edits** it: the learner, while they learn in the cohort (``may_edit``);
- **reads** it (``may_view``): the learner; the cohort's trainers; the cohort's administrators
  (central administrators, and the local administrators of the cohort's territory); the local
  administrators of the project's own territory (a project may be carried out on another
  territory than its cohort's); the members of a jury whose candidates include the learner,
  while their access lasts (asked through ``lms.projects.signals.project_jurors``: juries live
  in ``certificates``, above this domain);
- **records** an evaluation (``may_evaluate``): **ex ante** the learner (their own project), the
  cohort's trainers and central administrators; **ex post** the cohort's trainers, the jurors of
  the learner and central administrators; the **later ex post** the cohort's trainers and
  central administrators (the holder or a partner records it through a single-use link,
  ``lms.projects.invitations``). Whoever may record a moment may **amend** its evaluation, which
  is audited (``lms.projects.evaluations.amend_evaluation``). A local administrator reads and
  never records;
- **sets up the later ex post evaluation** (its date, the link sent to the holder or a partner:
  ``may_set_up_later_evaluation``): the learner, the cohort's teaching staff (trainers, central
  administrators) and the local administrators of the project's territory.

Loaders stop the request as ``lms.accounts.permissions`` says: anonymous visitors go to the
login page, people who may not get 403, unknown ids 404; a local administrator reaching another
territory's project where they have no role gets the 404 of an unknown id (``deny_cohort``).
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.accounts.permissions import loaded_or_404
from lms.cohorts.access import (
    deny_cohort,
    is_cohort_admin,
    is_learner_of,
    is_staff,
    is_trainer_of,
)
from lms.cohorts.models import Cohort
from lms.organisations.access import administers_territory
from lms.projects.models import EvaluationMoment, Project
from lms.projects.signals import project_jurors

__all__ = [
    "evaluable_moments",
    "is_juror",
    "may_edit",
    "may_evaluate",
    "may_set_up_later_evaluation",
    "may_view",
    "project_for_set_up_or_404",
    "project_or_404",
]

PROJECT_OPTIONS = (
    joinedload(Project.cohort).joinedload(Cohort.path),
    joinedload(Project.learner),
    joinedload(Project.territory),
    selectinload(Project.domains),
)


def is_juror(user: User, project: Project) -> bool:
    """Tell whether ``user`` sits on a jury of the project's learner (the receivers say)."""
    if not user.is_authenticated:
        return False
    return any(answer for _receiver, answer in project_jurors.send(project, user=user))


def may_view(user: User, project: Project) -> bool:
    """Tell whether ``user`` reads the project (a few indexed queries at most)."""
    if not user.is_authenticated:
        return False
    if user.is_admin or user.id == project.learner_id:
        return True
    return (
        is_trainer_of(user, project.cohort)
        or is_cohort_admin(user, project.cohort)
        or administers_territory(user, project.territory_id)
        or is_juror(user, project)
    )


def may_edit(user: User, project: Project) -> bool:
    """Tell whether ``user`` changes the project's declaration: its learner, while they learn."""
    return (
        user.is_authenticated
        and user.id == project.learner_id
        and is_learner_of(user, project.cohort)
    )


def may_evaluate(user: User, project: Project, moment: EvaluationMoment) -> bool:
    """Tell whether ``user`` records (or amends) the project's evaluation at ``moment``."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if moment == EvaluationMoment.EX_ANTE and user.id == project.learner_id:
        return is_learner_of(user, project.cohort)
    if user.id == project.learner_id:
        return False
    if is_trainer_of(user, project.cohort):
        return True
    return moment == EvaluationMoment.EX_POST and is_juror(user, project)


def evaluable_moments(user: User, project: Project) -> set[EvaluationMoment]:
    """Return the moments ``user`` may record or amend for the project."""
    return {moment for moment in EvaluationMoment if may_evaluate(user, project, moment)}


def may_set_up_later_evaluation(user: User, project: Project) -> bool:
    """Tell whether ``user`` may set the later evaluation's date and send its link (two queries
    at most)."""
    if not user.is_authenticated:
        return False
    return (
        project.learner_id == user.id
        or is_staff(user, project.cohort)
        or administers_territory(user, project.territory_id)
    )


def project_or_404(project_id: int) -> Project:
    """Return the project for those who read it; deny everyone else, 404 when unknown."""
    project = loaded_or_404(Project, project_id, *PROJECT_OPTIONS)
    if not may_view(current_user, project):
        deny_cohort(project.cohort)
    return project


def editable_project_or_404(project_id: int) -> Project:
    """Return the project for its learner; deny everyone else, 404 when unknown."""
    project = loaded_or_404(Project, project_id, *PROJECT_OPTIONS)
    if not may_edit(current_user, project):
        deny_cohort(project.cohort)
    return project


def project_for_set_up_or_404(project_id: int) -> Project:
    """Return the project for those who set up its later evaluation; deny everyone else."""
    project = loaded_or_404(Project, project_id, *PROJECT_OPTIONS)
    if not may_set_up_later_evaluation(current_user, project):
        deny_cohort(project.cohort)
    return project
