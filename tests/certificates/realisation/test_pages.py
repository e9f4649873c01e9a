"""The pages of the certificats de réalisation: administrators produce, learners download theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.certificates.models import IssuanceBatch
from lms.certificates.realisation.models import RealisationRecord
from lms.cohorts.models import Funder
from lms.core.time import local_today
from lms.extensions import db
from tests.certificates.realisation.support import make_realisation_world, stored_record
from tests.factories import MembershipFactory, UserFactory
from tests.web.helpers import count_queries, log_in


@pytest.fixture
def world(organisation):
    return make_realisation_world()


def fetch(client, url: str):
    """Get ``url``, read the whole answer and release the file it streams."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def admin_client(app, world):
    client = app.test_client()
    log_in(client, world.admin)
    return client


def cohort_url(world) -> str:
    return f"/admin/cohorts/{world.cohort.id}/realisation"


def learner_url(world, slug) -> str:
    return f"/admin/cohorts/{world.cohort.id}/learners/{world.learners[slug].id}/realisation"


def produce_url(world, slug) -> str:
    return learner_url(world, slug) + "/documents"


def test_the_cohort_page_lists_funders_hours_and_documents(app, world):
    record = stored_record(world.learners["bruno"], world.cohort)
    page = admin_client(app, world).get(cohort_url(world)).get_data(as_text=True)
    assert "Training certificates of" in page
    for name in ("Anna Arnaud", "Bruno Bayle", "Chloé Caron", "Dan Durand"):
        assert name in page
    assert "OPCO" in page
    assert "CPF" in page
    assert "3 h 30" in page  # Bruno
    assert "6 h" in page  # Chloé
    assert record.reference in page
    assert f"/admin/realisation-documents/{record.id}/pdf" in page
    assert 'name="funder"' in page


def test_the_cohort_page_costs_the_same_queries_for_4_or_24_learners(app, world):
    client = admin_client(app, world)
    client.get(cohort_url(world))
    with count_queries() as few:
        assert client.get(cohort_url(world)).status_code == 200
    for _index in range(20):
        user = UserFactory()
        MembershipFactory(user=user, cohort=world.cohort, funder=Funder.CPF)
        stored_record(user, world.cohort)
    db.session.commit()
    with count_queries() as many:
        assert client.get(cohort_url(world)).status_code == 200
    assert len(many) == len(few), "\n".join(many)


def test_an_administrator_produces_a_learner_s_document(app, world):
    client = admin_client(app, world)
    page = client.get(learner_url(world, "anna")).get_data(as_text=True)
    assert "No document produced yet." in page
    response = client.post(
        produce_url(world, "anna"),
        data={"kind": "realisation", "as_of": local_today().isoformat()},
    )
    assert response.status_code == 302
    record = db.session.scalar(db.select(RealisationRecord))
    assert record.learner_id == world.learners["anna"].id
    assert record.created_by_id == world.admin.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{record.reference} was produced" in page
    assert f"/admin/realisation-documents/{record.id}/pdf" in page
    download = fetch(client, f"/admin/realisation-documents/{record.id}/pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert (
        f"certificat-de-realisation-{record.reference}.pdf"
        in download.headers["Content-Disposition"]
    )
    assert download.data.startswith(b"%PDF-")


def test_a_day_in_the_future_is_refused_beside_the_form(app, world):
    client = admin_client(app, world)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = client.post(
        produce_url(world, "anna"), data={"kind": "realisation", "as_of": tomorrow}
    )
    assert response.status_code == 409
    assert "is in the future" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(RealisationRecord.id))) == 0


@pytest.mark.parametrize(
    "data",
    [{"kind": "realisation"}, {"kind": "bilan", "as_of": "2026-01-01"}, {"as_of": "not a day"}],
)
def test_an_incomplete_form_is_refused(app, world, data):
    response = admin_client(app, world).post(produce_url(world, "anna"), data=data)
    assert response.status_code == 400
    assert 'class="field__errors"' in response.get_data(as_text=True)


def test_missing_settings_are_named_on_the_page_and_refuse(app, monkeypatch):
    world = make_realisation_world()
    client = admin_client(app, world)
    page = client.get(learner_url(world, "anna")).get_data(as_text=True)
    assert "realisation-settings-problems" in page
    assert "LMS_TRAINING_ORGANISATION_SIRET" in page
    response = client.post(
        produce_url(world, "anna"), data={"kind": "realisation", "as_of": local_today().isoformat()}
    )
    assert response.status_code == 409
    assert "LMS_TRAINING_ORGANISATION_NDA" in response.get_data(as_text=True)


def test_a_batch_for_a_funder_runs_and_shows_its_progress(app, world):
    client = admin_client(app, world)
    response = client.post(
        f"{cohort_url(world)}/batches",
        data={"kind": "realisation", "as_of": local_today().isoformat(), "funder": "opco"},
    )
    assert response.status_code == 302
    batch = db.session.scalar(db.select(IssuanceBatch))
    assert response.headers["Location"].endswith(f"/admin/certificate-batches/{batch.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Batch finished" in page
    assert "Documents produced" in page
    assert "OPCO" in page
    assert cohort_url(world) in page
    learners = set(db.session.scalars(db.select(RealisationRecord.learner_id)))
    assert learners == {world.learners["anna"].id, world.learners["chloe"].id}


def test_an_unknown_funder_is_refused(app, world):
    response = admin_client(app, world).post(
        f"{cohort_url(world)}/batches",
        data={"kind": "realisation", "as_of": local_today().isoformat(), "funder": "bank"},
    )
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(IssuanceBatch.id))) == 0


def test_the_learner_lists_and_downloads_their_documents_only(app, world):
    own = stored_record(world.learners["anna"], world.cohort)
    other = stored_record(world.learners["bruno"], world.cohort)
    client = app.test_client()
    log_in(client, world.learners["anna"])
    page = client.get("/certificates").get_data(as_text=True)
    assert own.reference in page
    assert other.reference not in page
    download = fetch(client, f"/certificates/realisation/{own.id}/pdf")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    assert fetch(client, f"/certificates/realisation/{other.id}/pdf").status_code == 403
    assert client.get("/certificates/realisation/999999/pdf").status_code == 404


@pytest.mark.parametrize("who", ["trainer", "bruno"])
def test_trainers_and_other_learners_are_denied(app, world, who):
    record = stored_record(world.learners["anna"], world.cohort)
    user = world.trainer if who == "trainer" else world.learners[who]
    client = app.test_client()
    log_in(client, user)
    assert fetch(client, f"/certificates/realisation/{record.id}/pdf").status_code == 403
    assert fetch(client, f"/admin/realisation-documents/{record.id}/pdf").status_code == 403
    assert client.get(cohort_url(world)).status_code == 403
    assert client.get(learner_url(world, "anna")).status_code == 403


def test_a_pdf_lost_from_storage_is_not_found(app, world):
    from lms.certificates.realisation.services import realisation_folder
    from lms.core import storage

    record = stored_record(world.learners["anna"], world.cohort)
    storage.delete_stored(realisation_folder(), record.storage_key)
    assert (
        fetch(admin_client(app, world), f"/admin/realisation-documents/{record.id}/pdf").status_code
        == 404
    )
