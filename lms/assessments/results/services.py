"""The assessments' answers to the learning domain: module completion and competency ratings.

Both are computed on the fly from the learners' work, each in ONE query whatever the number of
learners, modules or assessments, and connected to the signals of ``lms.learning.signals`` when
this module is imported.

Module completion (``missing_assessments``): a required assessment is passed when the learner has
a submitted quiz attempt marked passed, or, for assignments and evaluations, a RELEASED grade
marked passed (``lms.assessments.results.released``): a grade not released yet does not complete
the module, otherwise the learner would read the result from their progress.

Last activity (``last_activity``): when each learner last started or submitted a quiz attempt or
handed in work, for the trainer's progress pages.

Competency ratings (``rate_competencies``): each released rubric choice evidences the proficiency
of its level for the competency of its criterion. Per learner, competency and assessment only the
latest released grade counts (a revised work replaces the earlier one); the path's
``rating_rule`` then combines the assessments: ``latest`` (the latest released), ``best`` (the
highest level) or ``mean`` (the mean of the levels, rounded down). There is no table of ratings
on purpose: a materialised rating would have to be recomputed on every grade, release, return and
path change, and could drift; one indexed query over the released choices is always consistent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, true, union, union_all

from lms.assessments.models import (
    Assessment,
    Criterion,
    Grade,
    GradeChoice,
    QuizAttempt,
    RubricLevel,
    Submission,
)
from lms.assessments.registry import ASSESSMENT_TYPES
from lms.assessments.results.released import is_released, released_at
from lms.curriculum.models import RatingRule, TrainingPath
from lms.extensions import db
from lms.learning.ratings import RatingView


def passed_pairs(learner_ids):
    """Return a subquery of the (user_id, assessment_id) pairs these learners passed.

    ``learner_ids`` is a list of ids or an expanding ``bindparam`` of them.
    """
    quizzes = db.select(
        QuizAttempt.user_id.label("user_id"), QuizAttempt.assessment_id.label("assessment_id")
    ).where(
        QuizAttempt.user_id.in_(learner_ids),
        QuizAttempt.submitted_at.is_not(None),
        QuizAttempt.passed == true(),
    )
    grades = db.select(Grade.learner_id, Grade.assessment_id).where(
        Grade.learner_id.in_(learner_ids), Grade.passed == true(), is_released()
    )
    return union(quizzes, grades).subquery("passed")


def _pass_message() -> Callable[[str], str]:
    """Return how to name a required assessment not passed, its sentence translated once."""
    sentence = _("Pass the assessment “%(title)s”")
    return lambda title: sentence % {"title": title}


@functools.cache
def _required_assessments_passed():
    """Return the query of ``missing_assessments``, built once: values are bound when it runs.

    Building this statement (a union, a correlated subquery) and its cache key costs about a
    millisecond of Python, many times what the database takes to answer it, on every page that
    asks for a learner's module states; ``learner_ids`` and ``module_ids`` are bound at execution.
    """
    passed = passed_pairs(bindparam("learner_ids", expanding=True))
    return (
        db.select(Assessment.id, Assessment.module_id, Assessment.title, passed.c.user_id)
        .outerjoin(passed, passed.c.assessment_id == Assessment.id)
        .where(
            Assessment.module_id.in_(bindparam("module_ids", expanding=True)),
            Assessment.is_required,
        )
        .order_by(Assessment.position, Assessment.id)
    )


def missing_assessments(
    path: TrainingPath, *, learners: Sequence[Any], modules: Sequence[Any], **kwargs: Any
) -> dict[tuple[int, int], list[str]]:
    """Return, per (learner id, module id), the required assessments not passed (one query)."""
    learner_ids = [learner.id for learner in learners]
    if not learner_ids or not modules:
        return {}
    values = {"learner_ids": learner_ids, "module_ids": [module.id for module in modules]}
    rows = db.session.execute(_required_assessments_passed(), values).all()
    required: dict[int, tuple[int, str]] = {}
    done: set[tuple[int, int]] = set()
    for row in rows:
        required[row.id] = (row.module_id, row.title)
        if row.user_id is not None:
            done.add((row.user_id, row.id))
    message = functools.cache(_pass_message())  # titles repeat for every learner
    missing: dict[tuple[int, int], list[str]] = {}
    for user_id in learner_ids:
        for assessment_id, (module_id, title) in required.items():
            if (user_id, assessment_id) not in done:
                missing.setdefault((user_id, module_id), []).append(message(title))
    return missing


def last_activity(
    path: TrainingPath, *, learners: Sequence[Any], **kwargs: Any
) -> dict[int, datetime]:
    """Return when each learner last took a quiz or handed in work of the path (one query)."""
    learner_ids = [learner.id for learner in learners]
    if not learner_ids:
        return {}
    of_path = db.select(Assessment.id).where(Assessment.path_id == path.id)
    attempts = db.select(
        QuizAttempt.user_id.label("user_id"),
        func.coalesce(QuizAttempt.submitted_at, QuizAttempt.started_at).label("at"),
    ).where(QuizAttempt.user_id.in_(learner_ids), QuizAttempt.assessment_id.in_(of_path))
    submissions = db.select(Submission.user_id, Submission.submitted_at).where(
        Submission.user_id.in_(learner_ids), Submission.assessment_id.in_(of_path)
    )
    work = union_all(attempts, submissions).subquery("work")
    latest = db.select(work.c.user_id, func.max(work.c.at)).group_by(work.c.user_id)
    return {user_id: at for user_id, at in db.session.execute(latest) if at is not None}


class Evidence(NamedTuple):
    """One released rubric choice: who, which competency, at what level, from which grade."""

    user_id: int
    competency_id: int
    assessment_id: int
    grade_id: int
    level: int
    released_at: Any  # an aware datetime
    assessment_title: str
    criterion_title: str
    level_title: str
    assessment_kind: str

    @property
    def text(self) -> str:
        """Describe the evidence for the learner: assessment, criterion, level reached."""
        return _(
            "%(assessment)s — %(criterion)s: %(level)s",
            assessment=self.assessment_title,
            criterion=self.criterion_title,
            level=self.level_title,
        )


def released_evidence(path_id: int, learner_ids: Sequence[int]) -> list[Evidence]:
    """Return these learners' released rubric choices on the path's assessments (one query)."""
    when = released_at().label("released_at")
    query = (
        db.select(
            Grade.learner_id,
            Criterion.competency_id,
            Grade.assessment_id,
            Grade.id,
            RubricLevel.proficiency,
            when,
            Assessment.title,
            Criterion.title,
            RubricLevel.title,
            Assessment.kind,
        )
        .join(GradeChoice, GradeChoice.grade_id == Grade.id)
        .join(Criterion, Criterion.id == GradeChoice.criterion_id)
        .join(RubricLevel, RubricLevel.id == GradeChoice.level_id)
        .join(Assessment, Assessment.id == Grade.assessment_id)
        .where(Assessment.path_id == path_id, Grade.learner_id.in_(learner_ids), is_released())
        .order_by(Grade.id, Criterion.position)
    )
    return [Evidence(*row) for row in db.session.execute(query)]


def _latest_per_assessment(evidence: Sequence[Evidence]) -> dict[tuple[int, int], list[Evidence]]:
    """Group by (user, competency), keeping for each assessment only its latest released grade."""
    kept: dict[tuple[int, int, int], Evidence] = {}
    for item in evidence:
        key = (item.user_id, item.competency_id, item.assessment_id)
        if key not in kept or _recency(item) > _recency(kept[key]):
            kept[key] = item
    grouped: dict[tuple[int, int], list[Evidence]] = {}
    for item in sorted(kept.values(), key=_recency):
        grouped.setdefault((item.user_id, item.competency_id), []).append(item)
    return grouped


def _recency(item: Evidence) -> tuple:
    """Order evidence by release time, then by grade (the later grade wins a tie)."""
    return (item.released_at, item.grade_id)


Link = Callable[[Evidence], str | None]


def _no_link(item: Evidence) -> None:
    """Link no evidence (nobody named to read it, or no request to build a URL in)."""
    return None


def combine(items: Sequence[Evidence], rule: RatingRule, link: Link = _no_link) -> RatingView:
    """Combine one competency's evidence (oldest first) into a rating by the path's rule."""
    if rule is RatingRule.BEST:
        best = max(items, key=lambda item: (item.level, _recency(item)))
        return RatingView(best.level, best.released_at, ((best.text, link(best)),))
    latest = items[-1]
    if rule is RatingRule.MEAN:
        level = sum(item.level for item in items) // len(items)
        evidence = tuple((item.text, link(item)) for item in items)
        return RatingView(level, latest.released_at, evidence)
    return RatingView(latest.level, latest.released_at, ((latest.text, link(latest)),))


def evidence_link(audience: str | None) -> Link:
    """Return how to link a piece of evidence for its reader (see ``rate_competencies``)."""
    if audience == "learner":
        return _learner_result_url
    if audience == "staff":
        return _grading_page_url
    return _no_link


def _learner_result_url(item: Evidence) -> str | None:
    """Return the learner's own page of the assessment, at its released result."""
    endpoint = ASSESSMENT_TYPES[item.assessment_kind].endpoint
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, assessment_id=item.assessment_id, _anchor="released-grade")


def _grading_page_url(item: Evidence) -> str | None:
    """Return the grading page of the grade the evidence comes from (trainers, administrators)."""
    if "grading.grade" not in current_app.view_functions:
        return None
    return url_for("grading.grade", grade_id=item.grade_id)


def rate_competencies(
    path: TrainingPath, *, learners: Sequence[Any], audience: str | None = None, **kwargs: Any
) -> dict[tuple[int, int], RatingView]:
    """Return each learner's rating per competency from their released rubric grades.

    Each piece of evidence links to the grade it comes from, for the ``audience`` asked: the
    learner's own page of the assessment at its released result (``"learner"``; the evidence is
    released grades only, and that page shows the latest released one, the one counted here), or
    the grade's grading page (``"staff"``); no link when ``audience`` is None.
    """
    learner_ids = [learner.id for learner in learners]
    if not learner_ids:
        return {}
    grouped = _latest_per_assessment(released_evidence(path.id, learner_ids))
    link = evidence_link(audience)
    return {key: combine(items, path.rating_rule, link) for key, items in grouped.items()}
