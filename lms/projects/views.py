"""The project pages (blueprint ``projects``): the learner's « Mon projet », and the project page.

A learner declares their project in each cohort whose path declares a common project grid, and
edits it; everyone who reads a project (``lms.projects.access``) sees its page: the declaration,
the assessments that use it, its evaluations ex ante against ex post per dimension (an SVG chart
and a table), who evaluated and when. A cohort whose path has no grid has no project: its
address answers a 404 page that says so.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from lms.accounts.permissions import login_required
from lms.cohorts.access import learner_cohort_or_404
from lms.cohorts.models import Cohort
from lms.cohorts.queries import cohorts_learned_by
from lms.core.transactions import unit_of_work
from lms.curriculum.models import Module
from lms.extensions import db
from lms.organisations.models import Territory
from lms.projects.access import (
    editable_project_or_404,
    evaluable_moments,
    may_edit,
    may_set_up_later_evaluation,
    project_or_404,
)
from lms.projects.comparison import compare, layout
from lms.projects.evaluations import ProjectError, moment_label
from lms.projects.forms import STAGE_LABELS, ProjectForm, project_form
from lms.projects.grid import Grid, grid_of
from lms.projects.models import (
    EvaluationMoment,
    Project,
    ProjectEvaluation,
    ProjectEvaluationValue,
    ProjectStage,
)
from lms.projects.services import (
    ProjectConflict,
    ProjectDraft,
    declare_project,
    learner_project,
    partner_lines,
    update_project,
)

bp = Blueprint("projects", __name__)


@bp.context_processor
def _labels() -> dict:
    return {
        "stage_labels": STAGE_LABELS,
        "moment_label": moment_label,
        "moments": list(EvaluationMoment),
        "partner_lines": partner_lines,
    }


def territories() -> list[Territory]:
    """Return every territory, by name (a project may be carried out on any)."""
    return list(db.session.scalars(db.select(Territory).order_by(Territory.name)))


@bp.get("/projects")
@login_required
def my_projects():
    """List the cohorts the learner learns in and their project; go straight to the only one."""
    cohorts = cohorts_learned_by(current_user)
    entries = []
    for cohort in cohorts:
        grid = grid_of(cohort.path_id)
        if grid is not None:
            entries.append((cohort, learner_project(cohort, current_user)))
    if len(entries) == 1:
        cohort, project = entries[0]
        if project is not None:
            return redirect(url_for(".show", project_id=project.id))
        return redirect(url_for(".declare", cohort_id=cohort.id))
    return render_template("projects/mine.html", entries=entries, cohorts=cohorts)


def _no_grid(cohort: Cohort):
    """Answer 404 for a cohort whose path declares no project grid, saying so."""
    return render_template("projects/no_grid.html", cohort=cohort), 404


def _draft(form: ProjectForm) -> ProjectDraft:
    return ProjectDraft(
        title=form.title.data or "",
        holder=form.holder.data or "",
        partners=form.partners.data or "",
        territory_id=form.territory.data,
        domain_ids=list(form.domains.data or []),
        stage=ProjectStage(form.stage.data),
        description=form.description.data or "",
    )


def _show_error(form: ProjectForm, error: ProjectError) -> None:
    """Put the refusal beside its field, or above the form."""
    field = form._fields.get(error.field) if error.field else None
    if field is None:
        form.form_errors.append(str(error))
    else:
        field.errors = [*field.errors, str(error)]


def _render_form(cohort: Cohort, grid: Grid, form: ProjectForm, project=None, status=200):
    page = render_template(
        "projects/form.html", cohort=cohort, grid=grid, form=form, project=project
    )
    return page, status


@bp.route("/projects/cohorts/<int:cohort_id>/new", methods=["GET", "POST"])
def declare(cohort_id: int):
    """Declare the learner's project in the cohort (once: then it is edited)."""
    cohort = learner_cohort_or_404(cohort_id)
    grid = grid_of(cohort.path_id)
    if grid is None:
        return _no_grid(cohort)
    existing = learner_project(cohort, current_user)
    if existing is not None:  # declared already (another tab): it is changed on its own form
        if request.method == "POST":
            flash(_("Your project in this cohort is already declared: change it here."), "info")
            return redirect(url_for(".edit", project_id=existing.id))
        return redirect(url_for(".show", project_id=existing.id))
    defaults = {"territory": cohort.territory_id} if request.method == "GET" else {}
    form = project_form(grid, territories(), **defaults)
    if not form.validate_on_submit():
        return _render_form(cohort, grid, form, status=400 if form.is_submitted() else 200)
    try:
        with unit_of_work():
            project = declare_project(current_user, cohort, grid, _draft(form))
    except ProjectConflict as error:
        form.form_errors.append(str(error))
        return _render_form(cohort, grid, form, status=409)
    except ProjectError as error:
        _show_error(form, error)
        return _render_form(cohort, grid, form, status=400)
    flash(_("Your project is declared."), "success")
    return redirect(url_for(".show", project_id=project.id))


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int):
    """Change the project's declaration (409 when it changed since the form was read)."""
    project = editable_project_or_404(project_id)
    cohort = project.cohort
    grid = grid_of(cohort.path_id)
    if grid is None:
        return _no_grid(cohort)
    data = {}
    if request.method == "GET":
        data = {
            "title": project.title,
            "holder": project.holder,
            "partners": project.partners,
            "territory": project.territory_id,
            "domains": [domain.id for domain in project.domains],
            "stage": ProjectStage(project.stage).value,
            "description": project.description,
            "version": project.version_id,
        }
    form = project_form(grid, territories(), **data)
    if not form.validate_on_submit():
        return _render_form(cohort, grid, form, project, 400 if form.is_submitted() else 200)
    try:
        with unit_of_work():
            update_project(
                current_user,
                project,
                grid,
                _draft(form),
                expected_version=form.version.data or 0,
            )
    except ProjectConflict as error:
        form.form_errors.append(str(error))
        form.version.data = db.session.get(Project, project_id).version_id  # type: ignore[union-attr]
        return _render_form(cohort, grid, form, project, 409)
    except ProjectError as error:
        _show_error(form, error)
        return _render_form(cohort, grid, form, project, 400)
    flash(_("Your project is saved."), "success")
    return redirect(url_for(".show", project_id=project.id))


def evaluations_of(project: Project) -> list[ProjectEvaluation]:
    """Return the project's evaluations with their values and who made them (2 queries)."""
    return list(
        db.session.scalars(
            db.select(ProjectEvaluation)
            .filter_by(project_id=project.id)
            .options(
                selectinload(ProjectEvaluation.values).joinedload(ProjectEvaluationValue.dimension)
            )
        )
    )


def assessment_modules(grid: Grid, path_id: int) -> dict[str, Module]:
    """Return the module of each assessment that uses the project, by the code's module part."""
    codes = {use.assessment_code.split("-", 1)[0] for use in grid.uses}
    modules = db.session.scalars(
        db.select(Module).where(Module.path_id == path_id, Module.code.in_(codes))
    )
    by_code = {module.code: module for module in modules}
    return {
        use.assessment_code: by_code[use.assessment_code.split("-", 1)[0]]
        for use in grid.uses
        if use.assessment_code.split("-", 1)[0] in by_code
    }


@bp.get("/projects/<int:project_id>")
def show(project_id: int):
    """Show the project, the assessments that use it, and ex ante against ex post."""
    project = project_or_404(project_id)
    grid = grid_of(project.cohort.path_id)
    if grid is None:
        return _no_grid(project.cohort)
    comparison = compare(grid, evaluations_of(project))
    is_learner = current_user.id == project.learner_id
    moments = evaluable_moments(current_user, project)
    return render_template(
        "projects/project.html",
        project=project,
        grid=grid,
        comparison=comparison,
        chart=layout(grid, comparison),
        modules=assessment_modules(grid, project.cohort.path_id) if is_learner else {},
        can_edit=may_edit(current_user, project),
        can_evaluate=moments,
        can_invite=may_set_up_later_evaluation(current_user, project),
    )
