"""The grading queue kept across pages: "save and next" in the filtered queue, one line per work."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest

from lms.assessments.grading import queue as work_queue
from lms.assessments.models import Grade, GradeState, Submission
from lms.core.time import utcnow
from lms.extensions import db
from tests.assessments.grading.support import grade_form, make_grading_world
from tests.factories import (
    AssessmentFactory,
    CohortFactory,
    MembershipFactory,
    ModuleCalendarFactory,
    RubricFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.web.helpers import log_in


@pytest.fixture
def world():
    """Return the grading world with two more learners' submissions, each later than the last."""
    world = make_grading_world()
    for minutes, name in ((10, "Basile"), (20, "Chloé")):
        learner = world.bien_vivre.enrol_learner(completed=("M1",), display_name=name)
        submission = world.submit(learner)
        submission.submitted_at = world.submission.submitted_at + timedelta(minutes=minutes)
        world.learners.append(learner)
    db.session.commit()
    return world


@pytest.fixture
def trainer_client(app, world):
    """Return a client logged in as the world's trainer."""
    client = app.test_client()
    log_in(client, world.trainer)
    return client


def grade_of(url: str) -> Grade:
    """Return the grade whose page ``url`` is."""
    db.session.expire_all()
    return db.session.get(Grade, int(url.split("?")[0].rsplit("/", 1)[1]))


def walk(client, world, url: str, action: str = "next") -> tuple[list[int], str]:
    """Post "save and next" from ``url`` until the queue is back; return learners and last URL."""
    visited = []
    while url.startswith("/manage/grading/grades/"):
        grade = grade_of(url)
        visited.append(grade.learner_id)
        choices = world.levels(1, 2, assessment=grade.assessment)
        url = client.post(url, data=grade_form(grade, choices, action=action)).headers["Location"]
    return visited, url


def test_save_and_next_stays_in_the_filtered_queue_and_comes_back_to_it(trainer_client, world):
    kept = urlencode({"assessment": world.assignment.id, "state": "to_grade"})
    queue = trainer_client.get(f"/manage/grading?{kept}").get_data(as_text=True)
    # The queue's buttons carry its filters to the grading page...
    start_url = f"/manage/grading/submissions/{world.submission.id}/start?{kept}"
    assert f'action="{start_url.replace("&", "&amp;")}"' in queue
    first = trainer_client.post(start_url).headers["Location"]
    assert first == f"/manage/grading/grades/{grade_of(first).id}?{kept}"
    page = trainer_client.get(first).get_data(as_text=True)
    # ... which posts with them and links back to the same queue.
    assert f'action="{first.replace("&", "&amp;")}"' in page
    assert f'href="/manage/grading?{kept.replace("&", "&amp;")}" id="back-to-queue"' in page
    visited, last = walk(trainer_client, world, first)
    # The evaluation to record (older: its module opened yesterday) is not in this queue.
    assert visited == [learner.id for learner in world.learners]
    assert last == f"/manage/grading?{kept}"
    assert (
        db.session.scalar(db.select(Grade.id).filter_by(assessment_id=world.evaluation.id)) is None
    )


def test_save_and_next_keeps_the_module_filter(app, trainer_client, world):
    m1 = world.bien_vivre.modules["M1"]
    # Optional: M1 stays completed, so M2's evaluations stay open to record.
    other = AssessmentFactory(
        module=m1, rubric=RubricFactory(path=world.bien_vivre.path), optional=True
    )
    SubmissionFactory(assessment=other, user=world.learner, text="M1")  # the newest of all
    kept = urlencode({"module": world.bien_vivre.modules["M2"].id})
    first = trainer_client.post(
        f"/manage/grading/submissions/{world.submission.id}/start?{kept}"
    ).headers["Location"]
    visited, last = walk(trainer_client, world, first)
    assert last == f"/manage/grading?{kept}"
    assert db.session.scalar(db.select(Grade.id).filter_by(assessment_id=other.id)) is None
    # M2's three submissions, then (past the end) its evaluation for each learner, oldest first.
    assert len(visited) == 6
    assert visited[:3] == [learner.id for learner in world.learners]


def test_next_follows_the_current_item_then_takes_work_left_before_it(trainer_client, world):
    second = db.session.scalar(db.select(Submission.id).filter_by(user_id=world.learners[1].id))
    kept = urlencode({"assessment": world.assignment.id})
    url = trainer_client.post(f"/manage/grading/submissions/{second}/start?{kept}").headers[
        "Location"
    ]
    visited, last = walk(trainer_client, world, url)
    learners = [learner.id for learner in world.learners]
    assert visited == [learners[1], learners[2], learners[0]]
    assert last == f"/manage/grading?{kept}"


def test_a_finished_state_filter_walks_the_queue_once(trainer_client, world):
    visited, _last = walk(
        trainer_client,
        world,
        trainer_client.post(
            f"/manage/grading/submissions/{world.submission.id}/start?"
            + urlencode({"assessment": world.assignment.id})
        ).headers["Location"],
    )
    assert len(visited) == 3
    kept = urlencode({"assessment": world.assignment.id, "state": "graded"})
    first_grade = db.session.scalar(
        db.select(Grade.id).filter_by(submission_id=world.submission.id)
    )
    revisited, last = walk(trainer_client, world, f"/manage/grading/grades/{first_grade}?{kept}")
    assert revisited == [learner.id for learner in world.learners]  # once each, in order
    assert last == f"/manage/grading?{kept}"
    assert set(db.session.scalars(db.select(Grade.state))) == {GradeState.GRADED}


def test_save_keeps_the_filters_on_the_grading_page(trainer_client, world):
    kept = urlencode({"cohort": world.cohort.id, "state": "to_grade"})
    url = trainer_client.post(
        f"/manage/grading/submissions/{world.submission.id}/start?{kept}"
    ).headers["Location"]
    grade = grade_of(url)
    response = trainer_client.post(url, data=grade_form(grade, world.levels(1, 1)))
    assert response.headers["Location"] == url
    returned = trainer_client.post(
        url, data=grade_form(grade_of(url), {}, action="return", feedback="Revoir.")
    )
    assert returned.headers["Location"] == url


# One line per work: a learner of two cohorts of the same trainer.


def queue_lines(html: str) -> list[tuple[str, str, str]]:
    """Return (learner id, state, cohort name) of each queue line."""
    return re.findall(
        r'<tr data-learner="(\d+)" data-assessment="\d+" data-state="(\w+)">\s*'
        r"<td>.*?</td>\s*<td>.*?</td>\s*<td>(.*?)</td>",
        html,
        re.S,
    )


@pytest.fixture
def second_cohort(world):
    """Enrol the world's first learner in a later cohort of the same path, with the same trainer."""
    cohort = CohortFactory(
        name="Promotion Automne", path=world.bien_vivre.path, starts_on=date.today()
    )
    for code in ("M1", "M2"):
        ModuleCalendarFactory(cohort=cohort, module=world.bien_vivre.modules[code])
    MembershipFactory(user=world.learner, cohort=cohort)
    MembershipFactory(user=world.trainer, cohort=cohort, trainer=True)
    return cohort


def test_a_learner_of_two_cohorts_is_listed_once_under_their_current_cohort(
    trainer_client, world, second_cohort
):
    learner = str(world.learner.id)
    html = trainer_client.get("/manage/grading").get_data(as_text=True)
    mine = [line for line in queue_lines(html) if line[0] == learner]
    # One submission and one evaluation to record, each once, under the later cohort.
    assert sorted(mine) == [
        (learner, "to_grade", "Promotion Automne"),
        (learner, "to_record", "Promotion Automne"),
    ]
    assert len(queue_lines(html)) == 2 + 2 * 2  # the two other learners: submission, evaluation
    total = trainer_client.get("/manage/grading").get_data(as_text=True)
    assert '<p id="queue-total">6 items</p>' in total


def test_filtering_by_either_cohort_lists_the_work_once_under_that_cohort(
    trainer_client, world, second_cohort
):
    learner = str(world.learner.id)
    for cohort, name in ((world.cohort, world.cohort.name), (second_cohort, "Promotion Automne")):
        html = trainer_client.get(f"/manage/grading?cohort={cohort.id}").get_data(as_text=True)
        mine = sorted(line for line in queue_lines(html) if line[0] == learner)
        assert mine == [(learner, "to_grade", name), (learner, "to_record", name)]


def test_a_trainer_of_one_of_the_cohorts_sees_the_work_under_it(app, world, second_cohort):
    colleague = UserFactory()
    MembershipFactory(user=colleague, cohort=world.cohort, trainer=True)
    client = app.test_client()
    log_in(client, colleague)
    html = client.get("/manage/grading").get_data(as_text=True)
    mine = [line for line in queue_lines(html) if line[0] == str(world.learner.id)]
    assert sorted(mine) == [
        (str(world.learner.id), "to_grade", world.cohort.name),
        (str(world.learner.id), "to_record", world.cohort.name),
    ]


def test_the_digest_lists_a_learner_of_two_cohorts_once(world, second_cohort):
    items = work_queue.new_submissions(world.trainer, utcnow() - timedelta(days=1))
    assert [item.learner_id for item in items].count(world.learner.id) == 1
