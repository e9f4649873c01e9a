"""factory-boy factories for every model; they commit, like a real request would."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from lms.accounts.models import AuditEvent, User
from lms.assessments.models import (
    Assessment,
    AssessmentKind,
    AttemptAnswer,
    Criterion,
    DeadlineExtension,
    Grade,
    GradeChoice,
    GradeEvent,
    GradeRelease,
    GradeState,
    Option,
    Question,
    QuestionKind,
    QuizAttempt,
    Rubric,
    RubricLevel,
    Submission,
    SubmissionFile,
)
from lms.assessments.registry import max_score_of
from lms.attendance.models import (
    AttendanceRecord,
    AttendanceSheet,
    AttendanceStatus,
    Modality,
    RecordedBy,
    SheetState,
    TrainingSession,
)
from lms.certificates.document import (
    BlockLine,
    CertificateDocument,
    CertificateKind,
    document_to_json,
)
from lms.certificates.models import (
    PATH_SCOPE,
    Certificate,
    CertificateState,
    CertificationDecision,
    DecisionOutcome,
)
from lms.cohorts.models import Cohort, Membership, MembershipRole, ModuleCalendar
from lms.core.time import utcnow
from lms.curriculum.models import (
    Competency,
    CompetencyBlock,
    Lesson,
    Module,
    ModuleMode,
    ProficiencyLevel,
    TrainingPath,
)
from lms.extensions import db
from lms.learning.models import LessonCompletion
from lms.organisations.models import Territory, TerritoryAdministrator
from lms.projects.models import Project, ProjectStage
from lms.quality.positioning.models import Positioning, PositioningLevel
from lms.quality.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyCampaign,
    SurveyKind,
    SurveyParticipation,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
)

DEFAULT_PASSWORD = "correct horse battery staple"


# A cheap scrypt for the users the factories create (see ``UserFactory.password``).
TEST_HASH_METHOD = "scrypt:1024:8:1"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Faker("name", locale="fr_FR")
    is_admin = False
    is_active = True
    locale = "en"  # tests read messages in their source language; pass locale="fr" to see French

    class Params:
        admin = factory.Trait(is_admin=True)
        inactive = factory.Trait(is_active=False)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        """Hash ``password=...`` (or the default test password) into the user, cheaply.

        The application's own hashes (``User.set_password``: scrypt at its default cost, ~50 ms)
        are tested in tests/accounts; the thousands of users the suite creates get a cheap scrypt,
        which logging in checks the same way (the parameters travel with the hash).
        """
        self.password_hash = generate_password_hash(
            extracted or DEFAULT_PASSWORD, method=TEST_HASH_METHOD
        )
        if create:
            db.session.commit()


class TrainingPathFactory(BaseFactory):
    class Meta:
        model = TrainingPath

    code = factory.Sequence(lambda n: f"path-{n}")
    version = 1
    title = factory.Sequence(lambda n: f"Parcours {n}")
    certifier = "Organisme de formation"
    definition_sha256 = "0" * 64


class ProficiencyLevelFactory(BaseFactory):
    class Meta:
        model = ProficiencyLevel

    path = factory.SubFactory(TrainingPathFactory)
    value = factory.Sequence(lambda n: n)
    label = factory.LazyAttribute(lambda o: f"Niveau {o.value}")


class CompetencyBlockFactory(BaseFactory):
    class Meta:
        model = CompetencyBlock

    path = factory.SubFactory(TrainingPathFactory)
    code = factory.Sequence(lambda n: f"BC{n}")
    title = factory.Sequence(lambda n: f"Bloc {n}")
    position = factory.Sequence(lambda n: n)


class CompetencyFactory(BaseFactory):
    class Meta:
        model = Competency

    block = factory.SubFactory(CompetencyBlockFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    title = factory.Sequence(lambda n: f"Compétence {n}")
    required_level = 3
    position = factory.Sequence(lambda n: n)


class ModuleFactory(BaseFactory):
    class Meta:
        model = Module

    path = factory.SubFactory(TrainingPathFactory)
    code = factory.Sequence(lambda n: f"M{n}")
    title = factory.Sequence(lambda n: f"Module {n}")
    summary = "Résumé du module."
    position = factory.Sequence(lambda n: n)
    hours = 14
    mode = ModuleMode.ONLINE

    class Params:
        in_person = factory.Trait(mode=ModuleMode.IN_PERSON)
        blended = factory.Trait(mode=ModuleMode.BLENDED)


class LessonFactory(BaseFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Leçon {n}")
    body = "Un paragraphe de **contenu**."
    is_required = True

    class Params:
        optional = factory.Trait(is_required=False)


class TerritoryFactory(BaseFactory):
    class Meta:
        model = Territory

    code = factory.Sequence(lambda n: f"territoire-{n}")
    name = factory.Sequence(lambda n: f"Territoire {n}")
    area = "Communauté de communes du Val d'Essai"
    company = factory.LazyAttribute(lambda territory: f"Co-développement {territory.name}")


class TerritoryAdministratorFactory(BaseFactory):
    class Meta:
        model = TerritoryAdministrator

    territory = factory.SubFactory(TerritoryFactory)
    user = factory.SubFactory(UserFactory)


class CohortFactory(BaseFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Promotion {n}")
    path = factory.SubFactory(TrainingPathFactory)
    territory = factory.SubFactory(TerritoryFactory)
    starts_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: date.today() + timedelta(days=300))
    capacity = 30


class ModuleCalendarFactory(BaseFactory):
    class Meta:
        model = ModuleCalendar

    cohort = factory.SubFactory(CohortFactory)
    module = factory.SubFactory(ModuleFactory)
    opens_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=1))
    closes_at = None

    class Params:
        future = factory.Trait(opens_at=factory.LazyFunction(lambda: utcnow() + timedelta(days=30)))


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    cohort = factory.SubFactory(CohortFactory)
    role = MembershipRole.LEARNER

    class Params:
        trainer = factory.Trait(role=MembershipRole.TRAINER)
        assessor = factory.Trait(
            role=MembershipRole.ASSESSOR,
            access_ends_on=factory.LazyFunction(lambda: date.today() + timedelta(days=30)),
        )


class LessonCompletionFactory(BaseFactory):
    class Meta:
        model = LessonCompletion

    user = factory.SubFactory(UserFactory)
    lesson = factory.SubFactory(LessonFactory)


class AuditEventFactory(BaseFactory):
    class Meta:
        model = AuditEvent

    actor = factory.SubFactory(UserFactory)
    action = "user.update"
    object_type = "User"
    object_id = "1"


class RubricFactory(BaseFactory):
    """A rubric; ``RubricFactory(criteria=2)`` adds criteria with three levels (0, 1, 2 points)."""

    class Meta:
        model = Rubric

    path = factory.SubFactory(TrainingPathFactory)
    code = factory.Sequence(lambda n: f"R{n}")
    title = factory.Sequence(lambda n: f"Grille {n}")

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        """Create ``criteria=n`` criteria, each rating a new competency of the rubric's path."""
        for _index in range(extracted or 0):
            CriterionFactory(rubric=self, levels=3)


class CriterionFactory(BaseFactory):
    """A criterion rating a competency of its rubric's path; ``levels=n`` adds n levels."""

    class Meta:
        model = Criterion

    rubric = factory.SubFactory(RubricFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Critère {n}")
    description = "Ce que le critère observe."
    competency = factory.SubFactory(
        CompetencyFactory, block__path=factory.SelfAttribute("...rubric.path")
    )

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        """Create ``levels=n`` levels worth 0, 1, … points, evidencing proficiency 1, 2, …"""
        for index in range(extracted or 0):
            RubricLevelFactory(
                criterion=self, position=index + 1, points=index, proficiency=index + 1
            )


class RubricLevelFactory(BaseFactory):
    class Meta:
        model = RubricLevel

    criterion = factory.SubFactory(CriterionFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Niveau {n}")
    descriptor = "Ce que l'on observe à ce niveau."
    points = 1
    proficiency = 2


class AssessmentFactory(BaseFactory):
    """An assignment graded with a rubric of its path; traits ``quiz`` and ``evaluation``."""

    class Meta:
        model = Assessment

    module = factory.SubFactory(ModuleFactory)
    code = factory.Sequence(lambda n: f"A{n}")
    kind = AssessmentKind.ASSIGNMENT
    title = factory.Sequence(lambda n: f"Évaluation {n}")
    instructions = "Rendez un **document**."
    position = factory.Sequence(lambda n: n)
    rubric = factory.SubFactory(RubricFactory, path=factory.SelfAttribute("..module.path"))
    accepts_text = True
    accepts_files = True
    allowed_extensions = "pdf,odt,docx,png,jpg"

    class Params:
        quiz = factory.Trait(kind=AssessmentKind.QUIZ, rubric=None, accepts_files=False)
        evaluation = factory.Trait(kind=AssessmentKind.EVALUATION, accepts_files=False)
        optional = factory.Trait(is_required=False)


class QuestionFactory(BaseFactory):
    """A question of a quiz; ``options=[(text, correct), …]`` (default: one right, one wrong)."""

    class Meta:
        model = Question

    assessment = factory.SubFactory(AssessmentFactory, quiz=True)
    position = factory.Sequence(lambda n: n)
    prompt = factory.Sequence(lambda n: f"Question {n} ?")
    kind = QuestionKind.SINGLE
    points = 1
    explanation = "Parce que."

    class Params:
        multiple = factory.Trait(kind=QuestionKind.MULTIPLE)

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        """Create the options given as (text, correct) pairs."""
        pairs = [("Oui", True), ("Non", False)] if extracted is None else extracted
        for position, (text, correct) in enumerate(pairs, start=1):
            OptionFactory(question=self, position=position, text=text, is_correct=correct)


class OptionFactory(BaseFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory, options=[])
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Réponse {n}")
    is_correct = False


class QuizAttemptFactory(BaseFactory):
    """An open attempt; trait ``submitted`` (scored 0, not passed)."""

    class Meta:
        model = QuizAttempt

    assessment = factory.SubFactory(AssessmentFactory, quiz=True)
    user = factory.SubFactory(UserFactory)
    number = 1
    max_score = 0
    option_order = factory.LazyFunction(dict)

    class Params:
        submitted = factory.Trait(submitted_at=factory.LazyFunction(utcnow), score=0, passed=False)


class AttemptAnswerFactory(BaseFactory):
    class Meta:
        model = AttemptAnswer

    attempt = factory.SubFactory(QuizAttemptFactory)
    question = factory.SubFactory(
        QuestionFactory, assessment=factory.SelfAttribute("..attempt.assessment")
    )
    option = factory.LazyAttribute(lambda o: o.question.options[0])


class SubmissionFactory(BaseFactory):
    class Meta:
        model = Submission

    assessment = factory.SubFactory(AssessmentFactory)
    user = factory.SubFactory(UserFactory)
    version = 1
    text = "Mon travail."
    content_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.text.encode()).hexdigest())

    class Params:
        late = factory.Trait(is_late=True)


class SubmissionFileFactory(BaseFactory):
    class Meta:
        model = SubmissionFile

    submission = factory.SubFactory(SubmissionFactory)
    original_name = "rapport.pdf"
    storage_key = factory.LazyFunction(lambda: secrets.token_hex(16))
    size = 1234
    sha256 = factory.LazyFunction(lambda: secrets.token_hex(32))
    content_type = "application/pdf"


class DeadlineExtensionFactory(BaseFactory):
    class Meta:
        model = DeadlineExtension

    assessment = factory.SubFactory(AssessmentFactory)
    user = factory.SubFactory(UserFactory)
    due_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=7))
    granted_by = factory.SubFactory(UserFactory)
    reason = "Raison médicale."


class GradeFactory(BaseFactory):
    """A grade of a submission, in progress; traits ``graded``, ``released``, ``returned``,
    and ``evaluation`` (no submission)."""

    class Meta:
        model = Grade

    submission = factory.SubFactory(SubmissionFactory)
    assessment = factory.SelfAttribute("submission.assessment")
    learner = factory.SelfAttribute("submission.user")
    grader = factory.SubFactory(UserFactory)
    state = GradeState.GRADING
    max_score = factory.LazyAttribute(lambda o: max_score_of(o.assessment))

    class Params:
        graded = factory.Trait(
            state=GradeState.GRADED, score=factory.SelfAttribute("max_score"), passed=True
        )
        released = factory.Trait(
            state=GradeState.RELEASED,
            score=factory.SelfAttribute("max_score"),
            passed=True,
            released_at=factory.LazyFunction(utcnow),
        )
        returned = factory.Trait(state=GradeState.RETURNED)
        evaluation = factory.Trait(
            submission=None,
            assessment=factory.SubFactory(AssessmentFactory, evaluation=True),
            learner=factory.SubFactory(UserFactory),
        )


class GradeChoiceFactory(BaseFactory):
    class Meta:
        model = GradeChoice

    grade = factory.SubFactory(GradeFactory)
    criterion = factory.SubFactory(
        CriterionFactory, rubric=factory.SelfAttribute("..grade.assessment.rubric")
    )
    level = factory.SubFactory(RubricLevelFactory, criterion=factory.SelfAttribute("..criterion"))


class GradeEventFactory(BaseFactory):
    class Meta:
        model = GradeEvent

    grade = factory.SubFactory(GradeFactory)
    actor = factory.SubFactory(UserFactory)
    action = "grade.save"
    before = None
    after = factory.LazyFunction(lambda: {"state": "grading"})
    accepted = True


class GradeReleaseFactory(BaseFactory):
    class Meta:
        model = GradeRelease

    assessment = factory.SubFactory(AssessmentFactory)
    cohort = factory.SubFactory(CohortFactory, path=factory.SelfAttribute("..assessment.path"))
    released_by = factory.SubFactory(UserFactory)


def _certificate_document(certificate) -> dict:
    """Return the document a factory-made certificate states (no modules, no levels)."""
    path = certificate.cohort.path
    blocks = [certificate.block] if certificate.block else path.blocks
    document = CertificateDocument(
        kind=certificate.kind,
        number=certificate.number,
        learner_name=certificate.learner_name,
        path_title=path.title,
        path_version=certificate.path_version,
        organisation=path.certifier,
        signatory_name="Claire Martin",
        signatory_title="Directrice de la certification",
        place="Lyon",
        issued_on=certificate.issued_at.date(),
        cohort_name=certificate.cohort.name,
        verification_url=f"http://localhost/verify/{certificate.code}",
        blocks=tuple(BlockLine(block.code, block.title) for block in blocks),
        modules=(),
        competencies=(),
    )
    return document_to_json(document)


class CertificateFactory(BaseFactory):
    """A certificate row as issuance leaves it, without rendering a PDF (no stored file).

    Pass ``block=`` for a block attestation; ``revoked=True`` for a revoked one;
    ``pdf=b"..."`` to store those bytes as its PDF (key, SHA-256 and size recorded).
    """

    class Meta:
        model = Certificate

    learner = factory.SubFactory(UserFactory)
    cohort = factory.SubFactory(CohortFactory)
    path = factory.SelfAttribute("cohort.path")
    path_version = factory.SelfAttribute("cohort.path.version")
    block = None
    kind = factory.LazyAttribute(
        lambda o: CertificateKind.BLOCK if o.block else CertificateKind.PATH
    )
    scope = factory.LazyAttribute(lambda o: o.block.code if o.block else PATH_SCOPE)
    number = factory.Sequence(lambda n: f"EBV-2025-{n:08d}")
    code = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    learner_name = factory.SelfAttribute("learner.display_name")
    issued_at = factory.LazyFunction(utcnow)
    document = factory.LazyAttribute(_certificate_document)
    state = CertificateState.VALID
    pdf_sha256 = factory.LazyFunction(lambda: secrets.token_hex(32))
    pdf_size = 20_000
    storage_key = None
    template_version = "test"

    class Params:
        revoked = factory.Trait(
            state=CertificateState.REVOKED,
            revoked_at=factory.LazyFunction(utcnow),
            revocation_reason="Délivré par erreur.",
        )

    @factory.post_generation
    def pdf(self, create, extracted, **kwargs):
        """Store ``pdf=b"..."`` under a new key, as issuance would."""
        if extracted is None:
            return
        from lms.certificates.issuing import certificate_folder
        from lms.core.storage import store_bytes

        stored = store_bytes(certificate_folder(), extracted)
        self.storage_key, self.pdf_sha256, self.pdf_size = stored.key, stored.sha256, stored.size
        if create:
            db.session.commit()


class CertificationDecisionFactory(BaseFactory):
    """A decision awarding the certificate; traits ``deferred``, ``refused``, ``override``."""

    class Meta:
        model = CertificationDecision

    learner = factory.SubFactory(UserFactory)
    cohort = factory.SubFactory(CohortFactory)
    outcome = DecisionOutcome.AWARDED
    reason = ""
    is_override = False
    decided_by = factory.SubFactory(UserFactory, is_admin=True)
    decided_at = factory.LazyFunction(utcnow)
    snapshot = factory.LazyFunction(lambda: {"eligible": True, "missing": [], "blocks": []})

    class Params:
        deferred = factory.Trait(outcome=DecisionOutcome.DEFERRED, reason="Soutenance à repasser.")
        refused = factory.Trait(outcome=DecisionOutcome.REFUSED, reason="Travaux non rendus.")
        override = factory.Trait(is_override=True, reason="Validation des acquis de l'expérience.")


class TrainingSessionFactory(BaseFactory):
    """A half-day session in person (3 h 30 tomorrow morning); trait ``remote``."""

    class Meta:
        model = TrainingSession

    cohort = factory.SubFactory(CohortFactory)
    module = factory.SubFactory(ModuleFactory)
    starts_at = factory.LazyFunction(
        lambda: (utcnow() + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + timedelta(hours=3.5))
    modality = Modality.IN_PERSON
    place = "Tiers-lieu La Fabrique, 12 rue des Arts, Lille"
    link = None

    class Params:
        remote = factory.Trait(
            modality=Modality.REMOTE, place=None, link="https://visio.example.org/bien-vivre"
        )


class AttendanceSheetFactory(BaseFactory):
    """An open sheet; trait ``closed`` (closed by a new trainer now, no PDF)."""

    class Meta:
        model = AttendanceSheet

    session = factory.SubFactory(TrainingSessionFactory)
    state = SheetState.OPEN

    class Params:
        closed = factory.Trait(
            state=SheetState.CLOSED,
            closed_at=factory.LazyFunction(utcnow),
            closed_by=factory.SubFactory(UserFactory),
        )


class AttendanceRecordFactory(BaseFactory):
    """A learner present (signed with the code); traits ``absent``, ``late``, ``excused``."""

    class Meta:
        model = AttendanceRecord

    sheet = factory.SubFactory(AttendanceSheetFactory)
    learner = factory.SubFactory(UserFactory)
    status = AttendanceStatus.PRESENT
    recorded_by = RecordedBy.CODE
    recorded_at = factory.LazyFunction(utcnow)

    class Params:
        absent = factory.Trait(status=AttendanceStatus.ABSENT, recorded_by=RecordedBy.TRAINER)
        late = factory.Trait(
            status=AttendanceStatus.LATE,
            arrived_at=factory.LazyAttribute(
                lambda record: record.sheet.session.starts_at + timedelta(minutes=20)
            ),
        )
        excused = factory.Trait(
            status=AttendanceStatus.EXCUSED,
            recorded_by=RecordedBy.TRAINER,
            reason="Rendez-vous médical (justificatif fourni).",
        )


class ProjectFactory(BaseFactory):
    """A learner's project on their cohort's territory (the learner is enrolled by the caller)."""

    class Meta:
        model = Project

    cohort = factory.SubFactory(CohortFactory)
    learner = factory.SubFactory(UserFactory)
    territory = factory.LazyAttribute(lambda project: project.cohort.territory)
    title = factory.Sequence(lambda n: f"Jardin partagé n° {n}")
    holder = "Association Les Pieds dans la Terre"
    partners = "Mairie de quartier\nCentre social"
    stage = ProjectStage.EXPERIMENTATION
    description = "Un jardin cultivé par les habitant·es d'une résidence et l'école voisine."


class PositioningFactory(BaseFactory):
    """A learner's entry positioning in a cohort (the learner is enrolled by the caller)."""

    class Meta:
        model = Positioning

    cohort = factory.SubFactory(CohortFactory)
    learner = factory.SubFactory(UserFactory)


class PositioningLevelFactory(BaseFactory):
    """One competency of a positioning, self-assessed at level 1."""

    class Meta:
        model = PositioningLevel

    positioning = factory.SubFactory(PositioningFactory)
    competency = factory.SubFactory(CompetencyFactory)
    self_level = 1


class SurveyFactory(BaseFactory):
    """An « à chaud » end-of-path survey on a five-value scale, without questions."""

    class Meta:
        model = Survey

    path = factory.SubFactory(TrainingPathFactory)
    code = factory.Sequence(lambda n: f"enquete-{n}")
    kind = SurveyKind.PATH_HOT
    title = "Votre avis sur la formation"
    anonymous = False
    delay_days = factory.LazyAttribute(
        lambda survey: 90 if survey.kind == SurveyKind.PATH_COLD else None
    )
    scale_labels = [
        "Très insatisfait·e",
        "Insatisfait·e",
        "Neutre",
        "Satisfait·e",
        "Très satisfait·e",
    ]
    position = factory.Sequence(lambda n: n + 1)


class SurveyQuestionFactory(BaseFactory):
    """A scale question of a survey."""

    class Meta:
        model = SurveyQuestion

    survey = factory.SubFactory(SurveyFactory)
    code = factory.Sequence(lambda n: f"q{n}")
    position = factory.Sequence(lambda n: n + 1)
    kind = SurveyQuestionKind.SCALE
    text = "Dans l'ensemble, êtes-vous satisfait·e de la formation ?"


class SurveyCampaignFactory(BaseFactory):
    """A survey put to a cohort, open for a fortnight from now."""

    class Meta:
        model = SurveyCampaign

    survey = factory.SubFactory(SurveyFactory)
    cohort = factory.SubFactory(CohortFactory)
    opens_at = factory.LazyFunction(utcnow)
    closes_at = factory.LazyAttribute(lambda campaign: campaign.opens_at + timedelta(days=14))


class SurveyParticipationFactory(BaseFactory):
    """A learner asked to answer a campaign (the learner is enrolled by the caller)."""

    class Meta:
        model = SurveyParticipation

    campaign = factory.SubFactory(SurveyCampaignFactory)
    learner = factory.SubFactory(UserFactory)


class SurveyResponseFactory(BaseFactory):
    """A named response (pass participation=None and submitted_at=None for an anonymous one)."""

    class Meta:
        model = SurveyResponse

    campaign = factory.SubFactory(SurveyCampaignFactory)
    participation = factory.SubFactory(
        SurveyParticipationFactory, campaign=factory.SelfAttribute("..campaign")
    )
    submitted_at = factory.LazyFunction(utcnow)


class SurveyAnswerFactory(BaseFactory):
    """A scale answer."""

    class Meta:
        model = SurveyAnswer

    response = factory.SubFactory(SurveyResponseFactory)
    question = factory.SubFactory(SurveyQuestionFactory)
    scale_value = 4
