"""What the jury's member and administrator pages share: labels, the member's votes, minutes."""

from __future__ import annotations

from flask import Response, abort
from flask_babel import lazy_gettext as _l

from lms.certificates.jury.errors import JuryError
from lms.certificates.jury.minutes_store import open_minutes
from lms.certificates.jury.models import (
    Jury,
    JuryMember,
    JuryMinutes,
    JuryState,
    JuryVote,
    RecusalReason,
)
from lms.core.csv import attachment
from lms.extensions import db

STATE_LABELS = {
    JuryState.DRAFT: _l("Being composed"),
    JuryState.OPEN: _l("Open for votes"),
    JuryState.CLOSED: _l("Closed"),
}


def recusal_labels() -> dict:
    return {
        RecusalReason.TRAINED: _l("trains the candidate's cohort"),
        RecusalReason.MARKED: _l("marked the candidate's work"),
    }


def my_votes(jury: Jury, member: JuryMember) -> dict[int, JuryVote]:
    """Return the member's votes on the jury, by candidate id (one query)."""
    return {
        vote.learner_id: vote
        for vote in db.session.scalars(
            db.select(JuryVote).filter_by(jury_id=jury.id, member_id=member.id)
        )
    }


def minutes_download(record: JuryMinutes) -> Response:
    """Send a stored version of the minutes as a PDF attachment; 404 if its file is lost."""
    try:
        with open_minutes(record) as stream:  # a few hundred kilobytes: read at once
            data = stream.read()
    except JuryError:
        abort(404)
    response = Response(data, mimetype="application/pdf")
    name = f"proces-verbal-jury-{record.jury_id}-v{record.version}.pdf"
    response.headers["Content-Disposition"] = attachment(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
