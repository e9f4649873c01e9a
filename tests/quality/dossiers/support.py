"""A learner with evidence of every kind, their files really stored (tests of the dossiers)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from lms.assessments.assignments.uploads import upload_folder
from lms.attendance.models import AttendanceSheetDocument
from lms.attendance.sheets.document import sheets_folder
from lms.attendance.sheets.supporting import supporting_folder
from lms.certificates.jury.models import Jury, JuryMember, JuryState
from lms.certificates.realisation.document import DocumentKind
from lms.certificates.realisation.models import RealisationRecord
from lms.certificates.realisation.services import realisation_folder
from lms.core.storage import store_bytes
from lms.core.time import utcnow
from lms.extensions import db
from tests.factories import (
    AssessmentFactory,
    AttendanceRecordFactory,
    AttendanceSheetFactory,
    CertificateFactory,
    CertificationDecisionFactory,
    CohortFactory,
    GradeChoiceFactory,
    GradeFactory,
    MembershipFactory,
    PositioningFactory,
    PositioningLevelFactory,
    QuizAttemptFactory,
    SubmissionFactory,
    SubmissionFileFactory,
    TrainingSessionFactory,
    UserFactory,
)

SUBMITTED = b"%PDF-1.7 rapport de diagnostic\n"
TRAVERSING = b"contenu du fichier au nom hostile\n"
SUPPORTING = b"%PDF-1.7 justificatif\n"
SHEET = b"%PDF-1.7 feuille d'emargement\n"
REALISATION = b"%PDF-1.7 certificat de realisation\n"
CERTIFICATE = b"%PDF-1.7 certificat\n"


@dataclass
class Dossier:
    learner: object
    other: object
    cohort: object
    admin: object
    submission_file: object
    unreleased_feedback: str


def stored_file(submission, name: str, data: bytes):
    stored = store_bytes(upload_folder(), data)
    return SubmissionFileFactory(
        submission=submission,
        original_name=name,
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
    )


def learner_with_evidence(**learner_fields) -> Dossier:
    """Create a learner with every kind of evidence (files stored), and a second learner."""
    cohort = CohortFactory(name="Promotion Dossier")
    learner = UserFactory(display_name="Léa Preuve", **learner_fields)
    other = UserFactory(display_name="Bruno Autre")
    admin = UserFactory(admin=True, display_name="Claire Admin")
    MembershipFactory(user=learner, cohort=cohort)
    MembershipFactory(user=other, cohort=cohort)
    # Positioning.
    assignment = AssessmentFactory(module__path=cohort.path, code="M1-DIAG")
    positioning = PositioningFactory(cohort=cohort, learner=learner, adjustments="Parcours allégé")
    PositioningLevelFactory(
        positioning=positioning,
        competency__block__path=cohort.path,
        self_level=2,
        entry_level=1,
    )
    # Work, its files (one with a hostile name), a released grade and an unreleased one.
    submission = SubmissionFactory(assessment=assignment, user=learner)
    kept = stored_file(submission, "rapport diagnostic é.pdf", SUBMITTED)
    stored_file(submission, "../../etc/passwd", TRAVERSING)
    grade = GradeFactory(submission=submission, released=True, feedback="Très bon diagnostic.")
    GradeChoiceFactory(grade=grade)
    other_assignment = AssessmentFactory(module=assignment.module, code="M1-ALLY")
    hidden = SubmissionFactory(assessment=other_assignment, user=learner)
    GradeFactory(submission=hidden, graded=True, feedback="Retour encore secret.")
    quiz = AssessmentFactory(module=assignment.module, quiz=True, code="M1-QUIZ")
    QuizAttemptFactory(
        assessment=quiz, user=learner, submitted_at=utcnow(), score=4, max_score=5, passed=True
    )
    # Attendance: a closed sheet with its PDF, an excused line with its supporting file.
    session = TrainingSessionFactory(cohort=cohort, module=assignment.module)
    sheet = AttendanceSheetFactory(session=session, closed=True)
    supporting = store_bytes(supporting_folder(), SUPPORTING)
    AttendanceRecordFactory(
        sheet=sheet,
        learner=learner,
        excused=True,
        file_key=supporting.key,
        file_name="../justificatif médical.pdf",
        file_sha256=supporting.sha256,
    )
    stored_sheet = store_bytes(sheets_folder(), SHEET)
    db.session.add(
        AttendanceSheetDocument(
            sheet=sheet,
            version=1,
            storage_key=stored_sheet.key,
            sha256=stored_sheet.sha256,
            size=stored_sheet.size,
            created_by_id=sheet.closed_by_id,
        )
    )
    # Certificat de réalisation.
    stored_realisation = store_bytes(realisation_folder(), REALISATION)
    db.session.add(
        RealisationRecord(
            kind=DocumentKind.REALISATION,
            learner_id=learner.id,
            cohort_id=cohort.id,
            version=1,
            reference="CR-2025-0001-v1",
            as_of=date(2025, 6, 30),
            starts_on=date(2025, 1, 6),
            ends_on=date(2025, 6, 30),
            realised_minutes=600,
            remote_minutes=120,
            storage_key=stored_realisation.key,
            sha256=stored_realisation.sha256,
            size=stored_realisation.size,
            template_version="test",
        )
    )
    # A decision by a jury, and the certificate.
    jury = Jury(cohort_id=cohort.id, held_on=date(2025, 7, 2), place="Lyon", state=JuryState.DRAFT)
    db.session.add(jury)
    db.session.flush()
    db.session.add(
        JuryMember(
            jury_id=jury.id,
            user_id=admin.id,
            seat="professionnel",
            is_president=True,
            is_external=True,
            organisation="Réseau bien-vivre",
            access_ends_on=date(2025, 8, 1),
        )
    )
    db.session.commit()
    decision = CertificationDecisionFactory(learner=learner, cohort=cohort, jury_id=jury.id)
    CertificateFactory(learner=learner, cohort=cohort, decision=decision, pdf=CERTIFICATE)
    db.session.commit()
    return Dossier(learner, other, cohort, admin, kept, "Retour encore secret.")


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def ready_dossier(learner, cohort, data: bytes = b"PK\x05\x06" + bytes(18)):
    """Record a ready build of the learner's dossier whose archive is ``data`` (stored)."""
    from lms.quality.dossiers.models import DossierState, LearnerDossier
    from lms.quality.dossiers.services import dossier_folder

    stored = store_bytes(dossier_folder(), data)
    version = 1 + (
        db.session.scalar(
            db.select(db.func.max(LearnerDossier.version)).filter_by(
                learner_id=learner.id, cohort_id=cohort.id
            )
        )
        or 0
    )
    dossier = LearnerDossier(
        learner_id=learner.id,
        cohort_id=cohort.id,
        version=version,
        state=DossierState.READY,
        started_at=utcnow(),
        finished_at=utcnow(),
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
    )
    db.session.add(dossier)
    db.session.commit()
    return dossier


def security_world_dossiers(bien_vivre, other, users) -> dict:
    """Return learner A's ready dossier and the other cohort's learner's."""
    return {
        "dossier": ready_dossier(users["learner_a"], bien_vivre.cohort),
        "other_dossier": ready_dossier(users["other_learner"], other.cohort),
    }
