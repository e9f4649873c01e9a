"""The CSV import pages: upload and preview, commit and report, refusals."""

from __future__ import annotations

import re

import pytest

from lms.accounts.models import User
from lms.cohorts.access import is_learner_of
from lms.cohorts.importing import MAX_IMPORT_BYTES
from lms.cohorts.models import Membership
from lms.extensions import db
from tests.cohorts.test_admin import field_errors
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.web.helpers import log_in, text


@pytest.fixture
def admin(client):
    """Log an administrator in and return them."""
    user = UserFactory(admin=True)
    log_in(client, user)
    return user


def upload(client, data: bytes, filename: str = "learners.csv"):
    """Post a file to the upload page and return the response."""
    # The body is encoded here: the test client spools large bodies to a temporary file that
    # it never closes, which warnings-as-errors would report.
    boundary = "lms-test-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post("/admin/cohorts/import", data=body, content_type=content_type)


def row_statuses(html: str) -> dict[str, str]:
    """Return line -> status of the rows a preview or report lists."""
    return dict(re.findall(r'<tr data-line="(\d+)" data-status="(\w+)">', html))


def import_key(html: str) -> str:
    """Return the key of the kept upload, from the preview's confirmation form."""
    return re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)


def count(model) -> int:
    """Count the rows of a table."""
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_upload_page_explains_the_format(client, admin):
    html = client.get("/admin/cohorts/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html


def test_preview_lists_every_row_and_writes_nothing(client, admin):
    CohortFactory(name="Promo été", capacity=5)
    data = "\ufeffemail;display_name;cohort\nzoe@example.org;Zoé;Promo été\nbad;X;Promo été\n"
    response = upload(client, data.encode())
    html = response.get_data(as_text=True)
    assert row_statuses(html) == {"2": "create", "3": "error"}
    assert text("bad e-mail address") in html
    assert text("Zoé") in html
    assert re.search(r'data-count="create">1<', html)
    assert count(User) == 1  # the administrator only
    assert import_key(html)


def test_latin1_file_previews_its_accents(client, admin):
    CohortFactory(name="Promo été")
    data = "email,display_name,cohort\nzoe@example.org,Zoé Hélène,Promo été\n".encode("cp1252")
    html = upload(client, data).get_data(as_text=True)
    assert row_statuses(html) == {"2": "create"}
    assert text("Zoé Hélène") in html


def test_commit_creates_invites_and_reports_then_skips_on_rerun(client, admin, smtp_server):
    cohort = CohortFactory(name="Promo")
    existing = UserFactory()
    data = "email,display_name,cohort,locale\nzoe@example.org,Zoé,Promo,en\n"
    data += f"{existing.email},E,Promo,\n"
    key = import_key(upload(client, data.encode()).get_data(as_text=True))
    response = client.post("/admin/cohorts/import/commit", data={"key": key})
    html = response.get_data(as_text=True)
    assert row_statuses(html) == {"2": "create", "3": "enrol"}
    zoe = db.session.scalar(db.select(User).filter_by(email="zoe@example.org"))
    assert is_learner_of(zoe, cohort)
    assert is_learner_of(existing, cohort)
    assert [message["To"] for message in smtp_server] == ["zoe@example.org"]
    assert "/password/reset/" in smtp_server[0].get_body().get_content()
    again = client.post("/admin/cohorts/import/commit", data={"key": key}).get_data(as_text=True)
    assert row_statuses(again) == {"2": "skip", "3": "skip"}
    assert (count(User), count(Membership), len(smtp_server)) == (3, 2, 1)


def test_commit_needs_a_key_of_this_administrator(client, admin):
    CohortFactory(name="Promo")
    key = import_key(
        upload(client, b"email,display_name,cohort\nzoe@example.org,Z,Promo\n").get_data(
            as_text=True
        )
    )
    client.post("/logout")
    log_in(client, UserFactory(admin=True))
    for posted in ({"key": key}, {"key": "x" * 32}, {}):
        response = client.post("/admin/cohorts/import/commit", data=posted)
        assert response.headers["Location"] == "/admin/cohorts/import"
    assert count(Membership) == 0
    page = client.get("/admin/cohorts/import").get_data(as_text=True)
    assert text("This import has expired or does not exist; upload the file again.") in page


@pytest.mark.parametrize(
    ("data", "message", "values"),
    [
        (
            b"email,name\nzoe@example.org,Z\n",
            "The header row lacks the columns: %(columns)s.",
            {"columns": "display_name, cohort"},
        ),
        (b"", "The file is empty: it needs a header row and learners.", {}),
        (b"x" * (MAX_IMPORT_BYTES + 1), "The file is larger than %(size)d MB.", {"size": 2}),
    ],
)
def test_unreadable_files_are_refused_beside_the_field(client, admin, data, message, values):
    response = upload(client, data)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "file") == text(message, **values)


def test_missing_file_is_refused(client, admin):
    response = client.post("/admin/cohorts/import", data={})
    assert field_errors(response.get_data(as_text=True), "file")


def test_far_too_large_upload_is_refused_before_reading(client, admin):
    response = upload(client, b"x" * (3 * MAX_IMPORT_BYTES))
    assert response.status_code == 413


def test_report_lists_memberships_made_by_the_import(client, admin, monkeypatch):
    monkeypatch.setattr("lms.accounts.tokens.send_invitation", lambda user, **kw: None)
    cohort = CohortFactory(name="Promo", capacity=1)
    MembershipFactory(cohort=cohort, trainer=True)
    data = b"email,display_name,cohort\na@example.org,A,Promo\nb@example.org,B,Promo\n"
    key = import_key(upload(client, data).get_data(as_text=True))
    html = client.post("/admin/cohorts/import/commit", data={"key": key}).get_data(as_text=True)
    assert row_statuses(html) == {"2": "create", "3": "error"}
    assert text("over capacity (%(capacity)d learners)", capacity=1) in html
