"""Module and lesson pages: content, safe Markdown, marking lessons done, gating by chronology."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import format_date, format_time, gettext

from lms.cohorts.models import ModuleCalendar
from lms.curriculum.models import LessonKind
from lms.extensions import db
from lms.learning.models import LessonCompletion
from tests.factories import (
    CompetencyBlockFactory,
    CompetencyFactory,
    LessonCompletionFactory,
    LessonFactory,
    MembershipFactory,
    UserFactory,
)
from tests.learning.helpers import make_bien_vivre_path
from tests.web.helpers import log_in, text

XSS_BODY = "\n\n".join(
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "{{7*7}}",
    ]
)


def completions() -> int:
    """Return how many lesson completions are recorded."""
    return db.session.scalar(db.select(db.func.count(LessonCompletion.id)))


def module_url(module) -> str:
    return f"/modules/{module.id}"


def lesson_url(lesson) -> str:
    return f"/modules/{lesson.module_id}/lessons/{lesson.id}"


def done_url(lesson) -> str:
    return f"/modules/{lesson.module_id}/lessons/{lesson.id}/done"


def lesson_body(html: str) -> str:
    """Return the rendered body of a lesson page."""
    return re.search(r'<div class="prose lesson__body">(.*?)</div>', html, re.S).group(1)


def calendar_row(bien_vivre, code: str) -> ModuleCalendar:
    """Return the cohort's calendar row of one module."""
    module = bien_vivre.modules[code]
    return db.session.scalar(db.select(ModuleCalendar).filter_by(module_id=module.id))


@pytest.fixture
def bien_vivre():
    """Return the §6 path with M1 and M2 open and M3 opening in 30 days."""
    return make_bien_vivre_path(opened=("M1", "M2"), future=("M3",))


# Module page


def test_module_page_shows_facts_calendar_lessons_and_competencies(client, bien_vivre):
    m1 = bien_vivre.modules["M1"]
    m1.summary = "Un **résumé** du module."
    row = calendar_row(bien_vivre, "M1")
    row.closes_at = row.opens_at + timedelta(days=20)
    row.session_starts_at = row.opens_at + timedelta(days=3)
    row.session_ends_at = row.opens_at + timedelta(days=3, hours=6)
    row.place = "Maison des associations, Lyon"
    optional = LessonFactory(module=m1, position=2, title="Pour aller plus loin", optional=True)
    block = CompetencyBlockFactory(path=bien_vivre.path, code="BC1", title="Diagnostiquer")
    competency = CompetencyFactory(block=block, code="C1.1", title="Cartographier les acteurs")
    m1.competencies = [competency]
    db.session.commit()
    learner = bien_vivre.enrol_learner(completed=("M1",))
    log_in(client, learner)
    html = client.get(module_url(m1)).get_data(as_text=True)
    assert text(m1.title) in html
    assert "Un <strong>résumé</strong> du module." in html
    assert text("%(hours)d h", hours=m1.hours) in html
    assert text("Online") in html
    for moment in (row.opens_at, row.closes_at, row.session_starts_at, row.session_ends_at):
        assert f'datetime="{moment.isoformat()}"' in html
    assert text(row.place) in html
    lessons = re.findall(r'data-lesson="(\d+)" data-done="(\w+)"', html)
    assert lessons == [(str(bien_vivre.lessons["M1"].id), "yes"), (str(optional.id), "no")]
    assert f'action="{done_url(optional)}"' in html
    assert f'action="{done_url(bien_vivre.lessons["M1"])}"' not in html
    assert text("Optional") in html
    assert text("%(done)d of %(total)d required lessons done", done=1, total=1) in html
    assert "C1.1" in html
    assert text(competency.title) in html
    assert "BC1" in html


def test_module_page_says_the_module_is_late_past_its_deadline(client, bien_vivre):
    log_in(client, bien_vivre.enrol_learner())
    m1 = bien_vivre.modules["M1"]
    assert "data-late" not in client.get(module_url(m1)).get_data(as_text=True)
    calendar_row(bien_vivre, "M1").closes_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    head = re.search(
        r'<header class="page-head">.*?</header>',
        client.get(module_url(m1)).get_data(as_text=True),
        re.S,
    ).group(0)
    assert "data-late" in head
    assert text("Late") in head


def test_module_page_of_an_unknown_module_is_not_found(client, bien_vivre):
    log_in(client, bien_vivre.enrol_learner())
    assert client.get("/modules/987654").status_code == 404


def test_module_page_requires_login(client, bien_vivre):
    url = module_url(bien_vivre.modules["M1"])
    assert (
        client.get(url).headers["Location"] == f"/login?next=%2Fmodules%2F{url.rsplit('/', 1)[1]}"
    )


@pytest.mark.parametrize("who", ["no cohort", "trainer", "admin"])
def test_people_who_are_not_learners_of_the_path_are_denied(client, bien_vivre, who):
    user = UserFactory(admin=who == "admin")
    if who == "trainer":
        MembershipFactory(user=user, cohort=bien_vivre.cohort, trainer=True)
    log_in(client, user)
    lesson = bien_vivre.lessons["M1"]
    assert client.get(module_url(lesson.module)).status_code == 403
    assert client.get(lesson_url(lesson)).status_code == 403
    assert client.post(done_url(lesson)).status_code == 403
    assert completions() == 0


def test_a_learner_of_another_path_does_not_find_the_module(client, bien_vivre):
    other = make_bien_vivre_path(codes=("M1",))
    log_in(client, other.enrol_learner())
    lesson = bien_vivre.lessons["M1"]
    assert client.get(module_url(lesson.module)).status_code == 404
    assert client.get(lesson_url(lesson)).status_code == 404
    assert client.post(done_url(lesson)).status_code == 404
    assert completions() == 0


# Lesson page


def test_lesson_markdown_is_rendered_and_shown_inert(client, bien_vivre):
    lesson = LessonFactory(module=bien_vivre.modules["M1"], position=2, body=XSS_BODY)
    log_in(client, bien_vivre.enrol_learner())
    html = client.get(lesson_url(lesson)).get_data(as_text=True)
    body = lesson_body(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "{{7*7}}" in body
    assert "49" not in body
    assert "<script" not in html
    assert "<img" not in body
    assert 'href="javascript' not in html


def test_lesson_page_links_the_previous_and_next_lessons(client, bien_vivre):
    m1 = bien_vivre.modules["M1"]
    first = bien_vivre.lessons["M1"]
    second = LessonFactory(module=m1, position=2, title="Deuxième")
    third = LessonFactory(module=m1, position=3, title="Troisième")
    log_in(client, bien_vivre.enrol_learner())
    html = client.get(lesson_url(second)).get_data(as_text=True)
    assert f'rel="prev" href="{lesson_url(first)}"' in html
    assert f'rel="next" href="{lesson_url(third)}"' in html
    assert f'action="{done_url(second)}"' in html
    first_page = client.get(lesson_url(first)).get_data(as_text=True)
    assert 'rel="prev"' not in first_page
    assert f'rel="next" href="{lesson_url(second)}"' in first_page


def test_link_lessons_show_their_resource_and_never_a_script_url(client, bien_vivre):
    m1 = bien_vivre.modules["M1"]
    good = LessonFactory(
        module=m1, position=2, kind=LessonKind.LINK, url="https://example.org/guide"
    )
    bad = LessonFactory(module=m1, position=3, kind=LessonKind.LINK, url="javascript:alert(1)")
    log_in(client, bien_vivre.enrol_learner())
    html = client.get(lesson_url(good)).get_data(as_text=True)
    assert 'href="https://example.org/guide" rel="noopener noreferrer"' in html
    html = client.get(lesson_url(bad)).get_data(as_text=True)
    assert 'href="javascript' not in html
    assert text("The resource link of this lesson is not valid; tell your trainer.") in html


def test_a_lesson_of_another_module_is_not_found_under_this_module(client, bien_vivre):
    log_in(client, bien_vivre.enrol_learner(completed=("M1",)))
    m2_lesson = bien_vivre.lessons["M2"]
    url = f"/modules/{bien_vivre.modules['M1'].id}/lessons/{m2_lesson.id}"
    assert client.get(url).status_code == 404
    assert client.post(url + "/done").status_code == 404
    assert client.get(f"/modules/{bien_vivre.modules['M1'].id}/lessons/987654").status_code == 404


# Marking lessons done


def test_mark_as_done_records_the_lesson_and_returns_to_the_module(client, bien_vivre):
    learner = bien_vivre.enrol_learner()
    lesson = bien_vivre.lessons["M1"]
    log_in(client, learner)
    response = client.post(done_url(lesson))
    assert response.headers["Location"] == module_url(lesson.module)
    assert (
        db.session.scalar(db.select(LessonCompletion).filter_by(user_id=learner.id)).lesson_id
        == lesson.id
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert text("“%(lesson)s” is marked as done.", lesson=lesson.title) in html
    assert re.search(rf'data-lesson="{lesson.id}" data-done="yes"', html)


def test_mark_as_done_on_a_lesson_page_goes_on_to_the_next_lesson_not_done(client, bien_vivre):
    m1 = bien_vivre.modules["M1"]
    first = bien_vivre.lessons["M1"]
    done_already = LessonFactory(module=m1, position=2)
    third = LessonFactory(module=m1, position=3)
    learner = bien_vivre.enrol_learner()
    LessonCompletionFactory(user=learner, lesson=done_already)
    log_in(client, learner)
    form = re.search(
        rf'<form method="post" action="{done_url(first)}">.*?</form>',
        client.get(lesson_url(first)).get_data(as_text=True),
        re.S,
    ).group(0)
    assert '<input type="hidden" name="then" value="next">' in form
    response = client.post(done_url(first), data={"then": "next"})
    assert response.headers["Location"] == lesson_url(third)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert text("“%(lesson)s” is marked as done.", lesson=first.title) in html


def test_mark_as_done_on_the_last_lesson_goes_back_to_the_module_while_work_remains(
    client, bien_vivre
):
    m1 = bien_vivre.modules["M1"]
    last = LessonFactory(module=m1, position=2)
    log_in(client, bien_vivre.enrol_learner())  # the first lesson is not done
    response = client.post(done_url(last), data={"then": "next"})
    assert response.headers["Location"] == module_url(m1)


def test_mark_as_done_on_the_last_lesson_of_a_completed_module_goes_to_the_next_step(
    client, bien_vivre
):
    lesson = bien_vivre.lessons["M1"]
    log_in(client, bien_vivre.enrol_learner())
    response = client.post(done_url(lesson), data={"then": "next"})
    assert response.headers["Location"] == "/dashboard"
    html = client.get("/dashboard").get_data(as_text=True)
    assert text("You have completed %(module)s.", module="M1") in html
    next_lesson = lesson_url(bien_vivre.lessons["M2"])
    assert f'id="next-step" class="button button--primary" href="{next_lesson}"' in html


def test_mark_as_done_twice_keeps_one_completion(client, bien_vivre):
    lesson = bien_vivre.lessons["M1"]
    log_in(client, bien_vivre.enrol_learner())
    for _attempt in range(2):
        assert client.post(done_url(lesson)).headers["Location"] == module_url(lesson.module)
    assert completions() == 1


def test_lessons_of_an_open_module_can_be_done_in_any_order(client, bien_vivre):
    later = LessonFactory(module=bien_vivre.modules["M1"], position=2)
    log_in(client, bien_vivre.enrol_learner())
    assert client.post(done_url(later)).headers["Location"] == module_url(later.module)
    assert completions() == 1


def test_mark_as_done_without_a_csrf_token_is_refused(client, bien_vivre, csrf_enabled):
    log_in(client, bien_vivre.enrol_learner())
    assert client.post(done_url(bien_vivre.lessons["M1"])).status_code == 400
    assert completions() == 0


# Gating: every route into a locked module says why, for each reason


def route_into(client, route: str, lesson):
    """Call one of the routes into a lesson's module."""
    if route == "module":
        return client.get(module_url(lesson.module))
    if route == "lesson":
        return client.get(lesson_url(lesson))
    return client.post(done_url(lesson))


ROUTES = ("module", "lesson", "done")


@pytest.mark.parametrize("route", ROUTES)
def test_a_module_locked_by_its_prerequisites_says_which_to_finish(client, bien_vivre, route):
    learner = bien_vivre.enrol_learner()
    log_in(client, learner)
    before = completions()
    response = route_into(client, route, bien_vivre.lessons["M2"])
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert text("%(module)s is not open to you yet", module="M2") in html
    assert text("Finish these modules first:") in html
    assert f'href="{module_url(bien_vivre.modules["M1"])}"' in html
    assert 'href="/dashboard"' in html
    assert "opens on" not in html
    assert completions() == before


@pytest.mark.parametrize("route", ROUTES)
def test_a_module_the_calendar_has_not_opened_says_when_it_opens(client, bien_vivre, route):
    learner = bien_vivre.enrol_learner(completed=("M1", "M2"))
    log_in(client, learner)
    before = completions()
    response = route_into(client, route, bien_vivre.lessons["M3"])
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    opens_at = calendar_row(bien_vivre, "M3").opens_at
    sentence = "It opens on %(date)s at %(time)s."
    assert (
        text(sentence, date=format_date(opens_at, "full"), time=format_time(opens_at, "short"))
        in html
    )
    assert f'datetime="{opens_at.isoformat()}"' in html
    assert text("Finish these modules first:") not in html
    assert 'href="/dashboard"' in html
    assert completions() == before


def test_an_unscheduled_module_says_it_is_not_on_the_calendar(client, bien_vivre):
    log_in(client, bien_vivre.enrol_learner(completed=("M1", "M2")))
    response = client.get(module_url(bien_vivre.modules["M4"]))
    assert response.status_code == 403
    # Templates mark translated text without variables safe as it is: compare it unescaped.
    assert gettext("It is not on your cohort's calendar yet.") in response.get_data(as_text=True)


def test_a_locked_module_gives_every_reason_at_once(client):
    bien_vivre = make_bien_vivre_path(opened=("M1",), future=("M2",))
    log_in(client, bien_vivre.enrol_learner())
    html = client.get(module_url(bien_vivre.modules["M2"])).get_data(as_text=True)
    assert text("Finish these modules first:") in html
    assert f'datetime="{calendar_row(bien_vivre, "M2").opens_at.isoformat()}"' in html


def test_a_completed_module_stays_reachable(client):
    bien_vivre = make_bien_vivre_path(opened=("M1",))
    now = datetime.now(UTC)
    calendar_row(bien_vivre, "M1").closes_at = now - timedelta(hours=1)
    calendar_row(bien_vivre, "M1").opens_at = now - timedelta(days=2)
    db.session.commit()
    log_in(client, bien_vivre.enrol_learner(completed=("M1",)))
    assert client.get(module_url(bien_vivre.modules["M1"])).status_code == 200
    assert client.get(lesson_url(bien_vivre.lessons["M1"])).status_code == 200


# Query counts


def count_module_page_queries(app, query_counter, lessons: int, competencies: int) -> int:
    """Build a module with this many lessons and competencies; count its page's queries."""
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    m1 = bien_vivre.modules["M1"]
    for position in range(2, lessons + 1):
        LessonFactory(module=m1, position=position)
    block = CompetencyBlockFactory(path=bien_vivre.path)
    m1.competencies = [CompetencyFactory(block=block) for _ in range(competencies)]
    db.session.commit()
    client = app.test_client()
    log_in(client, bien_vivre.enrol_learner(completed=("M1",)))
    db.session.expire_all()
    with query_counter as queries:
        assert client.get(module_url(m1)).status_code == 200
    return queries.count


def test_module_page_query_count_does_not_grow_with_lessons_or_competencies(app, query_counter):
    small = count_module_page_queries(app, query_counter, lessons=1, competencies=1)
    large = count_module_page_queries(app, query_counter, lessons=12, competencies=5)
    assert small == large
    assert large <= 15
