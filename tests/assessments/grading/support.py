"""A cohort with an assignment and an evaluation graded by rubric, for the grading tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from lms.accounts.models import User
from lms.assessments.models import Assessment, Criterion, Grade, Submission
from lms.cohorts.models import Cohort
from lms.extensions import db
from tests.factories import (
    AssessmentFactory,
    MembershipFactory,
    RubricFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.learning.helpers import BienVivrePath, make_bien_vivre_path


@dataclass
class GradingWorld:
    """A trainer's cohort (M1, M2 open; M3 not scheduled), its learners and assessments."""

    bien_vivre: BienVivrePath
    trainer: User
    learner: User
    assignment: Assessment  # M2, rubric of two criteria with levels worth 0, 1, 2 points
    evaluation: Assessment  # M2, same kind of rubric, no submission
    closed_evaluation: Assessment  # M3: its module is not open
    submission: Submission
    learners: list[User] = field(default_factory=list)

    @property
    def cohort(self) -> Cohort:
        return self.bien_vivre.cohort

    def criteria(self, assessment: Assessment | None = None) -> list[Criterion]:
        """Return the rubric's criteria of an assessment (default: the assignment)."""
        return (assessment or self.assignment).rubric.criteria

    def levels(self, *points: int, assessment: Assessment | None = None) -> dict[int, int]:
        """Return {criterion id: level id}: for criterion i, the level worth ``points[i]``."""
        return {
            criterion.id: next(lv.id for lv in criterion.levels if lv.points == wanted)
            for criterion, wanted in zip(self.criteria(assessment), points, strict=True)
        }

    def submit(self, learner: User, text: str = "Mon travail.") -> Submission:
        """Record a submission of the assignment by ``learner``."""
        return SubmissionFactory(assessment=self.assignment, user=learner, text=text)


def make_grading_world(display_name: str = "Lina Learner") -> GradingWorld:
    """Create the cohort, its trainer, one learner with a submission, and the assessments."""
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2", "M3"), opened=("M1", "M2"))
    trainer = UserFactory(display_name="Tom Trainer")
    MembershipFactory(user=trainer, cohort=bien_vivre.cohort, trainer=True)
    learner = bien_vivre.enrol_learner(completed=("M1",), display_name=display_name)
    path = bien_vivre.path
    assignment = AssessmentFactory(
        module=bien_vivre.modules["M2"],
        title="Carte des acteurs",
        rubric=RubricFactory(path=path, criteria=2),
    )
    evaluation = AssessmentFactory(
        module=bien_vivre.modules["M2"],
        evaluation=True,
        title="Soutenance",
        rubric=RubricFactory(path=path, criteria=2),
    )
    closed = AssessmentFactory(
        module=bien_vivre.modules["M3"],
        evaluation=True,
        title="Oral M3",
        rubric=RubricFactory(path=path, criteria=1),
    )
    submission = SubmissionFactory(assessment=assignment, user=learner, text="Mon travail.")
    return GradingWorld(
        bien_vivre, trainer, learner, assignment, evaluation, closed, submission, [learner]
    )


def grade_form(
    grade: Grade, choices: dict[int, int], action: str = "save", feedback: str = "", version=None
) -> dict[str, str]:
    """Return the grading page's form data as a browser posts it."""
    data = {f"criterion-{criterion}": str(level) for criterion, level in choices.items()}
    data.update(
        feedback=feedback,
        action=action,
        version=str(grade.version_id if version is None else version),
    )
    return data


def reload(grade: Grade) -> Grade:
    """Return the grade as the database holds it now."""
    db.session.expire_all()
    return db.session.get(Grade, grade.id)


def security_world_grading(bien_vivre, other, users) -> dict:
    """Return M1's evaluations (both paths), and grades in progress of A's and Otto's work."""
    from tests.factories import GradeFactory

    def graded_work(module, learner, trainer):
        """Create a second assignment of the module, the learner's version and its grade."""
        rubric = RubricFactory(path=module.path, criteria=1)
        assignment = AssessmentFactory(module=module, code="M1-A2", rubric=rubric)
        submission = SubmissionFactory(assessment=assignment, user=learner, text="À noter.")
        return submission, GradeFactory(submission=submission, grader=trainer)

    submission, grade = graded_work(bien_vivre.modules["M1"], users["learner_a"], users["trainer"])
    other_submission, other_grade = graded_work(
        other.modules["M1"], users["other_learner"], users["other_trainer"]
    )
    return {
        "evaluation": AssessmentFactory(
            module=bien_vivre.modules["M1"],
            code="M1-E1",
            evaluation=True,
            rubric=RubricFactory(path=bien_vivre.path, criteria=1),
        ),
        "other_evaluation": AssessmentFactory(
            module=other.modules["M1"],
            code="M1-E1",
            evaluation=True,
            rubric=RubricFactory(path=other.path, criteria=1),
        ),
        "learner_a_submission": submission,
        "other_learner_submission": other_submission,
        "grade": grade,
        "other_grade": other_grade,
    }
