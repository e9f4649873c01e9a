"""A demo learner's work, done as they would have done it: lessons, quizzes, graded work.

Completed modules have every lesson done, quizzes passed with the right answers, and
assignments and evaluations graded « acquis » and released by a trainer (or double-marked in
agreement, ``lms.demo.marking``), so that they are completed by the real rules; in the module
under way, the first lesson is done and the assignment waits for grading.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lms.accounts.models import User
from lms.assessments.assignments.services import submit_assignment
from lms.assessments.assignments.uploads import upload_folder
from lms.assessments.grading.services import release_grade, save_grade, start_grading
from lms.assessments.models import Assessment, AssessmentKind, Submission
from lms.assessments.quizzes.services import start_attempt, submit_attempt
from lms.cohorts.models import Cohort, MembershipRole
from lms.demo import marking
from lms.extensions import db
from lms.learning.services import complete_lesson


def record_progress(
    user: User, cohort: Cohort, completed: tuple[str, ...], partial: str | None, now: datetime
) -> None:
    """Do the work of completed modules as this learner would have, days after each opened.

    Lessons are marked done, quizzes passed, and assignments and evaluations graded and
    released by a trainer, so that every completed module is completed by the real rules.
    In the module under way, the first lesson is done and the assignment waits for grading.
    """
    modules = {module.code: module for module in cohort.path.modules}
    opening = {row.module_id: row.opens_at for row in cohort.calendar}
    trainer = _demo_trainer(cohort)
    for code in completed:
        module = modules[code]
        done_at = min(opening[module.id] + timedelta(days=5), now)
        for lesson in module.lessons:
            complete_lesson(user, cohort, lesson, now=done_at)
        for assessment in _required_assessments(module):
            _pass_assessment(user, cohort, assessment, trainer, done_at)
    if partial:
        module = modules[partial]
        complete_lesson(user, cohort, module.lessons[0], now=now)
        for assessment in _required_assessments(module, AssessmentKind.ASSIGNMENT):
            submission = _submit_work(user, cohort, assessment, now)
            if assessment.is_marked:
                marking.mark_in_disagreement(user, cohort, assessment, submission, now)


def _demo_trainer(cohort: Cohort) -> User:
    return next(m.user for m in cohort.memberships if m.role == MembershipRole.TRAINER)


def _required_assessments(module, kind: AssessmentKind | None = None) -> list[Assessment]:
    assessments = db.session.scalars(
        db.select(Assessment).filter_by(module_id=module.id, is_required=True)
    )
    return [a for a in assessments if kind is None or a.kind == kind]


def _pass_assessment(
    user: User, cohort: Cohort, assessment: Assessment, trainer: User, when: datetime
) -> None:
    """Pass a quiz with the right answers, or have work graded « acquis » and released."""
    if assessment.kind == AssessmentKind.QUIZ:
        attempt = start_attempt(assessment, user, cohort, when, shuffle=lambda options: None)
        answers = {
            question.id: [option.id for option in question.options if option.is_correct]
            for question in assessment.questions
        }
        submit_attempt(attempt, answers, when)
        return
    submission = None
    if assessment.kind == AssessmentKind.ASSIGNMENT:
        submission = _submit_work(user, cohort, assessment, when)
    if assessment.is_marked:  # double marking in agreement (lms.demo.marking)
        marking.pass_marked(user, cohort, assessment, submission, when)
        return
    grade = start_grading(trainer, submission, learner=user, assessment=assessment)
    rubric = assessment.rubric
    assert rubric is not None  # assignments and evaluations are graded with a rubric
    # The third level of each criterion is « Acquis »: a pass that reads like real work.
    choices = {c.id: c.levels[min(2, len(c.levels) - 1)].id for c in rubric.criteria}
    feedback = "Travail solide, argumenté et bien ancré dans le territoire."
    save_grade(
        trainer,
        grade,
        expected_version=grade.version_id,
        choices=choices,
        feedback=feedback,
        finish=True,
    )
    release_grade(trainer, grade)


def _submit_work(user: User, cohort: Cohort, assessment: Assessment, when: datetime) -> Submission:
    text = (
        f"{assessment.title} — rendu de {user.display_name}.\n\n"
        "Le document présente la démarche suivie sur le territoire, les acteurs rencontrés "
        "et les enseignements tirés, avec les pièces demandées dans la consigne."
    )
    return submit_assignment(
        user, assessment, cohort, text, [], upload_folder(), now=when
    ).submission
