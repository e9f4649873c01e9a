"""Automatic issuance: a learner who becomes eligible gets their certificate at once.

Off by default (``LMS_CERTIFICATES_AUTO_ISSUE``): a certifying organisation usually wants a jury's
decision first. When on, the events that can make a learner eligible — a lesson completed, a
quiz attempt passed, a grade released (alone, or for a whole cohort), an attendance sheet closed
or corrected (told by attendance's signals) — are noticed when their rows are flushed, whatever
code wrote them (page, command, import), and once the transaction **commits**, a job
(``lms.core.jobs``, queue ``certificates``) checks those learners: it never runs inside the
transaction that recorded the event, and an event rolled back starts nothing.
``connect`` installs the session listeners (``lms.certificates.init_app`` calls it); whether
they act is read from the configuration at each event.

The lower domains send no signal for these events, and need none: this module watches their
rows from above (SQLAlchemy session events), which keeps ``learning`` and ``assessments``
unaware of certificates (DESIGN.md §3).

The job records an automatic decision (``decided_by`` empty, reason "automatic: eligible on
<date>") for an eligible learner who has none, then issues. A learner whose latest decision
defers or refuses the certificate is left alone: an administrator decided.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from lms.accounts.models import User
from lms.assessments.models import Grade, GradeRelease, GradeState, QuizAttempt
from lms.attendance.signals import sheet_closed, sheet_corrected
from lms.certificates.decisions import latest_decisions, record_decision
from lms.certificates.eligibility import cohort_eligibility
from lms.certificates.issuing import current_certificate, issue_certificate
from lms.certificates.jury.definition import jury_of_path
from lms.certificates.models import PATH_SCOPE, DecisionOutcome
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.db import lock_row_for_update
from lms.core.jobs import JobError, enqueue
from lms.core.time import utcnow
from lms.extensions import db
from lms.learning.models import LessonCompletion

PENDING = "lms.certificates.auto_issue"


def is_enabled() -> bool:
    """Tell whether automatic issuance is on for the current application."""
    return has_app_context() and bool(current_app.config.get("CERTIFICATES_AUTO_ISSUE"))


def _changed(obj, attribute: str) -> bool:
    return inspect(obj).attrs[attribute].history.has_changes()


def watched_learners(session: Session) -> tuple[set[int], set[int]]:
    """Return the learners (ids) and cohorts (ids) an event of this flush may have made eligible."""
    learners: set[int] = set()
    cohorts: set[int] = set()
    for obj in [*session.new, *session.dirty]:
        lesson_done = isinstance(obj, LessonCompletion) and obj in session.new
        quiz_passed = isinstance(obj, QuizAttempt) and obj.passed and _changed(obj, "passed")
        if lesson_done or quiz_passed:
            learners.add(obj.user_id)
        elif isinstance(obj, Grade) and obj.state == GradeState.RELEASED:
            if obj in session.new or _changed(obj, "state"):
                learners.add(obj.learner_id)
        elif isinstance(obj, GradeRelease) and obj in session.new:
            cohorts.add(obj.cohort_id)
    return learners, cohorts


def _bound_values(statement, column) -> set:
    """Return the values a statement's WHERE compares ``column`` to (``column = :value``)."""
    values = set()
    for criterion in getattr(statement, "_where_criteria", ()):
        for node in visitors.iterate(criterion):
            if (
                isinstance(node, BinaryExpression)
                and isinstance(node.right, BindParameter)
                and getattr(getattr(node.left, "table", None), "name", None) == column.table.name
                and getattr(node.left, "name", None) == column.name
            ):
                values.add(node.right.effective_value)
    return values


def watched_statement(statement) -> tuple[set[int], set[int]]:
    """Return the learners and passed attempts a Core statement records (bulk writes).

    Lessons are completed with an ``INSERT … ON CONFLICT DO NOTHING`` and quiz attempts scored
    with an ``UPDATE … WHERE open``: statements, not objects, so ``after_flush`` cannot see them.
    """
    # The statement's table is an annotated copy when it names the ORM class: compare names.
    table = getattr(getattr(statement, "table", None), "name", None)
    if getattr(statement, "is_insert", False) and table == LessonCompletion.__tablename__:
        user_id = statement.compile().params.get("user_id")
        return ({user_id} if user_id is not None else set()), set()
    is_update = getattr(statement, "is_update", False) and table == QuizAttempt.__tablename__
    if is_update and statement.compile().params.get("passed"):
        return set(), _bound_values(statement, QuizAttempt.__table__.c.id)
    return set(), set()


def _notice_statements(state) -> None:
    """Remember the learners of lesson completions and passed attempts written as statements."""
    if not (state.is_insert or state.is_update) or not is_enabled():
        return
    learners, attempts = watched_statement(state.statement)
    if attempts:
        query = db.select(QuizAttempt.user_id).where(QuizAttempt.id.in_(attempts))
        learners |= set(state.session.scalars(query))
    if learners:
        _remember(state.session, learners, set())


def _remember(session: Session, learners: set[int], cohorts: set[int]) -> None:
    pending = session.info.setdefault(PENDING, (set(), set()))
    pending[0].update(learners)
    pending[1].update(cohorts)


def _notice_events(session: Session, flush_context) -> None:
    """Remember who may have become eligible, until the transaction ends."""
    if not is_enabled():
        return
    learners, cohorts = watched_learners(session)
    if learners or cohorts:
        _remember(session, learners, cohorts)


def _check_after_commit(session: Session) -> None:
    """Hand the learners noticed in the committed transaction to a job."""
    learners, cohorts = session.info.pop(PENDING, (set(), set()))
    if (learners or cohorts) and is_enabled():
        try:
            enqueue(auto_issue, sorted(learners), sorted(cohorts), queue="certificates")
        except JobError:  # the event is committed; the next one, or a batch, catches up
            current_app.logger.exception("certificate.auto_issue: cannot reach the job queue")


def _forget_on_rollback(session: Session) -> None:
    """Forget the events of a rolled-back transaction: they did not happen."""
    session.info.pop(PENDING, None)


# The session events this module listens to, and its listener of each.
LISTENERS = {
    "do_orm_execute": _notice_statements,
    "after_flush": _notice_events,
    "after_commit": _check_after_commit,
    "after_rollback": _forget_on_rollback,
}


def _sheet_closed(sheet, **kwargs) -> None:
    """Remember the cohort of a closed attendance sheet: its learners' attendance changed."""
    if is_enabled():
        _remember(db.session(), set(), {sheet.session.cohort_id})


def _sheet_corrected(sheet, *, record, **kwargs) -> None:
    """Remember the learner whose record on a closed sheet was corrected."""
    if is_enabled():
        _remember(db.session(), {record.learner_id}, set())


def connect() -> None:
    """Listen to every session's events (``lms.certificates.init_app``; once, however often)."""
    for name, listener in LISTENERS.items():
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    sheet_closed.connect(_sheet_closed)
    sheet_corrected.connect(_sheet_corrected)


def auto_issue(learner_ids: Iterable[int], cohort_ids: Iterable[int] = ()) -> int:
    """Issue the certificate of every given learner (or learner of the cohorts) now eligible.

    The job: commits after each certificate; returns how many it issued.
    """
    if not current_app.config.get("CERTIFICATES_AUTO_ISSUE"):
        return 0
    issued = 0
    for cohort, learner_ids_in_cohort in _cohorts_of(set(learner_ids), set(cohort_ids)):
        for learner in _eligible_without_certificate(cohort, learner_ids_in_cohort):
            issued += _issue_automatically(cohort, learner)
    return issued


def _cohorts_of(learner_ids: set[int], cohort_ids: set[int]):
    """Yield each cohort concerned with the learners to check in it (None: all of them)."""
    query = db.select(Membership.cohort_id, Membership.user_id).where(
        Membership.role == MembershipRole.LEARNER, Membership.user_id.in_(learner_ids)
    )
    by_cohort: dict[int, set[int] | None] = dict.fromkeys(cohort_ids)
    for cohort_id, user_id in db.session.execute(query):
        if cohort_id not in cohort_ids:
            by_cohort.setdefault(cohort_id, set()).add(user_id)
    for cohort_id, ids in sorted(by_cohort.items()):
        cohort = db.session.get(Cohort, cohort_id)
        if cohort is not None:
            yield cohort, ids


def _eligible_without_certificate(cohort: Cohort, learner_ids: set[int] | None) -> list[User]:
    """Return the learners (of ``learner_ids``, or all) eligible, not deferred nor refused."""
    decisions = latest_decisions(cohort)
    found = []
    for judged in cohort_eligibility(cohort).learners:
        learner = judged.learner
        if learner_ids is not None and learner.id not in learner_ids:
            continue
        decision = decisions.get(learner.id)
        if decision is not None and not decision.awards:
            continue  # an administrator deferred or refused: that decision stands
        if decision is not None or judged.is_eligible:
            found.append(learner)
    return found


def _issue_automatically(cohort: Cohort, learner: User) -> int:
    """Decide (if nobody did) and issue one learner's certificate; commit; 1 if issued."""
    from lms.certificates.batches import _notify_issued

    # Two jobs for one learner (two events at once) take turns here: one decision, one issue.
    lock_row_for_update(db.session, User, learner.id)
    if current_certificate(learner, cohort.path_id, PATH_SCOPE) is not None:
        db.session.rollback()
        return 0
    now = utcnow()
    if latest_decisions(cohort).get(learner.id) is None:
        if jury_of_path(cohort.path_id) is not None:  # its jury decides, never the software
            db.session.rollback()
            return 0
        reason = f"automatic: eligible on {now.date().isoformat()}"
        record_decision(
            cohort,
            learner,
            outcome=DecisionOutcome.AWARDED,
            reason=reason,
            decided_by=None,
            now=now,
        )
    certificate = issue_certificate(cohort, learner, issued_by=None, now=now)
    db.session.commit()
    _notify_issued(certificate)
    return 1
