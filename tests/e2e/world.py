"""The people and path of the browser tests, written through the application's own services.

The shipped path « Entrepreneur·e du bien-vivre », one cohort whose calendar has opened M1 to
M5 (M6 to M8 open later), a trainer and learners at different stages. Each test that changes
what it sees (marks lessons done, switches language) has a learner of its own, so the tests
pass in any order.

The required assessments of the modules a learner has completed are recorded as passed (a
submitted quiz attempt, a released grade): the assessments' own pages are tested elsewhere, and
the journey learner has passed those of M1 already, so that M1's lessons are what remains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pyotp

from lms.accounts import twofactor
from lms.accounts.models import TokenPurpose, User
from lms.accounts.services import create_user
from lms.accounts.tokens import issue_token
from lms.assessments.grading.services import start_grading
from lms.assessments.marking.allocation import allocate_work
from lms.assessments.models import Assessment, AssessmentKind, Grade, GradeState
from lms.assessments.quizzes.services import start_attempt, submit_attempt
from lms.attendance.models import Modality
from lms.attendance.sessions.services import SessionPlan, new_session
from lms.certificates.batches import run_batch, start_batch
from lms.certificates.issuing import current_certificate
from lms.certificates.models import PATH_SCOPE
from lms.certificates.realisation.document import DocumentKind
from lms.certificates.realisation.services import produce_document
from lms.cohorts.models import Membership, MembershipRole
from lms.cohorts.services import CalendarEntry, add_member, create_cohort, set_calendar
from lms.core.time import local_today, utcnow
from lms.curriculum.models import Module
from lms.curriculum.services import load_path_file, shipped_path_file
from lms.demo.quality_dossiers import ensure_dossier
from lms.demo.sessions import PLACES
from lms.extensions import db
from lms.learning.services import complete_lesson
from lms.organisations.models import TerritoryAdministrator
from tests.attendance.sheet_support import live_world_sheets
from tests.certificates.jury.support import decide_by_jury
from tests.e2e.world_certification import build_certification_journey
from tests.e2e.world_dashboard import seed_dashboard_projects
from tests.factories import (
    DEFAULT_PASSWORD,
    CertificateFactory,
    GradeFactory,
    QuizAttemptFactory,
    SubmissionFactory,
    TerritoryFactory,
)
from tests.projects.links_support import live_world_links
from tests.projects.support import live_world_projects
from tests.quality.positioning.support import live_world_positioning
from tests.quality.surveys.support import live_world_surveys

COHORT_NAME = "Promotion Printemps"
OPEN_MODULES = ("M1", "M2", "M3", "M4", "M5")
# slug, name, modules done, lessons done in the next module, assessments passed in the next
LEARNERS = (
    ("journey", "Jade Parcours", (), 0, True),
    ("polyglot", "Paul Polyglotte", (), 0, False),
    ("visitor", "Vera Visite", ("M1",), 1, False),
    ("advanced", "Adèle Avancée", ("M1", "M2", "M3"), 0, False),
    ("reader", "Rémi Lecteur", ("M1",), 1, False),  # the accessibility checks' learner
)
TRAINERS = (("trainer", "Théo Formateur"), ("coach", "Chloé Coach"))
ASSESSED_COHORT = "Promotion Évaluations"  # its learner takes and gets graded assessments
PHONE_COHORT = "Promotion Mobile"  # its learner's pages are checked at a phone's size


# The jury of the certified cohort: its president (a trainer's seat) and two external members.
JURORS = (("juror", "Justine Jurée"), ("pro", "Paulin Pro"), ("elu", "Élodie Élue"))


@dataclass
class LiveWorld:
    """What the browser tests need to know about the seeded world (ids, e-mails, the URL)."""

    url: str = ""
    cohort_id: int = 0
    modules: dict[str, int] = field(default_factory=dict)
    lessons: dict[str, list[int]] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    password: str = DEFAULT_PASSWORD
    endpoints: frozenset[str] = frozenset()  # of the live application, to skip missing pages
    quiz_key: dict[int, bool] = field(default_factory=dict)  # M1-Q1's option ids: is correct
    assessed_cohort_id: int = 0
    phone_certificate_code: str = ""  # the phone learner's certificate, for its public page
    marking_cohort_id: int = 0  # the keyboard grading test's cohort: two hand-ins to grade
    released_grade_id: int = 0  # a released grade of the main cohort (its trainers may open it)
    # The pages of every role (accessibility sweep): the certified cohort and what it holds.
    certified_cohort_id: int = 0
    totp_secrets: dict[str, str] = field(default_factory=dict)  # of the people with two steps
    assessments: dict[str, int] = field(default_factory=dict)  # by code
    attempts: dict[str, int] = field(default_factory=dict)  # "open", "submitted"
    grade_id: int = 0
    marking_id: int = 0  # the assessor's marking of the candidate's double-marked oral (M2-E1)
    certificate_id: int = 0
    certificate_code: str = ""
    batch_id: int = 0
    jury_id: int = 0
    reset_token: str = ""
    url_map: object = None  # of the live application: which endpoint serves an address
    app: object = None  # the live application, to read what the pages wrote
    # The certification journey (tests/e2e/world_certification.py).
    double_marking: dict[str, int] = field(default_factory=dict)  # marker id by role
    double_marked_grade_id: int = 0
    jury_cohort_id: int = 0
    open_jury_id: int = 0
    session_id: int = 0  # a session of the main cohort to come (its edit page is swept)
    # Attendance sheets of the main cohort: "open_session", "journey_sheet", "closed_session"…
    attendance: dict[str, int] = field(default_factory=dict)
    # The reader's project in the main cohort, evaluated ex ante and ex post: "project", "cohort".
    projects: dict[str, int] = field(default_factory=dict)
    territory_id: int = 0  # the main cohort's: its dashboard is swept, its local administrator
    # ("territorial") signs in
    # The reader's project, evaluated ex ante and ex post: "project_id", a live link's "token"
    # and a used link's "used_token" (tests/projects/links_support.py).
    project_links: dict[str, Any] = field(default_factory=dict)
    # Satisfaction surveys: M1's anonymous campaign ("module_campaign", answered by all learners
    # but the reader), the funder campaign, a live link's "token" and a used one's "used_token".
    surveys: dict[str, Any] = field(default_factory=dict)


def build_world() -> LiveWorld:
    """Load the shipped path, open M1–M5 for a cohort, enrol its people (the caller commits)."""
    path = load_path_file(shipped_path_file()).path
    now = utcnow()
    cohort = create_cohort(
        COHORT_NAME,
        path,
        territory=TerritoryFactory(),
        starts_on=(now - timedelta(days=90)).date(),
        ends_on=(now + timedelta(days=240)).date(),
    )
    set_calendar(cohort, _calendar(path.modules, now))
    world = LiveWorld(cohort_id=cohort.id, territory_id=cohort.territory_id)
    db.session.add(
        TerritoryAdministrator(
            territory_id=cohort.territory_id, user=_person(world, "territorial", "Louise Locale")
        )
    )
    world.modules = {module.code: module.id for module in path.modules}
    world.lessons = {m.code: [lesson.id for lesson in m.lessons] for m in path.modules}
    trainers = []
    for slug, name in TRAINERS:
        trainers.append(_person(world, slug, name))
        add_member(trainers[-1], cohort, MembershipRole.TRAINER)
    world.session_id = _sessions(cohort, path, trainers, now)
    # An external assessor: their home page and their row of the members page are swept.
    db.session.add(
        Membership(
            user=_person(world, "external", "Élise Externe"),
            cohort=cohort,
            role=MembershipRole.ASSESSOR,
            access_ends_on=(now + timedelta(days=60)).date(),
        )
    )
    for slug, name, *progress in LEARNERS:
        learner = _person(world, slug, name)
        add_member(learner, cohort, MembershipRole.LEARNER)
        _progress(learner, cohort, path.modules, *progress, now=now)
    people = [db.session.get(User, world.user_ids[slug]) for slug, *_rest in TRAINERS + LEARNERS]
    trainers, learners = people[: len(TRAINERS)], people[len(TRAINERS) :]
    world.attendance = live_world_sheets(cohort, path.modules[0], trainers, learners, now)
    reader = db.session.get(User, world.user_ids["reader"])
    world.projects = live_world_projects(cohort, reader, trainers[0])
    seed_dashboard_projects(cohort, world.user_ids)
    world.project_links = live_world_links(cohort, learners[-1], trainers[0])
    advanced = db.session.get(User, world.user_ids["advanced"])
    live_world_positioning(cohort, reader, advanced, trainers[0])
    world.surveys = live_world_surveys(cohort, [reader, *learners], trainers[0])
    _assessed_cohort(world, path, now)
    _phone_cohort(world, path, now)
    _marking_cohort(world, path, now)
    _certified_cohort(world, path, now)
    admin = db.session.get(User, world.user_ids["admin"])
    assert admin is not None
    build_certification_journey(world, path, admin, now, _person, _pass_assessments)
    return world


def _sessions(cohort, path, trainers, now) -> int:
    """Plan three sessions of M2 (past, to come in person, to come remote); return one to come."""
    modules = {module.code: module for module in path.modules}
    day = (now + timedelta(days=7)).replace(hour=8, minute=0, second=0, microsecond=0)
    plans = [
        (day - timedelta(days=14), Modality.IN_PERSON, PLACES[0], None),
        (day, Modality.IN_PERSON, PLACES[1], None),
        (day + timedelta(days=1), Modality.REMOTE, None, "https://visio.example.org/bien-vivre-m2"),
    ]
    sessions = [
        new_session(
            cohort,
            SessionPlan(
                module=modules["M2"],
                starts_at=starts,
                ends_at=starts + timedelta(hours=3, minutes=30),
                modality=modality,
                place=place,
                link=link,
                trainers=trainers,
            ),
        )
        for starts, modality, place, link in plans
    ]
    db.session.flush()
    return sessions[1].id


MARKING_COHORT = "Promotion Correction"  # its trainer grades a queue by keyboard only


def _marking_cohort(world: LiveWorld, path, now) -> None:
    """Enrol two learners who handed in M1's assignment, in a cohort of its own trainer."""
    cohort = create_cohort(
        MARKING_COHORT,
        path,
        territory=TerritoryFactory(),
        starts_on=(now - timedelta(days=90)).date(),
        ends_on=(now + timedelta(days=240)).date(),
    )
    set_calendar(cohort, _calendar(path.modules, now))
    world.marking_cohort_id = cohort.id
    add_member(_person(world, "marker", "Marc Correcteur"), cohort, MembershipRole.TRAINER)
    assignment = db.session.scalar(db.select(Assessment).filter_by(code="M1-A1"))
    for hours, (slug, name) in enumerate((("first", "Fanny Première"), ("second", "Sam Second"))):
        learner = _person(world, slug, name)
        add_member(learner, cohort, MembershipRole.LEARNER)
        SubmissionFactory(
            assessment=assignment,
            user=learner,
            text="Ma vision du bien-vivre, en trois paragraphes.",
            submitted_at=now - timedelta(days=2, hours=-hours),
        )
    released = db.select(Grade.id).where(Grade.state == GradeState.RELEASED).order_by(Grade.id)
    world.released_grade_id = db.session.scalar(released.limit(1))


def _assessed_cohort(world: LiveWorld, path, now) -> None:
    """Enrol the assessments' learner, M1's lessons done but its quiz and its work to hand in
    (M1-A1: marked once, where M2's is double-marked), in a cohort of its own grader."""
    cohort = create_cohort(
        ASSESSED_COHORT,
        path,
        territory=TerritoryFactory(),
        starts_on=(now - timedelta(days=90)).date(),
        ends_on=(now + timedelta(days=240)).date(),
    )
    set_calendar(cohort, _calendar(path.modules, now))
    world.assessed_cohort_id = cohort.id
    add_member(_person(world, "grader", "Gaëlle Grille"), cohort, MembershipRole.TRAINER)
    learner = _person(world, "assessed", "Ambre Évaluée")
    add_member(learner, cohort, MembershipRole.LEARNER)
    m1 = next(module for module in path.modules if module.code == "M1")
    for lesson in m1.lessons:
        complete_lesson(learner, cohort, lesson, now=now)
    quiz = None
    for assessment in db.session.scalars(db.select(Assessment).filter_by(module_id=m1.id)):
        if assessment.code == "M1-Q1":
            quiz = assessment
        elif assessment.is_required and assessment.code != "M1-A1":
            _pass_one(learner, assessment)
    world.quiz_key = {o.id: o.is_correct for q in quiz.questions for o in q.options}


def _phone_cohort(world: LiveWorld, path, now) -> None:
    """Enrol the phone checks' learner, M1 done and M2 begun, holding a certificate, in a
    cohort of their own (they start a quiz attempt, which no other test must meet)."""
    cohort = create_cohort(
        PHONE_COHORT,
        path,
        territory=TerritoryFactory(),
        starts_on=(now - timedelta(days=90)).date(),
        ends_on=(now + timedelta(days=240)).date(),
    )
    set_calendar(cohort, _calendar(path.modules, now))
    learner = _person(world, "phone", "Philippine Mobile")
    add_member(learner, cohort, MembershipRole.LEARNER)
    _progress(learner, cohort, path.modules, ("M1",), 1, False, now=now)
    world.phone_certificate_code = CertificateFactory(learner=learner, cohort=cohort).code


def _calendar(modules, now) -> dict[str, CalendarEntry]:
    """Open M1–M5 in the past, a week apart; schedule the others in the coming months."""
    entries = {}
    for index, module in enumerate(modules):
        offset = -60 + 7 * index if module.code in OPEN_MODULES else 30 * index
        opens_at = (now + timedelta(days=offset)).replace(hour=7, minute=0, second=0)
        entries[module.code] = CalendarEntry(opens_at=opens_at.replace(microsecond=0))
    return entries


def _person(world: LiveWorld, slug: str, name: str):
    """Create a French-speaking account ``slug@example.org`` with the shared password."""
    user = create_user(f"{slug}@example.org", name, world.password, locale="fr")
    world.emails[slug], world.user_ids[slug] = user.email, user.id
    return user


def _progress(learner, cohort, modules, completed, partial: int, passed: bool, *, now) -> None:
    """Complete the modules of ``completed``, then do ``partial`` lessons of the next module
    and, when ``passed``, pass its assessments."""
    by_code = {module.code: module for module in modules}
    for code in completed:
        _pass_assessments(learner, by_code[code])
        for lesson in by_code[code].lessons:
            complete_lesson(learner, cohort, lesson, now=now)
    following = next(module for module in modules if module.code not in completed)
    for lesson in following.lessons[:partial]:
        complete_lesson(learner, cohort, lesson, now=now)
    if passed:
        _pass_assessments(learner, following)


def _pass_assessments(learner, module) -> None:
    """Record every required assessment of ``module`` as passed by the learner."""
    query = db.select(Assessment).filter_by(module_id=module.id, is_required=True)
    for assessment in db.session.scalars(query):
        _pass_one(learner, assessment)


def _pass_one(learner, assessment) -> None:
    """Record one assessment as passed by the learner (a quiz attempt or a released grade)."""
    if assessment.kind == AssessmentKind.QUIZ:
        QuizAttemptFactory(
            assessment=assessment,
            user=learner,
            submitted=True,
            score=1,
            max_score=1,
            passed=True,
        )
    else:
        submission = None
        if assessment.kind == AssessmentKind.ASSIGNMENT:
            submission = SubmissionFactory(assessment=assessment, user=learner)
        GradeFactory(
            assessment=assessment,
            learner=learner,
            submission=submission,
            grader=None,
            released=True,
            max_score=1,
        )


CERTIFIED_COHORT = "Promotion Certifiée"  # one learner of each stage the other pages need
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _certified_cohort(world: LiveWorld, path, now) -> None:
    """Open every module for a cohort with an administrator (two steps), a trainer grading a
    hand-in, a learner in a quiz, one who reviews it, and one holding an issued certificate."""
    cohort = create_cohort(
        CERTIFIED_COHORT,
        path,
        territory=TerritoryFactory(),
        starts_on=(now - timedelta(days=200)).date(),
        ends_on=(now + timedelta(days=100)).date(),
    )
    opens_at = (now - timedelta(days=100)).replace(hour=7, minute=0, second=0, microsecond=0)
    set_calendar(cohort, {m.code: CalendarEntry(opens_at=opens_at) for m in path.modules})
    world.certified_cohort_id = cohort.id
    world.assessments = {
        a.code: a.id
        for a in db.session.scalars(
            db.select(Assessment).join(Module).filter(Module.path_id == path.id)
        )
    }
    admin = _person(world, "admin", "Armelle Admin")
    admin.is_admin = True
    twofactor.enable(admin, TOTP_SECRET, pyotp.TOTP(TOTP_SECRET).now(), now=now)
    admin.totp_last_used_step = None  # every step free for the browser's login
    world.totp_secrets["admin"] = TOTP_SECRET
    assessor = _person(world, "assessor", "Anouk Assesseuse")
    add_member(assessor, cohort, MembershipRole.TRAINER)
    learners = {}
    for slug, name in (("candidate", "Camille Candidate"), ("examinee", "Éloi Examiné")):
        learners[slug] = _person(world, slug, name)
        add_member(learners[slug], cohort, MembershipRole.LEARNER)
    quiz = db.session.get(Assessment, world.assessments["M1-Q1"])
    world.attempts["open"] = start_attempt(quiz, learners["candidate"], cohort, now).id
    submitted = start_attempt(quiz, learners["examinee"], cohort, now)
    submit_attempt(submitted, {}, now)
    world.attempts["submitted"] = submitted.id
    hand_in = SubmissionFactory(
        assessment=db.session.get(Assessment, world.assessments["M1-A1"]),
        user=learners["candidate"],
    )
    world.grade_id = start_grading(assessor, hand_in).id
    add_member(_person(world, "second_marker", "Sixtine Seconde"), cohort, MembershipRole.TRAINER)
    oral = db.session.get(Assessment, world.assessments["M2-E1"])
    markings = allocate_work(None, cohort, oral, learners["candidate"])
    world.marking_id = next(m.id for m in markings if m.marker_id == assessor.id)
    world.reset_token = issue_token(learners["examinee"], TokenPurpose.RESET)
    _laureate(world, cohort, path, admin, now)


def _laureate(world: LiveWorld, cohort, path, admin, now) -> None:
    """Enrol a learner who completed the path, award them and issue their certificate."""
    laureate = _person(world, "laureate", "Laurène Lauréate")
    add_member(laureate, cohort, MembershipRole.LEARNER)
    for module in path.modules:
        _pass_assessments(laureate, module)
        for lesson in module.lessons:
            complete_lesson(laureate, cohort, lesson, now=now)
    # The shipped path declares a jury: it decides (the others of the cohort are deferred).
    people = [_person(world, slug, name) for slug, name in JURORS]
    others = [db.session.get(User, world.user_ids[slug]) for slug in ("candidate", "examinee")]
    world.jury_id = decide_by_jury(cohort, admin, [laureate], others, people).id
    batch = start_batch(cohort, admin)
    db.session.commit()
    run_batch(batch.id)  # what the batch's job does, here and now
    world.batch_id = batch.id
    certificate = current_certificate(laureate, path.id, PATH_SCOPE)
    world.certificate_id, world.certificate_code = certificate.id, certificate.code
    # Her certificat de réalisation, listed on her certificates page and the staff pages.
    produce_document(cohort, laureate, DocumentKind.REALISATION, local_today(), created_by=admin)
    # Her dossier, built for real: « Mon dossier » and the cohort's dossiers page offer it.
    db.session.commit()
    ensure_dossier(laureate, cohort, admin)
