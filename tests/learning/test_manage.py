"""The trainer's progress pages: heatmap, learner page, CSV export, access and query counts."""

from __future__ import annotations

import csv
import io
import re

import pytest

from lms.extensions import db
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.learning.helpers import make_bien_vivre_path
from tests.learning.progress_helpers import add_learners, make_progress_world
from tests.web.helpers import log_in, text


def heatmap_url(world, **query) -> str:
    """Return the heatmap URL of the world's cohort with a query string."""
    args = "&".join(f"{name}={value}" for name, value in query.items())
    return f"/manage/cohorts/{world.bien_vivre.cohort.id}/progress" + (f"?{args}" if args else "")


def page(client, url: str) -> str:
    """Return a page's HTML, checking that it answered 200."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def row_names(html: str) -> list[str]:
    """Return the learners' names in the heatmap's order."""
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html)


def cells(html: str, user_id: int) -> dict[str, str]:
    """Return code -> status (``+late`` when late) of one learner's row."""
    row = re.search(rf'<tr data-learner="{user_id}">(.*?)</tr>', html, re.S).group(1)
    found = re.findall(r'data-module="(M\d)" data-status="(\w+)"( data-late)?', row)
    return {code: status + ("+late" if late else "") for code, status, late in found}


@pytest.fixture
def world(client):
    """Return the progress world with its trainer logged in."""
    built = make_progress_world()
    log_in(client, built.trainer)
    return built


def test_heatmap_shows_every_status_with_words_and_icons(client, world):
    html = page(client, heatmap_url(world))
    assert cells(html, world.ahead.id)["M4"] == "open+late"
    assert cells(html, world.midway.id)["M2"] == "in_progress"
    assert cells(html, world.starting.id)["M1"] == "open"
    assert cells(html, world.starting.id)["M5"] == "locked"
    assert cells(html, world.ahead.id)["M1"] == "completed"
    assert '<span class="cell__count">1/2</span>' in html
    for words in ("Done", "In progress", "Open", "Locked", "Late"):
        assert text(words) in html
    assert '<caption id="heatmap-caption">' in html
    assert '<th scope="col" data-module="M1">' in html


def test_heatmap_header_has_calendar_dates_and_summary_row(client, world):
    html = page(client, heatmap_url(world))
    header = re.search(r'<th scope="col" data-module="M4">(.*?)</th>', html, re.S).group(1)
    assert header.count("<time") == 2  # opens and closes
    assert text("not scheduled") in re.search(r'data-module="M8">(.*?)</th>', html, re.S).group(1)
    summary = dict(re.findall(r'data-summary="(M\d)">(\d+)<', html))
    assert summary == {"M1": "2", "M2": "1", "M3": "1", **{f"M{n}": "0" for n in range(4, 9)}}


def test_heatmap_sorts_by_name_by_default(client, world):
    html = page(client, heatmap_url(world))
    assert row_names(html) == ["Alix Starting", "Émile Midway", "Zoé Ahead"]
    sorted_by = r'<th scope="col" aria-sort="ascending">\s*<a href="[^"]+" data-sort="name"'
    assert re.search(sorted_by, html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sort": "name", "order": "desc"}, ["Zoé Ahead", "Émile Midway", "Alix Starting"]),
        ({"sort": "progress"}, ["Zoé Ahead", "Émile Midway", "Alix Starting"]),
        ({"sort": "progress", "order": "asc"}, ["Alix Starting", "Émile Midway", "Zoé Ahead"]),
        ({"sort": "activity"}, ["Émile Midway", "Zoé Ahead", "Alix Starting"]),
    ],
)
def test_heatmap_sorts_as_asked(client, world, query, expected):
    assert row_names(page(client, heatmap_url(world, **query))) == expected


def test_sort_links_toggle_the_order_and_keep_the_filters(client, world):
    html = page(client, heatmap_url(world, sort="progress", order="desc", state="late"))
    assert 'aria-sort="descending"' in html
    link = re.search(r'href="([^"]+)" data-sort="progress"', html).group(1)
    assert "order=asc" in link
    assert "state=late" in link
    name_link = re.search(r'href="([^"]+)" data-sort="name"', html).group(1)
    assert "order=asc" in name_link


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "late"}, ["Zoé Ahead"]),
        ({"state": "in_progress", "module": "M2"}, ["Émile Midway"]),
        ({"state": "in_progress", "module": "M3"}, []),
        ({"state": "completed", "module": "M1"}, ["Émile Midway", "Zoé Ahead"]),
    ],
)
def test_heatmap_filters_by_state(client, world, query, expected):
    html = page(client, heatmap_url(world, **query))
    assert row_names(html) == expected
    assert text("%(shown)d of %(total)d learners shown.", shown=len(expected), total=3) in html
    if not expected:
        assert text("No learner matches these filters.") in html


def test_unknown_query_values_are_named_and_ignored(client, world):
    html = page(client, heatmap_url(world, sort="age", state="asleep", module="M9"))
    assert row_names(html) == ["Alix Starting", "Émile Midway", "Zoé Ahead"]
    for value, field in (("age", "sort"), ("asleep", "state"), ("M9", "module")):
        message = text(
            "“%(value)s” is not a valid %(field)s; it was ignored.", value=value, field=text(field)
        )
        assert message in html


def test_learner_page_shows_modules_and_lessons_with_dates(client, world):
    cohort = world.bien_vivre.cohort
    html = page(client, f"/manage/cohorts/{cohort.id}/learners/{world.ahead.id}")
    assert text("Zoé Ahead") in html
    assert text("%(done)d of %(total)d required lessons done", done=4, total=9) in html
    statuses = dict(re.findall(r'data-module="(M\d)" data-status="(\w+)"', html))
    assert statuses["M3"] == "completed"
    assert statuses["M4"] == "open"
    assert "data-late" in html
    lessons = re.findall(r"<tr data-lesson>.*?<th scope=\"row\">([^<]+)", html, re.S)
    assert lessons == ["Lecture M1", "Lecture M2", "Atelier M2", "Lecture M3"]
    assert 'datetime="2025-03-03T09:00:00+00:00"' in html
    assert text("Complete the lesson “%(title)s”", title="Lecture M4") in html


def test_learner_page_of_someone_outside_the_cohort_is_404(client, world):
    cohort = world.bien_vivre.cohort
    for user in (UserFactory(), world.trainer):
        assert client.get(f"/manage/cohorts/{cohort.id}/learners/{user.id}").status_code == 404
    assert client.get(f"/manage/cohorts/{cohort.id}/learners/999999").status_code == 404


def test_unknown_cohort_is_404_for_staff(client):
    log_in(client, UserFactory(admin=True))
    assert client.get("/manage/cohorts/999999/progress").status_code == 404


def read_csv(response) -> list[list[str]]:
    """Return the rows of a CSV export."""
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_export_has_a_line_per_learner(client, world):
    response = client.get(f"/manage/cohorts/{world.bien_vivre.cohort.id}/progress.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[2:10] == [f"M{n}" for n in range(1, 9)]
    by_name = {row[0]: row for row in rows}
    assert set(by_name) == {"Alix Starting", "Émile Midway", "Zoé Ahead"}
    ahead = by_name["Zoé Ahead"]
    assert ahead[1] == world.ahead.email
    assert ahead[2] == text("Done")
    assert ahead[5] == text("%(status)s (late)", status=text("Open"))
    assert ahead[10:] == ["38", "2025-03-03"]
    assert by_name["Émile Midway"][3] == text("In progress") + " 1/2"


def test_csv_export_escapes_formulas(client, world):
    attacker = world.bien_vivre.enrol_learner(display_name="=cmd|' /C calc'!A0")
    response = client.get(f"/manage/cohorts/{world.bien_vivre.cohort.id}/progress.csv")
    names = [row[0] for row in read_csv(response)[1:]]
    assert "'=cmd|' /C calc'!A0" in names
    assert not any(name.startswith("=") for name in names)
    assert attacker.display_name.startswith("=")


def progress_urls(cohort) -> list[str]:
    """Return the three progress pages of a cohort (the learner page needs a learner id)."""
    return [f"/manage/cohorts/{cohort.id}/progress", f"/manage/cohorts/{cohort.id}/progress.csv"]


@pytest.mark.parametrize("who", ["trainer", "admin"])
def test_staff_of_the_cohort_may_see_every_page(client, who):
    world = make_progress_world()
    log_in(client, world.trainer if who == "trainer" else UserFactory(admin=True))
    cohort = world.bien_vivre.cohort
    for url in [*progress_urls(cohort), f"/manage/cohorts/{cohort.id}/learners/{world.ahead.id}"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["other_trainer", "learner", "outsider"])
def test_other_people_are_denied(client, who):
    world = make_progress_world()
    other_trainer = MembershipFactory(cohort=CohortFactory(), trainer=True).user
    people = {"other_trainer": other_trainer, "learner": world.ahead, "outsider": UserFactory()}
    log_in(client, people[who])
    cohort = world.bien_vivre.cohort
    for url in [*progress_urls(cohort), f"/manage/cohorts/{cohort.id}/learners/{world.ahead.id}"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Émile Midway" not in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    world = make_progress_world()
    cohort = world.bien_vivre.cohort
    assert client.get(f"/manage/cohorts/{cohort.id}/progress").headers["Location"] == (
        f"/login?next=%2Fmanage%2Fcohorts%2F{cohort.id}%2Fprogress"
    )
    learner_url = f"/manage/cohorts/{cohort.id}/learners/{world.ahead.id}"
    assert client.get(learner_url).headers["Location"].startswith("/login?next=")
    assert client.get(f"/manage/cohorts/{cohort.id}/progress.csv").headers["Location"] == (
        f"/login?next=%2Fmanage%2Fcohorts%2F{cohort.id}%2Fprogress.csv"
    )


def test_trainer_home_links_each_cohort_to_its_progress(client, world):
    html = page(client, "/manage/cohorts/")
    assert f'href="/manage/cohorts/{world.bien_vivre.cohort.id}/progress"' in html


def count_page_queries(client, query_counter, learners: int) -> list[int]:
    """Build a cohort of ``learners`` learners; count the queries of each progress page."""
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2", "M3"))
    trainer = MembershipFactory(cohort=bien_vivre.cohort, trainer=True).user
    add_learners(bien_vivre, learners - 1)
    someone = bien_vivre.enrol_learner(completed=("M1", "M2"))
    client.post("/logout")
    log_in(client, trainer)
    cohort_id = bien_vivre.cohort.id
    urls = [
        f"/manage/cohorts/{cohort_id}/progress?sort=progress&state=open",
        f"/manage/cohorts/{cohort_id}/learners/{someone.id}",
        f"/manage/cohorts/{cohort_id}/progress.csv",
    ]
    counts = []
    for url in urls:
        db.session.expire_all()  # start from a cold session, like a fresh request
        with query_counter as queries:
            response = client.get(url)
            response.get_data()  # the CSV streams: count what producing it costs
        assert response.status_code == 200
        counts.append(queries.count)
    return counts


def test_query_counts_do_not_grow_with_the_cohort(client, query_counter):
    small = count_page_queries(client, query_counter, learners=10)
    large = count_page_queries(client, query_counter, learners=200)
    assert small == large
    # Three of them ask attendance: the modules' minimums (completion), the sessions held with
    # every learner's record, and the modules' remote hours (the figures). One asks the
    # learner's entry levels (the entry positioning).
    assert max(large) <= 19


def activity_of(html: str, user_id: int) -> str:
    """Return the ISO date-time of a learner's "Last activity" cell, or its words."""
    row = re.search(rf'<tr data-learner="{user_id}">(.*?)</tr>', html, re.S).group(1)
    cell = re.search(r"<td data-activity>(.*?)</td>", row, re.S).group(1)
    found = re.search(r'datetime="([^"]+)"', cell)
    return found.group(1) if found else cell.strip()


def test_last_activity_counts_quizzes_and_submissions_not_only_lessons(client, world):
    """A quiz attempt or a hand-in later than any lesson is the learner's last activity."""
    from datetime import UTC, datetime

    from tests.factories import AssessmentFactory, QuizAttemptFactory, SubmissionFactory

    m2 = world.bien_vivre.modules["M2"]
    quiz = AssessmentFactory(module=m2, quiz=True, rubric=None, optional=True)
    work = AssessmentFactory(module=m2, optional=True)
    started = datetime(2025, 4, 2, 10, tzinfo=UTC)
    QuizAttemptFactory(assessment=quiz, user=world.midway, started_at=started)  # still open
    handed_in = datetime(2025, 4, 9, 10, tzinfo=UTC)
    SubmissionFactory(assessment=work, user=world.starting, submitted_at=handed_in)
    other_path = make_bien_vivre_path(codes=("M1",))  # work on another path does not count
    SubmissionFactory(
        assessment=AssessmentFactory(module=other_path.modules["M1"]),
        user=world.ahead,
        submitted_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    html = page(client, heatmap_url(world))
    assert activity_of(html, world.midway.id).startswith("2025-04-02T10:00")
    assert activity_of(html, world.starting.id).startswith("2025-04-09T10:00")
    assert activity_of(html, world.ahead.id).startswith("2025-03-03")  # its last lesson
    by_activity = row_names(page(client, heatmap_url(world, sort="activity")))
    assert by_activity == ["Alix Starting", "Émile Midway", "Zoé Ahead"]
