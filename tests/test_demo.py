"""``lms demo``: one command builds a ready-to-explore instance, and running it twice is safe."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import func

from lms import create_app
from lms.accounts.models import User
from lms.assessments.models import Grade, GradeState, QuizAttempt, Submission
from lms.certificates.decisions import awarded_without_certificate, latest_decision
from lms.certificates.eligibility import cohort_eligibility
from lms.certificates.issuing import certificate_folder, open_certificate_pdf
from lms.certificates.jury.minutes_store import open_minutes
from lms.certificates.jury.models import Jury, JuryMinutes, JuryRecusal, JuryState, JuryVote
from lms.certificates.models import Certificate, CertificationDecision, DecisionOutcome
from lms.cohorts.access import is_assessor_of
from lms.cohorts.assessors import cohort_assessors
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.curriculum.models import TrainingPath
from lms.demo import COHORT_NAME, GRADUATES_COHORT_NAME
from lms.extensions import db
from lms.learning.models import LessonCompletion
from lms.learning.services import module_states
from lms.organisations.models import Territory, TerritoryAdministrator
from lms.projects.models import Project, ProjectEvaluation, ProjectInvitation
from lms.quality.dossiers.models import DossierState, LearnerDossier

COUNTED = (
    User,
    LearnerDossier,
    Membership,
    Cohort,
    TrainingPath,
    LessonCompletion,
    CertificationDecision,
    Certificate,
    Territory,
    TerritoryAdministrator,
    Project,
    ProjectEvaluation,
    ProjectInvitation,
)


def demo_application(instance: Path):
    """Return an application on the SQLite instance in ``instance``."""
    return create_app(
        {"SECRET_KEY": "demo-test-secret-key-long-enough-0123456789", "TESTING": True}
        | {"INSTANCE_PATH": str(instance)}
    )


@pytest.fixture(scope="module")
def first_demo(tmp_path_factory) -> tuple[Path, str]:
    """Run the demo once on an empty instance, as on a fresh machine; return it and its output.

    Building the demo signs and closes some eighty attendance sheets, each with its PDF: each
    test starts from a copy of this instance rather than building it again.
    """
    instance = tmp_path_factory.mktemp("demo") / "instance"
    app = demo_application(instance)
    with app.app_context():
        output = run_demo(app)
        db.session.remove()
        db.engine.dispose()
    return instance, output


@pytest.fixture
def demo_app(tmp_path, first_demo):
    """An application on its own copy of the instance the demo built once."""
    instance = tmp_path / "instance"
    shutil.copytree(first_demo[0], instance)
    app = demo_application(instance)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def run_demo(app) -> str:
    """Run ``lms demo --no-serve`` and return what it printed."""
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    return result.output


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(db.select(func.count()).select_from(model))
        for model in COUNTED
    }


@pytest.mark.pdf
def test_demo_builds_the_path_cohort_and_people(demo_app):
    output = run_demo(demo_app)
    assert counts() == {
        # two external assessors, two jury members, two graduates of the spring cohort, the
        # markers of lms.demo.marking (a third reader in every cohort, an external professional
        # and the third reader as second trainer in the finished ones), and the three local
        # administrators, who are members of no cohort; the nine learners of last year's Lille
        # cohort (lms.demo.quality_indicators), taught by the two trainers
        "User": 29 + 9,
        "Membership": 28 + 9 + 2,
        "Cohort": 3 + 1,
        "TrainingPath": 1,
        "LessonCompletion": counts()["LessonCompletion"],
        "CertificationDecision": 3 + 7,  # the closed jury's, last year's Lille cohort's
        "Certificate": 1,
        "Territory": 3,
        "TerritoryAdministrator": 3,
        "Project": 9,  # every learner who reached M5
        "ProjectEvaluation": 8 + 4 + 1,  # ex ante, ex post, later ex post
        "ProjectInvitation": 2,  # one used, one pending
        "LearnerDossier": 1,  # the first graduate's
    }
    assert counts()["LessonCompletion"] > 40
    assert "demo data only" in output
    assert len(re.findall(r"@demo\.bien-vivre\.example\s+\S{12,}", output)) == 29
    assert db.session.scalar(db.select(User).filter_by(is_admin=True)).email.startswith("admin@")


def test_demo_has_an_external_assessor_and_one_whose_access_ended(demo_app):
    run_demo(demo_app)
    current = db.session.scalar(db.select(Cohort).filter_by(name=COHORT_NAME))
    finished = db.session.scalar(db.select(Cohort).filter_by(name=GRADUATES_COHORT_NAME))
    active, ended = (
        db.session.scalar(db.select(User).filter_by(email=f"{slug}@demo.bien-vivre.example"))
        for slug in ("evaluatrice", "evaluateur")
    )
    assert is_assessor_of(active, current)
    assert current.role_of(ended) is None
    assert finished.role_of(ended) == MembershipRole.ASSESSOR
    assert not is_assessor_of(ended, finished)
    run_demo(demo_app)  # a second run names nobody twice
    assert len(cohort_assessors(current)) == 1
    # The finished cohort's other assessor marked its BC3 orals (lms.demo.marking).
    assert len(cohort_assessors(finished)) == 2


def test_demo_learners_are_at_different_stages(demo_app):
    run_demo(demo_app)
    cohort = db.session.scalar(db.select(Cohort).filter_by(name=COHORT_NAME))
    user = db.session.scalar(db.select(User).filter_by(email="yanis@demo.bien-vivre.example"))
    states = {module.code: state for module, state in module_states(user, cohort)}
    assert [code for code, state in states.items() if state.is_completed] == ["M1", "M2", "M4"]
    assert states["M3"].is_open
    assert states["M5"].missing_prerequisites == ("M3",)
    assert states["M6"].waiting_for_calendar
    stages = {
        tuple(s.status for _, s in module_states(membership.user, cohort))
        for membership in cohort.memberships
    }
    assert len(stages) >= 6


def test_demo_work_is_graded_or_waiting_for_a_trainer(demo_app):
    run_demo(demo_app)
    released = db.select(func.count()).select_from(Grade).filter_by(state=GradeState.RELEASED)
    assert db.session.scalar(released) > 20
    ungraded = db.select(func.count(Submission.id)).where(
        ~Submission.id.in_(db.select(Grade.submission_id).where(Grade.submission_id.is_not(None)))
    )
    assert db.session.scalar(ungraded) >= 1  # something in the trainers' queue
    passed = db.select(func.count()).select_from(QuizAttempt).filter_by(passed=True)
    assert db.session.scalar(passed) > 10


def test_running_the_demo_twice_duplicates_nothing(demo_app):
    first_output = run_demo(demo_app)
    before = counts()
    second_output = run_demo(demo_app)
    assert counts() == before
    # Fresh passwords each run: the printed ones are the ones that work.
    assert first_output != second_output
    password = re.search(r"ines@demo\.bien-vivre\.example\s+(\S+)", second_output).group(1)
    user = db.session.scalar(db.select(User).filter_by(email="ines@demo.bien-vivre.example"))
    db.session.refresh(user)
    assert user.check_password(password)


@pytest.mark.pdf
def test_the_finished_cohort_shows_each_step_of_certification(demo_app):
    run_demo(demo_app)
    cohort = db.session.scalar(db.select(Cohort).filter_by(name=GRADUATES_COHORT_NAME))
    eligible = {
        item.learner.display_name
        for item in cohort_eligibility(cohort).learners
        if item.is_eligible
    }
    assert eligible == {"Élise Fontaine", "Rayan Girard", "Lina Morel"}
    [certificate] = db.session.scalars(db.select(Certificate))
    assert certificate.learner.display_name == "Élise Fontaine"
    assert certificate.decision.outcome == DecisionOutcome.AWARDED
    with open_certificate_pdf(certificate) as pdf:
        assert pdf.read().startswith(b"%PDF-")
    assert certificate_folder().is_relative_to(demo_app.instance_path)
    # The jury decided: Rayan is awarded and waits for his certificate; Lina validated three
    # blocks (a partial validation) and is to present BC4 again.
    assert [u.display_name for u in awarded_without_certificate(cohort)] == ["Rayan Girard"]
    lina = db.session.scalar(db.select(User).filter_by(display_name="Lina Morel"))
    partial = latest_decision(cohort, lina)
    assert partial.outcome == DecisionOutcome.PARTIAL
    assert partial.block_codes == ("BC1", "BC2", "BC3")
    assert certificate.decision.jury_id == partial.jury_id


@pytest.mark.pdf
def test_the_demo_certificate_carries_a_credential_that_verifies(demo_app):
    from lms.certificates.credentials.issuance import credential_of, verify_credential

    [certificate] = db.session.scalars(db.select(Certificate))
    issued = credential_of(certificate.id)
    # The demo's links name the address it serves on (``lms demo --port``, 5000 by default).
    with demo_app.test_request_context(base_url="http://127.0.0.1:5000"):
        assert verify_credential(issued.document).valid
    achievement = issued.document["credentialSubject"]["achievement"]
    assert achievement["name"] == "Entrepreneur·e du bien-vivre"
    assert len(achievement["alignment"]) == len(certificate.document["competencies"])


def test_the_demo_credential_holds_to_the_schema_and_revoking_it_says_so(demo_app):
    """Issue 17's acceptance on the demo's own certificate: schema, proof, tampering, revocation."""
    import copy

    from lms.certificates.credentials import schema
    from lms.certificates.credentials.issuance import credential_of, verify_credential
    from lms.certificates.credentials.models import StatusList
    from lms.certificates.credentials.status import is_set
    from lms.certificates.revocation import revoke_certificate

    [certificate] = db.session.scalars(db.select(Certificate))
    issued = credential_of(certificate.id)
    assert schema.validate_credential(issued.document) == []
    tampered = copy.deepcopy(issued.document)
    tampered["credentialSubject"]["achievement"]["name"] = "Autre parcours"
    with demo_app.test_request_context(base_url="http://127.0.0.1:5000"):
        assert verify_credential(issued.document).valid
        assert not verify_credential(tampered).valid
    admin = db.session.scalar(db.select(User).filter_by(is_admin=True))
    with demo_app.test_request_context(base_url="http://127.0.0.1:5000"):
        revoke_certificate(certificate, revoked_by=admin, reason="Erreur de nom")
        db.session.commit()
    status_list = db.session.get(StatusList, issued.status_list_id)
    assert is_set(status_list.bits, issued.status_index)
    page = demo_app.test_client().get(
        f"/verify/{certificate.code}", base_url="http://127.0.0.1:5000"
    )
    assert "Notre liste de révocation indique que ce badge est révoqué" in page.get_data(
        as_text=True
    )


@pytest.mark.pdf
def test_the_demo_has_a_closed_jury_with_minutes_and_an_open_one_waiting_for_a_vote(demo_app):
    output = run_demo(demo_app)
    assert "sophie.garnier@demo.bien-vivre.example" in output
    closed, waiting = db.session.scalars(db.select(Jury).order_by(Jury.id))
    assert closed.state == JuryState.CLOSED
    assert closed.cohort.name == GRADUATES_COHORT_NAME
    assert {m.organisation for m in closed.members} >= {"Grenoble-Alpes Métropole"}
    [minutes] = db.session.scalars(db.select(JuryMinutes))
    with open_minutes(minutes) as pdf:
        assert pdf.read().startswith(b"%PDF-")
    assert db.session.scalar(db.select(func.count()).select_from(JuryRecusal)) == 0
    assert waiting.state == JuryState.OPEN
    assert (
        db.session.scalar(
            db.select(func.count()).select_from(JuryVote).filter_by(jury_id=waiting.id)
        )
        == 3 * 2 - 1
    )


@pytest.mark.pdf
def test_every_pdf_of_the_demo_is_signed_with_its_development_identity(demo_app, first_demo):
    from cryptography import x509

    from lms.attendance.models import AttendanceSheetDocument
    from lms.attendance.sheets.document import open_document
    from lms.core.pades import is_development_certificate
    from lms.core.pades_verify import inspect_signatures, trust_roots

    keys = Path(demo_app.instance_path) / "keys"
    assert "Development signing identity written to" in first_demo[1]
    ca = x509.load_pem_x509_certificate((keys / "signing-ca.pem").read_bytes())
    assert is_development_certificate(ca)
    assert trust_roots() == [ca]
    [certificate] = db.session.scalars(db.select(Certificate))
    [minutes] = db.session.scalars(db.select(JuryMinutes))
    sheet = db.session.scalars(db.select(AttendanceSheetDocument)).first()
    with (
        open_certificate_pdf(certificate) as a,
        open_minutes(minutes) as b,
        open_document(sheet) as c,
    ):
        pdfs = [a.read(), b.read(), c.read()]
    for pdf in pdfs:
        [report] = inspect_signatures(pdf, [ca])
        assert report.is_valid, report
        assert report.signer_organisation == "Crois/Sens"
    output = run_demo(demo_app)  # a second run keeps the identity it made
    assert "Development signing identity" not in output
    assert (keys / "signing-ca.pem").read_bytes() == ca.public_bytes(Encoding.PEM)


def test_demo_marks_double_marked_work_in_agreement_or_waits_for_the_third_reader(demo_app):
    from lms.assessments.models import Assessment, Grade, GradeState, Marking, MarkingRole

    run_demo(demo_app)
    oral = db.session.scalar(db.select(Assessment).filter_by(code="M7-E1"))
    pools = db.session.execute(
        db.select(Marking.pool).join(Grade).where(Grade.assessment_id == oral.id)
    ).scalars()
    assert set(pools) == {"trainer", "external"}
    tom = db.session.scalar(db.select(User).filter(User.email.startswith("tom@")))
    file = db.session.scalar(db.select(Assessment).filter_by(code="M2-A1"))
    grade = db.session.scalar(db.select(Grade).filter_by(assessment_id=file.id, learner_id=tom.id))
    assert grade.state == GradeState.GRADING
    roles = db.session.scalars(db.select(Marking.role).filter_by(grade_id=grade.id)).all()
    assert sorted(roles) == sorted([MarkingRole.FIRST, MarkingRole.SECOND, MarkingRole.THIRD])


def test_the_demo_cohort_has_sessions_past_to_come_and_one_under_way(demo_app):
    from datetime import UTC, datetime
    from itertools import pairwise

    from lms.attendance.models import TrainingSession
    from lms.cohorts.services import find_cohort

    run_demo(demo_app)
    cohort = find_cohort(COHORT_NAME)
    sessions = db.session.scalars(db.select(TrainingSession).filter_by(cohort_id=cohort.id)).all()
    now = datetime.now(UTC)
    # M2–M8: their hours less their remote work, in half-days of 3 h 30 (34 in the shipped path).
    assert len(sessions) == 34
    assert sum(session.minutes for session in sessions) == 34 * 210
    running = [s for s in sessions if s.starts_at <= now < s.ends_at]
    assert len(running) == 1
    assert {s.module.code for s in sessions} == {"M2", "M3", "M4", "M5", "M6", "M7", "M8"}
    assert any(s.ends_at < now for s in sessions)
    assert any(s.starts_at > now for s in sessions)
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    assert all(a.ends_at <= b.starts_at for a, b in pairwise(ordered))
    run_demo(demo_app)  # a second run adds none
    assert (
        db.session.scalar(
            db.select(db.func.count(TrainingSession.id)).filter_by(cohort_id=cohort.id)
        )
        == 34
    )


@pytest.mark.pdf
def test_the_demo_signs_the_sheets_held_and_one_learner_is_under_the_minimum(demo_app):
    from datetime import UTC, datetime

    from lms.attendance.models import AttendanceSheet, SheetState, TrainingSession
    from lms.certificates.eligibility import Lack
    from lms.certificates.realisation.models import RealisationRecord
    from lms.cohorts.services import find_cohort

    run_demo(demo_app)
    now = datetime.now(UTC)
    for name in (COHORT_NAME, GRADUATES_COHORT_NAME):
        cohort = find_cohort(name)
        sessions = db.session.scalars(
            db.select(TrainingSession).filter_by(cohort_id=cohort.id)
        ).all()
        for session in sessions:
            closed = session.sheet is not None and session.sheet.state is SheetState.CLOSED
            assert closed == (session.ends_at <= now), session
            if closed:
                assert [document.version for document in session.sheet.documents] == [1]
    report = cohort_eligibility(find_cohort(COHORT_NAME))
    shortfalls = {
        row.learner.display_name: (lack.level, lack.required_level)
        for row in report.learners
        for lack in row.missing
        if lack.lack is Lack.ATTENDANCE
    }
    assert shortfalls == {"Adam Laurent": (68, 80)}
    finished = find_cohort(GRADUATES_COHORT_NAME)
    graduates = cohort_eligibility(finished).learners
    assert not any(lack.lack is Lack.ATTENDANCE for row in graduates for lack in row.missing)
    documents = db.session.scalars(
        db.select(RealisationRecord).filter_by(cohort_id=finished.id)
    ).all()
    assert len(documents) == len(graduates) == 3
    assert all(document.realised_minutes >= 180 * 60 for document in documents)
    sheets = db.session.scalar(db.select(func.count()).select_from(AttendanceSheet))
    run_demo(demo_app)  # a second run signs and produces nothing more
    assert db.session.scalar(db.select(func.count()).select_from(AttendanceSheet)) == sheets
    assert db.session.scalar(db.select(func.count()).select_from(RealisationRecord)) == len(
        documents
    )


def test_the_demo_organisation_signs_in_lille_and_lyon_is_gone(demo_app, first_demo):
    settings = (Path(demo_app.instance_path) / "lms.cfg").read_text(encoding="utf-8")
    for key in ("CERTIFICATE_PLACE", "TRAINING_ORGANISATION_PLACE"):
        assert f"{key} = 'Lille'\n" in settings
    for key in ("CERTIFICATE_ORGANISATION", "TRAINING_ORGANISATION_NAME"):
        assert f"{key} = 'Crois/Sens'\n" in settings
    assert "TRAINING_ORGANISATION_ADDRESS = 'Adresse de démonstration — Lille'" in settings
    output = first_demo[1]
    assert "Pragma-tic" in output
    assert "Lyon" not in settings + output
    from lms.certificates.jury.models import Jury

    assert not any("Lyon" in jury.place for jury in db.session.scalars(db.select(Jury)))


def test_each_territory_has_its_local_administrator_and_two_have_cohorts(demo_app, first_demo):
    from lms.organisations.access import administers_territory, is_local_admin

    output = first_demo[1]
    territories = {t.code: t for t in db.session.scalars(db.select(Territory))}
    assert set(territories) == {"lille", "mulhouse-strasbourg", "grenoble"}
    for code, (slug, role) in {
        "lille": ("nadia.lefebvre", "administratrice locale — Lille"),
        "mulhouse-strasbourg": ("thomas.schmitt", "administrateur local — Mulhouse / Strasbourg"),
        "grenoble": ("julie.roux", "administratrice locale — Grenoble"),
    }.items():
        user = db.session.scalar(db.select(User).filter_by(email=f"{slug}@demo.bien-vivre.example"))
        assert not user.is_admin
        assert is_local_admin(user)
        assert [t.code for t in territories.values() if administers_territory(user, t.id)] == [code]
        assert re.search(rf"{role}\s+{slug}@demo\.bien-vivre\.example\s+\S{{12,}}", output)
    cohorts = {c.name: c.territory.code for c in db.session.scalars(db.select(Cohort))}
    assert cohorts[COHORT_NAME] == "lille"
    assert cohorts[GRADUATES_COHORT_NAME] == "grenoble"
    assert set(cohorts.values()) == {"lille", "grenoble"}  # Mulhouse/Strasbourg has none


def test_learners_who_reached_m5_have_projects_at_every_stage(demo_app):
    from lms.demo import LEARNERS
    from lms.projects.models import EvaluationMoment, ProjectStage

    projects = db.session.scalars(db.select(Project)).all()
    current = [p for p in projects if p.cohort.name == COHORT_NAME]
    # M5 opens once M1–M4 are completed: those learners declare a project.
    reached_m5 = {
        learner.name for learner in LEARNERS if {"M1", "M2", "M3", "M4"} <= set(learner.completed)
    }
    assert {p.learner.display_name for p in current} == reached_m5
    assert all(p.territory_id == p.cohort.territory_id for p in projects)
    assert {p.stage for p in projects} == set(ProjectStage)
    assert all(p.holder and p.description and p.domains for p in projects)
    moments = {p.learner.display_name: {e.moment for e in p.evaluations} for p in projects}
    ante, post, later = EvaluationMoment
    assert moments["Camille Leroy"] == set()  # still an idea, not framed yet
    assert moments["Jade Simon"] == {ante}
    assert moments["Élise Fontaine"] == {ante, post}
    assert moments["Lina Morel"] == {ante}  # presents BC4 again, with the ex post
    assert moments["Zoé Lambert"] == {ante, post, later}
    for project in projects:
        for evaluation in project.evaluations:
            assert len(evaluation.values) == 6
            assert all(0 <= v.value <= 4 and v.justification for v in evaluation.values)
        if any(e.moment == post for e in project.evaluations):
            assert project.later_ex_post_on is not None


def test_one_later_ex_post_came_through_a_link_and_another_link_waits(demo_app, first_demo):
    from lms.core.time import utcnow
    from lms.projects.models import EvaluationMoment

    used, pending = db.session.scalars(db.select(ProjectInvitation).order_by(ProjectInvitation.id))
    [later] = db.session.scalars(
        db.select(ProjectEvaluation).filter_by(moment=EvaluationMoment.EX_POST_LATER)
    )
    assert later.invitation_id == used.id
    assert later.evaluated_by_id is None
    assert later.evaluator_name == used.name
    assert used.used_at is not None
    assert pending.used_at is None
    assert pending.revoked_at is None
    assert pending.expires_at > utcnow()
    assert pending.project.later_ex_post_on <= utcnow().date()  # its date has come
    assert not any(e.moment == EvaluationMoment.EX_POST_LATER for e in pending.project.evaluations)
    # Nothing secret is printed: only the holders' names could be, and the links are not.
    assert "/projects/" not in first_demo[1]
    assert pending.email not in first_demo[1]


def test_demo_publishes_last_years_indicators(demo_app):
    from lms.demo.quality_indicators import COHORT_NAME as LAST_YEAR
    from lms.demo.quality_indicators import PUBLISHED, last_year
    from lms.quality.indicators.figures import indicators
    from lms.quality.indicators.models import PublishedIndicator, Withdrawal
    from lms.quality.indicators.scope import Period, Scope

    run_demo(demo_app)  # a second run adds nothing
    path = db.session.scalar(db.select(TrainingPath))
    published = db.session.scalars(
        db.select(PublishedIndicator.indicator).filter_by(path_code=path.code, year=last_year())
    ).all()
    assert sorted(published) == sorted(PUBLISHED)
    assert db.session.scalar(db.select(func.count(Withdrawal.id))) == 2
    cohort = db.session.scalar(db.select(Cohort).filter_by(name=LAST_YEAR))
    figures = indicators(Scope(Period.year(last_year()), cohort_id=cohort.id))
    # Nine learners, two withdrew; four of the seven decisions award the path.
    assert (figures.learners, figures.withdrawn) == (9, 2)
    assert (figures.certification.numerator, figures.certification.denominator) == (4, 7)
    assert figures.attendance.rate.percent is not None
    assert figures.attendance.rate.percent < 100


@pytest.mark.pdf
def test_the_first_graduate_has_a_ready_dossier_whose_manifest_verifies(demo_app):
    import hashlib
    import io
    import json
    import zipfile

    from lms.core.storage import open_stored
    from lms.quality.dossiers.store import dossier_folder

    [dossier] = db.session.scalars(db.select(LearnerDossier))
    assert dossier.learner.display_name == "Élise Fontaine"
    assert dossier.state == DossierState.READY
    with open_stored(dossier_folder(), dossier.storage_key) as stream:
        data = stream.read()
    assert hashlib.sha256(data).hexdigest() == dossier.sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["missing"] == []
    kinds = {entry["kind"] for entry in manifest["files"]}
    assert {"attendance-sheets", "realisation", "certificates"} <= kinds
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
