"""The learner's « Mon positionnement » (blueprint ``positioning``).

In each cohort where they learn, the learner reads the path's instructions, may take the entry
quiz (its link, then their best result), and self-assesses every competency, grouped by block,
on the path's scale with its descriptors. They change it until a trainer has reviewed it; then
the page shows it read-only with the entry levels and adjustments decided, and a save answers
409 without changing anything.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import login_required
from lms.cohorts.access import learner_cohort_or_404
from lms.cohorts.models import Cohort
from lms.cohorts.queries import cohorts_learned_by
from lms.core.markdown import render_markdown
from lms.core.transactions import unit_of_work
from lms.extensions import db
from lms.quality.positioning.forms import (
    SelfAssessmentForm,
    comment_name,
    fresh_version,
    level_name,
    self_assessment_form,
)
from lms.quality.positioning.frame import Frame, frame_of
from lms.quality.positioning.models import Positioning
from lms.quality.positioning.quiz import best_results, path_rules
from lms.quality.positioning.services import (
    PositioningConflict,
    PositioningError,
    SelfLevel,
    positioning_of,
    self_assess,
)

bp = Blueprint("positioning", __name__, url_prefix="/positioning")


@bp.get("")
@login_required
def my_positionings():
    """List the cohorts where the user learns; go straight to the only one."""
    cohorts = cohorts_learned_by(current_user)
    if len(cohorts) == 1:
        return redirect(url_for(".cohort", cohort_id=cohorts[0].id))
    statuses = {
        positioning.cohort_id: positioning
        for positioning in db.session.scalars(
            db.select(Positioning).filter_by(learner_id=current_user.id)
        )
    }
    return render_template("quality/positioning/mine.html", cohorts=cohorts, statuses=statuses)


def _answers(form: SelfAssessmentForm, frame: Frame) -> dict[int, SelfLevel]:
    return {
        competency.id: SelfLevel(level.data, comment.data or "")
        for competency, level, comment in form.rows(frame)
        if level.data is not None
    }


def _data(positioning: Positioning | None) -> dict:
    """Return the form's values from the stored positioning (empty when there is none)."""
    if positioning is None:
        return {}
    data: dict = {"version": positioning.version_id}
    for level in positioning.levels:
        if level.self_level is not None:
            data[level_name(level.competency_id)] = level.self_level
        data[comment_name(level.competency_id)] = level.self_comment
    return data


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
def cohort(cohort_id: int):
    """Show the learner's positioning in the cohort, and record their self-assessment."""
    cohort = learner_cohort_or_404(cohort_id)
    frame = frame_of(cohort.path_id)
    positioning = positioning_of(cohort, current_user)
    form = self_assessment_form(frame, **(_data(positioning) if request.method == "GET" else {}))
    status = 200
    if request.method == "POST":
        status = 400
        if positioning is not None and positioning.reviewed_at is not None:
            form.form_errors.append(
                _("A trainer has reviewed your positioning: it can no longer be changed.")
            )
            status = 409
        elif form.validate_on_submit():
            version = form.version.data
            try:
                with unit_of_work():
                    self_assess(
                        current_user,
                        cohort,
                        frame,
                        _answers(form, frame),
                        expected_version=version,
                    )
            except PositioningConflict as error:
                form.form_errors.append(str(error))
                status = 409
            except PositioningError as error:
                _show_error(form, error)
            else:
                flash(_("Your positioning is saved."), "success")
                return redirect(url_for(".cohort", cohort_id=cohort.id))
        positioning = positioning_of(cohort, current_user)
        if status == 409:  # the next save is based on what is stored now
            fresh_version(form, positioning)
    return _page(cohort, frame, positioning, form), status


def _show_error(form: SelfAssessmentForm, error: PositioningError) -> None:
    field = form._fields.get(error.field) if error.field else None
    if field is None:
        form.form_errors.append(str(error))
    else:
        field.errors = [*field.errors, str(error)]


def _page(cohort: Cohort, frame: Frame, positioning: Positioning | None, form):
    rules = path_rules(cohort.path_id)
    levels = {level.competency_id: level for level in positioning.levels} if positioning else {}
    return render_template(
        "quality/positioning/learner.html",
        cohort=cohort,
        frame=frame,
        positioning=positioning,
        levels=levels,
        form=form,
        fields={competency.id: (level, comment) for competency, level, comment in form.rows(frame)},
        instructions=render_markdown(rules.instructions) if rules.instructions else None,
        quiz=rules.quiz,
        quiz_result=best_results(rules.quiz, [current_user.id]).get(current_user.id),
    )
