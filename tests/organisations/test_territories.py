"""The territories' pages: list, creation, edition, deletion, and their audit trail."""

from __future__ import annotations

import re

from lms.accounts.models import AuditEvent
from lms.extensions import db
from lms.organisations.models import Territory
from tests.factories import CohortFactory, MembershipFactory, ProjectFactory
from tests.web.helpers import log_in, text

NEW = {"code": "mulhouse", "name": "Mulhouse", "area": "m2A", "company": "Codev", "description": ""}


def audit(action: str) -> list[AuditEvent]:
    """Return the audit events of one action, oldest first."""
    return list(db.session.scalars(db.select(AuditEvent).filter_by(action=action)))


def field_errors(html: str, field_id: str) -> str:
    """Return the error messages shown under one field ('' when there are none)."""
    match = re.search(rf'<ul class="field__errors" id="{field_id}-errors">(.*?)</ul>', html, re.S)
    return " ".join(re.findall(r"<li>(.*?)</li>", match.group(1), re.S)) if match else ""


def test_the_list_shows_each_territory_with_its_company_admins_and_counts(
    client, admin, lille, grenoble, local_admin
):
    cohort = CohortFactory(territory=lille)
    CohortFactory(territory=lille)
    learner = MembershipFactory(cohort=cohort).user
    ProjectFactory(cohort=cohort, learner=learner)
    html = client.get("/admin/territories").get_data(as_text=True)
    row = re.search(r'<tr data-territory="lille">(.*?)</tr>', html, re.S).group(1)
    assert "Codev Lille" in row
    assert local_admin.display_name in row
    assert re.search(r"data-cohorts>2<", row)
    assert re.search(r"data-projects>1<", row)
    other = re.search(r'<tr data-territory="grenoble">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r"data-cohorts>0<", other)


def test_the_list_costs_the_same_queries_for_2_or_8_territories(client, admin, query_counter):
    from tests.factories import TerritoryAdministratorFactory, TerritoryFactory

    def count(territories: int) -> int:
        for _ in range(territories):
            territory = TerritoryFactory()
            CohortFactory(territory=territory)
            TerritoryAdministratorFactory(territory=territory)
        db.session.commit()
        db.session.expire_all()
        with query_counter as queries:
            assert client.get("/admin/territories").status_code == 200
        return queries.count

    assert count(2) == count(6)


def test_an_administrator_creates_a_territory_audited(client, admin):
    response = client.post("/admin/territories/new", data={**NEW, "code": " Mulhouse "})
    territory = db.session.scalar(db.select(Territory).filter_by(name="Mulhouse"))
    assert territory.code == "mulhouse"  # lower-cased and stripped
    assert response.headers["Location"].endswith(f"/admin/territories/{territory.id}")
    (event,) = audit("territory.create")
    assert event.actor_id == admin.id
    assert event.after["code"] == "mulhouse"


def test_a_taken_code_or_name_is_a_field_error(client, admin, lille):
    taken_code = client.post("/admin/territories/new", data={**NEW, "code": "lille"})
    assert taken_code.status_code == 422
    html = taken_code.get_data(as_text=True)
    assert text("Another territory has the code “%(code)s”.", code="lille") in field_errors(
        html, "code"
    )
    taken_name = client.post("/admin/territories/new", data={**NEW, "name": lille.name})
    assert text("Another territory is named “%(name)s”.", name=lille.name) in field_errors(
        taken_name.get_data(as_text=True), "name"
    )
    assert db.session.scalar(db.select(db.func.count(Territory.id))) == 1
    assert audit("territory.create") == []


def test_a_code_that_is_no_slug_is_refused(client, admin):
    for code in ("lille métropole", "lille--sud", "-lille", "a" * 41, ""):
        response = client.post("/admin/territories/new", data={**NEW, "code": code})
        assert response.status_code == 422, code
        assert field_errors(response.get_data(as_text=True), "code"), code
    assert db.session.scalar(db.select(Territory.id)) is None


def test_an_administrator_edits_a_territory_audited(client, admin, lille):
    url = f"/admin/territories/{lille.id}"
    assert 'value="lille"' in client.get(url).get_data(as_text=True)
    data = {**NEW, "code": "lille-metropole", "name": "Lille"}
    assert client.post(url, data=data).headers["Location"].endswith(url)
    db.session.refresh(lille)
    assert (lille.code, lille.name, lille.company) == ("lille-metropole", "Lille", "Codev")
    (event,) = audit("territory.update")
    assert event.before["code"] == "lille"
    assert event.after["code"] == "lille-metropole"


def test_editing_to_another_territorys_code_is_refused(client, admin, lille, grenoble):
    response = client.post(
        f"/admin/territories/{lille.id}", data={**NEW, "code": "grenoble", "name": "Lille"}
    )
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "code")
    db.session.refresh(lille)
    assert lille.code == "lille"
    assert audit("territory.update") == []


def test_saving_unchanged_records_nothing(client, admin, lille):
    data = {name: getattr(lille, name) for name in NEW}
    client.post(f"/admin/territories/{lille.id}", data=data)
    assert audit("territory.update") == []


def test_an_unknown_territory_is_not_found(client, admin):
    assert client.get("/admin/territories/999999").status_code == 404
    assert client.post("/admin/territories/999999/delete").status_code == 404


def test_an_empty_territory_is_deleted_audited(client, admin, lille, local_admin):
    territory_id = lille.id
    response = client.post(f"/admin/territories/{territory_id}/delete")
    assert response.headers["Location"].endswith("/admin/territories")
    assert db.session.get(Territory, territory_id) is None
    (event,) = audit("territory.delete")
    assert event.before["code"] == "lille"


def test_a_territory_with_a_cohort_or_a_project_is_not_deleted(client, admin, lille, grenoble):
    cohort = CohortFactory(territory=grenoble)
    CohortFactory(territory=lille)
    ProjectFactory(cohort=cohort, learner=MembershipFactory(cohort=cohort).user, territory=lille)
    response = client.post(f"/admin/territories/{lille.id}/delete", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert (
        text(
            "“%(name)s” cannot be deleted: %(contents)s still belong to it. Move them to "
            "another territory first.",
            name=lille.name,
            contents="1 cohort, 1 project",
        )
        in html
    )
    assert db.session.get(Territory, lille.id) is not None
    assert audit("territory.delete") == []


def test_the_delete_button_shows_only_on_an_empty_territory(client, admin, lille, grenoble):
    CohortFactory(territory=lille, name="Promotion Fives")
    full = client.get(f"/admin/territories/{lille.id}").get_data(as_text=True)
    assert "Promotion Fives" in full
    assert "/delete" not in full
    assert "/delete" in client.get(f"/admin/territories/{grenoble.id}").get_data(as_text=True)


def test_the_organisation_page_shows_the_settings_and_flags_the_missing(
    app, client, admin, lille, monkeypatch
):
    monkeypatch.setitem(app.config, "TRAINING_ORGANISATION_NAME", "Crois/Sens")
    monkeypatch.setitem(app.config, "TRAINING_ORGANISATION_SIRET", "12345678900011")
    monkeypatch.setitem(app.config, "TRAINING_ORGANISATION_NDA", None)
    html = client.get("/admin/organisation").get_data(as_text=True)
    assert "<h1>Crois/Sens</h1>" in html
    assert "12345678900011" in html
    assert re.search(r'data-setting="TRAINING_ORGANISATION_NDA" data-missing', html)
    assert not re.search(r'data-setting="TRAINING_ORGANISATION_NAME" data-missing', html)
    assert "LMS_TRAINING_ORGANISATION_NDA" in html
    assert 'id="organisation-settings-missing"' in html
    assert 'data-territory="lille"' in html


def test_the_territories_pages_are_central(client, local_admin, lille):
    log_in(client, local_admin)
    for url in ("/admin/organisation", "/admin/territories", f"/admin/territories/{lille.id}"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/territories/{lille.id}/delete").status_code == 403
    assert db.session.get(Territory, lille.id) is not None
