"""The marking pages read in a constant number of queries: 10 learners or 200."""

from __future__ import annotations

from lms.assessments.marking import allocation
from lms.assessments.models import Grade, Marking, MarkingRole, Submission
from lms.extensions import db
from tests.assessments.marking.support import make_marking_world
from tests.web.helpers import count_queries, log_in

PAGES = ("queue", "marking", "allocations")


def count_marking_page_queries(app, learners: int) -> dict[str, int]:
    """Build a world of this size, every work allocated; count each marking page's queries."""
    world = make_marking_world()
    for _ in range(learners - 1):
        world.submit(world.bien_vivre.enrol_learner(completed=("M1",)))
    db.session.flush()
    for submission in db.session.scalars(db.select(Submission).order_by(Submission.id)).all():
        allocation.allocate_submission(submission, world.cohort)
    db.session.commit()
    grade = db.session.scalar(db.select(Grade).filter_by(submission_id=world.submission.id))
    own = db.session.scalar(db.select(Marking).filter_by(grade_id=grade.id, role=MarkingRole.FIRST))
    client = app.test_client()
    log_in(client, own.marker)
    urls = {
        "queue": "/marking",
        "marking": f"/marking/{own.id}",
        "allocations": (
            f"/manage/marking/cohorts/{world.cohort.id}/assessments/{world.assignment.id}"
        ),
    }
    counts = {}
    for page, url in urls.items():
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200, page
        counts[page] = len(statements)
    return counts


def test_marking_pages_cost_the_same_queries_whatever_the_size(app):
    small = count_marking_page_queries(app, learners=10)
    large = count_marking_page_queries(app, learners=200)
    print(f"\nmarking pages, queries at 10 / 200 learners: {small} / {large}")
    assert list(small) == list(PAGES)
    assert small == large
    assert max(large.values()) <= 20, large
