"""The certification journey's people (tests/e2e/test_certification_journey.py), through services.

Two cohorts of their own, so that no other browser test meets them:

- « Promotion Double Correction »: three trainers and a learner whose M2-A1 file (marked twice
  by trainers, a third reader beyond one level of gap) is allocated to the first two trainers;
  the third trainer is the only one left for the third reader.
- « Promotion Jury »: a finished cohort whose only learner completed the path, and an open jury
  of three (a trainer of no cohort of theirs presides, two external members), with no vote yet.
"""

from __future__ import annotations

from datetime import timedelta

from lms.accounts.models import User
from lms.assessments.marking.allocation import allocate_work
from lms.assessments.models import Assessment, Grade, MarkingRole
from lms.certificates.jury.composition import add_member as add_juror
from lms.certificates.jury.composition import create_jury, open_jury
from lms.cohorts.models import MembershipRole
from lms.cohorts.services import CalendarEntry, add_member, create_cohort, set_calendar
from lms.extensions import db
from lms.learning.services import complete_lesson
from tests.factories import GradeChoiceFactory, SubmissionFactory, TerritoryFactory

DOUBLE_MARKED_COHORT = "Promotion Double Correction"
# In this order: the allocation takes the trainers with the fewest open markings, lowest id first.
MARKERS = (
    ("dm_first", "Diane Première"),
    ("dm_second", "Denis Second"),
    ("dm_third", "Tristan Tiers"),
)
JURY_COHORT = "Promotion Jury"
# slug, name, seat, organisation (the first presides)
JURY_PEOPLE = (
    ("jc_president", "Pierre Président", "formateur", ""),
    ("jc_pro", "Inès Professionnelle", "professionnel", "Coopérative Cap Projets"),
    ("jc_funder", "Fabien Financeur", "financeur", "Métropole de Lyon"),
)


def build_certification_journey(world, path, admin: User, now, person, pass_assessments) -> None:
    """Seed both cohorts; ``person`` creates an account, ``pass_assessments`` passes a module."""
    _double_marked(world, path, now, person, pass_assessments)
    _open_jury(world, path, admin, now, person, pass_assessments)


def _double_marked(world, path, now, person, pass_assessments) -> None:
    cohort = create_cohort(
        DOUBLE_MARKED_COHORT,
        path,
        territory=TerritoryFactory(),
        starts_on=(now - timedelta(days=90)).date(),
        ends_on=(now + timedelta(days=240)).date(),
    )
    opens_at = (now - timedelta(days=60)).replace(hour=7, minute=0, second=0, microsecond=0)
    set_calendar(cohort, {m.code: CalendarEntry(opens_at=opens_at) for m in path.modules})
    for slug, name in MARKERS:
        add_member(person(world, slug, name), cohort, MembershipRole.TRAINER)
    learner = person(world, "dm_learner", "Lou Doublon")
    add_member(learner, cohort, MembershipRole.LEARNER)
    m1 = next(module for module in path.modules if module.code == "M1")
    pass_assessments(learner, m1)  # M2 opens to the learner once M1 is done
    for lesson in m1.lessons:
        complete_lesson(learner, cohort, lesson, now=now - timedelta(days=5))
    assignment = db.session.scalar(db.select(Assessment).filter_by(code="M2-A1"))
    hand_in = SubmissionFactory(
        assessment=assignment,
        user=learner,
        text="Cartographie des acteurs du bien-vivre de mon quartier.",
        submitted_at=now - timedelta(days=1),
    )
    markings = allocate_work(None, cohort, assignment, learner, hand_in)  # type: ignore[arg-type]
    world.double_marking = {m.role.value: m.marker_id for m in markings}
    assert world.double_marking == {
        MarkingRole.FIRST.value: world.user_ids["dm_first"],
        MarkingRole.SECOND.value: world.user_ids["dm_second"],
    }, "the allocation did not pick the journey's first two trainers"
    world.double_marked_grade_id = markings[0].grade_id
    world.assessments.setdefault("M2-A1", assignment.id)


def _rate_at_the_top(learner: User) -> None:
    """Give each criterion of the learner's released grades its highest level: every
    competency then has its evidence, and the candidate is eligible."""
    for grade in db.session.scalars(db.select(Grade).filter_by(learner_id=learner.id)):
        rubric = grade.assessment.rubric
        for criterion in rubric.criteria if rubric else ():
            top = max(criterion.levels, key=lambda level: level.position)
            GradeChoiceFactory(grade=grade, criterion=criterion, level=top)


def _open_jury(world, path, admin: User, now, person, pass_assessments) -> None:
    cohort = create_cohort(
        JURY_COHORT,
        path,
        territory=TerritoryFactory(),
        starts_on=(now - timedelta(days=400)).date(),
        ends_on=(now - timedelta(days=10)).date(),
    )
    opens_at = (now - timedelta(days=380)).replace(hour=7, minute=0, second=0, microsecond=0)
    set_calendar(cohort, {m.code: CalendarEntry(opens_at=opens_at) for m in path.modules})
    world.jury_cohort_id = cohort.id
    candidate = person(world, "jc_candidate", "Capucine Candidate")
    add_member(candidate, cohort, MembershipRole.LEARNER)
    for module in path.modules:
        pass_assessments(candidate, module)
        for lesson in module.lessons:
            complete_lesson(candidate, cohort, lesson, now=now - timedelta(days=20))
    _rate_at_the_top(candidate)
    today = now.date()
    jury = create_jury(admin, cohort, held_on=today, place="Lyon", is_remote=False)
    for index, (slug, name, seat, organisation) in enumerate(JURY_PEOPLE):
        add_juror(
            admin,
            jury,
            person(world, slug, name),
            seat=seat,
            organisation=organisation,
            is_president=index == 0,
            access_ends_on=today + timedelta(days=90),
        )
    open_jury(admin, jury, today, now=now)
    world.open_jury_id = jury.id
