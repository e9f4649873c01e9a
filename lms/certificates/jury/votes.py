"""Votes and their tally: each member's proposal per candidate, and what the majority decides.

Counting (DESIGN.md §9, CERTIFICATION-FR.md §1): the votes cast on a candidate are those of the
members not recused for them who voted. Fewer than the declared quorum: no deliberation. A
proposal (the proposal and, for a partial validation, its blocks) wins with the declared
majority of the votes cast: more than half (``simple``) or at least two thirds
(``two_thirds``). Otherwise, when the leading proposals are tied and the president voted for one
of them, the president's vote decides. When no proposal wins this way (no majority and no tie
the president can break: the president is recused, did not vote, or voted for a proposal that
does not lead), the candidate is undecided and the jury cannot close until members change
their votes: the jury decides everything, the software never picks.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.certificates.jury.composition import refuse_if_closed
from lms.certificates.jury.errors import JuryConflict, JuryError
from lms.certificates.jury.models import (
    Jury,
    JuryMember,
    JuryState,
    JuryVote,
    Majority,
    PathJury,
    Proposal,
    RecusalReason,
)
from lms.certificates.jury.recusals import Recusals, jury_recusals
from lms.cohorts.models import Membership, MembershipRole
from lms.core.db import lock_row_for_update
from lms.core.text import text_problem
from lms.core.time import utcnow
from lms.curriculum.models import CompetencyBlock
from lms.extensions import db

Key = tuple[str, tuple[str, ...]]


def candidates(jury: Jury) -> list[User]:
    """Return the candidates: the learners of the jury's cohort, by name (one query).

    Sorted here, accents aside (« Élise » between « Dan » and « Fanny »), whatever the
    database's collation.
    """
    people = list(
        db.session.scalars(
            db.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.cohort_id == jury.cohort_id, Membership.role == MembershipRole.LEARNER
            )
            .order_by(User.display_name, User.id)
        )
    )
    return sorted(people, key=lambda person: (sort_key(person.display_name), person.id))


def sort_key(name: str) -> str:
    """Return a name without accents, in lower case, to sort names as a reader expects."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def jury_votes(jury: Jury, learner_id: int | None = None) -> list[JuryVote]:
    """Return the jury's votes (one candidate's, if given), in the order they were cast."""
    query = db.select(JuryVote).filter_by(jury_id=jury.id).order_by(JuryVote.id)
    if learner_id is not None:
        query = query.filter_by(learner_id=learner_id)
    return list(db.session.scalars(query))


def path_blocks(jury: Jury) -> list[CompetencyBlock]:
    """Return the blocks of the jury's path, in order."""
    return list(
        db.session.scalars(
            db.select(CompetencyBlock)
            .filter_by(path_id=jury.cohort.path_id)
            .order_by(CompetencyBlock.position)
        )
    )


def _checked(proposal: Proposal, blocks: list[str], jury: Jury, comment: str) -> str:
    """Return the blocks as stored; refuse a partial validation without blocks or with others."""
    for text in (comment,):
        if problem := text_problem(text, multiline=True):
            raise JuryError(problem)
    if proposal != Proposal.AWARD_BLOCKS:
        return ""
    known = [block.code for block in path_blocks(jury)]
    chosen = [code for code in known if code in set(blocks)]
    if not chosen or len(chosen) != len(set(blocks)):
        raise JuryError(_("Choose the blocks that a partial validation validates."))
    if len(chosen) == len(known):
        raise JuryError(_("Every block is chosen: propose to award the path instead."))
    return " ".join(chosen)


def cast_vote(
    member: JuryMember,
    learner: User,
    *,
    proposal: Proposal,
    blocks: list[str],
    comment: str,
    recommendations: str,
    expected_version: int | None,
    now: datetime | None = None,
) -> tuple[JuryVote, bool]:
    """Record or change the member's vote on a candidate; say whether this vote completed the set.

    The jury's row is locked first (PostgreSQL ``FOR UPDATE``, SQLite ``BEGIN IMMEDIATE``), so
    a vote and the closing take turns: a vote after the closing is refused (409), and the
    closing counts every vote committed before it. ``expected_version`` is the version of the
    vote the member saw (None: they saw none); a vote changed meanwhile is refused (409).
    """
    jury = member.jury
    lock_row_for_update(db.session, Jury, jury.id)
    db.session.refresh(jury)
    refuse_if_closed(jury)
    if jury.state != JuryState.OPEN:
        raise JuryConflict(_("This jury is not open for votes yet."))
    if (member.id, learner.id) in jury_recusals(jury, [learner.id]):
        raise JuryError(_("You are recused for this candidate: you cannot vote for them."))
    stored = _checked(proposal, blocks, jury, comment + recommendations)
    vote = db.session.scalar(
        db.select(JuryVote)
        .filter_by(jury_id=jury.id, member_id=member.id, learner_id=learner.id)
        .execution_options(populate_existing=True)
    )
    if (vote.version_id if vote else None) != expected_version:
        raise JuryConflict(_("Your vote on this candidate changed meanwhile: read it again."))
    created = vote is None
    if vote is None:
        vote = JuryVote(jury_id=jury.id, member=member, learner_id=learner.id)
        db.session.add(vote)
    vote.proposal, vote.blocks, vote.cast_at = proposal, stored, now or utcnow()
    vote.comment, vote.recommendations = comment.strip(), recommendations.strip()
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as error:
        raise JuryConflict(
            _("Your vote on this candidate changed meanwhile: read it again.")
        ) from error
    # Only a new vote can complete the set: the president hears of it once.
    return vote, created and every_vote_in(jury)


def every_vote_in(jury: Jury) -> bool:
    """Tell whether every member not recused has voted on every candidate."""
    people = candidates(jury)
    recusals = jury_recusals(jury, [person.id for person in people])
    expected = {
        (member.id, person.id)
        for member in jury.members
        for person in people
        if (member.id, person.id) not in recusals
    }
    cast = set(
        db.session.execute(
            db.select(JuryVote.member_id, JuryVote.learner_id).filter_by(jury_id=jury.id)
        ).tuples()
    )
    return expected <= cast


@dataclass
class CandidateTally:
    """One candidate's votes, recusals and the result of counting them."""

    learner: User
    votes: list[JuryVote] = field(default_factory=list)
    recused: dict[int, RecusalReason] = field(default_factory=dict)  # member id -> why
    winner: Key | None = None
    by_casting_vote: bool = False
    problem: str = ""

    @property
    def counts(self) -> list[tuple[Key, int]]:
        return Counter(vote.key for vote in self.votes).most_common()


@dataclass
class JuryTally:
    """Every candidate's tally; the candidates that keep the jury from closing."""

    jury: Jury
    rows: list[CandidateTally]
    recusals: Recusals

    @property
    def blocking(self) -> list[CandidateTally]:
        return [row for row in self.rows if row.winner is None]


def recommendations_of(row: CandidateTally, president_id: int) -> str:
    """The jury's préconisations: the president's, else those of a vote for the winner."""
    winning = [vote for vote in row.votes if vote.key == row.winner and vote.recommendations]
    mine = [vote for vote in winning if vote.member_id == president_id]
    return (mine or winning)[0].recommendations if (mine or winning) else ""


def tally(jury: Jury, rules: PathJury) -> JuryTally:
    """Count every candidate's votes (a fixed number of queries whatever their number)."""
    people = candidates(jury)
    recusals = jury_recusals(jury, [person.id for person in people])
    rows = {person.id: CandidateTally(person) for person in people}
    for (member_id, learner_id), reason in recusals.items():
        rows[learner_id].recused[member_id] = reason
    for vote in jury_votes(jury):
        row = rows.get(vote.learner_id)
        if row is not None and vote.member_id not in row.recused:
            row.votes.append(vote)
    president = jury.president
    for row in rows.values():
        _count(row, rules, president.id if president else None)
    return JuryTally(jury, list(rows.values()), recusals)


def _count(row: CandidateTally, rules: PathJury, president_id: int | None) -> None:
    """Find the winning proposal, or say why there is none."""
    cast = len(row.votes)
    if cast < rules.quorum:
        row.problem = _(
            "quorum not reached (%(cast)d of %(quorum)d votes)", cast=cast, quorum=rules.quorum
        )
        return
    counts = row.counts
    best_key, best = counts[0]
    two_thirds = rules.majority == Majority.TWO_THIRDS
    wins = best * 3 >= cast * 2 if two_thirds else best * 2 > cast
    if wins and (len(counts) == 1 or counts[1][1] < best):
        row.winner = best_key
        return
    leading = {key for key, number in counts if number == best}
    president_vote = next((v for v in row.votes if v.member_id == president_id), None)
    if len(leading) > 1 and president_vote is not None and president_vote.key in leading:
        row.winner, row.by_casting_vote = president_vote.key, True
        return
    row.problem = _("no majority, and no tie the president's vote can break")
