"""The learner's quiz pages cost the same queries whatever the questions, attempts or cohort.

Each page is counted twice: on a small world (2 questions, 1 earlier attempt, 10 learners) and
on a large one (12 questions, 5 earlier attempts, 200 learners, every other learner with attempts
of their own). The counts must be equal (no N+1) and within PERFORMANCE.md's 15 queries a page.
"""

from __future__ import annotations

import re

from lms.accounts.models import User
from lms.assessments.models import QuizAttempt, QuizReview
from lms.cohorts.models import Membership, MembershipRole
from lms.core.time import utcnow
from lms.extensions import db
from tests.assessments.quizzes.support import QuizWorld, make_quiz_world
from tests.factories import QuestionFactory
from tests.web.helpers import count_queries, log_in

PAGES = ("quiz", "review", "start", "attempt", "save", "submit")


def _grow(world: QuizWorld, questions: int, learners: int) -> None:
    """Add questions to the quiz and learners to the cohort, half of them with attempts."""
    for position in range(3, questions + 1):
        QuestionFactory(
            assessment=world.quiz,
            position=position,
            options=[("Oui", True), ("Non", False), ("Peut-être", False)],
        )
    cohort_id = world.bien_vivre.cohort.id
    emails = [f"learner{n}-cohort{cohort_id}@example.org" for n in range(learners)]
    db.session.execute(
        db.insert(User), [{"email": e, "display_name": f"Apprenant {e}"} for e in emails]
    )
    ids = list(db.session.scalars(db.select(User.id).where(User.email.in_(emails))))
    db.session.execute(
        db.insert(Membership),
        [{"user_id": i, "cohort_id": cohort_id, "role": MembershipRole.LEARNER} for i in ids],
    )
    now = utcnow()
    db.session.execute(
        db.insert(QuizAttempt),
        [
            {"assessment_id": world.quiz.id, "user_id": i, "number": 1, "max_score": 1}
            | {"started_at": now, "submitted_at": now, "score": 0, "passed": False}
            for i in ids[::2]
        ],
    )
    db.session.commit()


def _answers(html: str) -> dict[str, list[str]]:
    """Tick the first option shown of every question on an attempt page."""
    ticked: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="(question_\d+)" value="(\d+)"', html):
        ticked.setdefault(name, [value])
    return ticked


def _take_attempt(client, quiz_url: str) -> str:
    """Start an attempt through the pages, answer and submit it; return its address."""
    attempt_url = client.post(f"{quiz_url}/attempts").headers["Location"]
    html = client.get(attempt_url).get_data(as_text=True)
    client.post(f"{attempt_url}/submit", data=_answers(html))
    return attempt_url


def count_quiz_page_queries(app, questions: int, attempts: int, learners: int) -> dict[str, int]:
    """Build a world of this size; count the queries of each of the learner's quiz pages."""
    # A deadline (``due_days``) makes the pages read the calendar too: the costlier case.
    world = make_quiz_world(max_attempts=None, review=QuizReview.AFTER_SUBMISSION, due_days=3650)
    _grow(world, questions, learners)
    client = app.test_client()
    log_in(client, world.learner)
    quiz_url = f"/assessments/{world.quiz.id}/quiz"
    done = [_take_attempt(client, quiz_url) for _ in range(attempts)]
    counts: dict[str, int] = {}

    def count(page: str, url: str, data=None) -> str:
        """Request a page (POST with data); return the redirect's location or the HTML."""
        with count_queries() as statements:
            response = client.get(url) if data is None else client.post(url, data=data)
        counts[page] = len(statements)
        if response.status_code == 200:
            return response.get_data(as_text=True)
        assert "Location" in response.headers, (page, response.status_code)
        return response.headers["Location"]

    assert "<h1" in count("quiz", quiz_url)
    assert "<h1" in count("review", f"{done[-1]}/review")
    attempt_url = count("start", f"{quiz_url}/attempts", {})
    answers = _answers(count("attempt", attempt_url))
    assert len(answers) == questions
    assert count("save", f"{attempt_url}/answers", answers) == attempt_url
    assert count("submit", f"{attempt_url}/submit", answers) == quiz_url
    return counts


def test_quiz_pages_cost_the_same_queries_whatever_the_size(app):
    small = count_quiz_page_queries(app, questions=2, attempts=1, learners=10)
    large = count_quiz_page_queries(app, questions=12, attempts=5, learners=200)
    assert list(small) == list(PAGES)
    assert small == large
    assert max(large.values()) <= 15, large
