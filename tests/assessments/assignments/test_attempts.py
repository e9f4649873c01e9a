"""Assignment attempts: versions replace each other until grading, a return opens an attempt,
``max_attempts`` caps the returns (the trainer cannot return the last one, the learner is told)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import IntegrityError

from lms.assessments.grading import services as grading
from lms.assessments.models import Submission
from lms.extensions import db
from tests.assessments.assignments.conftest import submit
from tests.assessments.grading.support import grade_form
from tests.factories import RubricFactory, SubmissionFactory
from tests.web.helpers import log_in, text


@pytest.fixture
def assignment(setting):
    """Give the setting's assignment a rubric and three attempts."""
    setting.assignment.rubric = RubricFactory(path=setting.bien_vivre.path, criteria=1)
    setting.assignment.max_attempts = 3
    db.session.commit()
    return setting.assignment


def versions(setting) -> list[tuple[int, int, str]]:
    """Return (version, attempt, state) of the learner's versions, oldest first."""
    db.session.expire_all()
    query = db.select(Submission).filter_by(
        assessment_id=setting.assignment.id, user_id=setting.learner.id
    )
    return [
        (s.version, s.attempt, str(s.state))
        for s in db.session.scalars(query.order_by(Submission.version))
    ]


def return_latest(setting, feedback: str = "Complétez la carte.") -> None:
    """Have the trainer return the learner's latest version for revision."""
    latest = db.session.scalar(
        db.select(Submission)
        .filter_by(assessment_id=setting.assignment.id, user_id=setting.learner.id)
        .order_by(Submission.version.desc())
    )
    grade = grading.start_grading(setting.trainer, latest)
    grading.return_for_revision(setting.trainer, grade, feedback)
    db.session.commit()


def page(client, setting) -> str:
    return client.get(f"/assessments/{setting.assignment.id}/assignment").get_data(as_text=True)


def test_versions_before_grading_stay_in_one_attempt(setting, assignment, learner_client):
    submit(learner_client, assignment, "Brouillon.")
    submit(learner_client, assignment, "Version propre.")
    assert versions(setting) == [(1, 1, "submitted"), (2, 1, "submitted")]
    assert text("Attempt %(n)d of %(max)d", n=1, max=3) in page(learner_client, setting)


def test_a_return_for_revision_opens_the_next_attempt(setting, assignment, learner_client):
    submit(learner_client, assignment, "Première carte.")
    return_latest(setting)
    assert text("Attempt %(n)d of %(max)d", n=2, max=3) in page(learner_client, setting)
    submit(learner_client, assignment, "Première carte.")  # the same content is a new version
    submit(learner_client, assignment, "Carte complétée.")  # edited before grading: same attempt
    assert versions(setting) == [
        (1, 1, "returned"),
        (2, 2, "submitted"),
        (3, 2, "submitted"),
    ]


def test_the_trainer_cannot_return_the_last_attempt(app, setting, assignment, learner_client):
    assignment.max_attempts = 2
    db.session.commit()
    submit(learner_client, assignment, "Première carte.")
    return_latest(setting)
    submit(learner_client, assignment, "Carte revue.")
    body = page(learner_client, setting)
    assert 'id="assignment-last-attempt"' in body
    assert (
        text(
            "This is your last attempt: once your trainer grades it, it cannot be returned for "
            "revision."
        )
        in body
    )
    trainer = app.test_client()
    log_in(trainer, setting.trainer)
    last = db.session.scalar(db.select(Submission).filter_by(version=2))
    url = trainer.post(f"/manage/grading/submissions/{last.id}/start").headers["Location"]
    html = trainer.get(url).get_data(as_text=True)
    assert 'value="return"' not in html  # no button for what would be refused
    assert text("Attempt %(n)d of %(max)d", n=2, max=2) in html
    grade = grading.start_grading(setting.trainer, last)
    response = trainer.post(url, data=grade_form(grade, {}, action="return", feedback="Encore."))
    assert response.status_code == 422
    message = text(
        "This is the learner's last attempt (%(n)d of %(max)d): it cannot be returned for "
        "revision. Grade it as it is.",
        n=2,
        max=2,
    )
    assert message in response.get_data(as_text=True)
    assert versions(setting)[-1] == (2, 2, "submitted")
    with pytest.raises(grading.GradingError, match="last attempt"):
        grading.return_for_revision(setting.trainer, grade, "Encore.")


def test_a_single_attempt_is_never_returned(setting, assignment, learner_client):
    assignment.max_attempts = 1
    db.session.commit()
    submit(learner_client, assignment, "Unique.")
    with pytest.raises(grading.GradingError, match=r"last attempt \(1 of 1\)"):
        return_latest(setting)


def test_no_limit_lets_the_work_be_returned_again_and_again(setting, assignment, learner_client):
    assignment.max_attempts = None
    db.session.commit()
    for n in range(1, 5):
        submit(learner_client, assignment, f"Version {n}.")
        return_latest(setting)
    assert [attempt for _v, attempt, _s in versions(setting)] == [1, 2, 3, 4]
    assert 'id="assignment-attempts"' not in page(learner_client, setting)


def test_a_learner_without_attempts_left_is_told_why_and_refused_409(
    setting, assignment, learner_client
):
    submit(learner_client, assignment, "Première carte.")
    return_latest(setting)
    submit(learner_client, assignment, "Deuxième carte.")
    return_latest(setting)
    assignment.max_attempts = 2  # lowered after two returns: no third attempt
    db.session.commit()
    message = text(
        "You have used all %(max)d attempts this assignment allows: no new version can be "
        "submitted.",
        max=2,
    )
    body = page(learner_client, setting)
    assert message in body
    assert 'action="/assessments/' not in body  # the form is hidden
    response = submit(learner_client, assignment, "Troisième carte.")
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert len(versions(setting)) == 2
    assert setting.files_on_disk() == set()


def test_a_graded_last_attempt_is_refused_409(setting, assignment, learner_client):
    assignment.max_attempts = 1
    db.session.commit()
    submit(learner_client, assignment, "Unique.")
    grading.start_grading(setting.trainer, db.session.scalar(db.select(Submission)))
    db.session.commit()
    message = text(
        "Your last attempt (%(n)d of %(max)d) is being graded or has been graded: it can no "
        "longer be changed.",
        n=1,
        max=1,
    )
    assert message in page(learner_client, setting)
    response = submit(learner_client, assignment, "Autre chose.")
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)


def test_a_graded_attempt_with_attempts_left_is_closed_as_before(
    setting, assignment, learner_client
):
    submit(learner_client, assignment, "Première.")
    grading.start_grading(setting.trainer, db.session.scalar(db.select(Submission)))
    db.session.commit()
    response = submit(learner_client, assignment, "Autre chose.")
    assert response.status_code == 422
    assert text(
        "Your work is being graded or has been graded: it can no longer be changed."
    ) in response.get_data(as_text=True)


def submit_heading(html: str) -> str:
    """Return the text of the heading over the submission form (or where it would be)."""
    return re.search(r'<h2 id="submit-title">\s*(.*?)\s*</h2>', html, re.S).group(1)


def test_the_heading_offers_a_new_version_only_while_one_may_be_submitted(
    setting, assignment, learner_client
):
    assert submit_heading(page(learner_client, setting)) == text("Submit your work")
    submit(learner_client, assignment, "Première carte.")
    assert submit_heading(page(learner_client, setting)) == text("Submit a new version")
    return_latest(setting)
    assignment.max_attempts = 1  # lowered after the return: no attempt left
    db.session.commit()
    body = page(learner_client, setting)
    assert submit_heading(body) == text("Submission closed")
    assert text("Submit a new version") not in body


def test_the_database_refuses_more_attempts_than_versions(setting, assignment):
    with pytest.raises(IntegrityError):
        SubmissionFactory(assessment=assignment, user=setting.learner, version=1, attempt=2)
    db.session.rollback()
    with pytest.raises(IntegrityError):
        SubmissionFactory(assessment=assignment, user=setting.learner, version=1, attempt=0)
    db.session.rollback()
    assert versions(setting) == []
