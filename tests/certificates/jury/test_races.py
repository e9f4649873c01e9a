"""Votes and closing raced for real (SECURITY.md J44), through the live server, on SQLite and
PostgreSQL: threads released by one barrier, each request on its own connection.

The jury's row is locked by every vote and by the closing (``FOR UPDATE`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite): they take turns. No vote is lost, a member has one vote per
candidate, a stale edit gets a 409, and a vote racing the closing is either counted in the
closed tally or refused with a 409 — never both, never a 500.
"""

from __future__ import annotations

import pytest

from lms.certificates.decisions import latest_decision
from lms.certificates.jury.models import JuryState, JuryVote
from lms.extensions import db
from tests.certificates.jury.support import jury_world
from tests.live import at_once, logged_in

PDF = b"%PDF-1.7 minutes"


@pytest.fixture(autouse=True)
def _fast_minutes(monkeypatch):
    import lms.certificates.jury.minutes_store as store

    monkeypatch.setattr(store, "render_minutes", lambda document: PDF)


def votes_of(world):
    db.session.expire_all()
    return list(db.session.scalars(db.select(JuryVote).filter_by(jury_id=world.jury.id)))


def vote_url(world, learner) -> str:
    return f"/jury/{world.jury.id}/candidates/{learner.id}/vote"


def test_three_members_voting_at_once_on_one_candidate_lose_no_vote(app, live_server):
    world = jury_world(1, opened=True)
    learner = world.candidates[0]
    browsers = [logged_in(app, live_server, m.user) for m in world.members.values()]
    url = vote_url(world, learner)
    db.session.commit()
    answers = at_once([lambda b=b: b.post(url, {"proposal": "award_path"}) for b in browsers])
    assert [answer.status for answer in answers] == [302, 302, 302]
    assert len(votes_of(world)) == 3


def test_one_member_voting_twice_at_once_keeps_one_vote_and_gets_a_409(app, live_server):
    world = jury_world(1, opened=True)
    learner = world.candidates[0]
    member = world.members["professionnel"]
    tabs = [logged_in(app, live_server, member.user) for _ in range(2)]
    url = vote_url(world, learner)
    answers = at_once(
        [
            lambda: tabs[0].post(url, {"proposal": "defer"}),
            lambda: tabs[1].post(url, {"proposal": "refuse"}),
        ]
    )
    assert sorted(answer.status for answer in answers) == [302, 409]
    votes = votes_of(world)
    assert len(votes) == 1
    winner = answers[0] if answers[0].status == 302 else answers[1]
    assert votes[0].proposal == ("defer" if winner is answers[0] else "refuse")


def test_closing_while_a_member_votes_counts_the_vote_or_refuses_it(app, live_server):
    world = jury_world(2, opened=True)
    first, second = world.candidates
    for member in world.members.values():
        browser = logged_in(app, live_server, member.user)
        assert browser.post(vote_url(world, first), {"proposal": "award_path"}).status == 302
    for code in ("formateur", "professionnel"):
        browser = logged_in(app, live_server, world.members[code].user)
        assert browser.post(vote_url(world, second), {"proposal": "defer"}).status == 302
    president = logged_in(app, live_server, world.president.user)
    late = logged_in(app, live_server, world.members["financeur"].user)
    close_url, late_url = f"/jury/{world.jury.id}/close", vote_url(world, second)
    db.session.commit()
    answers = at_once(
        [
            lambda: president.post(close_url, {}),
            lambda: late.post(late_url, {"proposal": "refuse"}),
        ]
    )
    close, vote = answers
    assert close.status == 302
    assert vote.status in (302, 409)
    db.session.expire_all()
    db.session.refresh(world.jury)
    assert world.jury.state == JuryState.CLOSED
    decision = latest_decision(world.cohort, second)
    counted = [v["member_id"] for v in decision.snapshot["jury"]["votes"]]
    late_id = world.members["financeur"].id
    if vote.status == 302:  # voted before the closing: in the tally
        assert late_id in counted
    else:  # after: refused, not counted, not stored
        assert late_id not in counted
        assert all(v.member_id != late_id or v.learner_id != second.id for v in votes_of(world))
