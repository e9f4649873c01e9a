"""A fixed world for the purge: a cohort ended seven years ago, one ended last year.

- Alice followed only the old cohort: her account, work, absence reason and file, positioning,
  project and survey text go; her grade's value, attendance status, decision and certificate stay.
- Bruno followed both, on two paths: his old path's work and old cohort's rows go, his account
  and his new cohort's rows stay.
- Tania trained the old cohort only: a staff account, kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import current_app

from lms.accounts.models import PasswordToken, TokenPurpose, UserSession
from lms.certificates.models import DecisionOutcome
from lms.core.storage import store_bytes
from lms.extensions import db
from lms.quality.surveys.models import SurveyQuestionKind
from tests.factories import (
    AssessmentFactory,
    AttendanceRecordFactory,
    AttendanceSheetFactory,
    AuditEventFactory,
    CertificateFactory,
    CertificationDecisionFactory,
    CohortFactory,
    DeadlineExtensionFactory,
    GradeFactory,
    MembershipFactory,
    ModuleFactory,
    PositioningFactory,
    PositioningLevelFactory,
    ProjectFactory,
    SubmissionFactory,
    SubmissionFileFactory,
    SurveyAnswerFactory,
    SurveyCampaignFactory,
    SurveyFactory,
    SurveyParticipationFactory,
    SurveyQuestionFactory,
    SurveyResponseFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.quality.dossiers.support import ready_dossier

PDF = b"%PDF-1.7\n% a certificate as issued\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class World:
    old_cohort_id: int
    new_cohort_id: int
    alice_id: int
    bruno_id: int
    trainer_id: int
    certificate_code: str


def years_ago(years: int, month: int = 6, day: int = 30) -> date:
    return date(date.today().year - years, month, day)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def stored(folder: str, data: bytes) -> str:
    return store_bytes(Path(current_app.instance_path) / folder, data).key


def build_world() -> World:
    """Create the two cohorts, their people and everything the purge looks at."""
    old = CohortFactory(name="Promotion 2019", starts_on=years_ago(8, 9, 1), ends_on=years_ago(7))
    new = CohortFactory(name="Promotion 2025", starts_on=years_ago(2, 9, 1), ends_on=years_ago(1))
    alice = UserFactory(display_name="Alice Martin", email="alice@example.org")
    bruno = UserFactory(display_name="Bruno Petit", email="bruno@example.org")
    tania = UserFactory(display_name="Tania Formatrice", email="tania@example.org")
    MembershipFactory(user=alice, cohort=old)
    MembershipFactory(user=bruno, cohort=old)
    MembershipFactory(user=bruno, cohort=new)
    MembershipFactory(user=tania, cohort=old, trainer=True)
    long_ago = at(years_ago(7))
    db.session.add_all(
        [
            UserSession(
                user=alice, token_hash="a" * 64, created_at=long_ago, last_seen_at=long_ago
            ),
            PasswordToken(
                user=alice,
                purpose=TokenPurpose.RESET,
                token_hash="b" * 64,
                password_fingerprint="c" * 64,
                created_at=long_ago,
                expires_at=long_ago + timedelta(hours=1),
            ),
        ]
    )
    db.session.commit()
    _work(old, new, alice, bruno, tania)
    _attendance(old, new, alice, bruno, tania)
    _positioning_and_projects(old, new, alice, bruno)
    _surveys(old, new, alice, bruno)
    _dossiers(old, new, alice, bruno)
    CertificationDecisionFactory(learner=alice, cohort=old, outcome=DecisionOutcome.AWARDED)
    certificate = CertificateFactory(learner=alice, cohort=old, pdf=PDF)
    AuditEventFactory(
        actor=tania, created_at=at(years_ago(8)), after={"email": "alice@example.org"}
    )
    AuditEventFactory(actor=tania, after={"email": "bruno@example.org"})
    return World(old.id, new.id, alice.id, bruno.id, tania.id, certificate.code)


def _work(old, new, alice, bruno, tania) -> None:
    old_assignment = AssessmentFactory(module=ModuleFactory(path=old.path))
    new_assignment = AssessmentFactory(module=ModuleFactory(path=new.path))
    for learner, assignment in (
        (alice, old_assignment),
        (bruno, old_assignment),
        (bruno, new_assignment),
    ):
        submission = SubmissionFactory(assessment=assignment, user=learner, text="Mon diagnostic.")
        key = stored("uploads", b"%PDF-1.7 work of " + learner.email.encode())
        SubmissionFileFactory(submission=submission, storage_key=key, original_name="cv.pdf")
        GradeFactory(
            submission=submission,
            grader=tania,
            released=True,
            feedback="Très bon travail, Alice.",
        )
    DeadlineExtensionFactory(assessment=old_assignment, user=alice, granted_by=tania)


def _attendance(old, new, alice, bruno, tania) -> None:
    for cohort, learners in ((old, (alice, bruno)), (new, (bruno,))):
        session = TrainingSessionFactory(
            cohort=cohort,
            module=ModuleFactory(path=cohort.path),
            starts_at=at(cohort.ends_on) - timedelta(days=30),
            ends_at=at(cohort.ends_on) - timedelta(days=30) + timedelta(hours=3),
        )
        sheet = AttendanceSheetFactory(session=session, closed=True, closed_by=tania)
        for learner in learners:
            AttendanceRecordFactory(
                sheet=sheet,
                learner=learner,
                excused=True,
                file_key=stored("attendance", b"justificatif " + learner.email.encode()),
                file_name="arret-maladie.pdf",
                file_sha256="d" * 64,
            )


def _positioning_and_projects(old, new, alice, bruno) -> None:
    for cohort, learner in ((old, alice), (old, bruno), (new, bruno)):
        positioning = PositioningFactory(
            cohort=cohort, learner=learner, adjustments="Temps majoré (dyslexie)."
        )
        PositioningLevelFactory(positioning=positioning, self_comment="Je débute.")
        ProjectFactory(cohort=cohort, learner=learner)


def _surveys(old, new, alice, bruno) -> None:
    for cohort, learners in ((old, (alice, bruno)), (new, (bruno,))):
        survey = SurveyFactory(path=cohort.path)
        scale = SurveyQuestionFactory(survey=survey)
        free = SurveyQuestionFactory(survey=survey, kind=SurveyQuestionKind.TEXT, text="Un mot ?")
        opens = at(cohort.ends_on)
        campaign = SurveyCampaignFactory(
            survey=survey, cohort=cohort, opens_at=opens, closes_at=opens + timedelta(days=14)
        )
        for learner in learners:
            participation = SurveyParticipationFactory(
                campaign=campaign, learner=learner, answered=True
            )
            response = SurveyResponseFactory(
                campaign=campaign, participation=participation, submitted_at=opens
            )
            SurveyAnswerFactory(response=response, question=scale, scale_value=4)
            SurveyAnswerFactory(
                response=response, question=free, scale_value=None, text="Merci à Tania !"
            )
        SurveyParticipationFactory(
            campaign=campaign,
            learner=None,
            email="rh@employeur.example",
            contact_name="Mme Responsable",
            organisation="Employeur SA",
        )


def _dossiers(old, new, alice, bruno) -> None:
    """Alice's dossier of the old cohort goes; Bruno's build of it under way waits for the next
    run; his dossier of the new cohort stays."""
    from lms.quality.dossiers.models import DossierState, LearnerDossier

    ready_dossier(alice, old)
    db.session.add(
        LearnerDossier(learner_id=bruno.id, cohort_id=old.id, version=1, state=DossierState.QUEUED)
    )
    db.session.commit()
    ready_dossier(bruno, new)
