"""Administrators' pages of the learners' dossiers (blueprint ``dossiers_admin``).

The cohort's page lists its learners with their latest build and the builds under way or done;
administrators (central, or of the cohort's territory: ``lms.quality.dossiers.access``) build
one learner's dossier from their row, or every learner's at once, and download ready ones.
Without Redis the builds run during the request that asks for them, and the page shows them
done; with Redis they run on the workers and the page reloads itself while one is under way.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.accounts.permissions import acting_user
from lms.cohorts.access import cohort_learner_or_404
from lms.cohorts.forms import ActionForm
from lms.cohorts.queries import cohort_learners
from lms.core.transactions import unit_of_work
from lms.quality.dossiers.access import administered_dossier_or_404, cohort_admin_or_404
from lms.quality.dossiers.download import archive_download
from lms.quality.dossiers.models import DossierState, LearnerDossier
from lms.quality.dossiers.services import (
    DossierError,
    cohort_builds,
    latest_by_learner,
    launch_builds,
    request_cohort_dossiers,
    request_dossier,
)

bp = Blueprint("dossiers_admin", __name__, url_prefix="/admin/cohorts")

REFRESH_SECONDS = 3
STATE_LABELS = {
    DossierState.QUEUED: _l("Waiting for a worker"),
    DossierState.BUILDING: _l("Being built"),
    DossierState.READY: _l("Ready"),
    DossierState.FAILED: _l("Failed"),
}


def page_url(cohort_id: int) -> str:
    return url_for("dossiers_admin.cohort", cohort_id=cohort_id)


@bp.get("/<int:cohort_id>/dossiers")
def cohort(cohort_id: int):
    """List the cohort's learners with their latest dossier, and every build."""
    cohort = cohort_admin_or_404(cohort_id)
    builds = cohort_builds(cohort)
    latest = latest_by_learner(builds)
    page = render_template(
        "quality/dossiers/manage/cohort.html",
        cohort=cohort,
        learners=cohort_learners(cohort),
        latest=latest,
        builds=builds,
        form=ActionForm(formdata=None),
        state_labels=STATE_LABELS,
    )
    response = current_app.make_response(page)
    if any(build.is_live for build in builds):
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


def launch_and_say(dossiers: list[LearnerDossier], done: str) -> None:
    """Hand the committed builds to the jobs and flash how it went (``done`` on success)."""
    try:
        launch_builds(dossiers)
    except DossierError as error:
        flash(str(error), "error")
        return
    flash(done, "success")


@bp.post("/<int:cohort_id>/dossiers/builds")
def build_cohort(cohort_id: int):
    """Build the dossier of every learner of the cohort who has none under way."""
    cohort = cohort_admin_or_404(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work(error_redirect=page_url(cohort_id)):
        dossiers = request_cohort_dossiers(cohort, acting_user())
    launch_and_say(dossiers, _("Dossiers requested: %(count)d.", count=len(dossiers)))
    return redirect(page_url(cohort_id))


@bp.post("/<int:cohort_id>/learners/<int:user_id>/dossiers")
def build_learner(cohort_id: int, user_id: int):
    """Build one learner's dossier, unless one is already under way."""
    cohort = cohort_admin_or_404(cohort_id)
    learner = cohort_learner_or_404(cohort, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    # A build under way (two clicks, two administrators) is said and shown, never doubled.
    with unit_of_work(error_redirect=page_url(cohort_id)):
        dossier = request_dossier(learner, cohort, acting_user())
    launch_and_say(
        [dossier], _("The dossier of %(name)s was requested.", name=learner.display_name)
    )
    return redirect(page_url(cohort_id))


@bp.get("/dossiers/<int:dossier_id>/download")
def download(dossier_id: int):
    """Send a ready dossier's archive to an administrator of its cohort (a GET writes nothing:
    the request is the access log's; building it was audited)."""
    return archive_download(administered_dossier_or_404(dossier_id))
