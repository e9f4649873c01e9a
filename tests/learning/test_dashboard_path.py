"""The dashboard draws the path as a timeline, shows each module's progress and the next step."""

from __future__ import annotations

import re

from lms.extensions import db
from lms.learning.signals import requirements_connected
from tests.factories import LessonCompletionFactory, LessonFactory
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
    bien_vivre = make_bien_vivre_path(opened=(), future=("M1",))
    html = dashboard(client, bien_vivre.enrol_learner())
    assert next_step_link(html) is None
    message = (
        "No module is open for you right now. The list below says what each module is waiting for."
    )
    assert text(message) in html


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
    # the navigation asks (the visitor's roles, whether they hold a certificate).
    assert large <= 8
