"""The trainers' grading queue: submitted work and evaluations to record, in one query.

An item is a submission (assignments) or a learner × evaluation (there is nothing to submit: the
trainer records the result). An evaluation not recorded yet is listed once its module is open
for that learner: opened by the cohort's calendar AND its prerequisites completed, as the
chronology engine says (``lms.learning.cohort_progress.open_module_ids``, asked only for the
learners with such an evaluation, a constant number of queries per cohort concerned). Only
learners of the cohorts the user trains appear (administrators: every cohort). The two kinds are one
``UNION ALL`` so that filtering, ordering (oldest first) and paging happen in the database: the
page costs the same few queries for 10 or 500 learners.

The queue opens on the work that needs the trainer (to grade, to record, being graded); a state
filter shows one state (graded, returned, released…), and ``all`` every state.

Work belongs to a learner, not to a cohort (a submission or an evaluation grade has no cohort),
so an item appears ONCE even when its learner learns in several of the user's cohorts that follow
the assessment's path: under the cohort where the learner's work happens now, the one that starts
last (ties: the latest created), as ``lms.learning.services.learner_cohort_for_path`` chooses it.
Filtering by a cohort shows that cohort's learners' work under that cohort.

"Save and next" (``next_item``) walks the same filtered queue in the same order as the page: the
item after the current one that still needs work (with a state filter: the next item in that
state); when the end is reached, work left earlier in the queue comes next, so that nothing that
needs work is passed over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased, joinedload

from lms.accounts.models import User
from lms.assessments.models import (
    Assessment,
    AssessmentKind,
    Grade,
    GradeState,
    Submission,
)
from lms.cohorts.access import staff_cohort_ids
from lms.cohorts.models import Cohort, Membership, MembershipRole, ModuleCalendar
from lms.core.time import utcnow
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.cohort_progress import open_module_ids

STATES = ("to_grade", "grading", "graded", "returned", "released")
EVERY_STATE = "all"  # the state filter that shows work in every state
NEEDS_WORK = ("to_grade", "to_record", "grading")
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows: ids of a cohort, module and assessment, and a state (all optional).

    No state means the work that needs the trainer (``NEEDS_WORK``); ``EVERY_STATE``, all work.
    """

    cohort_id: int | None = None
    module_id: int | None = None
    assessment_id: int | None = None
    state: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> QueueFilters:
        """Read the filters from query arguments; a missing or malformed value filters nothing."""
        state = args.get("state") or None
        return cls(
            cohort_id=positive_int(args.get("cohort")),
            module_id=positive_int(args.get("module")),
            assessment_id=positive_int(args.get("assessment")),
            state=state if state in (*STATES, EVERY_STATE) else None,
        )

    def as_args(self) -> dict[str, int | str]:
        """Return the filters that are set as query arguments (to keep them from page to page)."""
        args = {
            "cohort": self.cohort_id,
            "module": self.module_id,
            "assessment": self.assessment_id,
            "state": self.state,
        }
        return {name: value for name, value in args.items() if value is not None}


def positive_int(value: str | None) -> int | None:
    """Return a query argument as a whole number, or None when it is absent or not a number."""
    value = value or ""
    return int(value) if value.isdigit() and len(value) < 12 else None


@dataclass(frozen=True)
class QueueItem:
    """One line of the queue."""

    kind: str  # "submission" or "evaluation"
    submission_id: int | None
    grade_id: int | None
    assessment_id: int
    learner_id: int
    cohort_id: int
    at: datetime
    state: str
    learner_name: str
    assessment_title: str
    module_code: str
    cohort_name: str


def scope_cohorts(user: User, cohort_id: int | None = None):
    """Return a select of the ids of the cohorts whose work ``user`` grades (or just that one)."""
    scope = staff_cohort_ids(user)
    return scope if cohort_id is None else scope.where(scope.selected_columns[0] == cohort_id)


def _is_current_context(learner, scope):
    """Return the condition "no cohort of the scope on this path is the learner's later one".

    ``learner`` is the Membership alias of the row and ``Cohort`` its cohort: the condition keeps
    one cohort per learner and path, so that a learner of two cohorts is not listed twice.
    """
    other, later = aliased(Membership), aliased(Cohort)
    return ~(
        db.select(other.id)
        .join(later, later.id == other.cohort_id)
        .where(
            other.user_id == learner.user_id,
            other.role == MembershipRole.LEARNER,
            other.cohort_id.in_(scope),
            later.path_id == Cohort.path_id,
            or_(
                later.starts_on > Cohort.starts_on,
                and_(later.starts_on == Cohort.starts_on, later.id > Cohort.id),
            ),
        )
        .exists()
    )


# (learner id, assessment id) of evaluations to record whose module is locked for the learner.
Locked = frozenset[tuple[int, int]]


def _items(user: User, cohort_id: int | None = None, locked: Locked = frozenset()):
    """Return the union of submissions and evaluations in the user's scope, as a subquery.

    Evaluations of ``locked`` that have no grade yet are left out (see ``locked_evaluations``).
    """
    learner = aliased(Membership)
    scope = scope_cohorts(user, cohort_id)
    in_scope = and_(learner.role == MembershipRole.LEARNER, learner.cohort_id.in_(scope))
    submissions = (
        db.select(
            literal("submission").label("kind"),
            Submission.id.label("submission_id"),
            Grade.id.label("grade_id"),
            Submission.assessment_id.label("assessment_id"),
            Submission.user_id.label("learner_id"),
            learner.cohort_id.label("cohort_id"),
            Submission.submitted_at.label("at"),
            case((Grade.id.is_(None), "to_grade"), else_=cast(Grade.state, String)).label("state"),
        )
        .select_from(Submission)
        .join(learner, and_(learner.user_id == Submission.user_id, in_scope))
        .join(Cohort, Cohort.id == learner.cohort_id)
        .join(
            Assessment,
            and_(Assessment.id == Submission.assessment_id, Assessment.path_id == Cohort.path_id),
        )
        .outerjoin(Grade, Grade.submission_id == Submission.id)
        # A version replaced by a newer one before anybody graded it is not work to grade.
        .where(or_(Grade.id.is_not(None), ~_newer_version_exists()))
        .where(_is_current_context(learner, scope))
        .where(_not_being_marked())
    )
    evaluations = (
        db.select(
            literal("evaluation").label("kind"),
            cast(null(), Integer).label("submission_id"),
            Grade.id.label("grade_id"),
            Assessment.id.label("assessment_id"),
            learner.user_id.label("learner_id"),
            learner.cohort_id.label("cohort_id"),
            ModuleCalendar.opens_at.label("at"),
            case((Grade.id.is_(None), "to_record"), else_=cast(Grade.state, String)).label("state"),
        )
        .select_from(learner)
        .join(Cohort, and_(Cohort.id == learner.cohort_id, in_scope))
        .join(
            Assessment,
            and_(
                Assessment.path_id == Cohort.path_id, Assessment.kind == AssessmentKind.EVALUATION
            ),
        )
        .join(
            ModuleCalendar,
            and_(
                ModuleCalendar.cohort_id == Cohort.id,
                ModuleCalendar.module_id == Assessment.module_id,
                ModuleCalendar.opens_at <= utcnow(),
            ),
        )
        .outerjoin(
            Grade,
            and_(
                Grade.assessment_id == Assessment.id,
                Grade.learner_id == learner.user_id,
                Grade.submission_id.is_(None),
            ),
        )
        .where(_is_current_context(learner, scope))
        .where(_not_being_marked())
    )
    if locked:
        pair = tuple_(learner.user_id, Assessment.id)
        evaluations = evaluations.where(or_(Grade.id.is_not(None), pair.not_in(sorted(locked))))
    return union_all(submissions, evaluations).subquery("queue")


def _not_being_marked():
    """Leave out double-marked work until its final grade is set (the marking pages handle it)."""
    return or_(
        Assessment.first_marker_pool.is_(None),
        Grade.state.in_((GradeState.GRADED, GradeState.RELEASED)),
    )


def locked_evaluations(user: User, cohort_id: int | None = None) -> Locked:
    """Return the evaluations to record in the user's scope whose module the learner cannot open.

    The calendar part of the rule is in SQL; the prerequisites need the chronology engine, so the
    candidates (evaluations with no grade, in modules the calendar opened) are loaded in one
    query with their learners, then each cohort concerned is asked once for its learners' states.
    """
    q = _items(user, cohort_id)
    candidates = db.session.execute(
        db.select(User, q.c.cohort_id, q.c.assessment_id, Assessment.module_id)
        .select_from(q)
        .join(User, User.id == q.c.learner_id)
        .join(Assessment, Assessment.id == q.c.assessment_id)
        .where(q.c.state == "to_record")
    ).all()
    if not candidates:
        return frozenset()
    by_cohort: dict[int, dict[int, User]] = {}
    for learner, cohort_id_, _assessment_id, _module_id in candidates:
        by_cohort.setdefault(cohort_id_, {})[learner.id] = learner
    cohorts = db.session.scalars(
        db.select(Cohort).where(Cohort.id.in_(by_cohort)).options(joinedload(Cohort.path))
    )
    opened: dict[tuple[int, int], set[int]] = {}
    for cohort in cohorts:
        for learner_id, modules in open_module_ids(
            cohort, list(by_cohort[cohort.id].values())
        ).items():
            opened[(cohort.id, learner_id)] = modules
    return frozenset(
        (learner.id, assessment_id)
        for learner, cohort_id_, assessment_id, module_id in candidates
        if module_id not in opened.get((cohort_id_, learner.id), set())
    )


def _newer_version_exists():
    """Return the condition "the learner submitted a later version of this assignment"."""
    newer = aliased(Submission)
    return (
        db.select(newer.id)
        .where(
            newer.assessment_id == Submission.assessment_id,
            newer.user_id == Submission.user_id,
            newer.version > Submission.version,
        )
        .exists()
    )


def _filtered(user: User, filters: QueueFilters, locked: Locked = frozenset()):
    """Return the select of queue items matching the filters, with their display names."""
    q = _items(user, filters.cohort_id, locked)
    query = (
        db.select(q, User.display_name, Assessment.title, Module.code, Cohort.name)
        .select_from(q)
        .join(User, User.id == q.c.learner_id)
        .join(Assessment, Assessment.id == q.c.assessment_id)
        .join(Module, Module.id == Assessment.module_id)
        .join(Cohort, Cohort.id == q.c.cohort_id)
    )
    if filters.cohort_id is not None:
        query = query.where(q.c.cohort_id == filters.cohort_id)
    if filters.module_id is not None:
        query = query.where(Assessment.module_id == filters.module_id)
    if filters.assessment_id is not None:
        query = query.where(q.c.assessment_id == filters.assessment_id)
    if filters.state is None:
        query = query.where(q.c.state.in_(NEEDS_WORK))
    elif filters.state == "to_grade":
        query = query.where(q.c.state.in_(("to_grade", "to_record")))
    elif filters.state != EVERY_STATE:
        query = query.where(q.c.state == filters.state)
    return query, q


def _item(row) -> QueueItem:
    """Build a queue item from a result row."""
    return QueueItem(*row)


def _order(q) -> tuple:
    """Return the queue's order, oldest first: a total order (one item per submission)."""
    return (q.c.at, q.c.learner_id, q.c.assessment_id, func.coalesce(q.c.submission_id, 0))


def queue_page(user: User, filters: QueueFilters, page: int = 1) -> tuple[list[QueueItem], int]:
    """Return one page of the queue (oldest first) and the number of matching items."""
    query, q = _filtered(user, filters, locked_evaluations(user, filters.cohort_id))
    total = db.session.scalar(db.select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(*_order(q)).limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    return [_item(row) for row in rows], total


def next_item(
    user: User, filters: QueueFilters = QueueFilters(), *, after_grade_id: int | None = None
) -> QueueItem | None:
    """Return the item after ``after_grade_id`` in the filtered queue that still needs work.

    Without a state filter or with ``all``, "needs work" means to grade, to record or being
    graded; with one, the items in that state. Past the end of the queue, the first item that
    needs work before the current one comes next (see the module doc); the current item itself
    never does. A filter on a finished state (graded, returned, released) walks the queue once:
    its items stay in that state when saved, so going round again would never end.
    """
    locked = locked_evaluations(user, filters.cohort_id)
    needs_work = filters.state in (None, EVERY_STATE, *NEEDS_WORK)
    query, q = _filtered(user, filters, locked)
    if filters.state == EVERY_STATE:
        query = query.where(q.c.state.in_(NEEDS_WORK))
    if after_grade_id is not None:
        query = query.where(func.coalesce(q.c.grade_id, 0) != after_grade_id)
        position = _position(user, filters, after_grade_id, locked)
        after = query.join(position, true()).where(tuple_(*_order(q)) > tuple_(*position.c))
        row = db.session.execute(after.order_by(*_order(q)).limit(1)).first()
        if row is not None or not needs_work:
            return _item(row) if row else None
    row = db.session.execute(query.order_by(*_order(q)).limit(1)).first()
    return _item(row) if row else None


def _position(user: User, filters: QueueFilters, grade_id: int, locked: Locked):
    """Return a one-row subquery: where the grade's item stands in the queue's order."""
    every = QueueFilters(cohort_id=filters.cohort_id, state=EVERY_STATE)
    query, q = _filtered(user, every, locked)
    return query.with_only_columns(*_order(q)).where(q.c.grade_id == grade_id).subquery("current")


def new_submissions(user: User, since: datetime) -> list[QueueItem]:
    """Return the submissions to grade in the user's queue received since ``since``."""
    query, q = _filtered(user, QueueFilters(state="to_grade"))
    query = query.where(q.c.kind == "submission", q.c.at >= since)
    return [_item(row) for row in db.session.execute(query.order_by(q.c.at))]


def filter_choices(user: User) -> tuple[list[Cohort], list[Assessment]]:
    """Return the cohorts in the user's scope and their paths' gradable assessments (2 queries)."""
    cohorts = db.session.scalars(
        db.select(Cohort).where(Cohort.id.in_(scope_cohorts(user))).order_by(Cohort.name)
    ).all()
    assessments = db.session.scalars(
        db.select(Assessment)
        .join(Module, Module.id == Assessment.module_id)
        .where(
            Assessment.path_id.in_({cohort.path_id for cohort in cohorts}),
            Assessment.kind != AssessmentKind.QUIZ,
        )
        .order_by(Module.position, Assessment.position)
        .options(joinedload(Assessment.module))
    ).all()
    return list(cohorts), list(assessments)
