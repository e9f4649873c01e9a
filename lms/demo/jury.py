"""The demo's certification juries: a closed jury of three in the finished cohort, with its
votes, minutes and the certificates issued from its decisions; an open jury of another finished
cohort, waiting for one vote.

The trainer seat goes to a trainer of *another* cohort (Félix trains the demo cohort, not the
finished ones), so nobody is recused; the two external seats go to a professional of project
support and a representative of a local authority, invited as accounts of their own.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import click

from lms.accounts.models import User
from lms.certificates.errors import CertificateError
from lms.certificates.jury.closing import close_jury
from lms.certificates.jury.composition import add_member, create_jury, open_jury
from lms.certificates.jury.models import Jury, JuryMember, Proposal
from lms.certificates.jury.votes import cast_vote
from lms.cohorts.models import Cohort
from lms.core.transactions import unit_of_work
from lms.extensions import db

# (slug, name, seat, organisation, presides)
MEMBERS = (
    ("formateur", "Félix Formateur", "formateur", "", False),
    ("karim.benali", "Karim Benali", "professionnel", "Coopérative Cap Projets", True),
    ("sophie.garnier", "Sophie Garnier", "financeur", "Grenoble-Alpes Métropole", False),
)
# The finished cohorts trained in Grenoble: their juries sit there.
PLACE = "Grenoble, Société de co-développement du bien-vivre de l'agglomération grenobloise"
# The finished cohort's decisions: Élise and Rayan get the path, Lina some blocks.
CLOSED_VOTES = {
    "Élise Fontaine": (Proposal.AWARD_PATH, ()),
    "Rayan Girard": (Proposal.AWARD_PATH, ()),
    "Lina Morel": (Proposal.AWARD_BLOCKS, ("BC1", "BC2", "BC3")),
}
RECOMMENDATIONS = {
    "Lina Morel": "Présenter à nouveau la soutenance du bloc BC4 lors du prochain jury, "
    "avec l'évaluation ex post du projet.",
}


def jury_people(find_user) -> list[tuple[User, str, str, bool]]:
    """Return the members as (user, seat, organisation, presides), creating missing accounts."""
    return [
        (find_user(slug, name), seat, organisation, presides)
        for slug, name, seat, organisation, presides in MEMBERS
    ]


def _compose(admin: User, cohort: Cohort, people, held_on, today) -> Jury:
    jury = create_jury(admin, cohort, held_on=held_on, place=PLACE, is_remote=False)
    for user, seat, organisation, presides in people:
        add_member(
            admin,
            jury,
            user,
            seat=seat,
            organisation=organisation,
            is_president=presides,
            access_ends_on=today + timedelta(days=90),
        )
    opened = datetime.combine(held_on - timedelta(days=7), time(8), tzinfo=UTC)
    open_jury(admin, jury, today, now=opened)
    return jury


def _vote_all(jury: Jury, learners: list[User], votes: dict, skip=None) -> None:
    for member in jury.members:
        for learner in learners:
            if (member.user_id, learner.id) == skip:
                continue
            proposal, blocks = votes[learner.display_name]
            cast_vote(
                member,
                learner,
                proposal=proposal,
                blocks=list(blocks),
                comment="Dossier complet, soutenance convaincante.",
                recommendations=RECOMMENDATIONS.get(learner.display_name, "")
                if member.is_president
                else "",
                expected_version=None,
            )


def ensure_closed_jury(
    admin: User, cohort: Cohort, graduates: list[User], people, now: datetime
) -> Jury | None:
    """Hold the finished cohort's jury a month ago, vote and close it (once)."""
    existing = db.session.scalar(db.select(Jury).filter_by(cohort_id=cohort.id))
    if existing is not None:
        return existing
    today = now.date()
    try:
        with unit_of_work():
            jury = _compose(admin, cohort, people, today - timedelta(days=30), today)
            _vote_all(jury, graduates, CLOSED_VOTES)
            president = next(m for m in jury.members if m.is_president)
            close_jury(president, jury, now=now - timedelta(days=30))
    except CertificateError as error:  # no Pango: the minutes cannot render
        click.echo(f"No demo jury minutes: {error} (see the README's system packages).")
        return None
    return jury


def ensure_open_jury(
    admin: User, cohort: Cohort, graduates: list[User], people, now: datetime
) -> Jury:
    """Open the other finished cohort's jury: every vote is in but one."""
    existing = db.session.scalar(db.select(Jury).filter_by(cohort_id=cohort.id))
    if existing is not None:
        return existing
    today = now.date()
    votes = {graduate.display_name: (Proposal.AWARD_PATH, ()) for graduate in graduates}
    with unit_of_work():
        jury = _compose(admin, cohort, people, today + timedelta(days=2), today)
        missing: JuryMember = next(m for m in jury.members if m.seat == "financeur")
        _vote_all(jury, graduates, votes, skip=(missing.user_id, graduates[-1].id))
    return jury
