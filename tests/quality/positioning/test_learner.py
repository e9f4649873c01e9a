"""« Mon positionnement »: the learner reads the instructions and the entry quiz, self-assesses
every competency, changes it until a trainer reviews it, then reads it only."""

from __future__ import annotations

import pytest

from lms.extensions import db
from lms.quality.positioning.models import Positioning, PositioningLevel
from tests.factories import CohortFactory, MembershipFactory, QuizAttemptFactory
from tests.quality.positioning.support import reviewed, self_assessed
from tests.web.helpers import log_in


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def url(world) -> str:
    return f"/positioning/cohorts/{world.cohort.id}"


def answers(world, levels=(1, 2, 0), **extra) -> dict[str, str]:
    data = {}
    for competency, level in zip(world.competencies, levels, strict=True):
        if level is not None:
            data[f"level_{competency.id}"] = str(level)
        data[f"comment_{competency.id}"] = f"Vécu en association ({competency.code})"
    return {**data, **{key: str(value) for key, value in extra.items()}}


def stored(world, learner=None) -> Positioning | None:
    db.session.expire_all()
    return db.session.scalar(
        db.select(Positioning).filter_by(
            cohort_id=world.cohort.id, learner_id=(learner or world.learner).id
        )
    )


def test_the_page_shows_the_instructions_the_quiz_and_the_scale_with_its_descriptors(app, world):
    page = client_of(app, world.learner).get(url(world)).get_data(as_text=True)
    assert "Situez-vous <strong>franchement</strong>." in page
    assert f'href="/assessments/{world.quiz.id}/quiz"' in page
    assert "Not taken yet." in page
    assert page.index("BC1 — Diagnostiquer") < page.index("C1.2") < page.index("BC2 — Mobiliser")
    assert page.count("Je découvre cette compétence.") == 3  # once per competency
    assert page.count('type="radio"') == 3 * 5


def test_self_assessing_records_every_level_and_comment(app, world):
    client = client_of(app, world.learner)
    response = client.post(url(world), data=answers(world))
    assert response.headers["Location"] == url(world)
    positioning = stored(world)
    assert positioning.self_assessed_at is not None
    assert positioning.reviewed_at is None
    levels = {level.competency_id: level for level in positioning.levels}
    assert [levels[c.id].self_level for c in world.competencies] == [1, 2, 0]
    assert levels[world.competencies[0].id].self_comment == "Vécu en association (C1.1)"
    page = client.get(url(world)).get_data(as_text=True)
    assert "You may change it until a trainer reviews it." in page


def test_the_learner_changes_it_until_it_is_reviewed(app, world):
    self_assessed(world.cohort, world.learner, (0, 0, 0))
    client = client_of(app, world.learner)
    page = client.get(url(world)).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page
    response = client.post(url(world), data=answers(world, (3, 3, 4), version=1))
    assert response.headers["Location"] == url(world)
    levels = sorted(level.self_level for level in stored(world).levels)
    assert levels == [3, 3, 4]
    assert db.session.scalar(db.select(db.func.count()).select_from(PositioningLevel)) == 3


@pytest.mark.parametrize(
    ("levels", "words"),
    [((1, None, 2), "Choose a level of the scale."), ((1, 9, 2), "Not a valid choice")],
)
def test_a_missing_or_unknown_level_is_named_beside_its_field(app, world, levels, words):
    response = client_of(app, world.learner).post(url(world), data=answers(world, levels))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    field = f"level_{world.competencies[1].id}"
    assert f'id="{field}-errors"' in page
    assert words in page[page.index(f'id="{field}-errors"') :][:200]
    assert stored(world) is None


def test_a_comment_too_long_is_refused_beside_it(app, world):
    data = answers(world)
    data[f"comment_{world.competencies[0].id}"] = "x" * 2001
    response = client_of(app, world.learner).post(url(world), data=data)
    assert response.status_code == 400
    assert f'id="comment_{world.competencies[0].id}-errors"' in response.get_data(as_text=True)
    assert stored(world) is None


def test_a_stale_form_answers_409_and_changes_nothing(app, world):
    self_assessed(world.cohort, world.learner, (1, 1, 1))
    response = client_of(app, world.learner).post(
        url(world), data=answers(world, (4, 4, 4), version=7)
    )
    assert response.status_code == 409
    assert "changed meanwhile" in response.get_data(as_text=True)
    assert sorted(level.self_level for level in stored(world).levels) == [1, 1, 1]


def test_once_reviewed_it_is_read_only_and_a_post_answers_409(app, world):
    self_assessed(world.cohort, world.learner, (1, 2, 0))
    reviewed(world.cohort, world.learner, world.trainer, (1, 1, 1), "Renforcer le module M2.")
    client = client_of(app, world.learner)
    page = client.get(url(world)).get_data(as_text=True)
    assert "it can no longer be changed" in page
    assert 'type="radio"' not in page
    assert "Renforcer le module M2." in page
    version = stored(world).version_id
    response = client.post(url(world), data=answers(world, (4, 4, 4), version=version))
    assert response.status_code == 409
    assert "it can no longer be changed" in response.get_data(as_text=True)
    positioning = stored(world)
    assert sorted(level.self_level for level in positioning.levels) == [0, 1, 2]
    assert positioning.version_id == version


def test_the_quiz_result_shows_once_taken(app, world):
    for number, score in ((1, 1), (2, 2)):
        QuizAttemptFactory(
            assessment=world.quiz,
            user=world.learner,
            number=number,
            submitted=True,
            score=score,
            max_score=2,
            passed=score == 2,
        )
    QuizAttemptFactory(assessment=world.quiz, user=world.learner, number=3, max_score=2)
    db.session.commit()
    page = client_of(app, world.learner).get(url(world)).get_data(as_text=True)
    assert "Best result: 2 / 2 (100 %)" in page


def test_my_positioning_goes_to_the_only_cohort_or_lists_them(app, world):
    assert client_of(app, world.learner).get("/positioning").headers["Location"] == url(world)
    MembershipFactory(user=world.learner_b, cohort=CohortFactory(path=world.cohort.path))
    db.session.commit()
    page = client_of(app, world.learner_b).get("/positioning").get_data(as_text=True)
    assert page.count('href="/positioning/cohorts/') == 2
    page = client_of(app, world.outsider).get("/positioning").get_data(as_text=True)
    assert "You are not enrolled in a cohort yet." in page


@pytest.mark.parametrize("who", ["trainer", "admin", "local_admin", "assessor", "outsider"])
def test_only_the_cohorts_learners_self_assess(app, world, who):
    client = client_of(app, getattr(world, who))
    assert client.get(url(world)).status_code in (403, 404)
    assert client.post(url(world), data=answers(world)).status_code in (403, 404)
    assert stored(world, getattr(world, who)) is None


def test_anonymous_visitors_go_to_the_login_page(app, world):
    response = app.test_client().get(url(world))
    assert response.headers["Location"].startswith("/login")


def test_an_unknown_cohort_is_not_found(app, world):
    assert client_of(app, world.learner).get("/positioning/cohorts/999999").status_code == 404
