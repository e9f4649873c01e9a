"""Two requests of the same dossier at once, raced for real through the live server: one build,
the other request told it is under way; never a 500, never two builds (PostgreSQL and SQLite)."""

from __future__ import annotations

import pytest

from lms.extensions import db
from lms.quality.dossiers import services
from lms.quality.dossiers.models import LearnerDossier
from tests.live import at_once, logged_in
from tests.quality.dossiers.support import learner_with_evidence


@pytest.fixture
def queue_without_worker(monkeypatch):
    """Leave builds queued, as a queue whose workers have not started yet: the race is then on
    the request alone (built inline, the first could finish before the second even asks)."""
    monkeypatch.setattr(services, "enqueue", lambda *args, **kwargs: None)


def count_builds() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(LearnerDossier.id)))


def test_the_learner_asking_twice_at_once_gets_one_build(app, live_server, queue_without_worker):
    world = learner_with_evidence()
    tabs = [logged_in(app, live_server, world.learner) for _ in range(2)]
    url = f"/my/dossier/cohorts/{world.cohort.id}"
    db.session.commit()
    answers = at_once([lambda tab=tab: tab.post(url, {}) for tab in tabs])
    assert [answer.status for answer in answers] == [302, 302]
    assert all(answer.location.endswith("/my/dossier/") for answer in answers)
    assert count_builds() == 1
    pages = [tab.get("/my/dossier/") for tab in tabs]
    assert any("already being built" in page.text for page in pages)


def test_two_administrators_building_the_cohort_at_once_get_one_build_each_learner(
    app, live_server, queue_without_worker
):
    world = learner_with_evidence()
    people = [logged_in(app, live_server, world.admin) for _ in range(2)]
    url = f"/admin/cohorts/{world.cohort.id}/dossiers/builds"
    db.session.commit()
    answers = at_once([lambda person=person: person.post(url, {}) for person in people])
    assert sorted(answer.status for answer in answers) == [302, 302]
    assert count_builds() == 2  # one per learner of the cohort
