"""The grading page's history: each event in words (English and French), never its code."""

from __future__ import annotations

import re

import pytest

from lms.assessments.grading import services
from lms.assessments.grading.history import event_label, event_words
from lms.assessments.models import Grade, GradeEvent
from lms.extensions import db
from tests.assessments.grading.support import grade_form, make_grading_world, reload
from tests.factories import MembershipFactory, UserFactory
from tests.web.helpers import log_in


@pytest.fixture
def world():
    """Return the grading world."""
    return make_grading_world()


def table_of(html: str) -> str:
    """Return the history table of a grading page."""
    return html.split('id="grade-history"')[1].split("</table>")[0]


def history(html: str) -> list[str]:
    """Return the words of the history's "What" column, in order."""
    table = html.split('id="grade-history"')[1].split("</table>")[0]
    cells = re.findall(r'<td data-action="[\w.]+">(.*?)</td>', table)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def _graded_released_and_refused(app, world):
    """Start, save and mark graded a grade, have a stale save refused, then release it."""
    client = app.test_client()
    log_in(client, world.trainer)
    grade = services.start_grading(world.trainer, world.submission)
    db.session.commit()
    url = f"/manage/grading/grades/{grade.id}"
    stale = grade.version_id
    client.post(url, data=grade_form(grade, world.levels(1, 1)))
    client.post(url, data=grade_form(reload(grade), world.levels(1, 2), action="finish"))
    refused = client.post(url, data=grade_form(grade, world.levels(0, 0), version=stale))
    assert refused.status_code == 409
    client.post(url, data=grade_form(reload(grade), {}, action="release"))
    return client, url


def test_the_history_names_each_event_in_words(app, world):
    client, url = _graded_released_and_refused(app, world)
    html = client.get(url).get_data(as_text=True)
    # The world's rubric: two criteria worth up to 2 points each.
    assert history(html) == [
        "Grading started",
        "Grade saved: – → 2/4",
        "Grade saved and marked graded: 2/4 → 3/4",
        "Conflict: change refused",
        "Released",
    ]
    assert "None" not in table_of(html)
    table = html.split('id="grade-history"')[1].split("</table>")[0]
    assert "grade.save" not in re.sub(r'data-action="[^"]*"', "", table)
    assert "Graded → Released" in table  # states in words too


def test_the_history_speaks_french_to_a_french_trainer(app, world):
    world.trainer.locale = "fr"
    db.session.commit()
    client, url = _graded_released_and_refused(app, world)
    html = client.get(url).get_data(as_text=True)
    assert history(html) == [
        "Correction commencée",
        "Note enregistrée : – → 2/4",
        "Note enregistrée et marquée corrigée : 2/4 → 3/4",
        "Conflit : modification refusée",
        "Publié",
    ]


def test_a_return_for_revision_reads_returned_for_revision(app, world):
    colleague = UserFactory()
    MembershipFactory(user=colleague, cohort=world.cohort, trainer=True)
    client = app.test_client()
    log_in(client, colleague)
    grade = services.start_grading(colleague, world.submission)
    db.session.commit()
    url = f"/manage/grading/grades/{grade.id}"
    client.post(url, data=grade_form(grade, {}, action="return", feedback="Complétez."))
    assert history(client.get(url).get_data(as_text=True))[-1] == "Returned for revision"


def test_a_save_that_clears_every_level_reads_its_score_went_back_to_none():
    grade = Grade(max_score=9)
    event = GradeEvent(
        action="grade.save", accepted=True, grade=grade, before={"score": 6}, after={"score": None}
    )
    assert event_label(event, event_words()) == "Grade saved: 6/9 → –"


def test_an_unknown_action_code_is_shown_as_it_is():
    event = GradeEvent(action="grade.imported", accepted=True)
    assert event_label(event, event_words()) == "grade.imported"
