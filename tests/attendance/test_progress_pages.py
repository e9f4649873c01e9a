"""Attendance on the progress pages: the trainer's heatmap, learner page and CSV, the learner's
dashboard; nothing shown for a path that keeps no attendance; constant queries."""

from __future__ import annotations

import csv
import io
import re

from lms.attendance.models import AttendanceStatus
from lms.extensions import db
from tests.attendance.helpers import days_ago, held_session, module_rules, record
from tests.factories import MembershipFactory
from tests.learning.helpers import make_bien_vivre_path
from tests.learning.test_queries import add_learners
from tests.web.helpers import count_queries, log_in

PRESENT, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT


def world():
    """M1 and M2 (2 remote hours); Alice 3 of 4 one-hour M1 sessions, Bruno none; a trainer."""
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    module_rules(bien_vivre.modules["M2"], remote_hours=2)
    alice = bien_vivre.enrol_learner(completed=("M1", "M2"), display_name="Alice")
    bruno = bien_vivre.enrol_learner(display_name="Bruno")
    for day, status in enumerate([PRESENT, PRESENT, PRESENT, ABSENT], start=1):
        sheet = held_session(
            bien_vivre.cohort, bien_vivre.modules["M1"], days_ago(day), (9, 0), (10, 0)
        )
        record(sheet, alice, status)
    trainer = MembershipFactory(cohort=bien_vivre.cohort, trainer=True).user
    db.session.commit()
    return bien_vivre, alice, bruno, trainer


def attendance_cell(html: str, user_id: int) -> str:
    row = re.search(rf'<tr data-learner="{user_id}">(.*?)</tr>', html, re.S).group(1)
    return re.search(r'<td class="num[^"]*" data-attendance="([^"]*)">(.*?)</td>', row, re.S).group(
        0
    )


def test_the_heatmap_shows_each_learners_rate_and_hours_held(client):
    bien_vivre, alice, bruno, trainer = world()
    log_in(client, trainer)
    html = client.get(f"/manage/cohorts/{bien_vivre.cohort.id}/progress").get_data(as_text=True)
    assert 'id="attendance-column"' in html
    assert attendance_cell(html, alice.id) == (
        '<td class="num" data-attendance="75">75%<span class="heatmap__dates">of 4 h</span></td>'
    )
    # Bruno has no record: absent at every session held.
    assert 'data-attendance="0">0%<span class="heatmap__dates">of 4 h</span>' in attendance_cell(
        html, bruno.id
    )


def test_the_trainers_learner_page_and_the_csv(client):
    bien_vivre, alice, _bruno, trainer = world()
    log_in(client, trainer)
    cohort_id = bien_vivre.cohort.id
    html = client.get(f"/manage/cohorts/{cohort_id}/learners/{alice.id}").get_data(as_text=True)
    assert (
        '<p id="attendance" data-rate="75">Attendance: 75% of the 4 h of sessions held</p>' in html
    )
    # 3 hours attended and M2's 2 remote hours (M2 completed).
    assert "Hours realised: 5 h (sessions attended" in html
    data = client.get(f"/manage/cohorts/{cohort_id}/progress.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
    assert rows[0][-3:] == ["Attendance (%)", "Hours held", "Hours realised"]
    by_name = {row[0]: row[-3:] for row in rows[1:]}
    assert by_name["Alice"] == ["75", "4.0", "5.0"]
    assert by_name["Bruno"] == ["0", "4.0", "0.0"]


def test_the_learner_dashboard_shows_their_rate_and_realised_hours(client):
    _bien_vivre, alice, _bruno, _trainer = world()
    alice.locale = "fr"
    db.session.commit()
    log_in(client, alice)
    html = client.get("/dashboard").get_data(as_text=True)
    assert (
        '<p id="attendance" data-rate="75">Présence : 75\xa0% des 4 h de séances tenues</p>' in html
    )
    assert "Heures réalisées : 5 h (séances suivies" in html


def test_a_path_without_sessions_shows_no_attendance(client):
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    learner = bien_vivre.enrol_learner()
    trainer = MembershipFactory(cohort=bien_vivre.cohort, trainer=True).user
    log_in(client, trainer)
    html = client.get(f"/manage/cohorts/{bien_vivre.cohort.id}/progress").get_data(as_text=True)
    assert "data-attendance" not in html
    assert 'id="attendance-column"' not in html
    client.post("/logout")
    log_in(client, learner)
    assert 'id="attendance"' not in client.get("/dashboard").get_data(as_text=True)


def test_a_session_not_held_yet_shows_no_rate(client):
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    module_rules(bien_vivre.modules["M1"], remote_hours=1)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    log_in(client, learner)
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<p id="attendance" data-rate="">Attendance: no session held yet.</p>' in html
    assert "Hours realised: 1 h" in html


def heatmap_queries(client, learners: int) -> int:
    bien_vivre, _alice, _bruno, trainer = world()
    add_learners(bien_vivre, learners)
    log_in(client, trainer)
    with count_queries() as statements:
        response = client.get(f"/manage/cohorts/{bien_vivre.cohort.id}/progress")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("data-attendance=") == learners + 2
    client.post("/logout")
    return len(statements)


def test_the_heatmap_costs_the_same_queries_for_10_or_200_learners(client):
    assert heatmap_queries(client, 10) == heatmap_queries(client, 200)
