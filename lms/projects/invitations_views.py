"""The public page of a later ex post evaluation link: no account, the link is the key.

What the page shows, and why (as little personal data as serves the evaluation): the project's
title, its holder and territory, the display name of the learner who accompanied it (the
person invited worked with them), the grid with, for each dimension, the ex
ante and ex post values (not their justifications, which the learner or trainers wrote), and the
form: a value and a justification per dimension, and the evaluator's name (prefilled with the
name the link was sent to). No e-mail address, cohort, grade or other project.

Answers: an unknown token, or a planned link not sent yet, is a 404; a used, withdrawn or expired
link a 410, saying which; the evaluation already recorded another way a 409. A refused link
records nothing: ``use_invitation`` and ``record_evaluation`` run in one unit of work, and a
form error leaves the link usable with the typed values shown again. Two submissions at once:
one is recorded, the other gets the 410 of a used link. Every answer is rate-limited per client
address (``RATELIMIT_PROJECT_LINK``), never cached, and sent with ``Referrer-Policy:
no-referrer`` so that the address does not leave with a click; the token is redacted from the
logs (lms.core.redaction).
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _

from lms.accounts.throttling import client_address
from lms.core.logging import security_event
from lms.core.transactions import unit_of_work
from lms.extensions import db, limiter
from lms.projects.evaluations import (
    EvaluationExists,
    ProjectError,
    check_values,
    record_evaluation,
)
from lms.projects.forms import value_name
from lms.projects.grid import grid_of
from lms.projects.invitations import (
    InvitationGone,
    InvitationRefused,
    check_usable,
    find_invitation,
    use_invitation,
)
from lms.projects.invitations_forms import evaluation_form
from lms.projects.models import (
    EvaluationMoment,
    Project,
    ProjectEvaluation,
    ProjectEvaluationValue,
)

bp = Blueprint("project_link", __name__)

# What a token may look like (``secrets.token_urlsafe``); anything else is not looked up.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{20,100}")
REFERENCE_MOMENTS = (EvaluationMoment.EX_ANTE, EvaluationMoment.EX_POST)

link_limit = limiter.limit(
    lambda: current_app.config["RATELIMIT_PROJECT_LINK"],
    scope="project-link",
    key_func=client_address,
)


@bp.after_request
def no_referrer(response):
    """Keep the link's address out of the Referer header of any request the page leads to."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/projects/evaluate/<token>", methods=["GET", "POST"])
@link_limit
def evaluate(token: str):
    """Show the evaluation form of a usable link; record the evaluation once, by this link."""
    invitation = find_invitation(token) if TOKEN_FORMAT.fullmatch(token) else None
    try:
        check_usable(invitation)
    except InvitationRefused as error:
        return _refused(error)
    assert invitation is not None  # check_usable refuses None
    project = invitation.project
    grid = grid_of(project.cohort.path_id)
    if grid is None:
        abort(404)
    form = evaluation_form(grid, evaluator_name=invitation.name)
    if form.validate_on_submit():
        values = form.values(grid)
        try:
            check_values(grid, values)
            with unit_of_work():
                use_invitation(invitation)
                evaluation = record_evaluation(
                    project, grid, EvaluationMoment.EX_POST_LATER, values, invitation=invitation
                )
                evaluation.evaluator_name = form.evaluator_name.data
                db.session.flush()
        except InvitationRefused as error:
            return _refused(error)
        except EvaluationExists as error:
            return _page("projects/invitations/refused.html", 409, message=str(error))
        except ProjectError as error:
            field = form[value_name(error.field)] if error.field else None
            if field is not None:
                field.errors = [*field.errors, str(error)]
            else:
                form.form_errors.append(str(error))
        else:
            security_event("project_link.used", invitation_id=invitation.id)
            return _page("projects/invitations/thanks.html", 200, project=project)
    return render_template(
        "projects/invitations/evaluate.html",
        project=project,
        grid=grid,
        form=form,
        references=reference_values(project),
    )


def reference_values(project: Project) -> dict[int, dict[EvaluationMoment, int]]:
    """Return the ex ante and ex post values of the project, by dimension id (one query)."""
    rows = db.session.execute(
        db.select(
            ProjectEvaluationValue.dimension_id,
            ProjectEvaluation.moment,
            ProjectEvaluationValue.value,
        )
        .join(ProjectEvaluation, ProjectEvaluation.id == ProjectEvaluationValue.evaluation_id)
        .where(
            ProjectEvaluation.project_id == project.id,
            ProjectEvaluation.moment.in_(REFERENCE_MOMENTS),
        )
    )
    found: dict[int, dict[EvaluationMoment, int]] = {}
    for dimension_id, moment, value in rows:
        found.setdefault(dimension_id, {})[moment] = value
    return found


def _refused(error: InvitationRefused):
    """Answer a refused link: 410 when it existed and no longer works, 404 otherwise."""
    status = 410 if isinstance(error, InvitationGone) else 404
    security_event("project_link.refused", status=status)
    return _page("projects/invitations/refused.html", status, message=str(error))


def _page(template: str, status: int, **context):
    """Render one of the link's answers (nothing from the request in it)."""
    db.session.rollback()
    return render_template(template, heading=_heading(status), **context), status


def _heading(status: int) -> str:
    return {
        404: _("This link does not work"),
        409: _("This evaluation is already recorded"),
        410: _("This link no longer works"),
    }.get(status, _("Thank you"))
