"""A cohort whose assignment and evaluation are double-marked by its trainers, for the tests."""

from __future__ import annotations

from dataclasses import dataclass

from lms.accounts.models import User
from lms.assessments.models import (
    Assessment,
    Grade,
    MarkerPool,
    Marking,
    MarkingAgreement,
    MarkingRole,
)
from lms.extensions import db
from tests.assessments.grading.support import GradingWorld, make_grading_world
from tests.factories import MembershipFactory, UserFactory


def declare_marking(
    assessment: Assessment,
    pools=("trainer", "trainer"),
    tolerance=1,
    agreement="lower",
    third="trainer",
) -> None:
    """Declare independent markings on an assessment, as the path definition would."""
    assessment.first_marker_pool = MarkerPool(pools[0])
    assessment.second_marker_pool = MarkerPool(pools[1]) if len(pools) > 1 else None
    assessment.marking_tolerance = tolerance
    assessment.marking_agreement = MarkingAgreement(agreement)
    assessment.third_reader_pool = MarkerPool(third)


@dataclass
class MarkingWorld:
    """The grading world, with three more trainers (four in all) and double marking declared."""

    grading: GradingWorld
    trainers: list[User]

    def __getattr__(self, name):
        return getattr(self.grading, name)

    def marking(self, grade: Grade, role: MarkingRole) -> Marking:
        """Return the grade's marking of a role."""
        return db.session.scalar(db.select(Marking).filter_by(grade_id=grade.id, role=role))


def make_marking_world(**marking) -> MarkingWorld:
    """Create the world: four trainers, the assignment and the evaluation double-marked."""
    grading = make_grading_world()
    names = ["Ada Second", "Basile Third", "Chloé Fourth"]
    trainers = [grading.trainer]
    for name in names:
        trainer = UserFactory(display_name=name)
        MembershipFactory(user=trainer, cohort=grading.cohort, trainer=True)
        trainers.append(trainer)
    declare_marking(grading.assignment, **marking)
    declare_marking(grading.evaluation, **marking)
    db.session.flush()
    return MarkingWorld(grading, trainers)


def form(marking: Marking, choices: dict[int, int], action="save", feedback="", version=None):
    """Return the marking page's form data as a browser posts it."""
    data = {f"criterion-{criterion}": str(level) for criterion, level in choices.items()}
    data.update(
        feedback=feedback,
        action=action,
        version=str(marking.version_id if version is None else version),
    )
    return data


def security_world_marking(bien_vivre, other, users) -> dict:
    """Return an evaluation of M1 marked by the cohort's trainers, and markings of A's and B's."""
    from lms.assessments.models import GradeState, MarkingState
    from tests.factories import AssessmentFactory, RubricFactory

    evaluation = AssessmentFactory(
        module=bien_vivre.modules["M1"],
        code="M1-E2",
        evaluation=True,
        rubric=RubricFactory(path=bien_vivre.path, criteria=1),
    )
    declare_marking(evaluation, pools=("trainer",))

    def marked(learner, marker):
        grade = Grade(
            assessment=evaluation,
            learner=learner,
            state=GradeState.GRADING,
            max_score=evaluation.rubric.max_points,
            feedback="",
        )
        marking = Marking(
            grade=grade,
            marker=marker,
            role=MarkingRole.FIRST,
            pool=MarkerPool.TRAINER,
            state=MarkingState.ALLOCATED,
            feedback="",
        )
        db.session.add_all([grade, marking])
        return marking

    own = marked(users["learner_a"], users["trainer"])
    spare = marked(users["learner_b"], users["other_trainer"])
    db.session.flush()
    return {"marked_evaluation": evaluation, "marking": own, "spare_marking": spare}
