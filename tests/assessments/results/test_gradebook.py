"""The cohort gradebook: cells, totals, page, CSV, access and query counts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from lms.accounts.models import User
from lms.assessments.models import Grade, GradeState, QuizAttempt, Submission
from lms.assessments.results.gradebook import CellState, cohort_gradebook, module_total, percent
from lms.cohorts.models import Membership, MembershipRole
from lms.extensions import db
from tests.assessments.results.helpers import assignment, grade
from tests.factories import (
    AssessmentFactory,
    MembershipFactory,
    QuizAttemptFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.learning.helpers import make_bien_vivre_path
from tests.web.helpers import log_in


@pytest.fixture
def book_world():
    """Return (path, trainer, quiz and assignment of M1, evaluation of M2) with a trainer."""
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    trainer = UserFactory(display_name="Fatou Formatrice")
    MembershipFactory(user=trainer, cohort=bien_vivre.cohort, trainer=True)
    quiz = AssessmentFactory(module=bien_vivre.modules["M1"], quiz=True, code="M1-Q", weight=1)
    work = assignment(bien_vivre.modules["M1"], code="M1-A", weight=3)
    oral = assignment(bien_vivre.modules["M2"], kind="evaluation", accepts_files=False, code="M2-E")
    return bien_vivre, trainer, quiz, work, oral


def attempt(learner, quiz, number: int, score: int | None, passed: bool = False) -> QuizAttempt:
    """Record an attempt out of 10: submitted with ``score``, or open when ``score`` is None."""
    submitted = {} if score is None else {"submitted": True, "score": score, "passed": passed}
    return QuizAttemptFactory(
        assessment=quiz, user=learner, number=number, max_score=10, **submitted
    )


def scored(learner, work, score: int, max_score: int, **fields):
    """Grade ``work`` with ``score`` out of ``max_score``."""
    result = grade(learner, work, **fields)
    result.score, result.max_score = score, max_score
    db.session.commit()
    return result


def cells_of(bien_vivre, learner) -> dict[str, tuple]:
    """Return assessment code -> (state, percent, released) of the learner's row."""
    book = cohort_gradebook(bien_vivre.cohort)
    row = next(row for row in book.rows if row.learner.id == learner.id)
    return {
        a.code: (cell.state, cell.percent, cell.is_released)
        for a, cell in zip(book.assessments, row.cells, strict=True)
    }


def test_columns_follow_the_path_and_cells_start_empty(book_world):
    """Group the columns by module in chronological order; nothing done reads not started."""
    bien_vivre, _trainer, *_rest = book_world
    learner = bien_vivre.enrol_learner()
    book = cohort_gradebook(bien_vivre.cohort)
    assert [group.module.code for group in book.modules] == ["M1", "M2"]
    assert [a.code for a in book.assessments] == ["M1-Q", "M1-A", "M2-E"]
    assert {state for state, _p, _r in cells_of(bien_vivre, learner).values()} == {
        CellState.NOT_STARTED
    }


def test_a_quiz_shows_its_best_submitted_attempt(book_world):
    """Score a quiz by its best submitted attempt; an open attempt alone is in progress."""
    bien_vivre, _trainer, quiz, *_rest = book_world
    learner, starter = bien_vivre.enrol_learner(), bien_vivre.enrol_learner()
    attempt(learner, quiz, 1, 4)
    attempt(learner, quiz, 2, 7, passed=True)
    attempt(learner, quiz, 3, None)
    attempt(starter, quiz, 1, None)
    assert cells_of(bien_vivre, learner)["M1-Q"] == (CellState.PASSED, 70, True)
    assert cells_of(bien_vivre, starter)["M1-Q"] == (CellState.IN_PROGRESS, None, True)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (GradeState.GRADING, (CellState.GRADING, None, False)),
        (GradeState.GRADED, (CellState.GRADED, 50, False)),
        (GradeState.RELEASED, (CellState.RELEASED, 50, True)),
        (GradeState.RETURNED, (CellState.RETURNED, None, False)),
    ],
)
def test_assignment_cells_follow_the_grade(book_world, state, expected):
    """Show a grade's score once graded, marking it while the learner cannot see it."""
    bien_vivre, _trainer, _quiz, work, _oral = book_world
    learner = bien_vivre.enrol_learner()
    scored(learner, work, 2, 4, state=state)
    assert cells_of(bien_vivre, learner)["M1-A"] == expected


def test_a_submission_without_grade_is_to_grade(book_world):
    """Show handed-in work not graded yet as to grade, and an evaluation graded as graded."""
    bien_vivre, _trainer, _quiz, work, oral = book_world
    learner = bien_vivre.enrol_learner()
    SubmissionFactory(assessment=work, user=learner)
    scored(learner, oral, 3, 4, state=GradeState.GRADED)
    cells = cells_of(bien_vivre, learner)
    assert cells["M1-A"] == (CellState.SUBMITTED, None, False)
    assert cells["M2-E"] == (CellState.GRADED, 75, False)


def test_module_totals_are_weighted_over_scored_assessments(book_world):
    """Total M1 as (70 × 1 + 50 × 3) / 4 = 55; M2, with nothing scored, has no total."""
    bien_vivre, _trainer, quiz, work, _oral = book_world
    learner = bien_vivre.enrol_learner()
    attempt(learner, quiz, 1, 7, passed=True)
    scored(learner, work, 2, 4, state=GradeState.GRADED)
    row = cohort_gradebook(bien_vivre.cohort).rows[0]
    assert row.totals == (55, None)


def test_percent_and_totals_round_half_up():
    """Round 2.5 % up, ignore unscored and weight-0 assessments."""
    assert (percent(1, 40), percent(1, 3), percent(None, 3), percent(1, 0)) == (3, 33, None, None)
    assert module_total([], []) is None


def page(client, url: str) -> str:
    """Return the page's text, asserting it answered 200."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_trainer_sees_unreleased_grades_marked(client, book_world):
    """Show the score of a graded work with "not released"; a released one without."""
    bien_vivre, trainer, _quiz, work, oral = book_world
    learner = bien_vivre.enrol_learner(display_name="Awa Apprenante")
    scored(learner, work, 2, 4, state=GradeState.GRADED)
    scored(learner, oral, 4, 4)
    log_in(client, trainer)
    html = page(client, f"/manage/cohorts/{bien_vivre.cohort.id}/gradebook")
    assert "Awa Apprenante" in html
    assert (
        '<td class="num" data-state="graded">50<span class="gradebook__unreleased" '
        'aria-hidden="true">*</span><span class="visually-hidden"> (not released)</span>' in html
    )
    assert html.count("not released") == 3  # the explanation, the legend, then the one cell
    assert '<td class="num" data-state="released">100</td>' in html


def csv_of(client, cohort) -> list[list[str]]:
    """Return the gradebook export as rows of cells."""
    response = client.get(f"/manage/cohorts/{cohort.id}/gradebook.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_export_is_formula_safe_and_marks_unreleased_grades(client, book_world):
    """Export one line per learner; a name starting with "=" stays text."""
    bien_vivre, trainer, quiz, work, _oral = book_world
    learner = bien_vivre.enrol_learner(display_name='=HYPERLINK("http://evil.example")')
    attempt(learner, quiz, 1, 7, passed=True)
    scored(learner, work, 2, 4, state=GradeState.GRADED)
    log_in(client, trainer)
    header, line = csv_of(client, bien_vivre.cohort)
    assert header[:5] == ["Learner", "Email", "M1-Q (%)", "M1-A (%)", "M1 total (%)"]
    assert header[5:] == ["M2-E (%)", "M2 total (%)"]
    assert line[0] == '\'=HYPERLINK("http://evil.example")'
    assert line[2:] == ["70", "50 (not released)", "55", "Not started", ""]


@pytest.mark.parametrize("suffix", ["gradebook", "gradebook.csv"])
def test_only_the_cohorts_staff_get_in(client, book_world, suffix):
    """Let the cohort's trainer and administrators in; 403 for others; login for anonymous."""
    bien_vivre, _trainer, *_rest = book_world
    url = f"/manage/cohorts/{bien_vivre.cohort.id}/{suffix}"
    response = client.get(url)
    assert response.headers["Location"].startswith("/login?next=")
    other_trainer = UserFactory()
    MembershipFactory(user=other_trainer, cohort=make_bien_vivre_path().cohort, trainer=True)
    for person, status in (
        (bien_vivre.enrol_learner(), 403),
        (other_trainer, 403),
        (UserFactory(admin=True), 200),
    ):
        client.post("/logout")
        log_in(client, person)
        assert client.get(url).status_code == status
    assert client.get(f"/manage/cohorts/999999/{suffix}").status_code == 404


def test_the_trainer_pages_link_the_gradebook(client, book_world):
    """Link the gradebook from the trainer's cohorts and from the progress heatmap."""
    bien_vivre, trainer, *_rest = book_world
    log_in(client, trainer)
    link = f'href="/manage/cohorts/{bien_vivre.cohort.id}/gradebook"'
    assert link in page(client, "/manage/cohorts/")
    assert link in page(client, f"/manage/cohorts/{bien_vivre.cohort.id}/progress")


def add_graded_learners(bien_vivre, quiz, work, oral, count: int) -> None:
    """Enrol ``count`` learners with an attempt, a graded work and a released evaluation (bulk)."""
    emails = [f"gb{index}-c{bien_vivre.cohort.id}@example.org" for index in range(count)]
    db.session.execute(
        db.insert(User), [{"email": email, "display_name": email[:6]} for email in emails]
    )
    ids = list(db.session.scalars(db.select(User.id).where(User.email.in_(emails))))
    learner = {"cohort_id": bien_vivre.cohort.id, "role": MembershipRole.LEARNER}
    db.session.execute(db.insert(Membership), [{"user_id": i, **learner} for i in ids])
    now = datetime.now(UTC)
    attempts = {"assessment_id": quiz.id, "number": 1, "max_score": 10, "submitted_at": now}
    db.session.execute(
        db.insert(QuizAttempt),
        [{"user_id": i, "score": i % 11, "passed": i % 2 == 0, **attempts} for i in ids],
    )
    work_rows = {"assessment_id": work.id, "version": 1, "content_sha256": "0" * 64}
    db.session.execute(db.insert(Submission), [{"user_id": i, **work_rows} for i in ids])
    submissions = dict(
        db.session.execute(
            db.select(Submission.user_id, Submission.id).filter_by(assessment_id=work.id)
        ).all()
    )
    graded = {"score": 2, "max_score": 4, "passed": True, "version_id": 1}
    db.session.execute(
        db.insert(Grade),
        [
            {"assessment_id": work.id, "learner_id": i, "submission_id": submissions[i]}
            | graded
            | {"state": GradeState.GRADED}
            for i in ids
        ]
        + [
            {"assessment_id": oral.id, "learner_id": i, "released_at": now}
            | graded
            | {"state": GradeState.RELEASED}
            for i in ids
        ],
    )
    db.session.commit()


def count_gradebook_queries(client, query_counter, learners: int) -> list[int]:
    """Build a cohort of ``learners`` graded learners; count the gradebook pages' queries."""
    world = make_bien_vivre_path(codes=("M1", "M2"))
    trainer = MembershipFactory(cohort=world.cohort, trainer=True).user
    quiz = AssessmentFactory(module=world.modules["M1"], quiz=True)
    work = assignment(world.modules["M1"])
    oral = assignment(world.modules["M2"], kind="evaluation", accepts_files=False)
    add_graded_learners(world, quiz, work, oral, learners)
    client.post("/logout")
    log_in(client, trainer)
    counts = []
    for suffix in ("gradebook", "gradebook.csv"):
        db.session.expire_all()
        with query_counter as queries:
            response = client.get(f"/manage/cohorts/{world.cohort.id}/{suffix}")
            response.get_data()
        assert response.status_code == 200
        counts.append(queries.count)
    return counts


def test_query_counts_do_not_grow_with_the_cohort(client, query_counter):
    """Cost the same queries for 10 learners as for 500, and no more than 15."""
    small = count_gradebook_queries(client, query_counter, 10)
    large = count_gradebook_queries(client, query_counter, 500)
    assert small == large
    assert max(large) <= 15
