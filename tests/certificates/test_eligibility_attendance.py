"""The path's minimum attendance in eligibility: the lack, its sentence, the override it needs."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from lms.attendance.models import AttendanceStatus, PathAttendance
from lms.certificates import auto_issue
from lms.certificates.decisions import record_decision
from lms.certificates.eligibility import Lack, Missing, cohort_eligibility, learner_eligibility
from lms.certificates.errors import CertificateError
from lms.certificates.models import Certificate, CertificationDecision, DecisionOutcome
from lms.extensions import db
from tests.attendance.helpers import days_ago, held_session, record
from tests.certificates.helpers import make_certificate_world
from tests.certificates.test_manage import count_eligibility_queries, decide, issue, learner_url
from tests.web.helpers import log_in, text

SHORTFALL = "Attendance %(rate)s < %(minimum)s required"


@pytest.fixture
def world():
    """The certifying world, its path asking 80 % attendance, ten hours of M1 sessions held."""
    world = make_certificate_world()
    db.session.add(PathAttendance(path_id=world.path.id, minimum_percent=80))
    world.sheets = [
        held_session(world.cohort, world.built.modules["M1"], days_ago(day), (9, 0), (10, 0))
        for day in range(1, 11)
    ]
    db.session.commit()
    return world


def attend(world, learner, hours: int) -> None:
    """Record the learner present at ``hours`` of the ten sessions, absent at the others."""
    for number, sheet in enumerate(world.sheets):
        status = AttendanceStatus.PRESENT if number < hours else AttendanceStatus.ABSENT
        record(sheet, learner, status)
    db.session.commit()


@pytest.fixture
def admin(world, client):
    log_in(client, world.admin)
    return client


def test_a_learner_at_70_percent_is_not_eligible(world):
    short = world.eligible_learner(display_name="Alice")
    attend(world, short, 7)
    enough = world.eligible_learner(display_name="Bruno")
    attend(world, enough, 8)

    judged = learner_eligibility(world.cohort, short)

    assert not judged.is_eligible
    assert judged.missing == (Missing(Lack.ATTENDANCE, "attendance", "Attendance", (), 70, 80),)
    assert learner_eligibility(world.cohort, enough).is_eligible
    report = cohort_eligibility(world.cohort)
    assert report.learner(short.id).missing == judged.missing
    assert report.eligible_count == 1
    # Every module stays completed: the path's minimum is not a module's.
    assert all(item.lack is Lack.ATTENDANCE for item in judged.missing)


def test_sessions_held_without_a_record_count_absent(world):
    learner = world.eligible_learner()
    judged = learner_eligibility(world.cohort, learner)
    assert [(item.lack, item.level) for item in judged.missing] == [(Lack.ATTENDANCE, 0)]


def test_without_a_path_minimum_attendance_is_not_judged(world):
    db.session.execute(db.delete(PathAttendance))
    db.session.commit()
    learner = world.eligible_learner()
    assert learner_eligibility(world.cohort, learner).is_eligible


def test_before_any_session_was_held_attendance_asks_nothing(world):
    for sheet in world.sheets:
        db.session.delete(sheet)
    db.session.commit()
    learner = world.eligible_learner()
    assert learner_eligibility(world.cohort, learner).is_eligible


def test_awarding_needs_an_override_with_a_reason_and_the_snapshot_keeps_the_lack(world):
    learner = world.eligible_learner()
    attend(world, learner, 7)
    with pytest.raises(CertificateError, match="awarding the certificate anyway needs a reason"):
        record_decision(
            world.cohort,
            learner,
            outcome=DecisionOutcome.AWARDED,
            reason="",
            decided_by=world.admin,
        )
    decision = record_decision(
        world.cohort,
        learner,
        outcome=DecisionOutcome.AWARDED,
        reason="Absences justifiées a posteriori.",
        decided_by=world.admin,
    )
    db.session.commit()
    assert decision.is_override
    assert decision.snapshot["eligible"] is False
    assert decision.snapshot["missing"] == [
        {
            "lack": "attendance",
            "code": "attendance",
            "title": "Attendance",
            "details": [],
            "level": 70,
            "required_level": 80,
        }
    ]


def test_the_pages_say_the_lack_in_french(world, admin):
    learner = world.eligible_learner(display_name="Alice")
    attend(world, learner, 7)
    world.admin.locale = "fr"
    db.session.commit()
    eligibility = admin.get(f"/admin/cohorts/{world.cohort.id}/eligibility")
    page = admin.get(learner_url(world, learner))
    with force_locale("fr"):
        sentence = text(SHORTFALL, rate="70\xa0%", minimum="80\xa0%")
    assert sentence == "Présence 70\xa0% &lt; 80\xa0% requis"
    for html in (eligibility.get_data(as_text=True), page.get_data(as_text=True)):
        found = re.findall(r"<li data-missing=\"attendance\">.*?</li>", html)
        assert found == ['<li data-missing="attendance">' + sentence + "</li>"]
    assert 'id="override-warning"' in page.get_data(as_text=True)
    csv_url = f"/admin/cohorts/{world.cohort.id}/eligibility.csv"
    csv = admin.get(csv_url).get_data(as_text=True)
    assert "Présence 70\xa0% < 80\xa0% requis" in csv


def test_the_decision_form_asks_a_reason_then_issuing_follows_the_override(world, admin):
    learner = world.eligible_learner(display_name="Alice")
    attend(world, learner, 7)

    refused = issue(admin, world, learner)
    html = admin.get(refused.headers["Location"]).get_data(as_text=True)
    assert text("No decision awards the certificate to %(name)s yet.", name="Alice") in html
    assert db.session.scalar(db.select(db.func.count(CertificationDecision.id))) == 0
    answer = decide(admin, world, learner, outcome="awarded", reason="")
    message = text("This learner is not eligible: awarding the certificate anyway needs a reason.")
    assert message in answer.get_data(as_text=True)
    decide(admin, world, learner, outcome="awarded", reason="Absences justifiées.")
    decision = db.session.scalar(db.select(CertificationDecision))
    assert decision.is_override
    assert issue(admin, world, learner).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1


def test_the_page_costs_the_same_queries_with_attendance(world, admin):
    few = count_eligibility_queries(admin, world, 10)
    many = count_eligibility_queries(admin, world, 40)
    assert few == many


def test_the_report_costs_the_same_queries_for_one_or_many(world, query_counter):
    attend(world, world.eligible_learner(), 9)
    db.session.expire_all()
    with query_counter as few:
        cohort_eligibility(world.cohort)
    for _ in range(6):
        attend(world, world.eligible_learner(), 5)
    db.session.expire_all()
    with query_counter as many:
        report = cohort_eligibility(world.cohort)
    assert report.eligible_count == 1
    assert many.count == few.count


def test_a_closed_sheet_wakes_automatic_issuance_for_its_cohort(world, app, monkeypatch):
    from lms.attendance.signals import sheet_closed, sheet_corrected

    monkeypatch.setitem(app.config, "CERTIFICATES_AUTO_ISSUE", True)
    learner = world.eligible_learner()
    correction = record(world.sheets[1], learner)
    sheet_closed.send(world.sheets[0])
    sheet_corrected.send(world.sheets[1], record=correction)
    pending = db.session().info.get(auto_issue.PENDING)
    assert pending is not None
    assert learner.id in pending[0]
    assert world.cohort.id in pending[1]
    db.session.rollback()
