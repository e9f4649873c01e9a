"""Every indicator of the fixed data set (dataset.py) equals the value computed by hand."""

from __future__ import annotations

import pytest

from lms.assessments.models import Grade
from lms.extensions import db
from lms.quality.indicators.figures import indicators
from lms.quality.indicators.models import Withdrawal
from lms.quality.indicators.scope import Period, Scope
from lms.quality.surveys.models import SurveyAnswer
from tests.factories import UserFactory
from tests.quality.indicators.dataset import NOW, build

YEAR = Period.year(2025)


@pytest.fixture
def data(app):
    return build()


def test_every_indicator_of_2025_equals_its_hand_computed_value(data):
    figures = indicators(Scope(YEAR), NOW)
    # Entered: cohorts starting in 2025 = Lille 2025 (6) + Lille 2026 (3); the draft is not.
    assert figures.entered == 9
    # Outcomes: cohorts ending in 2025 = Lille 2025 (6) + Grenoble 2025 (4) = 10 learners.
    assert figures.learners == 10
    # Dropout: L6 and G4 withdrew (E2 withdrew in 2024): 2 / 10.
    assert (figures.dropout.numerator, figures.dropout.denominator) == (2, 10)
    assert figures.dropout.percent == 20.0
    # Completion: the 10 − 2 = 8 who stayed to the end: 8 / 10.
    assert (figures.completion.numerator, figures.completion.denominator) == (8, 10)
    assert figures.completion.percent == 80.0
    # Success: of the 8 who stayed, L1, L4, G1, G2 passed A1 and A2 (released); L2 failed A2,
    # L3's A2 is not released, L5 has no A2, G3 failed A2 (A3 is optional): 4 / 8.
    assert (figures.success.numerator, figures.success.denominator) == (4, 8)
    assert figures.success.percent == 50.0
    # Decisions, the latest per learner: awarded L1, L4, G1; partial L2 (BC1), G2 (BC1 BC2);
    # deferred L3; refused G3: 7 candidates, 3 awarded → 3 / 7 = 42.9 %.
    assert figures.decisions == {"awarded": 3, "partial": 2, "deferred": 1, "refused": 1}
    assert (figures.certification.numerator, figures.certification.denominator) == (3, 7)
    assert figures.certification.percent == 42.9
    # Valid path certificates: L1 and G1 (L4's is revoked; E1's cohort ended in 2024): 2 / 3.
    assert (figures.certified.numerator, figures.certified.denominator) == (2, 3)
    assert figures.certified.percent == 66.7
    # Blocks: BC1 = 3 awarded + L2 + G2 = 5 / 7 (71.4 %), 2 attestations (L2, G2);
    #         BC2 = 3 awarded + G2 = 4 / 7 (57.1 %), 0 attestations (G2's is revoked).
    bc1, bc2 = figures.blocks
    assert (bc1.code, bc1.validated.numerator, bc1.validated.denominator) == ("BC1", 5, 7)
    assert (bc1.validated.percent, bc1.attestations) == (71.4, 2)
    assert (bc2.code, bc2.validated.numerator, bc2.validated.denominator) == ("BC2", 4, 7)
    assert (bc2.validated.percent, bc2.attestations) == (57.1, 0)
    # Attendance, closed sheets, learners who stayed (L6, G4 left out):
    #   3 Feb (180 min) × L1…L5 = 900 held, L1 present + L2 late = 360 attended;
    #   3 Mar (240 min) × L1…L5 = 1200 held, L1…L4 present = 960 attended;
    #   13 Jan (180 min) × G1…G3 = 540 held, all attended = 540; 7 Apr's sheet is open.
    # Held 900 + 1200 + 540 = 2640, attended 360 + 960 + 540 = 1860: 1860 / 2640 = 70.5 %.
    attendance = figures.attendance
    assert (attendance.held_minutes, attendance.attended_minutes) == (2640, 1860)
    assert attendance.rate.percent == 70.5
    # Records: present L1, 4 on 3 Mar, G1, G2 = 7; late L2, G3 = 2; absent L3, L5 = 2;
    # excused L4 = 1; no record L5 on 3 Feb = 1 (5 + 5 + 3 = 13 learner-sessions).
    assert attendance.statuses == {"present": 7, "late": 2, "absent": 2, "excused": 1, "none": 1}
    # Realised hours: 1860 / 60 = 31.0 h over 8 learners = 3.875 → 3.9 h each.
    assert (attendance.learners, attendance.realised_hours, attendance.mean_hours) == (8, 31.0, 3.9)
    # Satisfaction « à chaud »: participations 5 + 5 + 3 = 13, answered 3 + 4 + 2 = 9: 69.2 %.
    hot = figures.satisfaction.group("hot")
    assert (hot.participations, hot.answered, hot.response.percent) == (13, 9, 69.2)
    by_code = {question.survey_code: question for question in hot.questions}
    # fin-parcours: Lille 5, 4, 3 and Grenoble 5, 2 = 19 / 5 = 3.8 (Lille 2026's 1 ends later).
    assert (by_code["fin-parcours"].answers, by_code["fin-parcours"].mean) == (5, 3.8)
    # fin-module (anonymous): 4, 4, 5, 3 = 16 / 4 = 4.0.
    assert (by_code["fin-module"].answers, by_code["fin-module"].mean) == (4, 4.0)
    assert by_code["fin-module"].scale_top == 5
    # « À froid »: 2 answered of 5 = 40 %; 3, 4 = 3.5 on a scale of 4.
    cold = figures.satisfaction.group("cold")
    assert (cold.participations, cold.answered, cold.response.percent) == (5, 2, 40.0)
    (question,) = cold.questions
    assert (question.answers, question.mean, question.scale_top) == (2, 3.5, 4)
    # Funders: 1 of 2 = 50 %; mean 4.0.
    funder = figures.satisfaction.group("funder")
    assert (funder.participations, funder.answered, funder.response.percent) == (2, 1, 50.0)
    assert funder.questions[0].mean == 4.0


def test_the_filters_narrow_the_figures(data):
    lille = indicators(Scope(YEAR, territory_ids=(data.lille_territory.id,)), NOW)
    # Lille: entered 6 + 3 = 9; ending: Lille 2025 only, 6 learners, L6 withdrew.
    assert (lille.entered, lille.learners, lille.withdrawn) == (9, 6, 1)
    # Success: L1, L4 of L1…L5 = 2 / 5.
    assert (lille.success.numerator, lille.success.denominator) == (2, 5)
    grenoble = indicators(Scope(YEAR, cohort_id=data.grenoble.id), NOW)
    # Grenoble 2025 started in 2024: none entered in 2025; 4 learners, G4 withdrew.
    assert (grenoble.entered, grenoble.learners, grenoble.withdrawn) == (0, 4, 1)
    assert grenoble.decisions["awarded"] == 1
    other = indicators(Scope(YEAR, path_code="autre"), NOW)
    assert (other.entered, other.learners, other.candidates) == (0, 0, 0)
    assert other.completion.percent is None
    assert all(not group.participations for group in other.satisfaction.groups)
    earlier = indicators(Scope(Period.year(2024)), NOW)
    # 2024: Lille 2024 (2 learners, E2 withdrew) ends; Grenoble 2025 started (4).
    assert (earlier.entered, earlier.learners, earlier.withdrawn) == (6, 2, 1)


def test_a_purge_of_names_and_free_texts_leaves_the_figures_unchanged(data):
    before = indicators(Scope(YEAR), NOW)
    for user in db.session.scalars(db.select(UserFactory._meta.model)):
        user.display_name = "—"
        user.email = f"purged-{user.id}@invalid"
    for withdrawal in db.session.scalars(db.select(Withdrawal)):
        withdrawal.reason = "—"
    for grade in db.session.scalars(db.select(Grade)):
        grade.feedback = ""
    db.session.execute(db.delete(SurveyAnswer).where(SurveyAnswer.text.is_not(None)))
    db.session.commit()
    assert indicators(Scope(YEAR), NOW) == before


def test_the_statements_do_not_grow_with_the_data(app, query_counter):
    with query_counter as empty:
        indicators(Scope(YEAR), NOW)
    build()
    with query_counter as full:
        indicators(Scope(YEAR), NOW)
    assert full.count == empty.count <= 10
