"""No answer key leaves the server while an attempt is open (SECURITY.md C16).

Every GET route of the application that the learner can name (module, lesson, assessment,
attempt, cohort, their own user) is requested during an open attempt: no page may carry an
explanation or a mark of which option is correct, and only the attempt page may show options.
"""

from __future__ import annotations

from flask_babel import gettext

from lms.assessments.quizzes.services import start_attempt
from lms.core.time import utcnow
from lms.extensions import db
from tests.assessments.quizzes.support import EXPLAIN_MARK, RIGHT_MARK, make_quiz_world
from tests.web.helpers import log_in

# Ways a page could say which option is right, besides the explanations themselves.
KEY_HINTS = ("is_correct", "data-correct", "quiz-option--correct", "correct=")


def learner_urls(app, values: dict[str, int]) -> dict[str, str]:
    """Return a URL for every GET route whose arguments are all among ``values``."""
    adapter = app.url_map.bind("localhost")
    urls = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if set(rule.arguments) <= set(values):
            args = {name: values[name] for name in rule.arguments}
            urls[rule.endpoint] = adapter.build(rule.endpoint, args)
    return urls


def test_no_route_shows_the_answer_key_while_an_attempt_is_open(client, app):
    world = make_quiz_world()
    attempt = start_attempt(world.quiz, world.learner, world.bien_vivre.cohort, utcnow())
    db.session.commit()
    log_in(client, world.learner)
    values = {
        "module_id": world.quiz.module_id,
        "lesson_id": world.bien_vivre.lessons["M1"].id,
        "assessment_id": world.quiz.id,
        "attempt_id": attempt.id,
        "cohort_id": world.bien_vivre.cohort.id,
        "user_id": world.learner.id,
    }
    urls = learner_urls(app, values)
    assert {"quizzes.show", "quizzes.take", "quizzes.review", "learning.module"} <= set(urls)
    hints = (*KEY_HINTS, gettext("Correct answer"))
    for endpoint, url in urls.items():
        body = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert EXPLAIN_MARK not in body, endpoint
        assert not [hint for hint in hints if hint in body], endpoint
        if endpoint != "quizzes.take":
            assert RIGHT_MARK not in body, endpoint
    take = client.get(urls["quizzes.take"]).get_data(as_text=True)
    assert take.count(RIGHT_MARK) == 3  # the options are there, with no mark of correctness
