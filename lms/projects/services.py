"""Declaring and updating a learner's project, and reading a cohort's projects.

A learner declares one project per cohort (``uq_projects_cohort_id_learner_id``): a second
declaration, typed in another tab meanwhile, is refused with ``ProjectConflict`` (409). An edit
carries the version the learner read; an edit of a project changed since is refused the same way
(the row's ``version_id`` also catches two edits flushed at once). Domains must be the grid's,
the territory one that exists. Declarations and edits are audited. Services flush and never
commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.cohorts.models import Cohort
from lms.core.db import lock_row_for_update
from lms.core.time import utcnow
from lms.extensions import db
from lms.organisations.models import Territory
from lms.projects.evaluations import (
    EvaluationExists,
    ProjectError,
    Values,
    amend_evaluation,
    moment_label,
    record_evaluation,
)
from lms.projects.grid import Grid
from lms.projects.models import EvaluationMoment, Project, ProjectEvaluation, ProjectStage

TITLE_MAX = 200
TEXT_MAX = 4000


class ProjectConflict(ProjectError):
    """The project changed, or was declared, since the form was read (answered 409)."""


@dataclass(frozen=True)
class ProjectDraft:
    """What a learner typed about their project, as plain values."""

    title: str
    holder: str
    partners: str
    territory_id: int
    domain_ids: Sequence[int]
    stage: ProjectStage
    description: str


def partner_lines(partners: str) -> list[str]:
    """Return the partners typed one per line, blank lines and spaces around them left out."""
    return [line.strip() for line in partners.splitlines() if line.strip()]


def learner_project(cohort: Cohort, learner: User) -> Project | None:
    """Return the learner's project in the cohort, or None (one query, domains in another)."""
    return db.session.scalar(
        db.select(Project)
        .filter_by(cohort_id=cohort.id, learner_id=learner.id)
        .options(selectinload(Project.domains))
    )


def cohort_projects(cohort: Cohort) -> list[Project]:
    """Return the cohort's projects by learner's name, with what the list shows (4 queries)."""
    query = (
        db.select(Project)
        .join(User, User.id == Project.learner_id)
        .where(Project.cohort_id == cohort.id)
        .options(
            selectinload(Project.learner),
            selectinload(Project.domains),
            selectinload(Project.evaluations).load_only(
                ProjectEvaluation.moment, ProjectEvaluation.evaluated_on
            ),
        )
        .order_by(User.display_name, Project.id)
    )
    return list(db.session.scalars(query))


def declare_project(learner: User, cohort: Cohort, grid: Grid, draft: ProjectDraft) -> Project:
    """Declare the learner's project in the cohort; audited."""
    if learner_project(cohort, learner) is not None:
        raise ProjectConflict(_("Your project in this cohort is already declared."))
    project = Project(cohort=cohort, learner=learner)
    _apply(project, grid, draft)
    db.session.add(project)
    try:
        db.session.flush()
    except IntegrityError as error:  # declared meanwhile, in another tab
        raise ProjectConflict(_("Your project in this cohort is already declared.")) from error
    record_audit_event(learner, "project.declare", project, after=snapshot(project))
    return project


def update_project(
    learner: User, project: Project, grid: Grid, draft: ProjectDraft, *, expected_version: int
) -> Project:
    """Change the project's declaration, read at ``expected_version``; audited."""
    if expected_version != project.version_id:
        raise ProjectConflict(_("Your project was changed meanwhile: read it again."))
    before = snapshot(project)
    _apply(project, grid, draft)
    try:
        db.session.flush()
    except StaleDataError as error:  # saved from another tab between our read and our write
        raise ProjectConflict(_("Your project was changed meanwhile: read it again.")) from error
    after = snapshot(project)
    if after != before:
        record_audit_event(learner, "project.update", project, before=before, after=after)
    return project


def _apply(project: Project, grid: Grid, draft: ProjectDraft) -> None:
    """Check the draft and write it on the project."""
    title, holder = draft.title.strip(), draft.holder.strip()
    if not title:
        raise ProjectError(_("Give your project a title."), field="title")
    if not holder:
        raise ProjectError(_("Name the organisation that holds the project."), field="holder")
    if len(title) > TITLE_MAX or len(holder) > TITLE_MAX:
        field = "title" if len(title) > TITLE_MAX else "holder"
        raise ProjectError(_("At most %(n)d characters.", n=TITLE_MAX), field=field)
    for field, text in (("partners", draft.partners), ("description", draft.description)):
        if len(text) > TEXT_MAX:
            raise ProjectError(_("At most %(n)d characters.", n=TEXT_MAX), field=field)
    territory = db.session.get(Territory, draft.territory_id)
    if territory is None:
        raise ProjectError(_("Choose a territory from the list."), field="territory")
    by_id = {domain.id: domain for domain in grid.domains}
    if any(domain_id not in by_id for domain_id in draft.domain_ids):
        raise ProjectError(_("Choose domains from the list."), field="domains")
    project.title, project.holder = title, holder
    project.partners = "\n".join(partner_lines(draft.partners))
    project.territory = territory
    project.domains = [by_id[i] for i in sorted(set(draft.domain_ids), key=list(by_id).index)]
    project.stage = draft.stage
    project.description = draft.description.strip()
    # Every save writes the row, so that its version moves even when only the domains changed.
    project.updated_at = utcnow()


def snapshot(project: Project) -> dict:
    """Describe the declaration, for the audit trail."""
    return {
        "title": project.title,
        "holder": project.holder,
        "partners": project.partners,
        "territory_id": project.territory_id,
        "domains": [domain.code for domain in project.domains],
        "stage": str(project.stage),
        "description": project.description,
    }


def project_evaluation(project: Project, moment: EvaluationMoment) -> ProjectEvaluation | None:
    """Return the project's evaluation at ``moment`` with its values, or None (two queries)."""
    return db.session.scalar(
        db.select(ProjectEvaluation)
        .filter_by(project_id=project.id, moment=moment)
        .options(selectinload(ProjectEvaluation.values))
    )


def save_evaluation(
    actor: User,
    project: Project,
    grid: Grid,
    moment: EvaluationMoment,
    values: Values,
    *,
    expected_version: int | None,
) -> ProjectEvaluation:
    """Record the evaluation at ``moment`` (``expected_version`` None: the person saw none) or
    amend the one they read; a recording or change made meanwhile is refused (409)."""
    lock_row_for_update(db.session(), Project, project.id)
    evaluation = db.session.scalar(
        db.select(ProjectEvaluation)
        .filter_by(project_id=project.id, moment=moment)
        .execution_options(populate_existing=True)
    )
    seen = evaluation.version_id if evaluation is not None else None
    if seen != expected_version:
        raise EvaluationExists(
            _(
                "This project's %(moment)s evaluation changed meanwhile: read it again.",
                moment=moment_label(moment),
            )
        )
    if evaluation is None:
        try:
            return record_evaluation(project, grid, moment, values, user=actor)
        except IntegrityError as error:  # recorded meanwhile by somebody else
            raise EvaluationExists(
                _(
                    "This project's %(moment)s evaluation is already recorded.",
                    moment=moment_label(moment),
                )
            ) from error
    evaluation.updated_at = utcnow()  # the row's version moves with every amendment
    try:
        amend_evaluation(actor, evaluation, grid, values)
    except StaleDataError as error:
        raise EvaluationExists(
            _(
                "This project's %(moment)s evaluation changed meanwhile: read it again.",
                moment=moment_label(moment),
            )
        ) from error
    return evaluation
