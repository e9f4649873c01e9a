"""From submitted markings to the work's one final grade: compare, agree, or call a third reader.

Both markings submitted: each criterion's gap is the distance between the two levels' positions.
Every gap within the assessment's tolerance: the final level of each criterion follows the
agreement rule (the lower level, the higher, or the mean of the two positions rounded down), the
final feedback puts the two feedbacks under headings in the learner's language, and the grade is
GRADED with the second marker as its grader. Otherwise the work waits for a third reader
(allocated at once), who settles each disputed criterion with a reason, the other criteria
following the agreement rule, and writes the final feedback: the grade's grader is then the
third reader. A single declared marking becomes the final grade as it is.

The caller holds the grade's row lock (``lock_row_for_update``), so this runs once per work.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import force_locale
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.assessments.grading.history import log_state_change, record_event, snapshot
from lms.assessments.grading.services import cohort_released, release_grade
from lms.assessments.models import (
    Criterion,
    Grade,
    GradeChoice,
    GradeState,
    Marking,
    MarkingAgreement,
    MarkingRole,
    MarkingState,
    RubricLevel,
)
from lms.core.time import utcnow
from lms.extensions import db


def level_of(marking: Marking, criterion: Criterion) -> RubricLevel | None:
    """Return the level a marking chose for a criterion, or None."""
    chosen = next((c.level_id for c in marking.choices if c.criterion_id == criterion.id), None)
    return next((lv for lv in criterion.levels if lv.id == chosen), None)


def disputed(first: Marking, second: Marking, tolerance: int) -> list[Criterion]:
    """Return the criteria whose two levels are more than ``tolerance`` positions apart."""
    criteria = first.grade.assessment.rubric.criteria
    result = []
    for criterion in criteria:
        a, b = level_of(first, criterion), level_of(second, criterion)
        if a is None or b is None or abs(a.position - b.position) > tolerance:
            result.append(criterion)
    return result


def agreed_level(criterion: Criterion, a: RubricLevel, b: RubricLevel, rule) -> RubricLevel:
    """Return the final level of two agreeing levels by the rule (positions, mean rounded down)."""
    if rule == MarkingAgreement.HIGHER:
        position = max(a.position, b.position)
    elif rule == MarkingAgreement.MEAN:
        position = (a.position + b.position) // 2
    else:
        position = min(a.position, b.position)
    return next(lv for lv in criterion.levels if lv.position == position)


def combined_feedback(grade: Grade, first: Marking, second: Marking) -> str:
    """Return the two feedbacks under headings, in the learner's language."""
    with force_locale(grade.learner.locale):
        parts = [
            (str(_("First marking")), first.feedback),
            (str(_("Second marking")), second.feedback),
        ]
    return "\n\n".join(f"### {title}\n\n{text}" for title, text in parts if text.strip())


def final_levels(
    first: Marking, second: Marking, settled: Mapping[int, RubricLevel] | None = None
) -> dict[Criterion, RubricLevel]:
    """Return the final level of every criterion: settled ones, else by the agreement rule."""
    assessment = first.grade.assessment
    levels = {}
    for criterion in assessment.rubric.criteria:
        if settled and criterion.id in settled:
            levels[criterion] = settled[criterion.id]
        else:
            a, b = level_of(first, criterion), level_of(second, criterion)
            levels[criterion] = agreed_level(criterion, a, b, assessment.marking_agreement)
    return levels


def finalise(
    actor: User, grade: Grade, levels: dict[Criterion, RubricLevel], feedback: str, action: str
) -> Grade:
    """Write the final grade (choices, score, pass, feedback), GRADED; release if the cohort was."""
    before = snapshot(grade)
    grade.choices = [GradeChoice(criterion_id=c.id, level_id=lv.id) for c, lv in levels.items()]
    grade.max_score = grade.assessment.rubric.max_points
    grade.score = sum(level.points for level in levels.values())
    grade.passed = grade.score * 100 >= grade.assessment.pass_mark_percent * grade.max_score
    grade.feedback = feedback.strip()
    grade.grader = actor
    grade.state = GradeState.GRADED
    grade.updated_at = utcnow()
    db.session.flush()
    record_event(actor, grade, action, before, snapshot(grade))
    log_state_change(actor, grade, before, GradeState.GRADED)
    if cohort_released(grade):
        release_grade(actor, grade)
    return grade


def by_role(markings: list[Marking]) -> dict[MarkingRole, Marking]:
    """Return the markings by role."""
    return {marking.role: marking for marking in markings}


def is_final(grade: Grade) -> bool:
    """Tell whether the work's final grade is set (graded or released)."""
    return grade.state in (GradeState.GRADED, GradeState.RELEASED)


def all_submitted(markings: list[Marking], count: int) -> bool:
    """Tell whether the ``count`` declared markings are all submitted."""
    firsts = [m for m in markings if m.role != MarkingRole.THIRD]
    return len(firsts) == count and all(m.state == MarkingState.SUBMITTED for m in firsts)
