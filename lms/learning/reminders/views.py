"""The page where a person chooses their optional reminders."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField

from lms.accounts.permissions import login_required
from lms.core.transactions import unit_of_work
from lms.learning.reminders.preferences import preference_of, set_preferences

bp = Blueprint("reminders", __name__)


class PreferencesForm(FlaskForm):
    """The optional reminders, each on or off."""

    deadlines = BooleanField(_l("Remind me 48 hours before an assessment deadline"))
    sessions = BooleanField(_l("Remind me the day before a session"))
    submit = SubmitField(_l("Save my choices"))


@bp.route("/account/reminders", methods=["GET", "POST"])
@login_required
def preferences():
    """Show and save the person's choice of optional reminders."""
    preference = preference_of(current_user)
    form = PreferencesForm(
        data={"deadlines": preference.deadlines, "sessions": preference.sessions}
    )
    if form.validate_on_submit():
        with unit_of_work():
            set_preferences(
                current_user, deadlines=form.deadlines.data, sessions=form.sessions.data
            )
        flash(_("Your reminder choices are saved."), "success")
        return redirect(url_for("reminders.preferences"))
    return render_template("learning/reminders/preferences.html", form=form)
