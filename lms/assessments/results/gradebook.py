"""The trainer's gradebook of a cohort: learners × assessments, with state, score and totals.

Columns are the path's assessments grouped by module in chronological order; each cell holds the
learner's state in the assessment and, when there is one, the score in percent: the best submitted
attempt of a quiz, the latest grade of an assignment or evaluation. The trainer sees grades that
are not released yet, marked as such (``is_released``); this view is for the cohort's trainers
and administrators only, and nothing here reaches learner pages.

A module's total is the mean of its scored assessments weighted by their weights (assessments of
weight 0, or not scored yet, do not count; None when none is scored).

The whole gradebook costs a constant number of queries (six) whatever the cohort size: modules
with their prerequisites, assessments, learners, quiz attempts (aggregated), evaluations' grades,
and submissions with their grades.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import case, func
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.assessments.models import (
    Assessment,
    AssessmentKind,
    Grade,
    GradeState,
    QuizAttempt,
    Submission,
    SubmissionState,
)
from lms.assessments.results.released import is_released
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.curriculum.graph import topological_order
from lms.curriculum.models import Module
from lms.extensions import db


class CellState(StrEnum):
    """Where a learner stands in an assessment, as the trainer sees it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"  # a quiz attempt is open
    SUBMITTED = "submitted"  # handed in, not graded yet
    GRADING = "grading"
    GRADED = "graded"  # complete, not released to the learner yet
    RELEASED = "released"
    RETURNED = "returned"  # returned for revision
    PASSED = "passed"  # quizzes: the best submitted attempt passed
    NOT_PASSED = "not_passed"


def state_words() -> dict[str, str]:
    """Return each cell state in words (translated once per page)."""
    return {
        CellState.NOT_STARTED: _("Not started"),
        CellState.IN_PROGRESS: _("In progress"),
        CellState.SUBMITTED: _("To grade"),
        CellState.GRADING: _("Grading"),
        CellState.GRADED: _("Graded"),
        CellState.RELEASED: _("Released"),
        CellState.RETURNED: _("Returned"),
        CellState.PASSED: _("Passed"),
        CellState.NOT_PASSED: _("Not passed"),
        "not_released": _("not released"),
    }


class Cell(NamedTuple):
    """One learner's result in one assessment."""

    state: CellState
    percent: int | None = None  # the score in percent, when scored
    is_released: bool = True  # False: a grade the learner cannot see yet
    passed: bool | None = None


EMPTY = Cell(CellState.NOT_STARTED)
# Learner id -> assessment id -> cell. Nested rather than keyed by (learner, assessment) pairs:
# 12,000 pair keys would be as many objects for the garbage collector to track and promote,
# and a large gradebook then paid for full collections of the whole heap.
Cells = dict[int, dict[int, Cell]]
# Cells repeat a lot (500 learners × 24 assessments, few distinct values): share them, so that a
# large gradebook allocates a few hundred cells rather than thousands.
cell = functools.cache(Cell)


class LearnerInfo(NamedTuple):
    id: int
    display_name: str
    email: str


@dataclass(frozen=True)
class ModuleColumns:
    """A module and its assessments, in the order of the columns."""

    module: Module
    assessments: tuple[Assessment, ...]


@dataclass(frozen=True)
class GradebookRow:
    """A learner's cells (aligned with the columns) and totals (aligned with the modules)."""

    learner: LearnerInfo
    cells: tuple[Cell, ...]
    totals: tuple[int | None, ...]


@dataclass(frozen=True)
class Gradebook:
    cohort: Cohort
    modules: tuple[ModuleColumns, ...]
    rows: tuple[GradebookRow, ...]

    @property
    def assessments(self) -> list[Assessment]:
        """Return every column's assessment, in order."""
        return [a for columns in self.modules for a in columns.assessments]


def percent(score: float | None, max_score: float | None) -> int | None:
    """Return the score in whole percent, rounded half up (None when there is no score)."""
    if score is None or not max_score:
        return None
    return int((200 * score + max_score) // (2 * max_score))


def _columns(cohort: Cohort) -> tuple[ModuleColumns, ...]:
    """Return the path's modules in chronological order with their assessments (two queries)."""
    modules = list(
        db.session.scalars(
            db.select(Module)
            .where(Module.path_id == cohort.path_id)
            .order_by(Module.position)
            .options(joinedload(Module.prerequisites))
        ).unique()
    )
    order = topological_order({m.code: [p.code for p in m.prerequisites] for m in modules})
    assessments: dict[int, list[Assessment]] = {}
    for assessment in db.session.scalars(
        db.select(Assessment)
        .where(Assessment.path_id == cohort.path_id)
        .order_by(Assessment.position, Assessment.id)
    ):
        assessments.setdefault(assessment.module_id, []).append(assessment)
    modules.sort(key=lambda module: order.index(module.code))
    return tuple(ModuleColumns(m, tuple(assessments.get(m.id, ()))) for m in modules)


def _rows(query):
    """Run a query of plain columns on the session's connection (no ORM entities to build).

    The rows are read one by one, never all kept at once: thousands of row objects alive
    together would make the garbage collector promote them and then sweep the whole heap.
    """
    return db.session.connection().execute(query)


def _learner_ids(cohort: Cohort):
    """Return a select of the ids of the cohort's learners."""
    return db.select(Membership.user_id).where(
        Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER
    )


def _learners(cohort: Cohort) -> list[LearnerInfo]:
    """Return the cohort's learners by name (one query)."""
    rows = db.session.execute(
        db.select(User.id, User.display_name, User.email)
        .where(User.id.in_(_learner_ids(cohort)))
        .order_by(User.display_name, User.id)
    )
    return [LearnerInfo(*row) for row in rows]


def _add_quiz_cells(cells: Cells, cohort: Cohort, ids: Sequence[int]) -> None:
    """Add each learner's quiz cells from the attempts, aggregated in the database (one query)."""
    submitted = QuizAttempt.submitted_at.is_not(None)
    rows = _rows(
        db.select(
            QuizAttempt.user_id,
            QuizAttempt.assessment_id,
            func.max(case((submitted, QuizAttempt.score))),
            func.max(QuizAttempt.max_score),
            func.max(case((submitted & QuizAttempt.passed, 1), else_=0)),
            func.max(case((submitted, 1), else_=0)),
        )
        .where(QuizAttempt.assessment_id.in_(ids), QuizAttempt.user_id.in_(_learner_ids(cohort)))
        .group_by(QuizAttempt.user_id, QuizAttempt.assessment_id)
    )
    for user_id, assessment_id, best, max_score, passed, any_submitted in rows:
        if not any_submitted:
            cells[user_id][assessment_id] = cell(CellState.IN_PROGRESS)
            continue
        state = CellState.PASSED if passed else CellState.NOT_PASSED
        cells[user_id][assessment_id] = cell(state, percent(best, max_score), True, bool(passed))


def _grade_cell(state: GradeState, score, max_score, passed, released: bool) -> Cell:
    """Return the cell of a grade; a grade in progress or returned shows no score."""
    if state in (GradeState.GRADING, GradeState.RETURNED):
        return cell(CellState(state), None, False)
    shown = CellState.RELEASED if released else CellState.GRADED
    return cell(shown, percent(score, max_score), released, passed)


def _submission_cell(handed_in: SubmissionState, state, score, max_score, passed, released):
    """Return the cell of a submission: its grade's when graded, else to grade or returned."""
    if state is not None:
        return _grade_cell(state, score, max_score, passed, bool(released))
    waiting = CellState.RETURNED if handed_in == SubmissionState.RETURNED else CellState.SUBMITTED
    return cell(waiting, None, False)


def _add_work_cells(cells: Cells, cohort: Cohort, ids: Sequence[int]) -> None:
    """Add each learner's cells from evaluations' grades and submissions (two queries).

    A submitted work's cell is its latest version's: its grade when it has one, else "to grade"
    or "returned". Each submission comes with its grade in the same row (joined), so that the
    rows read are as many as the cells, not grades and submissions on top of each other.
    """
    learners = _learner_ids(cohort)
    grade = (Grade.state, Grade.score, Grade.max_score, Grade.passed, is_released())
    evaluations = db.select(Grade.learner_id, Grade.assessment_id, *grade).where(
        Grade.assessment_id.in_(ids), Grade.learner_id.in_(learners), Grade.submission_id.is_(None)
    )
    for user_id, assessment_id, state, score, max_score, passed, released in _rows(evaluations):
        cells[user_id][assessment_id] = _grade_cell(state, score, max_score, passed, bool(released))
    works = (
        db.select(Submission.user_id, Submission.assessment_id, Submission.state, *grade)
        .outerjoin(Grade, Grade.submission_id == Submission.id)
        .where(Submission.assessment_id.in_(ids), Submission.user_id.in_(learners))
        .order_by(Submission.version)  # the latest version is written last
    )
    for user_id, assessment_id, handed_in, *graded in _rows(works):
        cells[user_id][assessment_id] = _submission_cell(handed_in, *graded)


def module_total(cells: Iterable[Cell], weights: Iterable[int]) -> int | None:
    """Return the weighted mean percent of the scored assessments of a module (None if none).

    ``weights`` are the weights of the module's assessments, aligned with ``cells``.
    """
    weighted = total_weight = 0
    for cell, weight in zip(cells, weights, strict=True):
        if cell.percent is not None and weight > 0:
            weighted += cell.percent * weight
            total_weight += weight
    return percent(weighted, 100 * total_weight) if total_weight else None


def cohort_gradebook(cohort: Cohort) -> Gradebook:
    """Return the gradebook of every learner of the cohort (a constant number of queries)."""
    modules = _columns(cohort)
    columns = [a for group in modules for a in group.assessments]
    quizzes = [a.id for a in columns if a.kind == AssessmentKind.QUIZ]
    others = [a.id for a in columns if a.kind != AssessmentKind.QUIZ]
    cells: Cells = defaultdict(dict)
    if quizzes:
        _add_quiz_cells(cells, cohort, quizzes)
    if others:
        _add_work_cells(cells, cohort, others)
    spans, start = [], 0
    for group in modules:
        weights = tuple(a.weight for a in group.assessments)
        spans.append((start, start + len(weights), weights))
        start += len(weights)
    ids = [a.id for a in columns]
    rows = []
    for learner in _learners(cohort):
        mine = cells.get(learner.id, {})
        row = tuple([mine.get(i, EMPTY) for i in ids])
        totals = tuple(module_total(row[first:end], weights) for first, end, weights in spans)
        rows.append(GradebookRow(learner, row, totals))
    return Gradebook(cohort, modules, tuple(rows))
