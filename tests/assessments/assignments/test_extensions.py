"""Deadline extensions: granted by the cohort's trainers or administrators, audited, applied."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import gettext

from lms.accounts.models import AuditEvent
from lms.assessments.assignments.errors import AssignmentError
from lms.assessments.assignments.services import deadline_for, grant_extension
from lms.assessments.models import DeadlineExtension
from lms.cohorts.models import ModuleCalendar
from lms.core.time import utcnow
from lms.extensions import db
from tests.admin.helpers import field_errors
from tests.factories import AssessmentFactory, CohortFactory, MembershipFactory, UserFactory
from tests.web.helpers import log_in, text

DUE = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)


def page(setting, assessment=None, cohort=None) -> str:
    """Return the URL of the extensions page."""
    cohort_id = (cohort or setting.bien_vivre.cohort).id
    assessment_id = (assessment or setting.assignment).id
    return f"/manage/cohorts/{cohort_id}/assessments/{assessment_id}/extensions"


def grant(setting, actor=None, learner=None, reason="Raison médicale", **changes):
    """Grant an extension through the service."""
    return grant_extension(actor or setting.trainer, changes.get("assessment", setting.assignment),
                           learner or setting.learner, DUE, reason,
                           changes.get("cohort", setting.bien_vivre.cohort))  # fmt: skip


def test_the_deadline_follows_the_calendar_then_the_extension(setting):
    cohort = setting.bien_vivre.cohort
    opens_at = db.session.scalar(
        db.select(ModuleCalendar.opens_at).filter_by(cohort_id=cohort.id,
                                                    module_id=setting.assignment.module_id)
    )  # fmt: skip
    computed = deadline_for(setting.assignment, setting.learner, cohort)
    assert computed == opens_at + timedelta(days=21)
    assert timedelta(days=19) < computed - utcnow() < timedelta(days=21)  # opened yesterday
    grant(setting)
    assert deadline_for(setting.assignment, setting.learner, cohort) == DUE
    assert deadline_for(setting.assignment, setting.other_learner, cohort) == computed


def test_granting_is_audited_and_granting_again_updates(setting):
    grant(setting)
    grant(setting, reason="Nouvelle raison")
    db.session.commit()
    [extension] = db.session.scalars(db.select(DeadlineExtension)).all()
    assert (extension.reason, extension.granted_by_id) == ("Nouvelle raison", setting.trainer.id)
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="assessment.extension"))
    assert [(e.before is None, e.after["reason"]) for e in events] == [
        (True, "Raison médicale"),
        (False, "Nouvelle raison"),
    ]


def test_administrators_may_grant(setting):
    assert grant(setting, actor=UserFactory(is_admin=True)).due_at == DUE


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("learner_as_actor", "Only the cohort's trainers and administrators grant extensions."),
        ("other_trainer", "Only the cohort's trainers and administrators grant extensions."),
        ("learner_elsewhere", "This learner or assessment is not part of the cohort."),
        ("assessment_elsewhere", "This learner or assessment is not part of the cohort."),
        ("no_reason", "Give a reason (%(max)d characters at most)."),
        ("nul_reason", "Give a reason (%(max)d characters at most)."),
    ],
)
def test_refused_grants_say_why_and_write_nothing(setting, case, message):
    changes = {}
    if case == "learner_as_actor":
        changes["actor"] = setting.other_learner
    elif case == "other_trainer":
        changes["actor"] = UserFactory()
        MembershipFactory(user=changes["actor"], cohort=CohortFactory(), trainer=True)
    elif case == "learner_elsewhere":
        changes["learner"] = UserFactory()
        MembershipFactory(
            user=changes["learner"], cohort=CohortFactory(path=setting.bien_vivre.path)
        )
    elif case == "assessment_elsewhere":
        changes["assessment"] = AssessmentFactory()
    elif case == "nul_reason":
        changes["reason"] = "Raison\x00cachée"
    else:
        changes["reason"] = "   "
    with pytest.raises(AssignmentError) as refused:
        grant(setting, **changes)
    assert str(refused.value) == gettext(message, max=500)
    assert db.session.scalar(db.select(db.func.count(DeadlineExtension.id))) == 0


def test_the_trainer_page_grants_an_extension_the_learner_then_sees(app, setting, learner_client):
    client = app.test_client()
    log_in(client, setting.trainer)
    body = client.get(page(setting)).get_data(as_text=True)
    assert "Lina Learner" in body
    assert text("No extension yet.") in body
    # Typed in Paris time (winter: UTC+1), kept in UTC.
    form = {"learner": setting.learner.id, "due_at": "2030-01-15T13:00", "reason": "Santé"}
    response = client.post(page(setting), data=form)
    assert response.headers["Location"] == page(setting)
    body = client.get(page(setting)).get_data(as_text=True)
    assert text("The extension is recorded.") in body
    assert "Santé" in body
    learner_page = learner_client.get(f"/assessments/{setting.assignment.id}/assignment")
    assert '<time datetime="2030-01-15T12:00:00+00:00">' in learner_page.get_data(as_text=True)


def test_the_page_refuses_a_learner_of_another_cohort_and_bad_values(app, setting):
    stranger = UserFactory()
    MembershipFactory(user=stranger, cohort=CohortFactory(path=setting.bien_vivre.path))
    client = app.test_client()
    log_in(client, setting.trainer)
    for form in (
        {"learner": stranger.id, "due_at": "2030-01-15T12:00", "reason": "x"},
        {"learner": setting.learner.id, "due_at": "demain", "reason": "x"},
        {"learner": setting.learner.id, "due_at": "2030-01-15T12:00", "reason": ""},
    ):
        assert client.post(page(setting), data=form).status_code == 422
    assert db.session.scalar(db.select(db.func.count(DeadlineExtension.id))) == 0


@pytest.mark.parametrize(
    ("due_at", "message"),
    [
        ("9999-12-31T23:59", "Enter a date between the years 2000 and 2100."),
        ("2030-03-31T02:30", "This time does not exist in Europe/Paris"),
    ],
)
def test_an_impossible_deadline_is_a_field_error(app, setting, due_at, message):
    client = app.test_client()
    log_in(client, setting.trainer)
    form = {"learner": setting.learner.id, "due_at": due_at, "reason": "Santé"}
    response = client.post(page(setting), data=form)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "due_at").startswith(text(message))
    assert db.session.scalar(db.select(db.func.count(DeadlineExtension.id))) == 0


def test_an_assessment_of_another_path_is_not_found(app, setting):
    client = app.test_client()
    log_in(client, setting.trainer)
    assert client.get(page(setting, assessment=AssessmentFactory())).status_code == 404


def test_learners_and_trainers_of_other_cohorts_are_denied(app, setting):
    other_trainer = UserFactory()
    MembershipFactory(user=other_trainer, cohort=CohortFactory(), trainer=True)
    for user in (setting.learner, other_trainer):
        client = app.test_client()
        log_in(client, user)
        assert client.get(page(setting)).status_code == 403
