"""A small certifying world for certificate tests: the §6 path with two blocks, an oral
evaluation on M8 graded with a rubric covering every competency, an administrator, a trainer.

``world.make_eligible(learner)`` gives a learner what the rules ask, through real records:
every required lesson done and a released evaluation grade rating every competency;
``world.award(learner)`` then records an awarded decision for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lms.accounts.models import User
from lms.assessments.models import Assessment, Criterion
from lms.certificates.decisions import record_decision
from lms.certificates.models import DecisionOutcome
from lms.curriculum.models import Competency, CompetencyBlock
from lms.extensions import db
from tests.factories import (
    AssessmentFactory,
    CompetencyBlockFactory,
    CompetencyFactory,
    CriterionFactory,
    GradeChoiceFactory,
    GradeFactory,
    MembershipFactory,
    ProficiencyLevelFactory,
    RubricFactory,
    UserFactory,
)
from tests.learning.helpers import ALL_MODULES, BienVivrePath, make_bien_vivre_path

SCALE = ("non évalué", "insuffisant", "en cours d'acquisition", "acquis", "maîtrisé")
BLOCKS = {
    "BC1": ("Diagnostiquer un territoire et ses acteurs", ("C1.1", "C1.2")),
    "BC2": ("Mobiliser et fédérer les acteurs", ("C2.1",)),
}


@dataclass
class CertificateWorld:
    """The path, its cohort, blocks and competencies by code, the M8 evaluation and its staff."""

    built: BienVivrePath
    admin: User
    trainer: User
    evaluation: Assessment
    blocks: dict[str, CompetencyBlock] = field(default_factory=dict)
    competencies: dict[str, Competency] = field(default_factory=dict)
    criteria: dict[str, Criterion] = field(default_factory=dict)

    @property
    def cohort(self):
        return self.built.cohort

    @property
    def path(self):
        return self.built.path

    def enrol(self, **user_fields) -> User:
        """Enrol a new learner who has done nothing yet."""
        return self.built.enrol_learner(**user_fields)

    def rate(self, learner: User, levels: Mapping[str, int]) -> None:
        """Record a released M8 evaluation grade giving each competency code its level."""
        grade = GradeFactory(
            evaluation=True,
            released=True,
            assessment=self.evaluation,
            learner=learner,
            grader=self.trainer,
        )
        for code, level in levels.items():
            criterion = self.criteria[code]
            chosen = next(item for item in criterion.levels if item.proficiency == level)
            GradeChoiceFactory(grade=grade, criterion=criterion, level=chosen)

    def make_eligible(self, learner: User, level: int = 3) -> User:
        """Complete every module and rate every competency at ``level``; return the learner."""
        self.built.complete_modules(learner, ALL_MODULES)
        self.rate(learner, dict.fromkeys(self.competencies, level))
        return learner

    def eligible_learner(self, **user_fields) -> User:
        """Enrol a learner and make them eligible for the path certificate."""
        return self.make_eligible(self.enrol(**user_fields))

    def award(self, *learners: User) -> None:
        """Record an awarded decision (no reason) for each learner, by the admin, and commit."""
        for learner in learners:
            record_decision(
                self.cohort,
                learner,
                outcome=DecisionOutcome.AWARDED,
                reason="",
                decided_by=self.admin,
            )
        db.session.commit()


def make_certificate_world() -> CertificateWorld:
    """Create the world (see the module docstring); every module is open."""
    built = make_bien_vivre_path()
    path = built.path
    for value, label in enumerate(SCALE):
        ProficiencyLevelFactory(path=path, value=value, label=label)
    rubric = RubricFactory(path=path, code="SOUTENANCE", title="Grille de soutenance")
    trainer = UserFactory(display_name="Formatrice Référente")
    MembershipFactory(user=trainer, cohort=built.cohort, trainer=True)
    world = CertificateWorld(
        built=built,
        admin=UserFactory(is_admin=True, display_name="Administratrice"),
        trainer=trainer,
        evaluation=AssessmentFactory(
            module=built.modules["M8"],
            code="M8-SOUTENANCE",
            title="Soutenance orale",
            evaluation=True,
            rubric=rubric,
        ),
    )
    for position, (code, (title, competencies)) in enumerate(BLOCKS.items(), start=1):
        block = CompetencyBlockFactory(path=path, code=code, title=title, position=position)
        world.blocks[code] = block
        for rank, competency_code in enumerate(competencies, start=1):
            competency = CompetencyFactory(
                block=block,
                code=competency_code,
                title=f"Compétence {competency_code}",
                position=rank,
            )
            world.competencies[competency_code] = competency
            world.criteria[competency_code] = CriterionFactory(
                rubric=rubric, competency=competency, levels=4
            )
    db.session.commit()
    return world
