"""Rendering budget (PERFORMANCE.md target 5): the trainer gradebook through the app vs alone.

Seeds the shipped path, topped up to 24 assessments (quizzes, assignments, evaluations), a cohort
of ``--learners`` learners (500 by default) and, deterministically, their work in every state:
open and submitted quiz attempts, submissions, grades being written, returned, graded but not
released, released. Then measures, with medians of ``time.perf_counter`` after a warm-up:

- ``gradebook``: the page fully served (test client, logged-in trainer: access check, queries,
  cells and totals, template);
- its floor: the same template rendered from a ``Gradebook`` computed beforehand in memory.

Run ``python -m benchmarks.gradebook_ratio [--database-url URL] [--learners 500]``. Without a URL
the data goes into a temporary SQLite file; a given database is emptied and filled (use a scratch
one).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, render_template
from flask_login import login_user

from benchmarks.harness import (
    TRAINER_EMAIL,
    describe,
    enrol_learners,
    median_seconds,
    options,
    person,
    report,
    seeded_app,
    served,
)
from lms.accounts.models import User
from lms.assessments.models import (
    Assessment,
    AssessmentKind,
    Grade,
    GradeState,
    QuizAttempt,
    Rubric,
    Submission,
    SubmissionState,
)
from lms.assessments.registry import max_score_of
from lms.assessments.results.gradebook import cohort_gradebook, state_words
from lms.cohorts.models import Cohort, Membership, MembershipRole, ModuleCalendar
from lms.curriculum.models import Module
from lms.curriculum.services import load_path_file, shipped_path_file
from lms.extensions import db

ASSESSMENTS = 24
TARGET = 3.0
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
KINDS = (AssessmentKind.QUIZ, AssessmentKind.ASSIGNMENT, AssessmentKind.EVALUATION)


def _top_up(path_id: int, modules: list[Module]) -> list[Assessment]:
    """Add assessments to the path's modules, in turn, until it has ``ASSESSMENTS``."""
    existing = list(db.session.scalars(db.select(Assessment).filter_by(path_id=path_id)))
    rubric = db.session.scalars(db.select(Rubric).filter_by(path_id=path_id)).first()
    for index in range(ASSESSMENTS - len(existing)):
        module, kind = modules[index % len(modules)], KINDS[index % len(KINDS)]
        db.session.add(
            Assessment(
                module=module,
                code=f"{module.code}-X{index}",
                kind=kind,
                title=f"Évaluation complémentaire {index}",
                position=100 + index,
                weight=1 + index % 3,
                rubric=None if kind == AssessmentKind.QUIZ else rubric,
                accepts_files=False,
            )
        )
    db.session.flush()
    return list(db.session.scalars(db.select(Assessment).filter_by(path_id=path_id)))


def seed(learners: int) -> tuple[int, int]:
    """Fill the database; return the ids of the cohort and its trainer."""
    path = load_path_file(shipped_path_file()).path
    modules = list(
        db.session.scalars(db.select(Module).filter_by(path_id=path.id).order_by(Module.position))
    )
    assessments = _top_up(path.id, modules)
    cohort = Cohort(
        name="Promotion de mesure",
        path=path,
        starts_on=NOW.date() - timedelta(days=130),
        ends_on=NOW.date() + timedelta(days=200),
        capacity=None,
    )
    db.session.add(cohort)
    for number, module in enumerate(modules):
        opens_at = NOW - timedelta(days=120 - 15 * number)
        db.session.add(ModuleCalendar(cohort=cohort, module=module, opens_at=opens_at))
    trainer = person(TRAINER_EMAIL, "Fatou Formatrice")
    db.session.add(Membership(user=trainer, cohort=cohort, role=MembershipRole.TRAINER))
    db.session.flush()
    _seed_work(enrol_learners(cohort, learners), assessments)
    return cohort.id, trainer.id


def _seed_work(ids: list[int], assessments: list[Assessment]) -> None:
    """Insert every learner's work: the stage of (learner, assessment) cycles through 0..9."""
    attempts, submissions, grades = [], [], []
    for column, assessment in enumerate(assessments):
        top = max_score_of(assessment) or 10
        for row, user_id in enumerate(ids):
            stage = (row * 7 + column * 3) % 10
            score = stage * top // 10
            passed = score * 100 >= assessment.pass_mark_percent * top
            if assessment.kind == AssessmentKind.QUIZ and stage >= 2:
                done = {"submitted_at": NOW, "score": score, "passed": passed} if stage > 2 else {}
                attempts.append(
                    {"assessment_id": assessment.id, "user_id": user_id, "number": 1}
                    | {"max_score": top, "started_at": NOW}
                    | done
                )
            elif assessment.kind != AssessmentKind.QUIZ and stage >= 2:
                grade = _grade(assessment, user_id, stage, score, top, passed)
                if assessment.kind == AssessmentKind.ASSIGNMENT:
                    submissions.append(_submission(assessment, user_id, stage))
                if grade is not None:
                    grades.append(grade)
    db.session.execute(db.insert(QuizAttempt), attempts)
    db.session.execute(db.insert(Submission), submissions)
    owners = db.select(Submission.assessment_id, Submission.user_id, Submission.id)
    by_owner = {(a, u): s for a, u, s in db.session.execute(owners)}
    for grade in grades:
        grade["submission_id"] = by_owner.get((grade["assessment_id"], grade["learner_id"]))
    db.session.execute(db.insert(Grade), grades)


def _submission(assessment: Assessment, user_id: int, stage: int) -> dict:
    """Return the row of a learner's submission, returned at stage 4."""
    state = SubmissionState.RETURNED if stage == 4 else SubmissionState.SUBMITTED
    return {
        "assessment_id": assessment.id,
        "user_id": user_id,
        "version": 1,
        "content_sha256": f"{user_id:064x}",
        "submitted_at": NOW,
        "state": state,
    }


def _grade(assessment, user_id: int, stage: int, score: int, top: int, passed: bool):
    """Return a grade row for the stage: 3 grading, 4 returned, 5–6 graded, 7–9 released."""
    if stage < 3:
        return None
    state = {3: GradeState.GRADING, 4: GradeState.RETURNED}.get(
        stage, GradeState.GRADED if stage < 7 else GradeState.RELEASED
    )
    scored = state in (GradeState.GRADED, GradeState.RELEASED)
    return {
        "assessment_id": assessment.id,
        "learner_id": user_id,
        "state": state,
        "score": score if scored else None,
        "max_score": top,
        "passed": passed if scored else None,
        "version_id": 1,
        "released_at": NOW if state == GradeState.RELEASED else None,
    }


def gradebook_floor(app: Flask, cohort_id: int, trainer_id: int, repeat: int, warmup: int) -> float:
    """Time the gradebook template alone, from a Gradebook computed beforehand."""
    with app.test_request_context(f"/manage/cohorts/{cohort_id}/gradebook"):
        login_user(db.session.get(User, trainer_id))
        book = cohort_gradebook(db.session.get(Cohort, cohort_id))
        words = state_words()
        return median_seconds(
            lambda: render_template("assessments/gradebook.html", book=book, words=words),
            repeat,
            warmup,
        )


def main(argv: list[str] | None = None) -> None:
    """Seed, measure and print the gradebook rendering ratio."""
    args = options(__doc__.splitlines()[0], argv, learners=500, repeat=9, warmup=2)
    with seeded_app(args.database_url, lambda: seed(args.learners)) as (app, ids):
        cohort_id, trainer_id = ids
        describe(app, learners=args.learners, assessments=ASSESSMENTS)
        page = served(app, TRAINER_EMAIL, f"/manage/cohorts/{cohort_id}/gradebook")
        report(
            "gradebook",
            median_seconds(page, args.repeat, args.warmup),
            gradebook_floor(app, cohort_id, trainer_id, args.repeat, args.warmup),
            TARGET,
        )


if __name__ == "__main__":
    main()
