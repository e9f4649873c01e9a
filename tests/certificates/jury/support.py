"""A jury to test with: a path that declares a jury of three, a cohort and its candidates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from lms.accounts.models import User
from lms.certificates.jury.models import Jury, JuryMember, Majority, PathJury
from lms.cohorts.models import Cohort
from lms.core.time import utcnow
from lms.extensions import db
from tests.factories import (
    CohortFactory,
    CompetencyBlockFactory,
    MembershipFactory,
    TrainingPathFactory,
    UserFactory,
)

SEATS = [
    {"code": "formateur", "title": "Formateur·ice", "external": False, "count": 1},
    {
        "code": "professionnel",
        "title": "Professionnel·le extérieur·e",
        "external": True,
        "count": 1,
    },
    {"code": "financeur", "title": "Représentant·e d'un financeur", "external": True, "count": 1},
]


@dataclass
class JuryWorld:
    cohort: Cohort
    jury: Jury
    candidates: list[User]
    members: dict[str, JuryMember] = field(default_factory=dict)

    @property
    def president(self) -> JuryMember:
        return self.members["formateur"]


def declare_jury(path, majority: Majority = Majority.SIMPLE, quorum: int = 2) -> PathJury:
    rules = PathJury(
        path_id=path.id,
        size=3,
        min_external_share=50,
        quorum=quorum,
        majority=majority,
        seats=SEATS,
    )
    db.session.add(rules)
    db.session.commit()
    return rules


def jury_world(
    candidates: int = 2, *, composed: bool = True, opened: bool = False, **rules
) -> JuryWorld:
    """Create a path with two blocks and a jury, a cohort of ``candidates`` learners, a jury."""
    path = TrainingPathFactory(title="Entrepreneur·e du bien-vivre")
    CompetencyBlockFactory(path=path, code="BC1", title="Diagnostiquer", position=1)
    CompetencyBlockFactory(path=path, code="BC2", title="Mobiliser", position=2)
    declare_jury(path, **rules)
    cohort = CohortFactory(path=path)
    learners = [
        MembershipFactory(cohort=cohort, user=UserFactory(display_name=f"Candidate {n:03d}")).user
        for n in range(candidates)
    ]
    held_on = utcnow().date() + timedelta(days=1)
    jury = Jury(cohort=cohort, held_on=held_on, place="Lyon")
    db.session.add(jury)
    db.session.commit()
    world = JuryWorld(cohort, jury, learners)
    if composed:
        other = CohortFactory(path=path)
        trainer = UserFactory(display_name="Élise Formatrice")
        MembershipFactory(cohort=other, user=trainer, trainer=True)
        seat(world, "formateur", trainer, president=True)
        seat(world, "professionnel", UserFactory(display_name="Paul Pro"), organisation="Coop")
        seat(
            world,
            "financeur",
            UserFactory(display_name="Fanny Métropole"),
            organisation="Métropole de Lyon",
        )
    if opened:
        from lms.certificates.jury.composition import open_jury

        open_jury(UserFactory(admin=True), jury, utcnow().date())
        db.session.commit()
    return world


def voted_jury_world() -> JuryWorld:
    """An open jury of one candidate whom every member voted to award the path (committed)."""
    from lms.certificates.jury.models import Proposal
    from lms.certificates.jury.votes import cast_vote

    world = jury_world(candidates=1, opened=True)
    for member in world.members.values():
        cast_vote(
            member,
            world.candidates[0],
            proposal=Proposal.AWARD_PATH,
            blocks=[],
            comment="",
            recommendations="",
            expected_version=None,
        )
    db.session.commit()
    return world


def seat(
    world: JuryWorld,
    code: str,
    user: User,
    *,
    president: bool = False,
    organisation: str = "",
    ends: date | None = None,
) -> JuryMember:
    member = JuryMember(
        jury=world.jury,
        user=user,
        seat=code,
        is_external=code != "formateur",
        organisation=organisation,
        is_president=president,
        access_ends_on=ends or world.jury.held_on + timedelta(days=30),
    )
    db.session.add(member)
    db.session.commit()
    world.members[code] = member
    return member


def security_world_jury(bien_vivre, other, users) -> dict:
    """An open jury of the world's cohort, presided by the ``jury_member`` persona, with stored
    minutes; another jury of the other cohort that the persona does not sit on."""
    from lms.certificates.jury.minutes_store import minutes_folder
    from lms.certificates.jury.models import JuryMinutes, JuryState
    from lms.core import storage

    found = {}
    for name, built, member in (
        ("jury", bien_vivre, users["jury_member"]),
        ("other_jury", other, None),
    ):
        declare_jury(built.cohort.path)
        jury = Jury(
            cohort=built.cohort,
            held_on=date(2030, 6, 1),
            place="Lyon",
            state=JuryState.OPEN,
            opened_at=utcnow(),
        )
        db.session.add(jury)
        people = [member or UserFactory(), UserFactory(), UserFactory()]
        for code, person in zip(("formateur", "professionnel", "financeur"), people, strict=True):
            db.session.add(
                JuryMember(
                    jury=jury,
                    user=person,
                    seat=code,
                    is_external=code != "formateur",
                    is_president=code == "formateur",
                    access_ends_on=date(2099, 1, 1),
                )
            )
        stored = storage.store_bytes(minutes_folder(), b"%PDF-1.7\n%%EOF\n")
        minutes = JuryMinutes(
            jury=jury,
            version=1,
            pdf_sha256=stored.sha256,
            pdf_size=stored.size,
            storage_key=stored.key,
        )
        db.session.add(minutes)
        db.session.commit()
        found[name], found[f"{name}_minutes"] = jury, minutes
        found[f"{name}_seat"] = jury.members[1]
    return found


def decide_by_jury(cohort, admin, awarded, deferred, people, now=None):
    """Compose, open, vote and close a jury of ``people`` (formateur, professionnel, financeur;
    the first presides): ``awarded`` get the path, ``deferred`` are deferred. Flush only."""
    from lms.certificates.jury.closing import close_jury
    from lms.certificates.jury.composition import add_member, create_jury, open_jury
    from lms.certificates.jury.models import Proposal
    from lms.certificates.jury.votes import cast_vote

    now = now or utcnow()
    jury = create_jury(admin, cohort, held_on=now.date(), place="Lyon", is_remote=False)
    for (user, code), presides in zip(
        zip(people, ("formateur", "professionnel", "financeur"), strict=True),
        (True, False, False),
        strict=True,
    ):
        add_member(
            admin,
            jury,
            user,
            seat=code,
            organisation="",
            is_president=presides,
            access_ends_on=now.date() + timedelta(days=365),
        )
    open_jury(admin, jury, now.date(), now=now)
    for member in jury.members:
        for learner in (*awarded, *deferred):
            proposal = Proposal.AWARD_PATH if learner in awarded else Proposal.DEFER
            cast_vote(
                member,
                learner,
                proposal=proposal,
                blocks=[],
                comment="",
                recommendations="",
                expected_version=None,
            )
    close_jury(jury.president, jury, now=now)
    return jury
