"""A cohort's positionings for those who follow it: the list, the review of one learner (audited,
409 on a stale form), the entry levels on the competency pages, the progression."""

from __future__ import annotations

import pytest

from lms.accounts.models import AuditEvent
from lms.extensions import db
from lms.learning.ratings import RatingView
from lms.learning.signals import competency_ratings
from lms.quality.positioning.models import Positioning
from tests.factories import QuizAttemptFactory
from tests.quality.positioning.support import reviewed, self_assessed
from tests.web.helpers import log_in


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def cohort_url(world) -> str:
    return f"/manage/cohorts/{world.cohort.id}/positioning"


def learner_url(world, learner=None) -> str:
    return f"{cohort_url(world)}/{(learner or world.learner).id}"


def review(world, levels=(1, 2, 2), adjustments="Renforcer M2 ; entretien à mi-parcours.", **extra):
    data = {"adjustments": adjustments}
    for competency, level in zip(world.competencies, levels, strict=True):
        if level is not None:
            data[f"entry_{competency.id}"] = str(level)
    return {**data, **{key: str(value) for key, value in extra.items()}}


def stored(world, learner=None) -> Positioning | None:
    db.session.expire_all()
    return db.session.scalar(
        db.select(Positioning).filter_by(
            cohort_id=world.cohort.id, learner_id=(learner or world.learner).id
        )
    )


def entry_levels(world, learner=None) -> list[int | None]:
    levels = {level.competency_id: level.entry_level for level in stored(world, learner).levels}
    return [levels.get(competency.id) for competency in world.competencies]


def test_the_cohort_page_lists_each_learners_status_and_quiz_score(app, world):
    self_assessed(world.cohort, world.learner, (1, 2, 0))
    QuizAttemptFactory(
        assessment=world.quiz, user=world.learner, submitted=True, score=1, max_score=2
    )
    db.session.commit()
    page = client_of(app, world.trainer).get(cohort_url(world)).get_data(as_text=True)
    assert f'data-learner="{world.learner.id}" data-status="self-assessed"' in page
    assert f'data-learner="{world.learner_b.id}" data-status="not-started"' in page
    assert "50 %" in page
    reviewed(world.cohort, world.learner, world.trainer, (1, 1, 1))
    page = client_of(app, world.trainer).get(cohort_url(world)).get_data(as_text=True)
    assert f'data-learner="{world.learner.id}" data-status="reviewed"' in page


def test_the_learner_page_starts_from_the_self_assessment(app, world):
    self_assessed(world.cohort, world.learner, (1, 2, 0), comment="J'ai animé un collectif.")
    page = client_of(app, world.trainer).get(learner_url(world)).get_data(as_text=True)
    assert "J&#39;ai animé un collectif." in page
    checked = f'checked id="entry_{world.competencies[1].id}-2"'
    assert checked in page or f'id="entry_{world.competencies[1].id}-2" name' in page
    assert 'name="version" type="hidden" value="1"' in page


def test_reviewing_records_entry_levels_and_adjustments_audited(app, world):
    self_assessed(world.cohort, world.learner, (1, 2, 0))
    response = client_of(app, world.trainer).post(learner_url(world), data=review(world, version=1))
    assert response.headers["Location"] == cohort_url(world)
    positioning = stored(world)
    assert entry_levels(world) == [1, 2, 2]
    assert positioning.adjustments == "Renforcer M2 ; entretien à mi-parcours."
    assert positioning.reviewed_by_id == world.trainer.id
    assert positioning.reviewed_at
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="positioning.review"))
    assert event.actor_id == world.trainer.id
    assert event.after["entry_levels"] == {
        str(c.id): level for c, level in zip(world.competencies, (1, 2, 2), strict=True)
    }
    assert "Renforcer" not in str(event.after)  # the text stays where retention blanks it


def test_a_learner_who_has_not_self_assessed_may_be_reviewed_after_an_interview(app, world):
    response = client_of(app, world.local_admin).post(
        learner_url(world, world.learner_b), data=review(world, adjustments="Aucune adaptation.")
    )
    assert response.headers["Location"] == cohort_url(world)
    positioning = stored(world, world.learner_b)
    assert positioning.self_assessed_at is None
    assert positioning.reviewed_at is not None
    assert entry_levels(world, world.learner_b) == [1, 2, 2]


def test_amending_a_review_is_audited_as_an_amendment(app, world):
    reviewed(world.cohort, world.learner, world.trainer, (1, 1, 1))
    version = stored(world).version_id
    response = client_of(app, world.admin).post(
        learner_url(world), data=review(world, (2, 2, 2), version=version)
    )
    assert response.headers["Location"] == cohort_url(world)
    assert entry_levels(world) == [2, 2, 2]
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="positioning.amend"))
    assert event.before["entry_levels"] != event.after["entry_levels"]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"levels": (1, None, 2)}, "entry_{c1}", "Choose a level of the scale."),
        ({"levels": (1, 7, 2)}, "entry_{c1}", "Not a valid choice"),
        ({"adjustments": "  "}, "adjustments", "Write the adjustments decided"),
        ({"adjustments": "x" * 5001}, "adjustments", "5000"),
    ],
)
def test_a_bad_review_is_named_beside_its_field(app, world, data, field, words):
    levels = data.get("levels", (1, 2, 2))
    form = review(world, levels, data.get("adjustments", "Aucune adaptation."))
    response = client_of(app, world.trainer).post(learner_url(world), data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    name = field.format(c1=world.competencies[1].id)
    assert f'id="{name}-errors"' in page
    assert words in page[page.index(f'id="{name}-errors"') :][:300]
    assert stored(world) is None


def test_two_trainers_reviewing_at_once_the_second_gets_409_and_nothing_is_lost(app, world):
    self_assessed(world.cohort, world.learner, (1, 2, 0))
    first, second = client_of(app, world.trainer), client_of(app, world.trainer_b)
    for client in (first, second):
        assert 'name="version" type="hidden" value="1"' in client.get(learner_url(world)).get_data(
            as_text=True
        )
    ok = first.post(learner_url(world), data=review(world, (3, 3, 3), "Aucune.", version=1))
    assert ok.headers["Location"] == cohort_url(world)
    late = second.post(learner_url(world), data=review(world, (0, 0, 0), "Tout revoir.", version=1))
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "changed meanwhile" in page
    assert f'name="version" type="hidden" value="{stored(world).version_id}"' in page
    assert entry_levels(world) == [3, 3, 3]
    assert stored(world).adjustments == "Aucune."
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == 1


def test_a_review_of_a_learner_who_self_assessed_meanwhile_answers_409(app, world):
    page = client_of(app, world.trainer).get(learner_url(world)).get_data(as_text=True)
    assert 'name="version" type="hidden" value=""' in page  # read before any positioning
    self_assessed(world.cohort, world.learner, (1, 2, 0))
    late = client_of(app, world.trainer).post(learner_url(world), data=review(world))
    assert late.status_code == 409
    assert stored(world).reviewed_at is None


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer", 200),
        ("admin", 200),
        ("local_admin", 200),
        ("other_trainer", 403),
        ("far_admin", 404),
        ("assessor", 403),
        ("learner", 403),
        ("outsider", 403),
    ],
)
def test_who_follows_the_cohort_reads_and_reviews(app, world, who, status):
    client = client_of(app, getattr(world, who))
    assert client.get(cohort_url(world)).status_code == status
    assert client.get(learner_url(world)).status_code == status
    response = client.post(learner_url(world), data=review(world))
    if status == 200:
        assert response.headers["Location"] == cohort_url(world)
    else:
        assert response.status_code == status
    assert (stored(world) is not None) == (status == 200)


def test_someone_who_is_not_a_learner_of_the_cohort_is_not_found(app, world):
    client = client_of(app, world.trainer)
    assert client.get(learner_url(world, world.trainer_b)).status_code == 404
    assert client.get(learner_url(world, world.outsider)).status_code == 404
    assert client.get("/manage/cohorts/999999/positioning").status_code == 404


def test_the_competency_pages_show_the_entry_level_or_a_dash(app, world):
    learner_page = client_of(app, world.learner)
    trainer_page = client_of(app, world.trainer)
    progress_url = f"/manage/cohorts/{world.cohort.id}/learners/{world.learner.id}"

    def entry_cells(client, address):
        page = client.get(address).get_data(as_text=True)
        return [cell.split(">", 1)[1].split("</td>")[0] for cell in page.split("data-entry")[1:]]

    assert entry_cells(learner_page, "/competencies") == ["—", "—", "—"]
    assert entry_cells(trainer_page, progress_url) == ["—", "—", "—"]
    reviewed(world.cohort, world.learner, world.trainer, (1, 2, 4))
    assert entry_cells(learner_page, "/competencies") == [
        "1 — Insuffisant",
        "2 — En cours d&#39;acquisition",
        "4 — Maîtrisé",
    ]
    assert entry_cells(trainer_page, progress_url)[2] == "4 — Maîtrisé"


def test_the_progression_compares_entry_and_current_levels(app, world):
    reviewed(world.cohort, world.learner, world.trainer, (1, 1, 0))
    reviewed(world.cohort, world.learner_b, world.trainer, (2, 1, 1))
    c11, _c12, c21 = world.competencies

    def ratings(path, *, learners, **kwargs):
        return {
            (world.learner.id, c11.id): RatingView(3),
            (world.learner_b.id, c11.id): RatingView(2),
            (world.learner.id, c21.id): RatingView(2),
        }

    with competency_ratings.connected_to(ratings):
        page = client_of(app, world.trainer).get(cohort_url(world)).get_data(as_text=True)
    rows = {
        code: page.split(f'data-competency="{code}"')[1].split("</tr>")[0]
        for code in ("C1.1", "C1.2", "C2.1")
    }
    assert "1.5" in rows["C1.1"].split("data-entry")[1].split("</td>")[0]
    assert "2.5" in rows["C1.1"].split("data-current")[1].split("</td>")[0]
    assert "1 of 2" in rows["C1.1"]  # required 3: only the first learner reaches it
    assert "—" in rows["C1.2"].split("data-current")[1].split("</td>")[0]
    assert "0 of 2" in rows["C1.2"]
    assert "1 of 2" in rows["C2.1"]  # required 2
