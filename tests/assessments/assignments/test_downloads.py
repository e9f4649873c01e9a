"""Downloads of submitted files (SECURITY.md F24, F25): who may read them, and how they are sent."""

from __future__ import annotations

import pytest

from lms.assessments.assignments.views import content_disposition
from lms.core.storage import stored_path
from lms.extensions import db
from tests.assessments.assignments.support import PDF, stored_submission_file
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.web.helpers import log_in


@pytest.fixture
def learner_file(setting):
    """Return a PDF of the setting's learner, stored for real."""
    return stored_submission_file(setting.assignment, setting.learner, name="Carte des acteurs.pdf")


def download(app, user, file_id: int):
    """Log ``user`` in (None: anonymous) and ask for the file."""
    client = app.test_client()
    if user is not None:
        log_in(client, user)
    response = client.get(f"/submissions/files/{file_id}")
    response.get_data()  # read the stream, then release the file (as a server does)
    response.close()
    return response


def test_the_owner_gets_the_file_as_an_attachment(app, setting, learner_file):
    response = download(app, setting.learner, learner_file.id)
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Carte des acteurs.pdf\"; filename*=UTF-8''Carte%20des%20acteurs.pdf"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("who", ["trainer", "admin"])
def test_the_cohort_trainer_and_administrators_may_read_it(app, setting, learner_file, who):
    user = setting.trainer if who == "trainer" else UserFactory(is_admin=True)
    response = download(app, user, learner_file.id)
    assert response.status_code == 200
    assert response.data == PDF


def test_other_people_are_denied_and_never_see_the_content(app, setting, learner_file):
    other_trainer = UserFactory()
    MembershipFactory(user=other_trainer, cohort=CohortFactory(), trainer=True)
    # A trainer of another cohort of the same path, where the owner is not a learner.
    same_path_trainer = UserFactory()
    MembershipFactory(user=same_path_trainer, trainer=True,
                      cohort=CohortFactory(path=setting.bien_vivre.path))  # fmt: skip
    for user in (setting.other_learner, other_trainer, same_path_trainer, UserFactory()):
        response = download(app, user, learner_file.id)
        assert response.status_code == 403, user.display_name
        assert PDF not in response.data
    response = download(app, None, learner_file.id)
    assert response.headers["Location"].startswith("/login?next=")


def test_unknown_or_malformed_ids_are_not_found(app, setting, learner_file):
    client = app.test_client()
    log_in(client, setting.learner)
    for tail in ("999999", "0", "-1", "..%2F..%2Fetc%2Fpasswd", "../../etc/passwd", "1%00"):
        assert client.get(f"/submissions/files/{tail}").status_code == 404, tail


def test_a_file_missing_from_the_disk_is_not_found(app, setting, learner_file):
    stored_path(setting.folder, learner_file.storage_key).unlink()
    assert download(app, setting.learner, learner_file.id).status_code == 404


def test_a_forged_storage_key_in_the_database_cannot_traverse(app, setting, learner_file):
    learner_file.storage_key = "../../../../etc/passwd"
    db.session.commit()
    response = download(app, setting.learner, learner_file.id)
    assert response.status_code == 404
    assert b"root:" not in response.data


@pytest.mark.parametrize(
    ("stored_type", "served_type"),
    [("text/html", "application/octet-stream"), ("image/svg+xml", "application/octet-stream"),
     ("application/x-msdownload", "application/octet-stream"), ("image/png", "image/png")],
)  # fmt: skip
def test_only_safe_content_types_are_announced(
    app, setting, learner_file, stored_type, served_type
):
    learner_file.content_type = stored_type
    db.session.commit()
    response = download(app, setting.learner, learner_file.id)
    assert response.headers["Content-Type"].split(";")[0] == served_type
    assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("carte.pdf", "attachment; filename=\"carte.pdf\"; filename*=UTF-8''carte.pdf"),
        ("Étude été.pdf", "attachment; filename=\"Etude ete.pdf\"; "
         "filename*=UTF-8''%C3%89tude%20%C3%A9t%C3%A9.pdf"),
        ('a"b;c\r\nSet-Cookie: x.pdf', "attachment; filename=\"a_b_cSet-Cookie_ x.pdf\"; "
         "filename*=UTF-8''a%22b%3BcSet-Cookie%3A%20x.pdf"),
        ("../../etc/passwd", "attachment; filename=\".._.._etc_passwd\"; "
         "filename*=UTF-8''.._.._etc_passwd"),
        ("", "attachment; filename=\"file\"; filename*=UTF-8''file"),
    ],
)  # fmt: skip
def test_names_in_the_header_are_sanitised(name, header):
    assert content_disposition(name) == header
