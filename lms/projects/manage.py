"""The cohort's projects for its staff (blueprint ``projects_manage``).

The cohort's trainers, its administrators (central, and local administrators of its territory)
list its projects: title, learner, stage, domains, the evaluations done (ex ante, ex post,
later ex post) and a link to each project's page. The page costs the same few queries whatever
the number of projects.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.cohorts.access import followed_cohort_or_403, is_cohort_admin
from lms.cohorts.models import Cohort
from lms.projects.evaluations import moment_label
from lms.projects.forms import STAGE_LABELS
from lms.projects.grid import grid_of
from lms.projects.models import EvaluationMoment
from lms.projects.services import cohort_projects

bp = Blueprint("projects_manage", __name__, url_prefix="/manage")


@bp.get("/cohorts/<int:cohort_id>/projects")
def cohort_projects_page(cohort_id: int):
    """List the cohort's projects and the evaluations each has."""
    cohort = followed_cohort_or_403(cohort_id, joinedload(Cohort.path))
    grid = grid_of(cohort.path_id)
    projects = cohort_projects(cohort) if grid is not None else []
    return render_template(
        "projects/manage/cohort.html",
        cohort=cohort,
        # Administrators (central or of the territory) get the cohort's tabs; trainers a way back.
        as_admin=is_cohort_admin(current_user, cohort),
        grid=grid,
        projects=projects,
        done={
            project.id: {evaluation.moment for evaluation in project.evaluations}
            for project in projects
        },
        stage_labels=STAGE_LABELS,
        moments=list(EvaluationMoment),
        moment_label=moment_label,
    )
