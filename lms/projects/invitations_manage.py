"""The page where a project's later ex post evaluation is set up: its date and who is invited.

For the learner whose project it is, the cohort's staff and the territory's administrators
(``lms.projects.access``). « Save » plans the link for the date (``lms send-project-invitations``
sends it then); « Save and send now » e-mails it at once, in the same transaction: a message the
server refuses changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from lms.accounts.permissions import acting_user
from lms.core.formatting import format_day
from lms.core.mail import MailError
from lms.core.transactions import unit_of_work
from lms.projects.access import project_for_set_up_or_404
from lms.projects.evaluations import ProjectError
from lms.projects.grid import grid_of
from lms.projects.invitations_forms import LaterEvaluationForm
from lms.projects.invitations_mail import send_link
from lms.projects.invitations_setup import (
    default_later_date,
    later_status,
    set_up_later_evaluation,
)

bp = Blueprint("project_links", __name__)


@bp.route("/projects/<int:project_id>/later-evaluation", methods=["GET", "POST"])
def later_evaluation(project_id: int):
    """Show where the later evaluation stands; set its date and person, send or plan the link."""
    project = project_for_set_up_or_404(project_id)
    grid = grid_of(project.cohort.path_id)
    if grid is None:
        abort(404)
    status = later_status(project)
    link = status.invitation
    live = link is not None and status.link_state in ("planned", "sent")
    form = LaterEvaluationForm(
        later_on=default_later_date(status, grid),
        name=link.name if live and link else "",
        email=link.email if live and link else "",
    )
    if form.validate_on_submit() and form.later_on.data is not None:
        later_on = form.later_on.data
        send_now = bool(form.send_now.data)
        try:
            with unit_of_work():
                invitation, token = set_up_later_evaluation(
                    acting_user(),
                    project,
                    later_on=later_on,
                    name=form.name.data,
                    email=form.email.data,
                    send_now=send_now,
                )
                if token is not None:
                    send_link(invitation, token)
        except ProjectError as error:
            if error.field == "later_on":
                form.later_on.errors = [*form.later_on.errors, str(error)]
            else:
                form.form_errors.append(str(error))
        except MailError:
            form.form_errors.append(
                _("The e-mail could not be sent: nothing was changed. Try again later.")
            )
        else:
            if send_now:
                flash(_("The link was sent to %(email)s.", email=form.email.data), "success")
            else:
                day = format_day(later_on, "long")
                flash(_("Saved: the link will be sent on %(day)s.", day=day), "success")
            return redirect(url_for("project_links.later_evaluation", project_id=project.id))
    return render_template(
        "projects/invitations/set_up.html",
        project=project,
        grid=grid,
        status=status,
        form=form,
    )
