"""The jury members' pages (blueprint ``jury``): their juries, candidates, dossiers and votes;
the president's tally and closing; the minutes.

Every page goes through ``lms.certificates.jury.access``: a member sees only their juries while
their access lasts, read-only except their own vote.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from lms.accounts.permissions import deny
from lms.assessments.assignments.uploads import upload_folder
from lms.certificates.jury.access import (
    current_seats,
    jury_candidate_or_404,
    member_jury_or_404,
    president_jury_or_404,
    sits_on_a_jury,
)
from lms.certificates.jury.closing import close_jury
from lms.certificates.jury.composition import rules_or_error
from lms.certificates.jury.dossier import candidate_dossier, candidate_file_or_none
from lms.certificates.jury.errors import JuryConflict, JuryError
from lms.certificates.jury.forms import PROPOSAL_LABELS, ActionForm, VoteForm
from lms.certificates.jury.minutes_store import jury_minutes
from lms.certificates.jury.models import Jury, JuryMember, JuryMinutes, JuryState, Proposal
from lms.certificates.jury.notify import notify_all_votes_in
from lms.certificates.jury.pages import minutes_download, my_votes, recusal_labels
from lms.certificates.jury.recusals import jury_recusals
from lms.certificates.jury.votes import candidates, cast_vote, jury_votes, path_blocks, tally
from lms.certificates.queries import scale_labels
from lms.core import storage
from lms.core.csv import attachment
from lms.core.transactions import unit_of_work
from lms.curriculum.models import TrainingPath
from lms.extensions import db
from lms.projects.services import learner_project

bp = Blueprint("jury", __name__, url_prefix="/jury")
JURY_OPTIONS = (
    joinedload(JuryMember.jury).joinedload(Jury.cohort),
    joinedload(JuryMember.jury).selectinload(Jury.members).joinedload(JuryMember.user),
)


@bp.context_processor
def _labels() -> dict:
    return {"proposal_labels": PROPOSAL_LABELS, "recusal_labels": recusal_labels()}


@bp.get("/")
def my_juries():
    """List the juries the member sits on while their access lasts."""
    if not sits_on_a_jury(current_user):
        deny()
    seats = db.session.scalars(
        current_seats(current_user)
        .options(joinedload(JuryMember.jury).joinedload(Jury.cohort))
        .order_by(JuryMember.id.desc())
    ).all()
    return render_template("certificates/jury/my_juries.html", seats=seats)


@bp.get("/<int:jury_id>")
def jury_page(jury_id: int):
    """Show the jury's candidates, the member's own votes and recusals."""
    jury, member = member_jury_or_404(jury_id, *JURY_OPTIONS)
    people = candidates(jury)
    recusals = jury_recusals(jury, [person.id for person in people])
    return render_template(
        "certificates/jury/jury.html",
        jury=jury,
        member=member,
        candidates=people,
        votes=my_votes(jury, member),
        recusals=recusals,
        minutes=jury_minutes(jury),
        rules=rules_or_error(jury.cohort),
    )


def render_candidate(jury: Jury, member: JuryMember, learner, form=None, status: int = 200):
    """Render a candidate's dossier and the member's vote form."""
    recused = (member.id, learner.id) in jury_recusals(jury, [learner.id])
    vote = next((v for v in jury_votes(jury, learner.id) if v.member_id == member.id), None)
    blocks = path_blocks(jury)
    if form is None:
        form = VoteForm(formdata=None, obj=vote)
        form.blocks.data = list(vote.block_codes) if vote else []
        form.version.data = str(vote.version_id) if vote else ""
    form.blocks.choices = [
        SelectChoice(block.code, f"{block.code} — {block.title}") for block in blocks
    ]
    path = db.session.get(TrainingPath, jury.cohort.path_id)
    page = render_template(
        "certificates/jury/candidate.html",
        jury=jury,
        member=member,
        learner=learner,
        dossier=candidate_dossier(jury.cohort, learner),
        project=learner_project(jury.cohort, learner),
        levels=scale_labels(path),
        vote=vote,
        recused=recused,
        form=form,
        can_vote=jury.state == JuryState.OPEN and not recused,
    )
    return page, status


@bp.get("/<int:jury_id>/candidates/<int:user_id>")
def candidate(jury_id: int, user_id: int):
    """Show a candidate's dossier, read-only, and the member's vote."""
    jury, member = member_jury_or_404(jury_id, *JURY_OPTIONS)
    return render_candidate(jury, member, jury_candidate_or_404(jury, user_id))


@bp.post("/<int:jury_id>/candidates/<int:user_id>/vote")
def vote(jury_id: int, user_id: int):
    """Record or change the member's vote on a candidate (409 when it changed meanwhile)."""
    jury, member = member_jury_or_404(jury_id, *JURY_OPTIONS)
    learner = jury_candidate_or_404(jury, user_id)
    form = VoteForm()
    form.blocks.choices = [SelectChoice(block.code, block.code) for block in path_blocks(jury)]
    if not form.validate_on_submit():
        return render_candidate(jury, member, learner, form, 400)
    try:
        with unit_of_work():
            _vote, completed = cast_vote(
                member,
                learner,
                proposal=Proposal(form.proposal.data),
                blocks=list(form.blocks.data or []),
                comment=form.comment.data or "",
                recommendations=form.recommendations.data or "",
                expected_version=form.expected_version(),
            )
    except JuryConflict as error:
        form.form_errors.append(str(error))
        return render_candidate(jury, member, learner, form, 409)
    except JuryError as error:
        form.form_errors.append(str(error))
        return render_candidate(jury, member, learner, form, 400)
    if completed:
        notify_all_votes_in(jury)
    flash(_("Your vote on %(name)s is recorded.", name=learner.display_name), "success")
    return redirect(url_for(".jury_page", jury_id=jury.id))


@bp.get("/<int:jury_id>/candidates/<int:user_id>/files/<int:file_id>")
def candidate_file(jury_id: int, user_id: int, file_id: int):
    """Send a file of the candidate's work, as an attachment, to the jury's members."""
    jury, _member = member_jury_or_404(jury_id)
    learner = jury_candidate_or_404(jury, user_id)
    file = candidate_file_or_none(jury.cohort, learner, file_id)
    if file is None:
        abort(404)
    try:
        stream = storage.open_stored(upload_folder(), file.storage_key)
    except storage.StorageError:
        abort(404)
    response = send_file(stream, mimetype="application/octet-stream", conditional=False)
    response.headers["Content-Disposition"] = attachment(file.original_name.replace("/", "_"))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<int:jury_id>/tally")
def tally_page(jury_id: int):
    """Show the president the votes per candidate, the recusals and whether the jury can close."""
    jury, member = president_jury_or_404(jury_id, *JURY_OPTIONS)
    return render_tally(jury, member)


def render_tally(jury: Jury, member: JuryMember, error: str = "", status: int = 200):
    rules = rules_or_error(jury.cohort)
    result = tally(jury, rules)
    names = {m.id: m.user.display_name for m in jury.members}
    page = render_template(
        "certificates/jury/tally.html",
        jury=jury,
        member=member,
        result=result,
        rules=rules,
        names=names,
        form=ActionForm(formdata=None),
        error=error,
        blocks=path_blocks(jury),
    )
    return page, status


@bp.post("/<int:jury_id>/close")
def close(jury_id: int):
    """Close the deliberation (the president): decisions recorded, minutes stored."""
    jury, member = president_jury_or_404(jury_id, *JURY_OPTIONS)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            decisions, _minutes = close_jury(member, jury)
    except JuryConflict as error:
        return render_tally(jury, member, str(error), 409)
    except JuryError as error:
        flash(str(error), "error")
        return redirect(url_for(".tally_page", jury_id=jury.id))
    message = ngettext(
        "The deliberation is closed: %(num)d decision recorded.",
        "The deliberation is closed: %(num)d decisions recorded.",
        len(decisions),
    )
    flash(message, "success")
    return redirect(url_for(".jury_page", jury_id=jury.id))


@bp.get("/<int:jury_id>/minutes/<int:minutes_id>")
def minutes(jury_id: int, minutes_id: int):
    """Send a version of the jury's minutes (PDF) to its members."""
    jury, _member = member_jury_or_404(jury_id)
    record = db.session.get(JuryMinutes, minutes_id)
    if record is None or record.jury_id != jury.id:
        abort(404)
    return minutes_download(record)
