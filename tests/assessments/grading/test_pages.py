"""Grading pages: the queue and its scope, the grading page, the 409, the keyboard-only flow."""

from __future__ import annotations

import re

import pytest

from lms.assessments.grading import services
from lms.assessments.models import Grade, GradeEvent, GradeState
from lms.extensions import db
from tests.assessments.grading.support import grade_form, make_grading_world, reload
from tests.factories import (
    LessonCompletionFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.learning.helpers import make_bien_vivre_path
from tests.web.helpers import log_in


@pytest.fixture
def world():
    """Return the grading world."""
    return make_grading_world()


@pytest.fixture
def trainer_client(app, world):
    """Return a client logged in as the world's trainer."""
    client = app.test_client()
    log_in(client, world.trainer)
    return client


def start(client, world) -> Grade:
    """Start grading the world's submission through the queue's button; return the grade."""
    response = client.post(f"/manage/grading/submissions/{world.submission.id}/start")
    grade = db.session.scalar(db.select(Grade).filter_by(submission_id=world.submission.id))
    assert response.headers["Location"] == f"/manage/grading/grades/{grade.id}"
    return grade


def rows(html: str) -> list[tuple[str, str]]:
    """Return (learner id, state) of each queue row."""
    return re.findall(r'<tr data-learner="(\d+)" data-assessment="\d+" data-state="(\w+)"', html)


def test_the_queue_lists_submissions_and_evaluations_to_record(trainer_client, world):
    html = trainer_client.get("/manage/grading").get_data(as_text=True)
    learner = str(world.learner.id)
    # The evaluation of M2 (open) is to record; the one of M3 (not scheduled) is not listed.
    assert sorted(rows(html)) == [(learner, "to_grade"), (learner, "to_record")]
    table = html.split('id="grading-queue"')[1]
    assert "Soutenance" in table
    assert "Oral M3" not in table


def test_the_queue_filters_by_state_assessment_and_cohort(trainer_client, world):
    start(trainer_client, world)
    grading = trainer_client.get("/manage/grading?state=grading").get_data(as_text=True)
    assert rows(grading) == [(str(world.learner.id), "grading")]
    to_grade = trainer_client.get("/manage/grading?state=to_grade").get_data(as_text=True)
    assert rows(to_grade) == [(str(world.learner.id), "to_record")]
    by_assessment = trainer_client.get(f"/manage/grading?assessment={world.evaluation.id}")
    assert rows(by_assessment.get_data(as_text=True)) == [(str(world.learner.id), "to_record")]
    module = world.bien_vivre.modules["M1"].id
    assert rows(trainer_client.get(f"/manage/grading?module={module}").get_data(as_text=True)) == []
    other = make_bien_vivre_path(codes=("M1",)).cohort
    assert (
        rows(trainer_client.get(f"/manage/grading?cohort={other.id}").get_data(as_text=True)) == []
    )


def test_the_queue_is_oldest_first_and_ignores_bad_filters(trainer_client, world):
    newer = world.bien_vivre.enrol_learner(completed=("M1",))
    world.submit(newer)
    html = trainer_client.get("/manage/grading?state=bogus&cohort=x&page=-3").get_data(as_text=True)
    submissions = [learner for learner, state in rows(html) if state == "to_grade"]
    assert submissions == [str(world.learner.id), str(newer.id)]


def test_a_trainer_of_another_cohort_sees_nothing_and_cannot_open_the_grade(app, world):
    grade = services.start_grading(world.trainer, world.submission)
    db.session.commit()
    other = make_bien_vivre_path(codes=("M1",), opened=("M1",))
    stranger = UserFactory()
    MembershipFactory(user=stranger, cohort=other.cohort, trainer=True)
    client = app.test_client()
    log_in(client, stranger)
    assert rows(client.get("/manage/grading").get_data(as_text=True)) == []
    assert client.get(f"/manage/grading/grades/{grade.id}").status_code == 403
    assert (
        client.post(f"/manage/grading/grades/{grade.id}", data=grade_form(grade, {})).status_code
        == 403
    )
    assert (
        client.post(f"/manage/grading/submissions/{world.submission.id}/start").status_code == 403
    )
    assert reload(grade).version_id == grade.version_id


def test_learners_and_visitors_are_kept_out_of_the_queue(app, world):
    client = app.test_client()
    assert client.get("/manage/grading").headers["Location"].startswith("/login")
    log_in(client, world.learner)
    assert client.get("/manage/grading").status_code == 403


def test_the_queue_costs_the_same_queries_for_10_and_500_learners(app, world, query_counter):
    counts = []
    for wanted in (10, 500):
        _add_learners_with_submissions(world, wanted - len(world.learners))
        client = app.test_client()
        log_in(client, world.trainer)
        db.session.expire_all()
        with query_counter as queries:
            response = client.get("/manage/grading")
        assert response.status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1] <= 15, counts


def _add_learners_with_submissions(world, count: int) -> None:
    """Enrol ``count`` more learners, each with a submission (bulk inserts: fast)."""
    from lms.accounts.models import User
    from lms.assessments.models import Submission
    from lms.cohorts.models import Membership, MembershipRole

    start = len(world.learners)
    users = [
        User(
            email=f"bulk{start + n}@example.org",
            display_name=f"Bulk {start + n}",
            password_hash="x",
        )
        for n in range(count)
    ]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        [
            Membership(user_id=u.id, cohort_id=world.cohort.id, role=MembershipRole.LEARNER)
            for u in users
        ]
    )
    db.session.add_all(
        [
            Submission(
                assessment_id=world.assignment.id, user_id=u.id, text="t", content_sha256="0" * 64
            )
            for u in users
        ]
    )
    db.session.commit()
    world.learners.extend(users)


def test_the_grading_page_shows_the_work_beside_the_rubric(trainer_client, world):
    world.submission.text = "Mon **plan** <script>alert(1)</script>"
    db.session.commit()
    grade = start(trainer_client, world)
    html = trainer_client.get(f"/manage/grading/grades/{grade.id}").get_data(as_text=True)
    assert "<strong>plan</strong>" in html
    assert "<script>alert(1)" not in html
    assert html.count("<fieldset") == 2
    assert html.count("<legend>") == 2
    assert html.count('type="radio"') == 6
    assert f'name="version" type="hidden" value="{grade.version_id}"' in html


def test_saving_and_marking_graded_computes_the_score_on_the_server(trainer_client, world):
    grade = start(trainer_client, world)
    data = grade_form(grade, world.levels(2, 1), action="finish", feedback="Très **clair**.")
    data["score"] = "0"  # a forged field is ignored: the server computes the score
    response = trainer_client.post(f"/manage/grading/grades/{grade.id}", data=data)
    assert response.headers["Location"] == f"/manage/grading/grades/{grade.id}"
    grade = reload(grade)
    assert (grade.state, grade.score, grade.passed) == (GradeState.GRADED, 3, True)
    html = trainer_client.get(f"/manage/grading/grades/{grade.id}").get_data(as_text=True)
    assert "Saved score: 3 / 4 · Passed" in html
    # The score of the levels shown checked, computed by the server too (the script updates it).
    assert 'Score of the chosen levels: <span data-live="score">3</span> / 4' in html


def test_a_level_of_another_criterion_is_a_field_error_and_nothing_is_saved(trainer_client, world):
    grade = start(trainer_client, world)
    first, second = world.criteria()
    data = grade_form(grade, {first.id: second.levels[2].id}, action="finish")
    response = trainer_client.post(f"/manage/grading/grades/{grade.id}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="criterion-{first.id}-error">Choose one of this criterion' in html
    assert f'id="criterion-{second.id}-error">Choose a level' in html
    assert reload(grade).choices == []
    assert reload(grade).state == GradeState.GRADING


def test_a_malformed_level_is_a_field_error(trainer_client, world):
    grade = start(trainer_client, world)
    first = world.criteria()[0]
    data = grade_form(grade, {})
    data[f"criterion-{first.id}"] = "abc"
    response = trainer_client.post(f"/manage/grading/grades/{grade.id}", data=data)
    assert response.status_code == 422
    assert f'id="criterion-{first.id}-error"' in response.get_data(as_text=True)


def test_two_trainers_saving_the_same_version_the_second_gets_409(app, trainer_client, world):
    colleague = UserFactory(display_name="Clara Colleague")
    MembershipFactory(user=colleague, cohort=world.cohort, trainer=True)
    second = app.test_client()
    log_in(second, colleague)
    grade = start(trainer_client, world)
    version = grade.version_id  # both pages were loaded at this version
    mine = grade_form(
        grade, world.levels(2, 2), action="finish", feedback="Excellent", version=version
    )
    theirs = grade_form(
        grade, world.levels(0, 0), action="save", feedback="Insuffisant", version=version
    )
    assert second.post(f"/manage/grading/grades/{grade.id}", data=theirs).status_code == 302
    response = trainer_client.post(f"/manage/grading/grades/{grade.id}", data=mine)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Clara Colleague saved this grade on" in html
    assert 'id="their-version"' in html
    assert "Insuffisant" in html
    assert "Excellent</textarea>" in html  # the user's feedback is kept in the form
    for level in world.levels(2, 2).values():
        assert f'value="{level}" checked' in html
    grade = reload(grade)
    assert grade.score == 0
    assert grade.feedback == "Insuffisant"
    assert f'value="{grade.version_id}"' in html  # saving again now overrides knowingly
    events = db.session.scalars(
        db.select(GradeEvent).filter_by(grade_id=grade.id).order_by(GradeEvent.id)
    ).all()
    assert [(e.actor_id, e.accepted) for e in events[1:]] == [
        (colleague.id, True),
        (world.trainer.id, False),
    ]
    assert events[-1].after["feedback"] == "Excellent"


def test_save_and_next_grades_a_whole_queue_with_form_posts_only(trainer_client, world):
    other = world.bien_vivre.enrol_learner(completed=("M1",))
    world.submit(other)
    url = f"/manage/grading/grades/{start(trainer_client, world).id}"
    visited = []
    while url.startswith("/manage/grading/grades/"):
        grade = db.session.get(Grade, int(url.rsplit("/", 1)[1]))
        visited.append((grade.learner_id, grade.assessment_id))
        choices = world.levels(1, 2, assessment=grade.assessment)
        response = trainer_client.post(url, data=grade_form(grade, choices, action="next"))
        url = response.headers["Location"]
        db.session.expire_all()
    assert url == "/manage/grading"
    # The first item, then the items after it oldest first (the other learner's submission),
    # then, past the end, the work left before it: the evaluations (their module opened
    # yesterday, before anything was submitted).
    assert visited == [
        (world.learner.id, world.assignment.id),
        (other.id, world.assignment.id),
        (world.learner.id, world.evaluation.id),
        (other.id, world.evaluation.id),
    ]
    assert db.session.scalars(db.select(Grade.state)).all() == [GradeState.GRADED] * 4


def test_the_grading_page_puts_primary_actions_first_in_tab_order(trainer_client, world):
    grade = start(trainer_client, world)
    html = trainer_client.get(f"/manage/grading/grades/{grade.id}").get_data(as_text=True)
    order = [
        html.index(s)
        for s in (
            'type="radio"',
            'name="feedback"',
            'value="next"',
            'value="finish"',
            'value="save"',
        )
    ]
    assert order == sorted(order)
    assert not re.search(r'tabindex="[1-9]', html)  # the document order is the tab order


def test_release_and_return_from_the_grading_page(trainer_client, world):
    grade = start(trainer_client, world)
    url = f"/manage/grading/grades/{grade.id}"
    refused = trainer_client.post(url, data=grade_form(grade, {}, action="release"))
    assert refused.status_code == 422
    assert "mark it graded first" in refused.get_data(as_text=True)
    trainer_client.post(url, data=grade_form(grade, world.levels(1, 1), action="finish"))
    grade = reload(grade)
    response = trainer_client.post(
        url, data=grade_form(grade, world.levels(1, 1), action="release")
    )
    assert response.headers["Location"] == url
    assert reload(grade).state == GradeState.RELEASED


def test_returning_lets_the_learner_submit_a_new_version(trainer_client, world):
    from lms.assessments.assignments.services import editing_closed_reason

    grade = start(trainer_client, world)
    url = f"/manage/grading/grades/{grade.id}"
    assert editing_closed_reason(world.submission) is not None
    response = trainer_client.post(
        url, data=grade_form(grade, {}, action="return", feedback="Ajoutez la carte.")
    )
    assert response.headers["Location"] == url
    assert reload(grade).state == GradeState.RETURNED
    assert editing_closed_reason(reload(grade).submission) is None
    newer = SubmissionFactory(assessment=world.assignment, user=world.learner, version=2, text="v2")
    html = trainer_client.get("/manage/grading?state=all").get_data(as_text=True)
    assert (str(world.learner.id), "returned") in rows(html)
    assert (
        str(world.learner.id),
        "to_grade",
    ) in rows(html)
    assert trainer_client.post(f"/manage/grading/submissions/{newer.id}/start").status_code == 302


def test_release_for_the_cohort_from_the_queue(trainer_client, world):
    grade = start(trainer_client, world)
    trainer_client.post(
        f"/manage/grading/grades/{grade.id}",
        data=grade_form(grade, world.levels(2, 2), action="finish"),
    )
    url = f"/manage/grading/cohorts/{world.cohort.id}/assessments/{world.assignment.id}/release"
    response = trainer_client.post(url)
    assert (
        response.headers["Location"]
        == f"/manage/grading?cohort={world.cohort.id}&assessment={world.assignment.id}"
    )
    assert reload(grade).state == GradeState.RELEASED


def test_release_for_a_cohort_one_does_not_train_is_refused(app, world):
    stranger = UserFactory()
    MembershipFactory(
        user=stranger, cohort=make_bien_vivre_path(codes=("M1",)).cohort, trainer=True
    )
    client = app.test_client()
    log_in(client, stranger)
    url = f"/manage/grading/cohorts/{world.cohort.id}/assessments/{world.assignment.id}/release"
    assert client.post(url).status_code == 403


def test_the_grading_page_costs_the_same_queries_for_10_and_500_learners(app, world, query_counter):
    grade = services.start_grading(world.trainer, world.submission)
    db.session.commit()
    counts = []
    for wanted in (10, 500):
        _add_learners_with_submissions(world, wanted - len(world.learners))
        client = app.test_client()
        log_in(client, world.trainer)
        db.session.expire_all()
        with query_counter as queries:
            response = client.get(f"/manage/grading/grades/{grade.id}")
        assert response.status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1] <= 15, counts


def test_a_version_replaced_before_grading_leaves_the_queue(trainer_client, world):
    newer = SubmissionFactory(assessment=world.assignment, user=world.learner, version=2, text="v2")
    html = trainer_client.get("/manage/grading?state=to_grade").get_data(as_text=True)
    assert f"/manage/grading/submissions/{newer.id}/start" in html
    assert f"/manage/grading/submissions/{world.submission.id}/start" not in html
    response = trainer_client.post(f"/manage/grading/submissions/{world.submission.id}/start")
    assert response.headers["Location"] == "/manage/grading"
    assert db.session.scalar(db.select(Grade)) is None


def test_a_release_from_a_stale_page_answers_409_and_is_recorded(trainer_client, world):
    grade = start(trainer_client, world)
    url = f"/manage/grading/grades/{grade.id}"
    stale = grade.version_id
    trainer_client.post(url, data=grade_form(grade, world.levels(1, 1), action="finish"))
    response = trainer_client.post(url, data=grade_form(grade, {}, action="release", version=stale))
    assert response.status_code == 409
    assert reload(grade).state == GradeState.GRADED
    last = db.session.scalars(db.select(GradeEvent).order_by(GradeEvent.id.desc())).first()
    assert not last.accepted
    assert last.after["state"] == "released"


def test_the_queue_opens_on_work_to_grade_and_leaves_released_work_to_a_filter(
    trainer_client, world
):
    grade = start(trainer_client, world)
    url = f"/manage/grading/grades/{grade.id}"
    trainer_client.post(url, data=grade_form(grade, world.levels(2, 2), action="finish"))
    trainer_client.post(url, data=grade_form(reload(grade), {}, action="release"))
    learner = str(world.learner.id)
    html = trainer_client.get("/manage/grading").get_data(as_text=True)
    assert rows(html) == [(learner, "to_record")]  # the evaluation; not the released work
    assert "Work to grade, oldest first" in html
    released = trainer_client.get("/manage/grading?state=released").get_data(as_text=True)
    assert rows(released) == [(learner, "released")]
    every = trainer_client.get("/manage/grading?state=all").get_data(as_text=True)
    assert sorted(rows(every)) == [(learner, "released"), (learner, "to_record")]


def test_an_evaluation_is_listed_once_its_module_is_open_for_the_learner(trainer_client, world):
    """M2 is open in the calendar, but not to a learner who has not completed M1 yet."""
    beginner = world.bien_vivre.enrol_learner(display_name="Bea Beginner")
    html = trainer_client.get("/manage/grading").get_data(as_text=True)
    assert (str(beginner.id), "to_record") not in rows(html)
    assert (str(world.learner.id), "to_record") in rows(html)
    LessonCompletionFactory(user=beginner, lesson=world.bien_vivre.lessons["M1"])  # M1 done
    html = trainer_client.get("/manage/grading").get_data(as_text=True)
    assert (str(beginner.id), "to_record") in rows(html)
