"""The learner's « Mon dossier » page (blueprint ``my_dossiers``): their dossier in each cohort.

The learner builds their own dossier (GDPR right of access, answered at once rather than within
the month the law allows; the archive's data files are machine-readable: portability) and
downloads any ready version of it. Someone else's dossier is denied (403), an unknown one 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import acting_user, login_required
from lms.cohorts.forms import ActionForm
from lms.cohorts.queries import cohorts_learned_by
from lms.core.transactions import unit_of_work
from lms.quality.dossiers.access import learner_cohort_or_403, own_dossier_or_403
from lms.quality.dossiers.download import archive_download
from lms.quality.dossiers.manage import REFRESH_SECONDS, STATE_LABELS, launch_and_say
from lms.quality.dossiers.services import learner_builds, request_dossier

bp = Blueprint("my_dossiers", __name__, url_prefix="/my/dossier")


@bp.get("/")
@login_required
def my_dossier():
    """Show the learner's dossier in each of their cohorts: builds, the latest to download."""
    builds = learner_builds(acting_user())
    by_cohort: dict[int, list] = {}
    for build in builds:
        by_cohort.setdefault(build.cohort_id, []).append(build)
    page = render_template(
        "quality/dossiers/my_dossier.html",
        cohorts=cohorts_learned_by(current_user),
        by_cohort=by_cohort,
        form=ActionForm(formdata=None),
        state_labels=STATE_LABELS,
    )
    response = current_app.make_response(page)
    if any(build.is_live for build in builds):
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@bp.post("/cohorts/<int:cohort_id>")
@login_required
def build(cohort_id: int):
    """Build the learner's own dossier in one of their cohorts, unless one is under way."""
    cohort = learner_cohort_or_403(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for(".my_dossier")
    with unit_of_work(error_redirect=back):
        dossier = request_dossier(acting_user(), cohort, acting_user())
    launch_and_say([dossier], _("Your dossier was requested."))
    return redirect(back)


@bp.get("/<int:dossier_id>/download")
@login_required
def download(dossier_id: int):
    """Send one of the learner's own ready dossiers; deny anyone else's."""
    return archive_download(own_dossier_or_403(dossier_id))
