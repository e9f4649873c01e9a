"""The cohort's positionings for those who follow it (blueprint ``positioning_manage``).

The cohort page lists its learners with their positioning's status and entry quiz result, and
its progression per competency (entry against current levels, how many reach the required
level). The learner page shows their self-assessment and records the entry level of every
competency and the adjustments decided (409 when another person saved it meanwhile).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from lms.cohorts.access import is_cohort_admin
from lms.core.markdown import render_markdown
from lms.core.transactions import unit_of_work
from lms.quality.positioning.access import followed_cohort, positioned_learner_or_404
from lms.quality.positioning.cohorts import cohort_positionings, progression, status_of
from lms.quality.positioning.forms import ReviewForm, entry_name, fresh_version, review_form
from lms.quality.positioning.frame import frame_of
from lms.quality.positioning.models import Positioning
from lms.quality.positioning.quiz import best_results, path_rules
from lms.quality.positioning.services import (
    PositioningConflict,
    PositioningError,
    positioning_of,
    review_positioning,
)

bp = Blueprint("positioning_manage", __name__, url_prefix="/manage/cohorts")


@bp.get("/<int:cohort_id>/positioning")
def cohort_page(cohort_id: int):
    """List the cohort's learners with their positioning, and its progression per competency."""
    cohort = followed_cohort(cohort_id)
    frame = frame_of(cohort.path_id)
    rules = path_rules(cohort.path_id)
    return render_template(
        "quality/positioning/manage/cohort.html",
        cohort=cohort,
        as_admin=is_cohort_admin(current_user, cohort),
        frame=frame,
        quiz=rules.quiz,
        rows=cohort_positionings(cohort, rules.quiz),
        progression=progression(cohort, frame),
        mean_text=lambda mean: format_decimal(mean, format="0.0"),
    )


def _data(positioning: Positioning | None) -> dict:
    if positioning is None:
        return {}
    data: dict = {"version": positioning.version_id}
    if positioning.reviewed_at is not None:
        data["adjustments"] = positioning.adjustments
    for level in positioning.levels:
        if level.entry_level is not None:
            data[entry_name(level.competency_id)] = level.entry_level
        elif level.self_level is not None:  # the learner's own level, as a starting point
            data[entry_name(level.competency_id)] = level.self_level
    return data


@bp.route("/<int:cohort_id>/positioning/<int:user_id>", methods=["GET", "POST"])
def learner_page(cohort_id: int, user_id: int):
    """Show a learner's positioning; record the entry levels and adjustments decided."""
    cohort, learner = positioned_learner_or_404(cohort_id, user_id)
    frame = frame_of(cohort.path_id)
    positioning = positioning_of(cohort, learner)
    form = review_form(frame, **(_data(positioning) if request.method == "GET" else {}))
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            entries = {cid: field.data for cid, field in form.entry_fields(frame).items()}
            try:
                with unit_of_work():
                    review_positioning(
                        current_user,
                        cohort,
                        learner,
                        frame,
                        entries,
                        form.adjustments.data or "",
                        expected_version=form.version.data,
                    )
            except PositioningConflict as error:
                form.form_errors.append(str(error))
                status = 409
            except PositioningError as error:
                field = form._fields.get(error.field) if error.field else None
                if field is None:
                    form.form_errors.append(str(error))
                else:
                    field.errors = [*field.errors, str(error)]
            else:
                flash(_("The entry levels and adjustments are recorded."), "success")
                return redirect(url_for(".cohort_page", cohort_id=cohort.id))
        positioning = positioning_of(cohort, learner)
        if status == 409:  # the next save is based on what is stored now
            fresh_version(form, positioning)
    return _page(cohort, learner, frame, positioning, form), status


def _page(cohort, learner, frame, positioning: Positioning | None, form: ReviewForm):
    rules = path_rules(cohort.path_id)
    reviewer = positioning.reviewed_by if positioning is not None else None
    return render_template(
        "quality/positioning/manage/learner.html",
        cohort=cohort,
        learner=learner,
        frame=frame,
        positioning=positioning,
        status=status_of(positioning),
        reviewer=reviewer,
        levels={level.competency_id: level for level in positioning.levels} if positioning else {},
        form=form,
        entry_fields=form.entry_fields(frame),
        instructions=render_markdown(rules.instructions) if rules.instructions else None,
        quiz=rules.quiz,
        quiz_result=best_results(rules.quiz, [learner.id]).get(learner.id),
    )
