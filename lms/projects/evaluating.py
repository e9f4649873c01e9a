"""The evaluation form of a project (blueprint ``project_evaluations``): ex ante, ex post, later.

For each dimension of the grid, its question and indicators, one value of the scale and a short
justification. The first save records the evaluation at that moment, later saves amend it
(audited); who may do either is ``lms.projects.access.may_evaluate``. Typed input is never lost:
a refusal shows the form again with the errors beside their fields; two recordings at once give
one success and one 409, as does a save of an evaluation changed since it was read.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import deny
from lms.core.transactions import unit_of_work
from lms.projects.access import may_evaluate, project_or_404
from lms.projects.evaluations import NEEDS, EvaluationExists, ProjectError, moment_label
from lms.projects.forms import EvaluationForm, evaluation_form, justification_name, value_name
from lms.projects.grid import Grid, grid_of
from lms.projects.models import EvaluationMoment, Project, ProjectEvaluation
from lms.projects.services import project_evaluation, save_evaluation

bp = Blueprint("project_evaluations", __name__)

MOMENTS = ",".join(moment.value for moment in EvaluationMoment)


def _form_data(evaluation: ProjectEvaluation) -> dict:
    data: dict = {"version": evaluation.version_id}
    for row in evaluation.values:
        data[value_name(row.dimension.code)] = row.value
        data[justification_name(row.dimension.code)] = row.justification
    return data


def _render(
    project: Project,
    grid: Grid,
    moment: EvaluationMoment,
    form: EvaluationForm,
    evaluation: ProjectEvaluation | None,
    status: int = 200,
):
    needed = NEEDS.get(moment)
    page = render_template(
        "projects/evaluation_form.html",
        project=project,
        grid=grid,
        moment=moment,
        moment_name=moment_label(moment),
        needed=moment_label(needed) if needed else None,
        form=form,
        rows=form.rows(grid),
        evaluation=evaluation,
    )
    return page, status


@bp.route(
    f"/projects/<int:project_id>/evaluations/<any({MOMENTS}):moment>", methods=["GET", "POST"]
)
def evaluate(project_id: int, moment: str):
    """Record or amend the project's evaluation at ``moment``."""
    project = project_or_404(project_id)
    when = EvaluationMoment(moment)
    if not may_evaluate(current_user, project, when):
        deny()
    grid = grid_of(project.cohort.path_id)
    if grid is None:
        return render_template("projects/no_grid.html", cohort=project.cohort), 404
    evaluation = project_evaluation(project, when)
    form = evaluation_form(
        grid, **(_form_data(evaluation) if evaluation and request.method == "GET" else {})
    )
    if not form.validate_on_submit():
        return _render(project, grid, when, form, evaluation, 400 if form.is_submitted() else 200)
    try:
        with unit_of_work():
            save_evaluation(
                current_user,
                project,
                grid,
                when,
                form.values(grid),
                expected_version=form.version.data,
            )
    except EvaluationExists as error:
        form.form_errors.append(str(error))
        evaluation = project_evaluation(project, when)
        form.version.data = evaluation.version_id if evaluation else None
        return _render(project, grid, when, form, evaluation, 409)
    except ProjectError as error:
        if error.field:
            field = form[value_name(error.field)]
            field.errors = [*field.errors, str(error)]
        else:
            form.form_errors.append(str(error))
        return _render(project, grid, when, form, evaluation, 400)
    message = _("The %(moment)s evaluation is saved.", moment=moment_label(when))
    flash(message, "success")
    return redirect(url_for("projects.show", project_id=project.id))
