"""Recording a project's evaluation with the common grid (ex ante, ex post, later ex post).

Every dimension gets a value of the grid's scale and a short justification; an ex post
evaluation needs the ex ante one (it is read against it), the later ex post needs the ex post.
Each moment is recorded once per project (``uq_project_evaluations_project_id_moment``): a second
recording is refused (``EvaluationExists``, answered 409), and an evaluation made by a user is
corrected with ``amend_evaluation``, audited with its values before and after. Services flush
and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.core.time import local_today
from lms.core.transactions import DomainError
from lms.extensions import db
from lms.projects.grid import Grid
from lms.projects.models import (
    EvaluationMoment,
    Project,
    ProjectEvaluation,
    ProjectEvaluationValue,
    ProjectInvitation,
)

JUSTIFICATION_MAX = 1000
# The moment each one needs before it: an ex post is read against the ex ante.
NEEDS = {
    EvaluationMoment.EX_POST: EvaluationMoment.EX_ANTE,
    EvaluationMoment.EX_POST_LATER: EvaluationMoment.EX_POST,
}

# Values typed for one evaluation: dimension code → (value, justification).
Values = Mapping[str, tuple[int, str]]


class ProjectError(DomainError):
    """A refused change to a project or its evaluations; ``field`` names the form field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class EvaluationExists(ProjectError):
    """The project already has an evaluation at this moment (answered 409)."""


def recorded_moments(project: Project) -> set[EvaluationMoment]:
    """Return the moments at which the project has been evaluated (one query)."""
    return set(
        db.session.scalars(db.select(ProjectEvaluation.moment).filter_by(project_id=project.id))
    )


def record_evaluation(
    project: Project,
    grid: Grid,
    moment: EvaluationMoment,
    values: Values,
    *,
    user: User | None = None,
    invitation: ProjectInvitation | None = None,
    evaluated_on: date | None = None,
) -> ProjectEvaluation:
    """Record the project's evaluation at ``moment``, by ``user`` or through ``invitation``."""
    if user is not None and invitation is None:
        evaluator_name = user.display_name
    elif invitation is not None and user is None:
        evaluator_name = invitation.name
    else:
        raise ValueError("an evaluation is made by a user or through an invitation, not both")
    checked = check_values(grid, values)
    moments = recorded_moments(project)
    if moment in moments:
        raise EvaluationExists(
            _(
                "This project's %(moment)s evaluation is already recorded.",
                moment=moment_label(moment),
            )
        )
    needed = NEEDS.get(moment)
    if needed is not None and needed not in moments:
        raise ProjectError(
            _(
                "The %(moment)s evaluation needs the %(needed)s evaluation first.",
                moment=moment_label(moment),
                needed=moment_label(needed),
            )
        )
    evaluation = ProjectEvaluation(
        project=project,
        moment=moment,
        evaluated_by=user,
        invitation=invitation,
        evaluator_name=evaluator_name,
        evaluated_on=evaluated_on or local_today(),
        values=[
            ProjectEvaluationValue(dimension=dimension, value=value, justification=text)
            for dimension, (value, text) in checked
        ],
    )
    db.session.add(evaluation)
    db.session.flush()
    record_audit_event(
        user, "project.evaluate", project, after={"moment": str(moment), **_snapshot(evaluation)}
    )
    return evaluation


def amend_evaluation(
    actor: User, evaluation: ProjectEvaluation, grid: Grid, values: Values
) -> None:
    """Correct an evaluation's values and justifications; audited before and after."""
    checked = check_values(grid, values)
    before = _snapshot(evaluation)
    by_dimension = {row.dimension_id: row for row in evaluation.values}
    for dimension, (value, text) in checked:
        row = by_dimension.get(dimension.id)
        if row is None:
            evaluation.values.append(
                ProjectEvaluationValue(dimension=dimension, value=value, justification=text)
            )
        else:
            row.value, row.justification = value, text
    db.session.flush()
    after = _snapshot(evaluation)
    if after != before:
        record_audit_event(
            actor, "project.evaluation_amend", evaluation.project, before=before, after=after
        )


def check_values(grid: Grid, values: Values) -> list[tuple]:
    """Return (dimension, value, justification) for every dimension; refuse what is missing,
    unknown, off the scale or unjustified."""
    known = {dimension.code for dimension in grid.dimensions}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ProjectError(_("Unknown dimension: %(codes)s.", codes=", ".join(unknown)))
    scale = {level.value for level in grid.levels}
    checked = []
    for dimension in grid.dimensions:
        field = dimension.code
        if dimension.code not in values:
            raise ProjectError(
                _("Give a value for “%(title)s”.", title=dimension.title), field=field
            )
        value, text = values[dimension.code]
        if value not in scale:
            raise ProjectError(
                _(
                    "“%(title)s”: %(value)s is not on the grid's scale (%(low)d to %(high)d).",
                    title=dimension.title,
                    value=value,
                    low=grid.lowest,
                    high=grid.highest,
                ),
                field=field,
            )
        text = (text or "").strip()
        if not text:
            raise ProjectError(
                _("Justify the value given for “%(title)s”.", title=dimension.title), field=field
            )
        if len(text) > JUSTIFICATION_MAX:
            raise ProjectError(
                _(
                    "“%(title)s”: the justification is longer than %(n)d characters.",
                    title=dimension.title,
                    n=JUSTIFICATION_MAX,
                ),
                field=field,
            )
        checked.append((dimension, (value, text)))
    return checked


def moment_label(moment: EvaluationMoment) -> str:
    """Name a moment in words: « ex ante », « ex post », « ex post à distance »."""
    return {
        EvaluationMoment.EX_ANTE: _("ex ante"),
        EvaluationMoment.EX_POST: _("ex post"),
        EvaluationMoment.EX_POST_LATER: _("later ex post"),
    }[moment]


def _snapshot(evaluation: ProjectEvaluation) -> dict[str, list]:
    """Describe the values of an evaluation, for the audit trail."""
    return {
        "values": sorted(
            [row.dimension.code, row.value, row.justification] for row in evaluation.values
        )
    }
