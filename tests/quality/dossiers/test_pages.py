"""The dossiers' pages: administrators build and download, the learner builds and downloads
their own and nobody else's, constant query counts."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from lms.extensions import db
from lms.quality.dossiers.models import DossierState, LearnerDossier
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    TerritoryAdministratorFactory,
    UserFactory,
)
from tests.quality.dossiers.support import learner_with_evidence, open_zip, ready_dossier
from tests.stores import empty_file_stores
from tests.web.helpers import log_in


@pytest.fixture(autouse=True)
def _empty_stores():
    empty_file_stores()
    yield
    empty_file_stores()


def fetch(client, url: str):
    """GET ``url``, read its body and close the response (the stored file it streamed)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def builds(learner) -> list[LearnerDossier]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(LearnerDossier).filter_by(learner_id=learner.id).order_by(LearnerDossier.id)
        )
    )


def test_the_learner_builds_and_downloads_their_own_dossier(client):
    world = learner_with_evidence()
    log_in(client, world.learner)
    page = client.get("/my/dossier/")
    assert page.status_code == 200
    assert "Build my dossier" in page.text
    assert "portability" in page.text
    answer = client.post(f"/my/dossier/cohorts/{world.cohort.id}")
    assert answer.headers["Location"].endswith("/my/dossier/")
    [dossier] = builds(world.learner)
    assert dossier.state == DossierState.READY
    assert dossier.requested_by_id == world.learner.id
    download = fetch(client, f"/my/dossier/{dossier.id}/download")
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "no-store"
    assert hashlib.sha256(download.data).hexdigest() == dossier.sha256
    digest = base64.b64encode(hashlib.sha256(download.data).digest()).decode()
    assert download.headers["Digest"] == f"sha-256={digest}"
    manifest = json.loads(open_zip(download.data).read("manifest.json"))
    assert manifest["learner"]["id"] == world.learner.id
    page = client.get("/my/dossier/")
    assert f"/my/dossier/{dossier.id}/download" in page.text
    assert dossier.sha256 in page.text


def test_a_learner_cannot_download_another_learners_dossier_by_id_or_by_guessing(client):
    world = learner_with_evidence()
    theirs = ready_dossier(world.learner, world.cohort)
    log_in(client, world.other)
    assert fetch(client, f"/my/dossier/{theirs.id}/download").status_code == 403
    assert fetch(client, f"/my/dossier/{theirs.id + 1000}/download").status_code == 404
    assert fetch(client, f"/admin/cohorts/dossiers/{theirs.id}/download").status_code == 403
    assert f"/my/dossier/{theirs.id}/download" not in client.get("/my/dossier/").text
    # Nor build one for them, nor in a cohort that is not theirs.
    assert (
        client.post(
            f"/admin/cohorts/{world.cohort.id}/learners/{world.learner.id}/dossiers"
        ).status_code
        == 403
    )
    elsewhere = CohortFactory()
    assert client.post(f"/my/dossier/cohorts/{elsewhere.id}").status_code == 403


def test_a_dossier_not_ready_is_not_served(client):
    world = learner_with_evidence()
    queued = LearnerDossier(learner_id=world.learner.id, cohort_id=world.cohort.id, version=1)
    db.session.add(queued)
    db.session.commit()
    log_in(client, world.learner)
    assert fetch(client, f"/my/dossier/{queued.id}/download").status_code == 404
    page = client.get("/my/dossier/")
    assert "Waiting for a worker" in page.text
    assert page.headers["Refresh"] == "3"


def test_asking_again_while_a_build_is_under_way_does_not_start_a_second(client):
    world = learner_with_evidence()
    db.session.add(
        LearnerDossier(learner_id=world.learner.id, cohort_id=world.cohort.id, version=1)
    )
    db.session.commit()
    log_in(client, world.learner)
    answer = client.post(f"/my/dossier/cohorts/{world.cohort.id}", follow_redirects=True)
    assert "already being built" in answer.text
    assert len(builds(world.learner)) == 1


def test_an_abandoned_build_no_longer_blocks(client, app, monkeypatch):
    world = learner_with_evidence()
    db.session.add(
        LearnerDossier(learner_id=world.learner.id, cohort_id=world.cohort.id, version=1)
    )
    db.session.commit()
    monkeypatch.setitem(app.config, "JOB_TIMEOUT", -1)
    log_in(client, world.learner)
    client.post(f"/my/dossier/cohorts/{world.cohort.id}")
    first, second = builds(world.learner)
    assert first.state == DossierState.FAILED
    assert "request it again" in first.error
    assert (second.version, second.state) == (2, DossierState.READY)


def test_an_administrator_builds_one_learner_then_the_whole_cohort(client):
    world = learner_with_evidence()
    log_in(client, world.admin)
    page = client.get(f"/admin/cohorts/{world.cohort.id}/dossiers")
    assert page.status_code == 200
    assert world.learner.email in page.text
    answer = client.post(f"/admin/cohorts/{world.cohort.id}/learners/{world.learner.id}/dossiers")
    assert answer.headers["Location"].endswith(f"/admin/cohorts/{world.cohort.id}/dossiers")
    [one] = builds(world.learner)
    assert one.state == DossierState.READY
    client.post(f"/admin/cohorts/{world.cohort.id}/dossiers/builds")
    assert [build.version for build in builds(world.learner)] == [1, 2]
    assert [build.state for build in builds(world.other)] == [DossierState.READY]
    download = fetch(client, f"/admin/cohorts/dossiers/{one.id}/download")
    assert hashlib.sha256(download.data).hexdigest() == one.sha256
    page = client.get(f"/admin/cohorts/{world.cohort.id}/dossiers")
    assert one.sha256 in page.text


def test_a_cohort_without_learners_says_so(client):
    admin = UserFactory(admin=True)
    cohort = CohortFactory()
    log_in(client, admin)
    answer = client.post(f"/admin/cohorts/{cohort.id}/dossiers/builds", follow_redirects=True)
    assert "no learners" in answer.text


def test_local_administrators_serve_their_territory_only(client):
    world = learner_with_evidence()
    local = UserFactory()
    TerritoryAdministratorFactory(user=local, territory=world.cohort.territory)
    stranger = UserFactory()
    TerritoryAdministratorFactory(user=stranger)
    dossier = ready_dossier(world.learner, world.cohort)
    log_in(client, local)
    assert client.get(f"/admin/cohorts/{world.cohort.id}/dossiers").status_code == 200
    assert fetch(client, f"/admin/cohorts/dossiers/{dossier.id}/download").status_code == 200
    client.post("/logout")
    log_in(client, stranger)
    assert client.get(f"/admin/cohorts/{world.cohort.id}/dossiers").status_code == 404
    assert fetch(client, f"/admin/cohorts/dossiers/{dossier.id}/download").status_code == 404


def test_trainers_do_not_reach_the_dossiers(client):
    world = learner_with_evidence()
    trainer = UserFactory()
    MembershipFactory(user=trainer, cohort=world.cohort, trainer=True)
    log_in(client, trainer)
    assert client.get(f"/admin/cohorts/{world.cohort.id}/dossiers").status_code == 403


def test_the_pages_read_a_constant_number_of_queries(client, query_counter):
    admin = UserFactory(admin=True)
    cohort = CohortFactory()
    log_in(client, admin)
    counts = []
    for added in (1, 5):
        for _ in range(added):
            learner = UserFactory()
            MembershipFactory(user=learner, cohort=cohort)
            ready_dossier(learner, cohort)
            ready_dossier(learner, cohort)
        with query_counter:
            assert client.get(f"/admin/cohorts/{cohort.id}/dossiers").status_code == 200
        counts.append(query_counter.count)
    assert counts[0] == counts[1]


def test_the_learner_page_reads_a_constant_number_of_queries(client, query_counter):
    learner = UserFactory()
    log_in(client, learner)
    counts = []
    for _size in (1, 2):
        cohort = CohortFactory()
        MembershipFactory(user=learner, cohort=cohort)
        for _ in range(3):
            ready_dossier(learner, cohort)
        with query_counter:
            assert client.get("/my/dossier/").status_code == 200
        counts.append(query_counter.count)
    assert counts[0] == counts[1]
