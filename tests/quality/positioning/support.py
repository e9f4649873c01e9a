"""A path with a described scale, two blocks, an entry quiz and a cohort with its people."""

from __future__ import annotations

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
