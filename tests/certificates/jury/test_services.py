"""Composing, voting, counting and closing a jury (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.certificates.decisions import latest_decision, record_decision
from lms.certificates.errors import CertificateError
from lms.certificates.jury.closing import close_jury
from lms.certificates.jury.composition import (
    composition_problems,
    open_jury,
    reopen_jury,
    update_jury,
)
from lms.certificates.jury.definition import jury_of_path
from lms.certificates.jury.errors import JuryConflict, JuryError
from lms.certificates.jury.models import JuryMinutes, JuryRecusal, JuryState, Majority, Proposal
from lms.certificates.jury.votes import cast_vote, tally
from lms.certificates.models import DecisionOutcome
from lms.core.time import utcnow
from lms.extensions import db
from tests.certificates.jury.support import jury_world, seat
from tests.factories import GradeEventFactory, GradeFactory, MembershipFactory, UserFactory

PDF = b"%PDF-1.7 minutes"


@pytest.fixture(autouse=True)
def _fast_minutes(monkeypatch):
    """Render minutes without WeasyPrint here: test_minutes.py checks the real PDF."""
    import lms.certificates.jury.minutes_store as store

    monkeypatch.setattr(store, "render_minutes", lambda document: PDF)


def vote(member, learner, proposal=Proposal.AWARD_PATH, blocks=(), version=None):
    result = cast_vote(
        member,
        learner,
        proposal=proposal,
        blocks=list(blocks),
        comment="",
        recommendations="",
        expected_version=version,
    )
    db.session.commit()
    return result


def today():
    return utcnow().date()


def test_a_well_composed_jury_opens(app):
    world = jury_world()
    assert composition_problems(world.jury, jury_of_path(world.cohort.path_id), today()) == []
    open_jury(UserFactory(admin=True), world.jury, today())
    assert world.jury.state == JuryState.OPEN
    assert world.jury.opened_at is not None


def test_a_jury_breaking_the_rules_lists_every_problem_and_does_not_open(app):
    world = jury_world(composed=False)
    MembershipFactory(
        cohort=world.cohort, user=(trainer := UserFactory(display_name="Tom")), trainer=True
    )
    seat(world, "professionnel", trainer)
    problems = composition_problems(world.jury, jury_of_path(world.cohort.path_id), today())
    text = " ".join(problems)
    assert "The jury needs 3 members; it has 1." in text
    assert "“Formateur·ice” needs 1 member(s); it has 0" in text
    assert "Name the jury's president." in text
    assert "Tom trains this cohort" in text
    with pytest.raises(JuryError, match="The jury cannot open"):
        open_jury(UserFactory(admin=True), world.jury, today())
    assert world.jury.state == JuryState.DRAFT


def test_staff_on_an_external_seat_and_a_short_access_are_problems(app):
    world = jury_world(composed=False)
    seat(world, "formateur", UserFactory(), president=True)
    seat(world, "professionnel", UserFactory(admin=True, display_name="Ada"))
    seat(
        world,
        "financeur",
        UserFactory(display_name="Fred"),
        ends=world.jury.held_on - timedelta(days=1),
    )
    text = " ".join(composition_problems(world.jury, jury_of_path(world.cohort.path_id), today()))
    assert "Ada works for the organisation" in text
    assert "The access of Fred ends before the jury sits." in text


def test_votes_decide_by_simple_majority_and_closing_records_decisions(app):
    world = jury_world(opened=True)
    first, second = world.candidates
    for member in world.members.values():
        vote(member, first)
    vote(world.members["formateur"], second, Proposal.AWARD_BLOCKS, ["BC1"])
    vote(world.members["professionnel"], second, Proposal.AWARD_BLOCKS, ["BC1"])
    _vote, completed = vote(world.members["financeur"], second, Proposal.DEFER)
    assert completed
    _decisions, minutes = close_jury(world.president, world.jury)
    db.session.commit()
    assert world.jury.state == JuryState.CLOSED
    assert latest_decision(world.cohort, first).outcome == DecisionOutcome.AWARDED
    partial = latest_decision(world.cohort, second)
    assert partial.outcome == DecisionOutcome.PARTIAL
    assert partial.block_codes == ("BC1",)
    assert partial.jury_id == world.jury.id
    assert partial.decided_by_id == world.president.user_id
    assert len(partial.snapshot["jury"]["votes"]) == 3
    assert "missing" in partial.snapshot
    assert minutes.version == 1
    assert len(minutes.pdf_sha256) == 64


def test_a_tie_is_broken_by_the_presidents_vote(app):
    world = jury_world(1, opened=True, quorum=2)
    learner = world.candidates[0]
    vote(world.members["formateur"], learner, Proposal.DEFER)
    vote(world.members["professionnel"], learner, Proposal.AWARD_PATH)
    row = tally(world.jury, jury_of_path(world.cohort.path_id)).rows[0]
    assert row.winner == ("defer", ())
    assert row.by_casting_vote


def test_a_tie_without_the_president_blocks_the_closing(app):
    world = jury_world(1, opened=True)
    learner = world.candidates[0]
    vote(world.members["financeur"], learner, Proposal.DEFER)
    vote(world.members["professionnel"], learner, Proposal.AWARD_PATH)
    with pytest.raises(JuryError, match="no majority"):
        close_jury(world.president, world.jury)


def test_two_thirds_needs_two_votes_of_three(app):
    world = jury_world(1, opened=True, majority=Majority.TWO_THIRDS)
    learner = world.candidates[0]
    vote(world.members["formateur"], learner, Proposal.REFUSE)
    vote(world.members["professionnel"], learner, Proposal.REFUSE)
    vote(world.members["financeur"], learner, Proposal.DEFER)
    assert tally(world.jury, jury_of_path(world.cohort.path_id)).rows[0].winner == ("refuse", ())


def test_the_jury_cannot_close_without_quorum_and_names_the_candidates(app):
    world = jury_world(2, opened=True)
    vote(world.members["formateur"], world.candidates[0])
    with pytest.raises(JuryError) as caught:
        close_jury(world.president, world.jury)
    assert "Candidate 000 (quorum not reached (1 of 2 votes))" in str(caught.value)
    assert "Candidate 001" in str(caught.value)


def test_a_member_who_marked_the_candidate_is_recused(app):
    world = jury_world(1, opened=True)
    learner = world.candidates[0]
    GradeEventFactory(
        grade=GradeFactory(submission__user=learner), actor=world.members["professionnel"].user
    )
    with pytest.raises(JuryError, match="recused"):
        vote(world.members["professionnel"], learner)
    vote(world.members["formateur"], learner)
    vote(world.members["financeur"], learner)
    close_jury(world.president, world.jury)
    recusal = db.session.scalar(db.select(JuryRecusal))
    assert recusal.member_id == world.members["professionnel"].id
    assert recusal.reason == "marked"


def test_a_stale_vote_and_a_vote_after_closing_are_conflicts(app):
    world = jury_world(1, opened=True)
    learner = world.candidates[0]
    first, _ = vote(world.members["formateur"], learner)
    with pytest.raises(JuryConflict):
        vote(world.members["formateur"], learner, Proposal.DEFER, version=None)
    db.session.rollback()
    vote(world.members["formateur"], learner, Proposal.DEFER, version=first.version_id)
    vote(world.members["financeur"], learner, Proposal.DEFER)
    close_jury(world.president, world.jury)
    db.session.commit()
    with pytest.raises(JuryConflict):
        vote(world.members["professionnel"], learner)
    with pytest.raises(JuryConflict):
        update_jury(
            UserFactory(admin=True), world.jury, held_on=today(), place="Paris", is_remote=False
        )


def test_reopening_needs_a_reason_and_the_next_closing_supersedes(app):
    world = jury_world(1, opened=True)
    learner = world.candidates[0]
    admin = UserFactory(admin=True)
    vote(world.members["formateur"], learner, Proposal.DEFER)
    vote(world.members["financeur"], learner, Proposal.DEFER)
    close_jury(world.president, world.jury)
    db.session.commit()
    with pytest.raises(JuryError, match="Say why"):
        reopen_jury(admin, world.jury, "  ")
    reopen_jury(admin, world.jury, "Erreur de saisie")
    db.session.commit()
    vote(world.members["formateur"], learner, Proposal.AWARD_PATH, version=1)
    vote(world.members["financeur"], learner, Proposal.AWARD_PATH, version=1)
    close_jury(world.president, world.jury)
    db.session.commit()
    assert latest_decision(world.cohort, learner).outcome == DecisionOutcome.AWARDED
    assert [m.version for m in db.session.scalars(db.select(JuryMinutes))] == [1, 2]


def test_an_administrator_cannot_decide_alone_on_a_jury_path(app):
    world = jury_world(1)
    with pytest.raises(CertificateError, match="declares a jury"):
        record_decision(
            world.cohort,
            world.candidates[0],
            outcome=DecisionOutcome.AWARDED,
            reason="",
            decided_by=UserFactory(admin=True),
        )
