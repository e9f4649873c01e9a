"""The home page that sends each person to their place, and the learner dashboard."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms.cohorts.models import Membership, MembershipRole
from lms.extensions import db
from lms.learning.services import learner_cohort, module_states, path_progress

bp = Blueprint("learning", __name__)


def membership_roles() -> frozenset[MembershipRole]:
    """Return the roles the current user holds in any cohort (one query, cached per request)."""
    if not current_user.is_authenticated:
        return frozenset()
    if "membership_roles" not in g:
        query = db.select(Membership.role).filter_by(user_id=current_user.id).distinct()
        g.membership_roles = frozenset(db.session.scalars(query))
    return g.membership_roles


@bp.app_context_processor
def _navigation_context() -> dict[str, object]:
    """Let the layout ask which sections the current user may see (only when it needs to)."""
    return {"membership_roles": membership_roles}


@bp.get("/")
def home():
    """Send visitors to the login page and people to their home: admin, trainer, then learner."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if current_user.is_admin:
        return redirect(url_for("admin.overview"))
    if MembershipRole.TRAINER in membership_roles():
        return redirect(url_for("cohorts_manage.my_cohorts"))
    return redirect(url_for("learning.dashboard"))


@bp.get("/dashboard")
@login_required
def dashboard():
    """Show the learner's cohort and every module of the path with its state."""
    cohort = learner_cohort(current_user)
    if cohort is None:
        return render_template("learning/dashboard.html", cohort=None)
    modules = module_states(current_user, cohort)
    return render_template(
        "learning/dashboard.html",
        cohort=cohort,
        modules=modules,
        modules_done=sum(1 for _module, state in modules if state.is_completed),
        lessons_progress=path_progress(current_user, cohort),
    )
