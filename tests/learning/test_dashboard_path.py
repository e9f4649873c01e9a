"""The dashboard draws the path as a timeline, shows each module's progress and the next step."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask_babel import format_date

from lms.cohorts.models import ModuleCalendar
from lms.extensions import db
from lms.learning.signals import requirements_connected
from tests.factories import (
    LessonCompletionFactory,
    LessonFactory,
    MembershipFactory,
    UserFactory,
)
from tests.learning.helpers import BIEN_VIVRE_PREREQUISITES, make_bien_vivre_path
from tests.learning.test_queries import add_learners
from tests.learning.test_views import module_card
from tests.web.helpers import log_in, text

EDGES = {(need, code) for code, needs in BIEN_VIVRE_PREREQUISITES.items() for need in needs}


def timeline_of(html: str) -> str:
    """Return the timeline's SVG."""
    return re.search(r"<svg class=\"timeline__svg\".*?</svg>", html, re.S).group(0)


def timeline_nodes(svg: str) -> dict[str, tuple[str, str | None]]:
    """Return code -> (stage, link or None) for every card of the timeline."""
    nodes = {}
    for code, stage, body in re.findall(
        r'data-module="(M\d)" data-stage="([\w-]+)">(.*?)</g>', svg, re.S
    ):
        link = re.search(r'<a class="timeline__link" href="([^"]+)"', body)
        nodes[code] = (stage, link.group(1) if link else None)
    return nodes


def next_step_link(html: str) -> str | None:
    """Return where the next-step link goes (None when there is none)."""
    match = re.search(r'<a id="next-step"[^>]*href="([^"]+)"', html)
    return match.group(1) if match else None


def dashboard(client, learner) -> str:
    """Log the learner in and return their dashboard."""
    log_in(client, learner)
    return client.get("/dashboard").get_data(as_text=True)


def test_the_timeline_is_an_accessible_picture_of_every_module_and_prerequisite(client):
    bien_vivre = make_bien_vivre_path()
    html = dashboard(client, bien_vivre.enrol_learner(completed=("M1",)))
    svg = timeline_of(html)
    assert 'role="img"' in svg
    assert 'aria-labelledby="timeline-title timeline-desc"' in svg
    assert '<title id="timeline-title">' in svg
    desc = re.search(r'<desc id="timeline-desc">(.*?)</desc>', svg, re.S).group(1)
    assert [code for code in BIEN_VIVRE_PREREQUISITES if code in desc] == list(
        BIEN_VIVRE_PREREQUISITES
    )
    assert " style=" not in svg
    assert "<script" not in html
    assert set(re.findall(r'data-from="(M\d)" data-to="(M\d)"', svg)) == EDGES
    assert list(timeline_nodes(svg)) == list(BIEN_VIVRE_PREREQUISITES)
    # The ordered list stays as the text equivalent.
    assert len(re.findall(r'<li class="module ', html)) == 8


def test_timeline_cards_show_each_state_and_link_only_modules_one_may_enter(client):
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2", "M3", "M4"))
    learner = bien_vivre.enrol_learner(completed=("M1", "M2"))
    LessonFactory(module=bien_vivre.modules["M3"], position=2)
    LessonCompletionFactory(user=learner, lesson=bien_vivre.lessons["M3"])
    nodes = timeline_nodes(timeline_of(dashboard(client, learner)))
    modules = bien_vivre.modules
    assert nodes["M1"] == ("completed", f"/modules/{modules['M1'].id}")
    assert nodes["M3"] == ("in-progress", f"/modules/{modules['M3'].id}")
    assert nodes["M4"] == ("open", f"/modules/{modules['M4'].id}")
    assert nodes["M5"] == ("locked", None)


def test_each_module_shows_its_progress_and_in_progress_stage(client):
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2"))
    LessonFactory(module=bien_vivre.modules["M2"], position=2)
    learner = bien_vivre.enrol_learner(completed=("M1", "M2"))
    html = dashboard(client, learner)
    card = module_card(html, "M2")
    assert 'data-status="open" data-stage="in-progress"' in card
    assert text("%(done)d of %(total)d required lessons done", done=1, total=2) in card
    assert text("In progress") in card
    assert '<progress max="2" value="1"' in card
    assert 'data-stage="completed"' in module_card(html, "M1")
    assert text("%(done)d of %(total)d required lessons done", done=2, total=9) in html


def test_the_next_step_is_the_first_lesson_not_done_of_the_first_open_module(client):
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2", "M3", "M4"))
    second = LessonFactory(module=bien_vivre.modules["M2"], position=2, title="Cartographier")
    learner = bien_vivre.enrol_learner(completed=("M1", "M2"))
    html = dashboard(client, learner)
    assert next_step_link(html) == f"/modules/{second.module_id}/lessons/{second.id}"
    assert text("Continue %(module)s: %(lesson)s", module="M2", lesson="Cartographier") in html


def test_the_next_step_is_the_module_when_its_lessons_are_done_but_work_remains(client):
    bien_vivre = make_bien_vivre_path(opened=("M1",))
    learner = bien_vivre.enrol_learner(completed=("M1",))

    def missing_quiz(path, *, learner, modules):
        return {module.id: ["Pass the quiz"] for module in modules if module.code == "M1"}

    with requirements_connected(missing_quiz):
        html = dashboard(client, learner)
    assert next_step_link(html) == f"/modules/{bien_vivre.modules['M1'].id}"


def test_without_an_open_module_the_dashboard_says_so(client):
    bien_vivre = make_bien_vivre_path(opened=())
    html = dashboard(client, bien_vivre.enrol_learner())
    assert next_step_link(html) is None
    message = (
        "No module is open for you right now. The list below says what each module is waiting for."
    )
    assert text(message) in html


def test_without_an_open_module_the_dashboard_says_when_the_next_one_opens(client):
    bien_vivre = make_bien_vivre_path(opened=("M1",), future=("M2", "M3"))
    learner = bien_vivre.enrol_learner(completed=("M1",))
    html = dashboard(client, learner)
    assert next_step_link(html) is None
    m2 = bien_vivre.modules["M2"]
    opens_at = db.session.scalar(db.select(ModuleCalendar.opens_at).filter_by(module_id=m2.id))
    # M3 opens as early, but waits for M2 too: M2 is the one to announce.
    assert (
        text(
            "No module is open for you right now. The next one, %(module)s, opens on %(date)s.",
            module=f"M2 · {m2.title}",
            date=format_date(opens_at, "long"),
        )
        in html
    )


def set_deadline(bien_vivre, code: str, closes_at: datetime) -> None:
    """Give a module of the cohort's calendar a deadline."""
    row = db.session.scalar(
        db.select(ModuleCalendar).filter_by(module_id=bien_vivre.modules[code].id)
    )
    row.closes_at = closes_at
    db.session.commit()


def test_a_learner_past_a_deadline_sees_the_module_late(client):
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2", "M3", "M4"))
    learner = bien_vivre.enrol_learner(completed=("M1",))
    yesterday = datetime.now(UTC) - timedelta(days=1)
    for code in ("M1", "M2", "M3"):  # M1 is done, M3 locked: neither is late
        set_deadline(bien_vivre, code, yesterday)
    set_deadline(bien_vivre, "M4", datetime.now(UTC) + timedelta(days=7))
    html = dashboard(client, learner)
    late = text("Late")
    assert "data-late" in module_card(html, "M2")
    assert late in module_card(html, "M2")
    for code in ("M1", "M3", "M4"):
        assert "data-late" not in module_card(html, code), code
    assert (
        text(
            "%(module)s was due on %(date)s: you are late, but you can still finish it.",
            module="M2",
            date=format_date(yesterday, "long"),
        )
        in html
    )
    svg = timeline_of(html)
    assert svg.count("timeline__when--late") == 1
    assert text("Late since %(date)s", date=format_date(yesterday, "d MMM")) in svg
    assert [code for code, _stage, is_late in timeline_steps(html) if is_late] == ["M2"]


def timeline_steps(html: str) -> list[tuple[str, str, bool]]:
    """Return (code, stage, is late) of every step of the narrow screens' timeline."""
    steps = re.search(r'<ol class="timeline-steps".*?</ol>', html, re.S).group(0)
    items = re.findall(r'data-module="(M\d)" data-stage="([\w-]+)">(.*?)</li>', steps, re.S)
    return [(code, stage, "badge--late" in body) for code, stage, body in items]


def test_narrow_screens_get_the_timeline_as_a_list_of_dated_steps(client):
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2", "M3", "M4"), future=("M5",))
    learner = bien_vivre.enrol_learner(completed=("M1",))
    html = dashboard(client, learner)
    steps = re.search(r'<ol class="timeline-steps".*?</ol>', html, re.S).group(0)
    assert [code for code, _s, _l in timeline_steps(html)] == list(BIEN_VIVRE_PREREQUISITES)
    ranks = re.findall(r'<li class="timeline-steps__rank">(.*?)</ul>', steps, re.S)
    assert [re.findall(r'data-module="(M\d)"', rank) for rank in ranks] == [
        ["M1"],
        ["M2"],
        ["M3", "M4"],
        ["M5"],
        ["M6"],
        ["M7"],
        ["M8"],
    ]
    # Each step links its module only when the learner may enter it.
    modules = bien_vivre.modules
    links = re.findall(r'<a class="timeline-step__title" href="/modules/(\d+)"', steps)
    assert links == [str(modules[code].id) for code in ("M1", "M2")]  # M3, M4 wait for M2
    assert " style=" not in steps
    assert " id=" not in steps
    assert (
        text("Opens %(date)s", date=format_date(datetime.now(UTC) + timedelta(days=30), "d MMM y"))
        in steps
    )


def test_a_trainer_who_opens_the_dashboard_is_taken_to_their_cohorts(client):
    trainer = UserFactory()
    MembershipFactory(user=trainer, trainer=True)
    log_in(client, trainer)
    assert client.get("/dashboard").headers["Location"] == "/manage/cohorts/"


def test_a_trainer_who_also_learns_keeps_their_dashboard(client):
    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner()
    MembershipFactory(user=learner, trainer=True)
    html = dashboard(client, learner)
    assert next_step_link(html) is not None


def test_when_every_module_is_completed_the_dashboard_congratulates(client):
    bien_vivre = make_bien_vivre_path()
    html = dashboard(client, bien_vivre.enrol_learner(completed=BIEN_VIVRE_PREREQUISITES))
    assert next_step_link(html) is None
    assert text("You have completed every module of the path. Well done!") in html


def count_dashboard_queries(app, query_counter, learners: int) -> int:
    """Build a cohort of this many learners; count the queries of one learner's dashboard."""
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2", "M3"))
    add_learners(bien_vivre, learners)
    learner = bien_vivre.enrol_learner(completed=("M1",))
    client = app.test_client()
    log_in(client, learner)
    db.session.expire_all()
    with query_counter as queries:
        html = client.get("/dashboard").get_data(as_text=True)
    assert next_step_link(html) == f"/modules/{bien_vivre.lessons['M2'].module_id}/lessons/" + str(
        bien_vivre.lessons["M2"].id
    )
    return queries.count


def test_dashboard_query_count_does_not_grow_with_the_cohort(app, query_counter):
    small = count_dashboard_queries(app, query_counter, learners=10)
    large = count_dashboard_queries(app, query_counter, learners=200)
    assert small == large
    # The session record, the cohort with its path, the modules with their prerequisites, their
    # lessons (counts and next step included), the assessments to pass, the calendar, and what
    # the navigation asks (the visitor's roles, whether they hold a certificate); attendance: the
    # modules' minimums (completion), then the sessions held and the modules' remote hours.
    assert large <= 10
