"""Every way a name or a reason comes in refuses what has no place in a PDF, an e-mail or a log.

The admin user form, the cohort form, the CSV import, ``lms create-admin``, the certificate
forms, and beneath them the services: each refuses the right-to-left override of
« Zoé ‮fdp.exe » (and the rest of lms.core.text's list) with a message naming the character.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from lms.accounts.models import User
from lms.accounts.services import AccountError, create_user, update_user
from lms.certificates.errors import CertificateError
from lms.certificates.models import CertificateState
from lms.certificates.revocation import revoke_certificate
from lms.cohorts.importing import preview_import
from lms.cohorts.models import Cohort
from lms.cohorts.services import CohortError, create_cohort
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world
from tests.factories import (
    CertificateFactory,
    CohortFactory,
    TerritoryFactory,
    TrainingPathFactory,
    UserFactory,
)
from tests.web.helpers import log_in, text

RLO = "\u202e"
HOSTILE_NAME = f"Zoé {RLO}fdp.exe"
NAMED = "U+202E RIGHT-TO-LEFT OVERRIDE"
NAMED_PATTERN = re.escape(NAMED)
MESSAGE = "Remove the invisible or control characters from this text: %(characters)s."


def field_errors(html: str, field_id: str) -> str:
    """Return the error messages shown under one form field ('' when there is none)."""
    match = re.search(rf'<ul class="field__errors" id="{field_id}-errors">(.*?)</ul>', html, re.S)
    return " ".join(re.findall(r"<li>(.*?)</li>", match.group(1), re.S)) if match else ""


def count(model) -> int:
    """Count the rows of a table."""
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def admin(client):
    """Log an administrator in and return them."""
    user = UserFactory(admin=True)
    log_in(client, user)
    return user


@pytest.mark.parametrize("name", [HOSTILE_NAME, "Zoé\uffff", "Zoé\ufffe", "Zo\u2066é"])
def test_the_new_user_form_refuses_the_name_with_a_clear_message(client, admin, name):
    data = {"email": "zoe@example.org", "display_name": name, "locale": "fr"}
    before = count(User)
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "display_name").startswith(
        text(MESSAGE, characters="U+")[:-3]
    )
    assert count(User) == before


def test_the_user_edit_form_refuses_the_name(client, admin):
    user = UserFactory(display_name="Zoé Durand")
    data = {"email": user.email, "display_name": HOSTILE_NAME, "locale": "fr"}
    response = client.post(f"/admin/users/{user.id}/edit", data=data)
    assert field_errors(response.get_data(as_text=True), "display_name") == text(
        MESSAGE, characters=NAMED
    )
    db.session.refresh(user)
    assert user.display_name == "Zoé Durand"


def test_the_cohort_form_refuses_the_name(client, admin):
    path = TrainingPathFactory()
    data = {
        "name": f"Promotion {RLO}2025",
        "path": str(path.id),
        "starts_on": "2026-03-02",
        "ends_on": "2026-12-18",
        "capacity": "24",
        "state": "active",
    }
    response = client.post("/admin/cohorts/new", data=data)
    assert field_errors(response.get_data(as_text=True), "name") == text(MESSAGE, characters=NAMED)
    assert count(Cohort) == 0


def test_the_csv_import_refuses_the_row_and_says_which_character():
    CohortFactory(name="Promo")
    data = (
        "email,display_name,cohort\n"
        f"zoe@example.org,{HOSTILE_NAME},Promo\n"
        "bom@example.org,Zo\ufeffé,Promo\n"
        "fine@example.org,Zoé Durand,Promo\n"
    ).encode()
    report = preview_import(data, UserFactory(admin=True))
    assert [(row.status, row.reason) for row in report.rows] == [
        ("error", text("invisible or control characters: %(characters)s", characters=NAMED)),
        (
            "error",
            text(
                "invisible or control characters: %(characters)s",
                characters="U+FEFF ZERO WIDTH NO-BREAK SPACE",
            ),
        ),
        ("create", ""),
    ]


def test_create_admin_refuses_the_name_before_asking_a_password(runner):
    result = runner.invoke(
        args=["create-admin", "--email", "admin@example.org", "--name", HOSTILE_NAME]
    )
    assert result.exit_code == 1
    assert f"Error: {text(MESSAGE, characters=NAMED)}" in result.output
    assert "Password" not in result.output
    assert count(User) == 0


def test_account_and_cohort_services_refuse_the_name():
    with pytest.raises(AccountError, match=NAMED_PATTERN):
        create_user("zoe@example.org", HOSTILE_NAME)
    user = UserFactory(display_name="Zoé Durand")
    with pytest.raises(AccountError, match=NAMED_PATTERN):
        update_user(user, user, email=user.email, display_name=HOSTILE_NAME, locale="fr")
    with pytest.raises(CohortError, match=NAMED_PATTERN) as refused:
        create_cohort(
            HOSTILE_NAME,
            TrainingPathFactory(),
            date(2026, 3, 2),
            date(2026, 12, 18),
            territory=TerritoryFactory(),
        )
    assert refused.value.field == "name"


def test_a_certificate_reason_is_refused_in_the_form_and_the_service(client):
    world = make_certificate_world()
    learner = world.enrol()
    certificate = CertificateFactory(learner=learner, cohort=world.cohort)
    log_in(client, world.admin)
    response = client.post(
        f"/admin/certificates/{certificate.id}/revoke",
        data={"reason": f"Fraude\n\n{RLO}constatée", "confirm": "y"},
    )
    assert text(MESSAGE, characters=NAMED) in response.get_data(as_text=True)
    with pytest.raises(CertificateError, match=NAMED_PATTERN):
        revoke_certificate(certificate, revoked_by=world.admin, reason=f"Fraude {RLO}")
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.VALID
    # Paragraphs stay allowed in a reason.
    revoke_certificate(certificate, revoked_by=world.admin, reason="Fraude.\n\n\tConstatée.")
    assert certificate.state == CertificateState.REVOKED
