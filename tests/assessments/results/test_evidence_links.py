"""Competency evidence links to the grade it comes from: the learner's released result, the
trainer's grading page; never a link to a grade the learner may not see yet."""

from __future__ import annotations

import re

import pytest

from lms.assessments.models import GradeState
from lms.assessments.results.services import rate_competencies
from lms.curriculum.models import RatingRule
from lms.extensions import db
from lms.learning.ratings import EvidenceItem, RatingView
from tests.assessments.results.helpers import assignment, grade, later, rubric_for
from tests.factories import AssessmentFactory, MembershipFactory
from tests.learning.competency_helpers import add_competencies
from tests.learning.helpers import make_bien_vivre_path
from tests.web.helpers import log_in


@pytest.fixture
def rated():
    """Return the path (M1, M2 open), a learner, its trainer, C1.1 and an assignment rating it."""
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"), opened=("M1", "M2"))
    competency = add_competencies(bien_vivre.path)["C1.1"]
    rubric = rubric_for(bien_vivre.path, competency)
    work = assignment(bien_vivre.modules["M1"], rubric, title="Carte des acteurs")
    trainer = MembershipFactory(cohort=bien_vivre.cohort, trainer=True).user
    return bien_vivre, bien_vivre.enrol_learner(), trainer, competency, work


def evidence_links(html: str, code: str = "C1.1") -> list[tuple[str, str]]:
    """Return (href, words) of the evidence links in a competency's row."""
    row = html.split(f'<tr data-competency="{code}"')[1].split("</tr>")[0]
    evidence = row.split('class="competency-table__evidence"')
    if len(evidence) == 1:
        return []
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', evidence[1].split("</ul>")[0])


def test_the_learner_s_evidence_opens_their_released_result(client, rated):
    _bien_vivre, learner, _trainer, _competency, work = rated
    grade(learner, work, level=3, released_at=later(1))
    log_in(client, learner)
    html = client.get("/competencies").get_data(as_text=True)
    url = f"/assessments/{work.id}/assignment#released-grade"
    assert evidence_links(html) == [(url, "Carte des acteurs — Analyse: Niveau 3")]
    assert "/manage/grading" not in html
    result = client.get(url.split("#")[0])
    assert result.status_code == 200
    assert 'id="released-grade"' in result.get_data(as_text=True)
    assert "Niveau 3" in result.get_data(as_text=True)


def test_an_evaluation_s_evidence_opens_the_learner_s_evaluation_page(client, rated):
    bien_vivre, learner, _trainer, competency, _work = rated
    oral = AssessmentFactory(
        module=bien_vivre.modules["M1"],
        evaluation=True,
        title="Soutenance",
        rubric=rubric_for(bien_vivre.path, competency),
    )
    grade(learner, oral, level=4, released_at=later(2))
    log_in(client, learner)
    html = client.get("/competencies").get_data(as_text=True)
    url = f"/assessments/{oral.id}/evaluation#released-grade"
    assert evidence_links(html) == [(url, "Soutenance — Analyse: Niveau 4")]
    assert 'id="released-grade"' in client.get(url.split("#")[0]).get_data(as_text=True)


@pytest.mark.parametrize("state", [GradeState.GRADING, GradeState.GRADED, GradeState.RETURNED])
def test_no_link_to_a_grade_that_is_not_released(client, rated, state):
    bien_vivre, learner, trainer, _competency, work = rated
    newer = assignment(bien_vivre.modules["M2"], work.rubric, title="Travail non publié")
    grade(learner, work, level=2, released_at=later(1))
    grade(learner, newer, state=state, level=4)
    log_in(client, learner)
    html = client.get("/competencies").get_data(as_text=True)
    assert evidence_links(html) == [
        (
            f"/assessments/{work.id}/assignment#released-grade",
            "Carte des acteurs — Analyse: Niveau 2",
        )
    ]
    assert f"/assessments/{newer.id}/" not in html
    assert "Travail non publié" not in html
    # The trainer's page follows the same rule: a level comes from released grades only.
    client.post("/logout")
    log_in(client, trainer)
    staff = client.get(f"/manage/cohorts/{bien_vivre.cohort.id}/learners/{learner.id}")
    assert [words for _href, words in evidence_links(staff.get_data(as_text=True))] == [
        "Carte des acteurs — Analyse: Niveau 2"
    ]


def test_the_trainer_s_learner_page_links_evidence_to_the_grading_page(client, rated):
    bien_vivre, learner, trainer, _competency, work = rated
    released = grade(learner, work, level=3, released_at=later(1))
    log_in(client, trainer)
    html = client.get(f"/manage/cohorts/{bien_vivre.cohort.id}/learners/{learner.id}").get_data(
        as_text=True
    )
    url = f"/manage/grading/grades/{released.id}"
    assert evidence_links(html) == [(url, "Carte des acteurs — Analyse: Niveau 3")]
    assert '<tr data-competency="C1.1" data-status="attained">' in html
    assert client.get(url).status_code == 200


def test_the_mean_rule_links_every_grade_it_counts(client, rated):
    bien_vivre, learner, trainer, _competency, work = rated
    bien_vivre.path.rating_rule = RatingRule.MEAN
    second = assignment(bien_vivre.modules["M2"], work.rubric, title="Alliances")
    first_grade = grade(learner, work, level=2, released_at=later(1))
    second_grade = grade(learner, second, level=4, released_at=later(2))
    db.session.commit()
    log_in(client, trainer)
    html = client.get(f"/manage/cohorts/{bien_vivre.cohort.id}/learners/{learner.id}").get_data(
        as_text=True
    )
    assert [href for href, _words in evidence_links(html)] == [
        f"/manage/grading/grades/{first_grade.id}",
        f"/manage/grading/grades/{second_grade.id}",
    ]


def test_without_an_audience_the_evidence_has_no_link(rated):
    """Outside a request (eligibility, commands) ratings carry words only."""
    bien_vivre, learner, _trainer, competency, work = rated
    grade(learner, work, level=3, released_at=later(1))
    view = rate_competencies(bien_vivre.path, learners=[learner])[(learner.id, competency.id)]
    assert view.evidence == (EvidenceItem("Carte des acteurs — Analyse: Niveau 3", None),)


def test_a_rating_view_keeps_local_links_only():
    view = RatingView(2, evidence=("M1 quiz", ("M2 travail", "/assessments/3/assignment")))
    assert view.evidence == (
        EvidenceItem("M1 quiz"),
        EvidenceItem("M2 travail", "/assessments/3/assignment"),
    )
