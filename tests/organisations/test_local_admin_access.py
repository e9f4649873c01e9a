"""Local administrators (SECURITY.md J39): their territory's cohorts, nobody else's.

Lille's local administrator manages Lille's cohort (members, calendar, sessions, attendance) and
reads its reports; every object of Grenoble answers them the 404 of an unknown id, and
certification decisions and issuance stay with the central administrators (403).
"""

from __future__ import annotations

import io

import pytest
from flask import url_for

from lms.attendance.models import AttendanceSheetDocument, AttendanceStatus
from lms.attendance.sheets.closing import correct_record
from lms.attendance.sheets.errors import SheetError
from lms.attendance.sheets.services import Mark
from lms.cohorts.models import Cohort, Membership
from lms.extensions import db
from tests.attendance.sheet_support import security_world_sheets
from tests.attendance.support import security_world_sessions
from tests.factories import (
    MembershipFactory,
    TerritoryAdministratorFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.learning.helpers import make_bien_vivre_path
from tests.security.conftest import FAST_HASH_METHOD
from tests.web.helpers import log_in

GRENOBLE_NAMES = ("Gaspard Grenoblois", "gaspard@example.org", "Promotion Grenoble")


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch):
    """Hash passwords cheaply: six accounts a test (hash cost is the accounts tests' concern)."""
    import lms.accounts.models

    monkeypatch.setattr(lms.accounts.models, "PASSWORD_HASH_METHOD", FAST_HASH_METHOD)


@pytest.fixture(autouse=True)
def _urls(app):
    """Build URLs with ``url_for`` in the tests."""
    with app.test_request_context():
        yield


@pytest.fixture
def territories(app):
    """Lille's cohort and Grenoble's, a session and sheets on each, Lille's local administrator
    logged in."""
    lille = make_bien_vivre_path(codes=("M1",), opened=("M1",))
    grenoble = make_bien_vivre_path(codes=("M1",), opened=("M1",))
    lille.cohort.territory = TerritoryFactory(code="lille", name="Lille")
    grenoble.cohort.territory = TerritoryFactory(code="grenoble", name="Grenoble")
    grenoble.cohort.name = "Promotion Grenoble"
    users = {
        "admin": UserFactory(admin=True),
        "trainer": UserFactory(),
        "other_trainer": UserFactory(),
        "learner_a": UserFactory(display_name="Léa Lilloise"),
        "other_learner": UserFactory(
            display_name="Gaspard Grenoblois", email="gaspard@example.org"
        ),
        "local_admin": UserFactory(display_name="Lucie Locale"),
    }
    MembershipFactory(user=users["trainer"], cohort=lille.cohort, trainer=True)
    MembershipFactory(user=users["other_trainer"], cohort=grenoble.cohort, trainer=True)
    MembershipFactory(user=users["learner_a"], cohort=lille.cohort)
    MembershipFactory(user=users["other_learner"], cohort=grenoble.cohort)
    TerritoryAdministratorFactory(user=users["local_admin"], territory=lille.cohort.territory)
    db.session.commit()
    objects = {
        "lille": lille.cohort,
        "grenoble": grenoble.cohort,
        **users,
        **security_world_sessions(lille, grenoble, users),
        **security_world_sheets(lille, grenoble, users),
    }
    client = app.test_client()
    log_in(client, users["local_admin"])
    return client, objects


def cohort_urls(objects: dict, side: str) -> list[tuple[str, str]]:
    """Return (method, URL) of every page a local administrator manages or reads, for one side."""
    own = side == "lille"
    cohort = objects[side]
    learner = objects["learner_a" if own else "other_learner"]
    session = objects["training_session" if own else "other_training_session"]
    closed = objects["closed_session" if own else "other_closed_session"]
    record = objects["excused_record" if own else "other_excused_record"]
    document = db.session.scalar(
        db.select(AttendanceSheetDocument).filter_by(sheet_id=closed.sheet.id)
    )
    membership = db.session.scalar(
        db.select(Membership).filter_by(cohort_id=cohort.id, user_id=learner.id)
    )
    c = {"cohort_id": cohort.id}
    return [
        ("GET", url_for("cohorts_admin.cohort_edit", **c)),
        ("GET", url_for("cohorts_admin.calendar", **c)),
        ("GET", url_for("cohorts_admin.members", **c)),
        ("POST", url_for("cohorts_admin.member_funder", membership_id=membership.id, **c)),
        ("GET", url_for("sessions_manage.sessions", **c)),
        ("GET", url_for("sessions_manage.session_new", **c)),
        ("GET", url_for("sessions_manage.import_upload", **c)),
        ("GET", url_for("sessions_manage.session_edit", session_id=session.id)),
        ("GET", url_for("attendance_sheets.cohort_sheets", **c)),
        ("GET", url_for("attendance_sheets.sheet", session_id=session.id)),
        ("GET", url_for("attendance_sheets.code_json", session_id=session.id)),
        ("GET", url_for("attendance_sheets.sheet", session_id=closed.id)),
        (
            "GET",
            url_for("attendance_sheets.document", session_id=closed.id, document_id=document.id),
        ),
        ("GET", url_for("attendance_sheets.supporting_file", record_id=record.id)),
        ("GET", url_for("learning_manage.heatmap", **c)),
        ("GET", url_for("learning_manage.learner", user_id=learner.id, **c)),
        ("GET", url_for("learning_manage.progress_csv", **c)),
        ("GET", url_for("certificates_admin.eligibility", **c)),
        ("GET", url_for("certificates_admin.eligibility_csv", **c)),
        ("GET", url_for("certificates_admin.learner", user_id=learner.id, **c)),
    ]


def test_a_local_admin_manages_and_reads_their_territory(territories):
    client, objects = territories
    for method, url in cohort_urls(objects, "lille"):
        response = client.open(url, method=method, data={"funder": "opco"})
        assert response.status_code in (200, 302), (url, response.status_code)


def test_every_object_of_another_territory_is_a_404_with_nothing_of_it(territories):
    client, objects = territories
    for method, url in cohort_urls(objects, "grenoble"):
        response = client.open(url, method=method, data={"funder": "opco"})
        assert response.status_code == 404, (url, response.status_code)
        body = response.get_data(as_text=True)
        assert not [name for name in GRENOBLE_NAMES if name in body], url
    sheet = objects["other_sheet"]
    assert client.get(url_for("attendance_sheets.sign", sheet_id=sheet.id)).status_code == 404


def test_writes_on_another_territory_are_404_and_change_nothing(territories):
    client, objects = territories
    grenoble = objects["grenoble"]
    membership = db.session.scalar(db.select(Membership).filter_by(cohort_id=grenoble.id))
    c = {"cohort_id": grenoble.id}
    posts = [
        url_for("cohorts_admin.cohort_archive", **c),
        url_for("cohorts_admin.members", **c),
        url_for("cohorts_admin.member_remove", membership_id=membership.id, **c),
        url_for("cohort_assessors.invite", **c),
        url_for("sessions_manage.session_delete", session_id=objects["other_training_session"].id),
        url_for(
            "attendance_sheets.correct",
            session_id=objects["other_closed_session"].id,
            user_id=objects["other_learner"].id,
        ),
    ]
    for url in posts:
        data = {"email": "lucie@example.org", "role": "learner", "status": "absent"}
        assert client.post(url, data=data).status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Cohort, grenoble.id).state.value != "archived"
    assert db.session.get(Membership, membership.id) is not None


def test_decisions_and_issuance_stay_central(territories):
    client, objects = territories
    lille, learner = objects["lille"], objects["learner_a"]
    c = {"cohort_id": lille.id, "user_id": learner.id}
    refused = [
        ("POST", url_for("certificates_admin.decide", **c)),
        ("POST", url_for("certificates_admin.issue", **c)),
        ("POST", url_for("certificate_batches.start", cohort_id=lille.id)),
        ("GET", url_for("certificates_admin.certificate_list")),
        ("GET", url_for("realisation_admin.cohort", cohort_id=lille.id)),
        ("POST", url_for("realisation_admin.produce", **c)),
        ("GET", url_for("jury_admin.juries", cohort_id=lille.id)),
        ("GET", url_for("admin.users")),
        ("GET", url_for("admin.audit")),
        ("GET", url_for("admin.audit_csv")),
    ]
    for method, url in refused:
        response = client.open(url, method=method, data={"outcome": "awarded", "reason": "x"})
        assert response.status_code == 403, url
    # The same 403 for another territory's cohort: central routes look nothing up first.
    grenoble = url_for("certificates_admin.decide", cohort_id=objects["grenoble"].id, user_id=1)
    assert client.post(grenoble).status_code == 403


def test_the_certification_pages_are_read_only_for_a_local_admin(territories):
    client, objects = territories
    lille, learner = objects["lille"], objects["learner_a"]
    c = {"cohort_id": lille.id, "user_id": learner.id}
    page = client.get(url_for("certificates_admin.learner", **c)).get_data(as_text=True)
    assert url_for("certificates_admin.decide", **c) not in page
    assert url_for("certificates_admin.issue", **c) not in page
    report = client.get(url_for("certificates_admin.eligibility", cohort_id=lille.id))
    body = report.get_data(as_text=True)
    assert url_for("certificate_batches.start", cohort_id=lille.id) not in body
    assert url_for("realisation_admin.cohort", cohort_id=lille.id) not in body


def test_a_local_admin_corrects_a_closed_sheet_of_their_territory_only(territories):
    _client, objects = territories
    local_admin = objects["local_admin"]
    mark = Mark(status=AttendanceStatus.ABSENT)
    own = objects["closed_session"].sheet
    correct_record(own, objects["learner_a"], mark, "Erreur de saisie", local_admin)
    db.session.rollback()
    other = objects["other_closed_session"].sheet
    with pytest.raises(SheetError):
        correct_record(other, objects["other_learner"], mark, "Erreur", local_admin)


def test_the_correction_form_shows_on_a_closed_sheet_of_their_territory(territories):
    client, objects = territories
    closed = objects["closed_session"]
    page = client.get(url_for("attendance_sheets.sheet", session_id=closed.id))
    action = url_for(
        "attendance_sheets.correct", session_id=closed.id, user_id=objects["learner_a"].id
    )
    assert action in page.get_data(as_text=True)


def test_a_cohort_cannot_move_to_a_territory_they_do_not_administer(territories):
    client, objects = territories
    lille, grenoble = objects["lille"], objects["grenoble"]
    data = {
        "name": "Promotion déplacée",
        "path": lille.path_id,
        "territory": grenoble.territory_id,
        "starts_on": lille.starts_on.isoformat(),
        "ends_on": lille.ends_on.isoformat(),
        "state": lille.state.value,
    }
    response = client.post(url_for("cohorts_admin.cohort_edit", cohort_id=lille.id), data=data)
    assert response.status_code == 200  # the form again, with its error
    assert "Grenoble" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Cohort, lille.id).territory_id == lille.territory_id
    new = client.post(url_for("cohorts_admin.cohort_new"), data=data)
    assert new.status_code == 200
    assert db.session.scalar(db.select(Cohort).filter_by(name="Promotion déplacée")) is None
    created = client.post(
        url_for("cohorts_admin.cohort_new"), data={**data, "territory": lille.territory_id}
    )
    assert created.status_code == 302
    made = db.session.scalar(db.select(Cohort).filter_by(name="Promotion déplacée"))
    assert made.territory_id == lille.territory_id


def test_the_csv_import_knows_only_their_territory_s_cohorts(territories):
    client, objects = territories
    lille, grenoble = objects["lille"], objects["grenoble"]
    data = (
        "email,display_name,cohort\n"
        f"nina@example.org,Nina Nord,{lille.name}\n"
        f"gina@example.org,Gina Sud,{grenoble.name}\n"
    ).encode()
    response = client.post(
        url_for("cohorts_admin.import_upload"),
        data={"file": (io.BytesIO(data), "learners.csv")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "unknown cohort" in body or "inconnue" in body
    assert "gina@example.org" in body  # the row is reported, as for any unknown cohort


def test_a_local_admin_finds_their_cohorts_from_the_navigation(territories):
    client, _objects = territories
    home = client.get("/")
    assert home.headers["Location"].endswith(url_for("territories_admin.my_territories"))
    page = client.get(url_for("territories_admin.my_territories")).get_data(as_text=True)
    assert f'href="{url_for("cohorts_admin.cohort_list")}"' in page
    assert url_for("admin.users") not in page  # no central administration links


def test_the_cohorts_list_shows_only_their_territory(territories):
    client, _objects = territories
    page = client.get(url_for("cohorts_admin.cohort_list")).get_data(as_text=True)
    assert "Promotion Grenoble" not in page


def test_a_local_admin_who_learns_elsewhere_keeps_their_learner_pages(territories, app):
    _client, objects = territories
    MembershipFactory(user=objects["local_admin"], cohort=objects["grenoble"])
    db.session.commit()
    client = app.test_client()
    log_in(client, objects["local_admin"])
    assert client.get(url_for("learning.dashboard")).status_code == 200
    # A role in the cohort: the admin pages deny (403) rather than pretend it does not exist.
    url = url_for("cohorts_admin.members", cohort_id=objects["grenoble"].id)
    assert client.get(url).status_code == 403
