"""The jury's minutes (procès-verbal de délibération): built from the closed jury, rendered as a
PDF/A by ``lms.certificates.minutes``, stored with its SHA-256, one version per closing.

The document is built from plain values read once (members, seats, recusals, each candidate's
result per block, votes and the jury's recommendations), in French: the minutes are the
certifier's record, whatever the language of whoever closes.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.certificates.jury.errors import JuryError
from lms.certificates.jury.models import Jury, JuryMinutes, Majority, PathJury, Proposal
from lms.certificates.jury.votes import CandidateTally, JuryTally, path_blocks, recommendations_of
from lms.certificates.minutes import (
    MinutesBlock,
    MinutesCandidate,
    MinutesDocument,
    MinutesMember,
    MinutesVote,
    render_minutes,
)
from lms.certificates.signing import sign_minutes
from lms.core import storage
from lms.extensions import db

RESULTS = {
    Proposal.AWARD_PATH: "total",
    Proposal.AWARD_BLOCKS: "partial",
    Proposal.DEFER: "deferred",
    Proposal.REFUSE: "refused",
}
MINUTES_LANGUAGE = "fr"


def minutes_folder() -> Path:
    """Return the folder of stored minutes, in the instance folder."""
    return Path(current_app.instance_path) / "minutes"


def proposal_words(proposal: Proposal, blocks: tuple[str, ...]) -> str:
    """Say a proposal in words: « Validation partielle : BC1, BC2 »."""
    return {
        Proposal.AWARD_PATH: _("Full validation"),
        Proposal.AWARD_BLOCKS: _("Partial validation: %(blocks)s", blocks=", ".join(blocks)),
        Proposal.DEFER: _("Deferral"),
        Proposal.REFUSE: _("Refusal"),
    }[proposal]


def majority_words(rules: PathJury) -> str:
    """Say the majority rule and the quorum in words."""
    rule = (
        _("simple majority of the votes cast")
        if rules.majority == Majority.SIMPLE
        else _("two thirds of the votes cast")
    )
    return _(
        "%(rule)s; the president's vote decides a tie; quorum: %(quorum)d votes per candidate",
        rule=rule,
        quorum=rules.quorum,
    )


def build_minutes(jury: Jury, result: JuryTally, rules: PathJury, version: int) -> MinutesDocument:
    """Freeze what the minutes state, as plain values."""
    path = jury.cohort.path
    blocks = path_blocks(jury)
    names = {member.id: member.user.display_name for member in jury.members}
    president = jury.president
    with force_locale(MINUTES_LANGUAGE):
        members = tuple(
            MinutesMember(
                name=member.user.display_name,
                seat=(rules.seat(member.seat) or {}).get("title", member.seat),
                is_external=member.is_external,
                is_president=member.is_president,
                organisation=member.organisation,
            )
            for member in jury.members
        )
        candidates = tuple(
            _candidate(
                row, blocks, names, recommendations_of(row, president.id if president else 0)
            )
            for row in result.rows
        )
        majority = majority_words(rules)
    config = current_app.config
    place = str(config.get("CERTIFICATE_PLACE") or jury.place or "").strip()
    return MinutesDocument(
        reference=f"PV-{jury.held_on:%Y%m%d}-{jury.id}-{version}",
        certifier=str(config.get("CERTIFICATE_ORGANISATION") or path.certifier),
        path_title=path.title,
        path_version=path.version,
        rncp_code=str(config.get("CERTIFICATE_RNCP_CODE") or ""),
        cohort_name=jury.cohort.name,
        held_on=jury.held_on,
        place=jury.place,
        is_remote=jury.is_remote,
        majority_rule=majority,
        members=members,
        candidates=candidates,
        closed_at=jury.closed_at,  # type: ignore[arg-type]  # set by the closing
        signed_place=place,
        language=MINUTES_LANGUAGE,
    )


def _candidate(row: CandidateTally, blocks, names: dict[int, str], recommendations: str):
    assert row.winner is not None
    proposal, chosen = Proposal(row.winner[0]), row.winner[1]
    return MinutesCandidate(
        name=row.learner.display_name,
        result=RESULTS[proposal],
        blocks=tuple(
            MinutesBlock(
                code=block.code,
                title=block.title,
                is_validated=proposal == Proposal.AWARD_PATH or block.code in chosen,
            )
            for block in blocks
        ),
        votes=tuple(
            MinutesVote(
                member=names.get(vote.member_id, ""),
                proposal=proposal_words(vote.proposal, vote.block_codes),
            )
            for vote in row.votes
        ),
        recused=tuple(names.get(member_id, "") for member_id in row.recused),
        recommendations=recommendations,
    )


def store_minutes(jury: Jury, result: JuryTally, rules: PathJury) -> JuryMinutes:
    """Render the closed jury's minutes, store the PDF and record its new version (flush only)."""
    version = 1 + (
        db.session.scalar(db.select(db.func.max(JuryMinutes.version)).filter_by(jury_id=jury.id))
        or 0
    )
    document = build_minutes(jury, result, rules, version)
    pdf = sign_minutes(render_minutes(document), document)
    stored = storage.store_bytes(minutes_folder(), pdf)
    minutes = JuryMinutes(
        jury=jury,
        version=version,
        pdf_sha256=stored.sha256,
        pdf_size=stored.size,
        storage_key=stored.key,
    )
    try:
        db.session.add(minutes)
        db.session.flush()
    except BaseException:
        storage.delete_stored(minutes_folder(), stored.key)
        raise
    return minutes


def jury_minutes(jury: Jury) -> list[JuryMinutes]:
    """Return the jury's minutes, the latest version first."""
    return list(
        db.session.scalars(
            db.select(JuryMinutes).filter_by(jury_id=jury.id).order_by(JuryMinutes.version.desc())
        )
    )


def open_minutes(minutes: JuryMinutes) -> BinaryIO:
    """Open the stored PDF of these minutes; the caller closes it."""
    try:
        return storage.open_stored(minutes_folder(), minutes.storage_key)
    except storage.StorageError:
        raise JuryError(_("The PDF of these minutes is missing from storage.")) from None
