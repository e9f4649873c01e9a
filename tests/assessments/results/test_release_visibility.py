"""A grade stays invisible to its learner until released: module page, dashboard, competency
profile and the evaluation's page say nothing of it (SECURITY.md C15)."""

from __future__ import annotations

import pytest

from lms.assessments.models import GradeState
from lms.extensions import db
from tests.assessments.results.helpers import assignment, grade, later, rubric_for
from tests.learning.competency_helpers import add_competencies
from tests.learning.helpers import make_bien_vivre_path
from tests.web.helpers import log_in

SECRET = "Observation confidentielle du formateur"


@pytest.fixture
def graded(client):
    """Log in a learner of M1 whose evaluation is graded (level 4, feedback) but not released."""
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"))
    competency = add_competencies(bien_vivre.path)["C1.1"]
    rubric = rubric_for(bien_vivre.path, competency)
    oral = assignment(
        bien_vivre.modules["M1"], rubric, kind="evaluation", accepts_files=False, title="Oral"
    )
    learner = bien_vivre.enrol_learner(completed=("M1",))
    result = grade(learner, oral, state=GradeState.GRADED, level=4)
    result.feedback = SECRET
    db.session.commit()
    log_in(client, learner)
    return bien_vivre, oral, result


def learner_pages(client, bien_vivre, oral) -> dict[str, str]:
    """Return the text of every learner page that could tell something of the grade."""
    urls = {
        "module": f"/modules/{bien_vivre.modules['M1'].id}",
        "dashboard": "/dashboard",
        "competencies": "/competencies",
        "evaluation": f"/assessments/{oral.id}/evaluation",
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages[name] = response.get_data(as_text=True)
    return pages


def test_nothing_shows_before_release(client, graded):
    """Show no feedback, level, pass or completion anywhere while the grade is not released."""
    bien_vivre, oral, _result = graded
    for name, html in learner_pages(client, bien_vivre, oral).items():
        assert SECRET not in html, name
        assert "Oral — Analyse" not in html, name  # the competency evidence
    pages = learner_pages(client, bien_vivre, oral)
    assert 'data-status="awaiting_grade"' in pages["module"]
    assert 'data-status="passed"' not in pages["module"]
    assert "Completed" not in pages["module"]


def test_everything_shows_once_released(client, graded):
    """Show the pass, the completion and the competency evidence once the grade is released."""
    bien_vivre, oral, result = graded
    result.state, result.released_at = GradeState.RELEASED, later(1)
    db.session.commit()
    pages = learner_pages(client, bien_vivre, oral)
    assert 'data-status="passed"' in pages["module"]
    assert "Completed" in pages["module"]
    assert "Oral — Analyse: Niveau 4" in pages["competencies"]
    assert SECRET in pages["evaluation"]
