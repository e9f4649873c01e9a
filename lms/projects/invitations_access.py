"""Who sets up a project's later ex post evaluation: the one place for that rule.

The learner whose project it is, the cohort's staff (its trainers and central administrators)
and the local administrators of the project's territory. A local administrator of another
territory, with no role in the cohort, gets the same 404 as for an unknown project
(``deny_cohort``).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from lms.accounts.models import User
from lms.accounts.permissions import deny
from lms.cohorts.access import deny_cohort, is_staff
from lms.extensions import db
from lms.organisations.access import administers_territory
from lms.projects.models import Project


def can_set_up_later_evaluation(user: User, project: Project) -> bool:
    """Tell whether ``user`` may set the date and send the link (two queries at most)."""
    if not user.is_authenticated:
        return False
    return (
        project.learner_id == user.id
        or is_staff(user, project.cohort)
        or administers_territory(user, project.territory_id)
    )


def project_for_set_up_or_404(project_id: int) -> Project:
    """Return the project for those who may set up its later evaluation; deny everyone else."""
    if not current_user.is_authenticated:
        deny()
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    if not can_set_up_later_evaluation(current_user, project):
        deny_cohort(project.cohort)
    return project
