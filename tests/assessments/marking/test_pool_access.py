"""A marker who left the marking's pool: a trainer no longer of the cohort, an assessor whose
access ended. Their marking page, save, submit and the work's files answer 403; their queue
shows nothing. And a staff reallocation of a marking changed since the page was read: 409."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import current_app

from lms.assessments.marking import allocation
from lms.assessments.models import Grade, MarkingRole
from lms.cohorts.models import Membership
from lms.core.storage import store_bytes
from lms.extensions import db
from tests.assessments.marking.support import form, make_marking_world
from tests.factories import MembershipFactory, SubmissionFileFactory, UserFactory
from tests.web.helpers import log_in

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def grade_of(world) -> Grade:
    db.session.expire_all()
    return db.session.scalar(db.select(Grade).filter_by(submission_id=world.submission.id))


@pytest.fixture
def external():
    """A work marked by a trainer and an external assessor; the work has a stored file."""
    world = make_marking_world(pools=("trainer", "external"))
    assessor = UserFactory(display_name="Eva External")
    MembershipFactory(user=assessor, cohort=world.cohort, assessor=True)
    stored = store_bytes(Path(current_app.instance_path) / "uploads", PDF)
    file = SubmissionFileFactory(
        submission=world.submission,
        original_name="carte.pdf",
        storage_key=stored.key,
        size=stored.size,
        sha256=stored.sha256,
    )
    allocation.allocate_submission(world.submission, world.cohort)
    db.session.commit()
    return world, assessor, file.id


def download_status(client, file_id: int) -> int:
    """Ask for the file, read it and release it (as a server does); return the status."""
    response = client.get(f"/submissions/files/{file_id}")
    response.get_data()
    response.close()
    return response.status_code


def _refused_everywhere(client, marking, file_id) -> None:
    assert client.get(f"/marking/{marking.id}").status_code == 403
    for action in ("save", "submit"):
        data = form(marking, {}, action=action, feedback="Tard.")
        assert client.post(f"/marking/{marking.id}", data=data).status_code == 403
    if file_id is not None:
        assert download_status(client, file_id) == 403
    queue = client.get("/marking").get_data(as_text=True)
    assert f"/marking/{marking.id}" not in queue
    assert "Lina Learner" not in queue


def test_an_assessor_whose_access_ended_is_refused_everywhere(app, external):
    world, assessor, file_id = external
    marking = world.marking(grade_of(world), MarkingRole.SECOND)
    assert marking.marker_id == assessor.id
    client = client_of(app, assessor)
    assert client.get(f"/marking/{marking.id}").status_code == 200
    assert download_status(client, file_id) == 200
    assert f"/marking/{marking.id}" in client.get("/marking").get_data(as_text=True)
    membership = db.session.scalar(db.select(Membership).filter_by(user_id=assessor.id))
    membership.access_ends_on = date.today() - timedelta(days=2)
    db.session.commit()
    _refused_everywhere(client, marking, file_id)
    assert grade_of(world).events[-1].action == "marking.allocate"  # nothing saved


def test_a_trainer_removed_from_the_cohort_is_refused(app, external):
    world, _assessor, file_id = external
    marking = world.marking(grade_of(world), MarkingRole.FIRST)
    trainer = marking.marker
    client = client_of(app, trainer)
    assert client.get(f"/marking/{marking.id}").status_code == 200
    db.session.delete(
        db.session.scalar(
            db.select(Membership).filter_by(user_id=trainer.id, cohort_id=world.cohort.id)
        )
    )
    db.session.commit()
    _refused_everywhere(client, marking, file_id)


def test_a_reallocation_of_a_marking_saved_meanwhile_answers_409(app, external):
    world, _assessor, _file_id = external
    marking = world.marking(grade_of(world), MarkingRole.FIRST)
    read_version = marking.version_id
    staff = client_of(app, world.trainers[3])
    url = f"/manage/marking/cohorts/{world.cohort.id}/assessments/{world.assignment.id}"
    assert f'value="{read_version}"' in staff.get(url).get_data(as_text=True)
    saved = client_of(app, marking.marker).post(
        f"/marking/{marking.id}", data=form(marking, world.levels(1, 1), feedback="Brouillon.")
    )
    assert saved.status_code == 302
    answer = staff.post(
        f"/manage/marking/markings/{marking.id}/reallocate",
        data={"marker": str(world.trainers[2].id), "version": str(read_version)},
    )
    assert answer.status_code == 409
    assert "at the same time" in answer.get_data(as_text=True)
    db.session.expire_all()
    kept = world.marking(grade_of(world), MarkingRole.FIRST)
    assert (kept.marker_id, kept.feedback) == (marking.marker_id, "Brouillon.")
