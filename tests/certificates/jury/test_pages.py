"""The jury's pages: members see only their juries and vote; the president closes; the
administrators compose; each page reads in the same number of queries for 10 or 200 candidates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.certificates.jury.models import JuryState, JuryVote, Proposal
from lms.extensions import db
from tests.certificates.jury.support import jury_world
from tests.factories import MembershipFactory, UserFactory
from tests.web.helpers import count_queries, form_errors, log_in, text

PDF = b"%PDF-1.7 minutes"


@pytest.fixture(autouse=True)
def _fast_minutes(monkeypatch):
    import lms.certificates.jury.minutes_store as store

    monkeypatch.setattr(store, "render_minutes", lambda document: PDF)


def member_client(app, member):
    client = app.test_client()
    log_in(client, member.user)
    return client


def test_a_member_sees_their_jury_and_votes(app):
    world = jury_world(2, opened=True)
    client = member_client(app, world.members["professionnel"])
    learner = world.candidates[0]
    html = client.get(f"/jury/{world.jury.id}").get_data(as_text=True)
    assert learner.display_name in html
    assert 'id="tally-link"' not in html
    page = client.get(f"/jury/{world.jury.id}/candidates/{learner.id}")
    assert page.status_code == 200
    assert 'id="cast-vote"' in page.get_data(as_text=True)
    answer = client.post(
        f"/jury/{world.jury.id}/candidates/{learner.id}/vote",
        data={"proposal": "award_blocks", "blocks": ["BC1"], "comment": "Solide."},
    )
    assert answer.headers["Location"] == f"/jury/{world.jury.id}"
    vote = db.session.scalar(db.select(JuryVote))
    assert vote.proposal == Proposal.AWARD_BLOCKS
    assert vote.blocks == "BC1"


def test_a_stale_vote_gets_a_409(app):
    world = jury_world(1, opened=True)
    client = member_client(app, world.members["professionnel"])
    url = f"/jury/{world.jury.id}/candidates/{world.candidates[0].id}/vote"
    assert client.post(url, data={"proposal": "defer"}).status_code == 302
    answer = client.post(url, data={"proposal": "refuse"})  # no version: saw no vote
    assert answer.status_code == 409
    assert text("Your vote on this candidate changed meanwhile: read it again.") in form_errors(
        answer.get_data(as_text=True)
    )


def test_people_off_the_jury_are_denied_and_other_juries_are_unknown(app):
    world = jury_world(1, opened=True)
    other = jury_world(1, opened=True)
    client = member_client(app, world.members["professionnel"])
    assert client.get(f"/jury/{other.jury.id}").status_code == 404
    assert client.get("/jury/999999").status_code == 404
    assert client.get(f"/jury/{world.jury.id}/tally").status_code == 403  # not the president
    stranger = app.test_client()
    log_in(stranger, UserFactory())
    assert stranger.get(f"/jury/{world.jury.id}").status_code == 403
    assert stranger.get("/jury/").status_code == 403


def test_access_ends_on_its_date(app):
    world = jury_world(1, opened=True)
    member = world.members["financeur"]
    client = member_client(app, member)
    member.access_ends_on = world.jury.held_on - timedelta(days=400)
    db.session.commit()
    assert client.get(f"/jury/{world.jury.id}").status_code == 403


def test_the_president_closes_and_the_minutes_download(app):
    world = jury_world(1, opened=True)
    learner = world.candidates[0]
    for member in world.members.values():
        c = member_client(app, member)
        c.post(
            f"/jury/{world.jury.id}/candidates/{learner.id}/vote", data={"proposal": "award_path"}
        )
    president = member_client(app, world.president)
    assert president.get(f"/jury/{world.jury.id}/tally").status_code == 200
    answer = president.post(f"/jury/{world.jury.id}/close")
    assert answer.headers["Location"] == f"/jury/{world.jury.id}"
    db.session.refresh(world.jury)
    assert world.jury.state == JuryState.CLOSED
    minutes = db.session.scalar(db.select(__import__("lms").certificates.jury.models.JuryMinutes))
    pdf = president.get(f"/jury/{world.jury.id}/minutes/{minutes.id}")
    assert pdf.data == PDF
    assert pdf.headers["Content-Type"] == "application/pdf"
    again = president.post(f"/jury/{world.jury.id}/close")
    assert again.status_code == 409


def test_the_administrator_composes_and_cannot_open_a_bad_jury(app):
    world = jury_world(1, composed=False)
    admin = app.test_client()
    log_in(admin, UserFactory(admin=True))
    page = admin.get(f"/admin/juries/{world.jury.id}").get_data(as_text=True)
    assert 'id="composition-problems"' in page
    answer = admin.post(
        f"/admin/juries/{world.jury.id}/members",
        data={
            "email": "nouvelle@example.org",
            "display_name": "Nora Nouvelle",
            "locale": "fr",
            "seat": "professionnel",
            "organisation": "Coop",
            "access_ends_on": (world.jury.held_on + timedelta(days=10)).isoformat(),
        },
    )
    assert answer.headers["Location"] == f"/admin/juries/{world.jury.id}"
    assert admin.post(f"/admin/juries/{world.jury.id}/open").status_code == 302
    db.session.refresh(world.jury)
    assert world.jury.state == JuryState.DRAFT
    assert "juries-link" in admin.get(f"/admin/cohorts/{world.cohort.id}/eligibility").get_data(
        as_text=True
    )


def grow(world, size: int) -> None:
    for number in range(size - len(world.candidates)):
        world.candidates.append(
            MembershipFactory(
                cohort=world.cohort, user=UserFactory(display_name=f"Z {number}")
            ).user
        )
    for learner in world.candidates[::3]:
        db.session.add(
            JuryVote(
                jury_id=world.jury.id,
                member=world.president,
                learner_id=learner.id,
                proposal=Proposal.DEFER,
            )
        )
    db.session.commit()


def count(client, url) -> int:
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_jury_page_and_tally_cost_the_same_for_10_or_200_candidates(app):
    world = jury_world(10, opened=True)
    president = member_client(app, world.president)
    pages = (f"/jury/{world.jury.id}", f"/jury/{world.jury.id}/tally")
    few = [count(president, url) for url in pages]
    db.session.query(JuryVote).delete()
    db.session.commit()
    grow(world, 200)
    many = [count(president, url) for url in pages]
    print(f"\njury page and tally queries at 10 and 200 candidates: {few} {many}")
    assert few == many
