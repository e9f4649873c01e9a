"""The learner's competency page: chart and tables, statuses, escaping, access and query count."""

from __future__ import annotations

import re

from flask_babel import gettext

from lms.cohorts.models import CohortState
from lms.extensions import db
from lms.learning.signals import competency_ratings
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.learning.competency_helpers import add_competencies, rating, ratings_receiver
from tests.learning.helpers import make_bien_vivre_path
from tests.learning.test_queries import add_learners
from tests.web.helpers import log_in, text


def svg_of(html: str) -> str:
    """Return the competency chart's SVG element."""
    return re.search(r'<svg class="competency-chart__svg".*?</svg>', html, re.S).group(0)


def table_rows(html: str) -> dict[str, str]:
    """Return competency code -> the HTML of its table row."""
    rows = re.findall(r'(<tr data-competency="([^"]+)".*?</tr>)', html, re.S)
    return {code: row for row, code in rows}


def bar_of(svg: str, code: str) -> str:
    """Return the SVG group of one competency's bar."""
    pattern = rf'<g class="competency-chart__bar[^"]*" data-competency="{re.escape(code)}".*?</g>'
    return re.search(pattern, svg, re.S).group(0)


def enrolled_learner(client, **blocks):
    """Log in a learner of the §6 path with competencies; return (learner, competencies)."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    competencies = add_competencies(bien_vivre.path, **blocks)
    learner = bien_vivre.enrol_learner()
    log_in(client, learner)
    return learner, competencies


def page(client, competencies=None, levels=None) -> str:
    """Return the competency page, the learner rated with ``levels`` (code -> level)."""
    if levels is None:
        return client.get("/competencies").get_data(as_text=True)
    with competency_ratings.connected_to(ratings_receiver(competencies, levels)):
        return client.get("/competencies").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/competencies")
    assert response.headers["Location"] == "/login?next=%2Fcompetencies"


def test_a_learner_sees_the_chart_and_a_table_per_block(client):
    enrolled_learner(client)
    response = client.get("/competencies")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    svg = svg_of(html)
    assert 'role="img"' in svg
    assert '<title id="competency-chart-title">' in svg
    assert '<desc id="competency-chart-desc">' in svg
    assert "style=" not in svg
    assert "<script" not in svg
    assert len(re.findall(r'<table class="table competency-table">', html)) == 2
    assert html.count('<th scope="col">') == 12  # six columns, the entry level among them
    assert html.count('<th scope="row">') == 5
    assert "<caption>" in html
    assert "Bloc BC1" in html
    assert list(table_rows(html)) == ["C1.1", "C1.2", "C1.3", "C2.1", "C2.2"]


def test_without_ratings_everything_reads_no_evidence_yet(client):
    enrolled_learner(client)
    html = page(client)
    assert (
        text("%(done)d of %(total)d competencies attained at the required level", done=0, total=5)
        in html
    )
    for row in table_rows(html).values():
        assert 'data-status="not-evidenced"' in row
        assert gettext("No evidence yet") in row
    svg = svg_of(html)
    assert svg.count("competency-chart__track--empty") == 5
    assert "competency-chart__fill" not in svg


def test_levels_statuses_and_labels_against_the_required_level(client):
    _learner, competencies = enrolled_learner(client)
    levels = {"C1.1": 2, "C1.2": 2, "C1.3": rating(4, None, "M2 · Diagnostic du territoire")}
    html = page(client, competencies, levels)
    rows = table_rows(html)
    assert 'data-status="insufficient"' in rows["C1.1"]
    assert "2 — En cours d&#39;acquisition" in rows["C1.1"]
    assert "3 — Acquis" in rows["C1.1"]  # the required level, with its label
    assert gettext("Insufficient") in rows["C1.1"]
    assert 'data-status="attained"' in rows["C1.2"]
    assert gettext("Attained") in rows["C1.2"]
    assert "4 — Maîtrisé" in rows["C1.3"]
    assert "M2 · Diagnostic du territoire" in rows["C1.3"]
    assert 'data-status="not-evidenced"' in rows["C2.1"]
    assert text("%(done)d of %(total)d attained", done=2, total=3) in html
    svg = svg_of(html)
    insufficient = bar_of(svg, "C1.1")
    assert 'data-status="insufficient"' in insufficient
    assert "competency-chart__fill" in insufficient
    assert (
        text(
            "%(level)d — %(label)s / required %(required)d",
            level=2,
            label="En cours d'acquisition",
            required=3,
        )
        in insufficient
    )
    empty = bar_of(svg, "C2.1")
    assert "competency-chart__track--empty" in empty
    assert gettext("No evidence yet") in empty


def test_titles_are_escaped_in_the_chart_and_the_tables(client):
    _learner, competencies = enrolled_learner(client)
    competencies["C1.1"].title = "<script>alert(1)</script>"
    competencies["C1.1"].block.title = '<img src=x onerror="alert(2)">'
    db.session.commit()
    html = page(client, competencies, {"C1.1": rating(3, None, "<b>evidence</b>")})
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "<b>evidence" not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escaped in svg_of(html)
    assert escaped in table_rows(html)["C1.1"]
    assert "&lt;b&gt;evidence&lt;/b&gt;" in table_rows(html)["C1.1"]


def test_a_learner_without_cohort_gets_a_friendly_message(client):
    log_in(client, UserFactory())
    response = client.get("/competencies")
    assert response.status_code == 200
    assert gettext("You are not enrolled in a cohort yet.") in response.get_data(as_text=True)


def test_a_trainer_who_is_not_a_learner_gets_the_same_message(client):
    membership = MembershipFactory(trainer=True)
    log_in(client, membership.user)
    html = client.get("/competencies").get_data(as_text=True)
    assert gettext("You are not enrolled in a cohort yet.") in html
    assert "competency-chart" not in html


def test_a_learner_of_an_archived_cohort_only_gets_the_message(client):
    cohort = CohortFactory(state=CohortState.ARCHIVED)
    learner = UserFactory()
    MembershipFactory(user=learner, cohort=cohort)
    log_in(client, learner)
    assert gettext("You are not enrolled in a cohort yet.") in page(client)


def test_a_path_without_competencies_says_so(client):
    learner = make_bien_vivre_path(codes=("M1",)).enrol_learner()
    log_in(client, learner)
    html = page(client)
    assert gettext("The path of your cohort has no competency yet.") in html
    assert "<svg" not in html


def test_the_dashboard_and_the_navigation_link_to_the_page(client):
    enrolled_learner(client)
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<a id="my-competencies" href="/competencies">' in html
    html = page(client)
    assert '<a href="/competencies" aria-current="page">' in html


def count_page_queries(client, query_counter, learners: int) -> int:
    """Count the queries of the page of a learner rated by a receiver, in a cohort this size."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    competencies = add_competencies(bien_vivre.path)
    add_learners(bien_vivre, learners)
    learner = bien_vivre.enrol_learner()
    log_in(client, learner)
    receiver = ratings_receiver(competencies, {"C1.1": 3, "C2.2": 1})
    db.session.expire_all()
    with competency_ratings.connected_to(receiver), query_counter as queries:
        response = client.get("/competencies")
    assert response.status_code == 200
    client.post("/logout")
    return queries.count


def test_page_query_count_does_not_grow_with_the_cohort(client, query_counter):
    small = count_page_queries(client, query_counter, 10)
    large = count_page_queries(client, query_counter, 200)
    assert small == large
    assert large <= 15


def test_the_required_marker_does_not_cross_the_no_evidence_words(client):
    # C1.2 requires level 2 of 4: the middle of the track, where the words used to sit.
    enrolled_learner(client)
    bar = bar_of(svg_of(page(client)), "C1.2")
    words_x = float(re.search(r'class="competency-chart__empty" x="([\d.]+)"', bar).group(1))
    marker_x = float(re.search(r'class="competency-chart__required" x1="([\d.]+)"', bar).group(1))
    assert abs(words_x - marker_x) >= 70
