"""What the learner sees and receives: nothing before release; the result and e-mails after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext

from lms.assessments.grading import services
from lms.core.time import utcnow
from lms.extensions import db
from tests.assessments.grading.support import grade_form, make_grading_world, reload
from tests.factories import MembershipFactory, UserFactory
from tests.smtp import body_of
from tests.web.helpers import log_in


@pytest.fixture
def world():
    """Return the grading world (its learner reads English, like every test user)."""
    return make_grading_world()


def client_of(app, user):
    """Return a client logged in as ``user``."""
    client = app.test_client()
    log_in(client, user)
    return client


def evaluation_grade(world, finish: bool, feedback: str = "Posture **très** juste."):
    """Record the learner's evaluation with levels worth 2 and 1 points."""
    grade = services.start_grading(
        world.trainer, learner=world.learner, assessment=world.evaluation
    )
    choices = world.levels(2, 1, assessment=world.evaluation)
    services.save_grade(
        world.trainer,
        grade,
        expected_version=grade.version_id,
        choices=choices,
        feedback=feedback,
        finish=finish,
    )
    db.session.commit()
    return grade


def test_the_evaluation_page_says_not_graded_yet(app, world):
    html = (
        client_of(app, world.learner)
        .get(f"/assessments/{world.evaluation.id}/evaluation")
        .get_data(as_text=True)
    )
    assert "Not graded yet." in html
    assert "Your result" not in html


@pytest.mark.parametrize("finish", [False, True])
def test_the_evaluation_page_never_shows_a_grade_before_release(app, world, finish):
    evaluation_grade(world, finish, feedback="Secret feedback")
    html = (
        client_of(app, world.learner)
        .get(f"/assessments/{world.evaluation.id}/evaluation")
        .get_data(as_text=True)
    )
    assert "the result will appear here once released" in html
    for leaked in ("Secret feedback", "Score", "3 / 4", "Passed", "Niveau"):
        assert leaked not in html


def test_the_evaluation_page_shows_the_released_result(app, world, smtp_server):
    grade = evaluation_grade(world, finish=True)
    services.release_grade(world.trainer, grade)
    db.session.commit()
    html = (
        client_of(app, world.learner)
        .get(f"/assessments/{world.evaluation.id}/evaluation")
        .get_data(as_text=True)
    )
    assert "Score: 3 / 4" in html
    assert "<strong>très</strong>" in html
    for criterion in world.criteria(world.evaluation):
        assert criterion.title in html


def test_an_assignment_is_not_an_evaluation_page(app, world):
    response = client_of(app, world.learner).get(f"/assessments/{world.assignment.id}/evaluation")
    assert response.status_code == 404


def test_a_learner_of_another_path_cannot_open_the_evaluation(app, world):
    stranger = UserFactory()
    MembershipFactory(user=stranger)
    response = client_of(app, stranger).get(f"/assessments/{world.evaluation.id}/evaluation")
    assert response.status_code in (403, 404)


def test_the_released_partial_shows_on_the_assignment_page_only_after_release(app, world):
    grade = services.start_grading(world.trainer, world.submission)
    services.save_grade(
        world.trainer,
        grade,
        expected_version=grade.version_id,
        choices=world.levels(2, 2),
        feedback="Carte complète",
        finish=True,
    )
    db.session.commit()
    learner = client_of(app, world.learner)
    page = f"/assessments/{world.assignment.id}/assignment"
    assert "Carte complète" not in learner.get(page).get_data(as_text=True)
    services.release_grade(world.trainer, grade)
    db.session.commit()
    html = learner.get(page).get_data(as_text=True)
    assert "Carte complète" in html
    assert 'id="released-grade"' in html


def test_no_mail_before_release_then_one_in_the_learners_language(app, world, smtp_server):
    world.learner.locale = "fr"
    db.session.commit()
    trainer = client_of(app, world.trainer)
    grade = services.start_grading(world.trainer, world.submission)
    db.session.commit()
    url = f"/manage/grading/grades/{grade.id}"
    trainer.post(url, data=grade_form(grade, world.levels(2, 1), action="finish", feedback="Bien"))
    assert smtp_server == []
    trainer.post(url, data=grade_form(reload(grade), {}, action="release"))
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == world.learner.email
    with force_locale("fr"):
        subject = gettext("Your result for “%(title)s” is available", title=world.assignment.title)
    assert (
        message["Subject"] == subject != f"Your result for “{world.assignment.title}” is available"
    )
    body = body_of(message)
    assert f"/assessments/{world.assignment.id}/assignment" in body
    assert "Bien" not in body
    assert "3 / 4" not in body
    # Written in French: the date of release uses French month names.
    month = {11: "novembre", 12: "décembre", 1: "janvier"}.get(utcnow().month)
    if month:
        assert month in body


def test_an_english_learner_gets_the_mail_in_english(app, world, smtp_server):
    world.learner.locale = "en"
    db.session.commit()
    grade = evaluation_grade(world, finish=True)
    services.release_grade(world.trainer, grade)
    db.session.commit()
    from lms.assessments.grading.notify import notify_released

    assert notify_released([grade]) == 1
    body = body_of(smtp_server[0])
    assert utcnow().strftime("%B") in body
    assert f"/assessments/{world.evaluation.id}/evaluation" in body


def test_returning_mails_the_learner_what_to_revise(app, world, smtp_server):
    trainer = client_of(app, world.trainer)
    grade = services.start_grading(world.trainer, world.submission)
    db.session.commit()
    trainer.post(
        f"/manage/grading/grades/{grade.id}",
        data=grade_form(grade, {}, action="return", feedback="Ajoutez les financeurs."),
    )
    assert len(smtp_server) == 1
    assert "Ajoutez les financeurs." in body_of(smtp_server[0])
    assert smtp_server[0]["To"] == world.learner.email


def test_releasing_to_the_cohort_mails_each_released_learner(app, world, smtp_server):
    other = world.bien_vivre.enrol_learner(completed=("M1",))
    for learner, points in ((world.learner, (2, 2)), (other, (0, 0))):
        grade = services.start_grading(
            world.trainer, world.submit(learner) if learner is other else world.submission
        )
        services.save_grade(
            world.trainer,
            grade,
            expected_version=grade.version_id,
            choices=world.levels(*points),
            feedback="",
            finish=learner is world.learner,
        )
    db.session.commit()
    trainer = client_of(app, world.trainer)
    trainer.post(
        f"/manage/grading/cohorts/{world.cohort.id}/assessments/{world.assignment.id}/release"
    )
    assert [m["To"] for m in smtp_server] == [world.learner.email]


def test_the_digest_mails_each_trainer_their_new_submissions(app, world, runner, smtp_server):
    other_world = make_grading_world(display_name="Nora Newcomer")
    other_world.submission.submitted_at = utcnow() - timedelta(hours=30)
    db.session.commit()
    result = runner.invoke(args=["grading-digest"])
    assert result.exit_code == 0, result.output
    assert "1 trainer(s) notified" in result.output
    assert [m["To"] for m in smtp_server] == [world.trainer.email]
    body = body_of(smtp_server[0])
    assert "Lina Learner" in body
    assert "Carte des acteurs" in body
    assert "Nora Newcomer" not in body
    assert "/manage/grading" in body


def test_the_digest_looks_back_as_far_as_asked(app, world, runner, smtp_server):
    world.submission.submitted_at = utcnow() - timedelta(hours=30)
    db.session.commit()
    assert "0 trainer(s)" in runner.invoke(args=["grading-digest"]).output
    assert smtp_server == []
    result = runner.invoke(args=["grading-digest", "--since", "48"])
    assert "1 trainer(s) notified" in result.output
    assert len(smtp_server) == 1


def test_the_digest_refuses_a_bad_period(runner):
    result = runner.invoke(args=["grading-digest", "--since", "0"])
    assert result.exit_code == 2
    assert "--since" in result.output
