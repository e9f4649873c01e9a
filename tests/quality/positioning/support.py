"""A path with a described scale, two blocks, an entry quiz and a cohort with its people."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from lms.extensions import db
from lms.quality.positioning.frame import frame_of
from lms.quality.positioning.models import PathPositioning
from lms.quality.positioning.services import SelfLevel, review_positioning, self_assess

SCALE = (
    ("Non évalué", "Je découvre cette compétence."),
    ("Insuffisant", "J'en ai une première idée."),
    ("En cours d'acquisition", "Je l'ai déjà exercée avec un appui."),
    ("Acquis", "Je la mets en œuvre seul·e."),
    ("Maîtrisé", "Je pourrais la transmettre."),
)


def declare_positioning(path, *, quiz_module=None, instructions="Situez-vous **franchement**."):
    """Describe the path's scale (0–4), give it two blocks of competencies and an entry quiz."""
    from tests.factories import (
        AssessmentFactory,
        CompetencyBlockFactory,
        CompetencyFactory,
        ProficiencyLevelFactory,
        QuestionFactory,
    )

    for value, (label, description) in enumerate(SCALE):
        ProficiencyLevelFactory(path=path, value=value, label=label, description=description)
    first = CompetencyBlockFactory(path=path, code="BC1", title="Diagnostiquer", position=1)
    second = CompetencyBlockFactory(path=path, code="BC2", title="Mobiliser", position=2)
    competencies = [
        CompetencyFactory(block=first, code="C1.1", title="Situer son action", position=1),
        CompetencyFactory(block=first, code="C1.2", title="Diagnostiquer", position=2),
        CompetencyFactory(
            block=second, code="C2.1", title="Nouer des alliances", position=1, required_level=2
        ),
    ]
    quiz = None
    if quiz_module is not None:
        quiz = AssessmentFactory(
            module=quiz_module, quiz=True, code="M1-Q0", title="Quiz de positionnement"
        )
        QuestionFactory(assessment=quiz, points=2)
    db.session.add(
        PathPositioning(
            path_id=path.id,
            entry_quiz_code=quiz.code if quiz else None,
            instructions=instructions,
        )
    )
    db.session.commit()
    return competencies, quiz


def self_assessed(cohort, learner, levels, comment=""):
    """Record the learner's self-assessment (one level per competency, in order) and commit."""
    frame = frame_of(cohort.path_id)
    answers = {
        c.id: SelfLevel(level, comment) for c, level in zip(frame.competencies, levels, strict=True)
    }
    positioning = self_assess(learner, cohort, frame, answers, expected_version=None)
    db.session.commit()
    return positioning


def reviewed(cohort, learner, trainer, levels, adjustments="Aucune adaptation nécessaire."):
    """Record the entry levels (one per competency, in order) and commit."""
    from lms.quality.positioning.services import positioning_of

    frame = frame_of(cohort.path_id)
    entries = {c.id: level for c, level in zip(frame.competencies, levels, strict=True)}
    existing = positioning_of(cohort, learner)
    positioning = review_positioning(
        trainer,
        cohort,
        learner,
        frame,
        entries,
        adjustments,
        expected_version=existing.version_id if existing else None,
    )
    db.session.commit()
    return positioning


class PositioningWorld:
    """A cohort whose path has a described scale, three competencies and an entry quiz; its
    people by role."""

    def __init__(self) -> None:
        from tests.factories import (
            CohortFactory,
            MembershipFactory,
            TerritoryAdministratorFactory,
            UserFactory,
        )
        from tests.learning.helpers import make_bien_vivre_path

        built = make_bien_vivre_path(codes=("M1", "M2"), opened=("M1",))
        self.cohort = built.cohort
        self.competencies, self.quiz = declare_positioning(
            self.cohort.path, quiz_module=built.modules["M1"]
        )
        self.other_cohort = CohortFactory(path=self.cohort.path)
        person = UserFactory
        self.learner = person(display_name="Aurore Apprenante")
        self.learner_b = person(display_name="Basile Apprenant")
        self.trainer = person(display_name="Tina Formatrice")
        self.trainer_b = person(display_name="Théo Formateur")
        self.other_trainer = person(display_name="Oscar Formateur")
        self.admin = person(admin=True)
        self.local_admin = person(display_name="Louise Locale")
        self.far_admin = person(display_name="Fabien Lointain")
        self.assessor = person(display_name="Ada Évaluatrice")
        self.outsider = person()
        MembershipFactory(user=self.learner, cohort=self.cohort)
        MembershipFactory(user=self.learner_b, cohort=self.cohort)
        MembershipFactory(user=self.trainer, cohort=self.cohort, trainer=True)
        MembershipFactory(user=self.trainer_b, cohort=self.cohort, trainer=True)
        MembershipFactory(user=self.assessor, cohort=self.cohort, assessor=True)
        MembershipFactory(user=self.other_trainer, cohort=self.other_cohort, trainer=True)
        TerritoryAdministratorFactory(user=self.local_admin, territory=self.cohort.territory)
        TerritoryAdministratorFactory(user=self.far_admin, territory=self.other_cohort.territory)
        db.session.commit()


def security_world_positioning(bien_vivre, other, users) -> dict:
    """Both paths of the security world get a described scale, the positioning rules and a
    competency of their own; learner B of ``cohort`` has self-assessed (not reviewed)."""
    from tests.factories import CompetencyBlockFactory, CompetencyFactory, ProficiencyLevelFactory

    for path in (bien_vivre.cohort.path, other.cohort.path):
        if not path.proficiency_levels:
            for value, (label, description) in enumerate(SCALE):
                ProficiencyLevelFactory(
                    path=path, value=value, label=label, description=description
                )
        block = CompetencyBlockFactory(path=path, code="BC-POS", title="Se positionner")
        CompetencyFactory(block=block, code="C-POS", title="Se situer", required_level=2)
        db.session.add(PathPositioning(path_id=path.id, instructions="Situez-vous."))
    db.session.commit()
    frame = frame_of(bien_vivre.cohort.path_id)
    self_assessed(bien_vivre.cohort, users["learner_b"], [1] * len(frame.competencies))
    return {}


class PositioningFormData(Mapping[str, str]):
    """The form of a positioning page for the security world's path, built when it is read: its
    field names carry the ids of the path's competencies, which other blocks of the world add.

    ``kind``: "self" (a level and a comment per competency) or "review" (an entry level per
    competency and the adjustments).
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def _fields(self) -> dict[str, str]:
        from lms.accounts.models import User
        from lms.cohorts.models import Cohort, Membership, MembershipRole
        from tests.security.world import PEOPLE

        path_id = db.session.scalar(
            db.select(Cohort.path_id)
            .join(Membership, Membership.cohort_id == Cohort.id)
            .join(User, User.id == Membership.user_id)
            .where(User.email == PEOPLE["learner_a"][0], Membership.role == MembershipRole.LEARNER)
        )
        competencies = frame_of(path_id).competencies
        if self.kind == "self":
            fields = {f"level_{c.id}": "1" for c in competencies}
            fields.update({f"comment_{c.id}": "Déjà pratiqué." for c in competencies})
            return fields
        fields = {f"entry_{c.id}": "1" for c in competencies}
        return {**fields, "adjustments": "Aucune adaptation nécessaire."}

    def __getitem__(self, key: str) -> str:
        return self._fields()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields())

    def __len__(self) -> int:
        return len(self._fields())

    def __bool__(self) -> bool:  # asked when the routes are declared, before any database
        return True


def live_world_positioning(cohort, reader, reviewed_learner, trainer) -> None:
    """For the browser tests: ``reader`` has self-assessed; ``reviewed_learner`` too, and
    ``trainer`` has reviewed it (flushed: the caller commits)."""
    frame = frame_of(cohort.path_id)
    for learner, level in ((reader, 1), (reviewed_learner, 2)):
        answers = {c.id: SelfLevel(level, "En association.") for c in frame.competencies}
        self_assess(learner, cohort, frame, answers, expected_version=None)
    entries = {c.id: 1 for c in frame.competencies}
    review_positioning(
        trainer,
        cohort,
        reviewed_learner,
        frame,
        entries,
        "Renforcer le module M2.",
        expected_version=1,
    )
