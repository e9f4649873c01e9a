"""Fault injection (SECURITY.md H33): a failure between storing a file and committing its row."""

from __future__ import annotations

import pytest

from lms.assessments.assignments import uploads as upload_storage
from lms.assessments.assignments.services import submit_assignment
from lms.assessments.assignments.uploads import Upload, storage_report
from lms.assessments.models import Submission, SubmissionFile
from lms.extensions import db
from tests.assessments.assignments.conftest import PDF, PNG, submit


class Boom(Exception):
    """The injected failure."""


def count(model) -> int:
    """Return the number of rows of ``model`` the database holds now."""
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_failure_after_storing_before_the_flush_removes_the_files(setting, monkeypatch):
    def broken_row(stored, checked):
        if len(setting.files_on_disk()) == 2:  # both files are on disk by now
            raise Boom
        return real_row(stored, checked)

    real_row = upload_storage._file_row
    monkeypatch.setattr(upload_storage, "_file_row", broken_row)
    uploads = [Upload("a.pdf", PDF), Upload("b.png", PNG)]
    with pytest.raises(Boom):
        submit_assignment(setting.learner, setting.assignment, setting.bien_vivre.cohort,
                          "", uploads, setting.folder)  # fmt: skip
    assert setting.files_on_disk() == set()
    assert count(Submission) == 0


def test_a_failed_commit_leaves_no_row_and_removes_the_file(setting, learner_client, monkeypatch):
    def broken_commit():
        raise Boom

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(Boom):
        submit(learner_client, setting.assignment, "Ma carte.", [("carte.pdf", PDF)])
    monkeypatch.undo()
    assert count(Submission) == 0
    assert count(SubmissionFile) == 0
    assert setting.files_on_disk() == set()
    assert storage_report(setting.folder) == upload_storage.StorageReport(missing=[], orphans=[])


def test_a_crash_after_the_write_is_reported_as_an_orphan_file(setting):
    """A process killed between the write and the commit cannot clean up: the report sees it."""
    submit_assignment(setting.learner, setting.assignment, setting.bien_vivre.cohort,
                      "", [Upload("carte.pdf", PDF)], setting.folder)  # fmt: skip
    [key] = setting.files_on_disk()
    db.session.rollback()  # what the database does when the process dies before COMMIT
    report = storage_report(setting.folder)
    assert report.orphans == [key]
    assert report.missing == []


def test_a_row_whose_file_vanished_is_reported_missing(setting, learner_client):
    submit(learner_client, setting.assignment, "", [("carte.pdf", PDF)])
    [key] = setting.files_on_disk()
    upload_storage.discard_files(setting.folder, [key])
    report = storage_report(setting.folder)
    assert [row.storage_key for row in report.missing] == [key]
    assert report.orphans == []


def test_a_consistent_store_reports_nothing(setting, learner_client):
    submit(learner_client, setting.assignment, "Ma carte.", [("carte.pdf", PDF)])
    assert storage_report(setting.folder) == upload_storage.StorageReport(missing=[], orphans=[])
