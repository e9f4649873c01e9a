"""factory-boy factories for every model; they commit, like a real request would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from lms.accounts.models import AuditEvent, User
from lms.cohorts.models import Cohort, Membership, MembershipRole, ModuleCalendar
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

DEFAULT_PASSWORD = "correct horse battery staple"


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
        """Hash ``password=...`` (or the default test password) into the user."""
        self.set_password(extracted or DEFAULT_PASSWORD)
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


class CohortFactory(BaseFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Promotion {n}")
    path = factory.SubFactory(TrainingPathFactory)
    starts_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: date.today() + timedelta(days=300))
    capacity = 30


class ModuleCalendarFactory(BaseFactory):
    class Meta:
        model = ModuleCalendar

    cohort = factory.SubFactory(CohortFactory)
    module = factory.SubFactory(ModuleFactory)
    opens_at = factory.LazyFunction(lambda: datetime.now(UTC) - timedelta(days=1))
    closes_at = None

    class Params:
        future = factory.Trait(
            opens_at=factory.LazyFunction(lambda: datetime.now(UTC) + timedelta(days=30))
        )


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    cohort = factory.SubFactory(CohortFactory)
    role = MembershipRole.LEARNER

    class Params:
        trainer = factory.Trait(role=MembershipRole.TRAINER)


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
