"""Submitting an assignment: the page, validation, versions, lateness, editing until graded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.assessments.models import Submission, SubmissionFile, SubmissionState
from lms.core.time import utcnow
from lms.extensions import db
from tests.assessments.assignments.conftest import PDF, PNG, submit
from tests.factories import DeadlineExtensionFactory, GradeFactory, QuizAttemptFactory
from tests.web.helpers import log_in, text


def versions(setting, learner=None) -> list[Submission]:
    """Return the learner's versions, oldest first, as the database has them now."""
    db.session.expire_all()
    query = db.select(Submission).filter_by(
        assessment_id=setting.assignment.id, user_id=(learner or setting.learner).id
    )
    return list(db.session.scalars(query.order_by(Submission.version)))


def page_url(setting) -> str:
    return f"/assessments/{setting.assignment.id}/assignment"


def test_the_page_shows_instructions_safely_deadline_and_form(setting, learner_client):
    response = learner_client.get(page_url(setting))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<strong>carte</strong>" in body
    assert "<script>alert(1)" not in body
    assert 'id="assignment-deadline"' in body
    assert "<time" in body
    assert 'enctype="multipart/form-data"' in body
    assert text("Accepted: %(extensions)s; %(max)d MB at most per file, %(count)d files at most.",
                extensions="pdf, odt, docx, png, jpg, txt", max=1, count=5) in body  # fmt: skip


def test_text_only_assignments_show_no_file_input(setting, learner_client):
    setting.assignment.accepts_files = False
    db.session.commit()
    body = learner_client.get(page_url(setting)).get_data(as_text=True)
    assert 'type="file"' not in body
    assert "<textarea" in body


def test_submitting_text_and_a_file_records_version_1(setting, learner_client):
    response = submit(learner_client, setting.assignment, "Ma carte.", [("carte.pdf", PDF)])
    assert response.headers["Location"] == page_url(setting)
    [version] = versions(setting)
    assert (version.version, version.text, version.is_late) == (1, "Ma carte.", False)
    assert version.state == SubmissionState.SUBMITTED
    [file] = version.files
    assert file.original_name == "carte.pdf"
    assert file.size == len(PDF)
    assert file.storage_key in setting.files_on_disk()
    assert file.content_type == "application/pdf"
    assert len(file.sha256) == 64
    assert file.storage_key != "carte.pdf"
    body = learner_client.get(page_url(setting)).get_data(as_text=True)
    assert text("Version %(n)d is submitted.", n=1) in body
    assert f"/submissions/files/{file.id}" in body


def test_a_new_content_makes_a_new_version_and_keeps_the_history(setting, learner_client):
    submit(learner_client, setting.assignment, "Première carte.")
    submit(learner_client, setting.assignment, "Carte revue.", [("carte.png", PNG)])
    assert [(v.version, v.text) for v in versions(setting)] == [
        (1, "Première carte."),
        (2, "Carte revue."),
    ]
    body = learner_client.get(page_url(setting)).get_data(as_text=True)
    assert "Première carte." in body
    assert "Carte revue." in body


def test_the_same_content_twice_records_one_version_and_one_file(setting, learner_client):
    for _ in range(2):
        response = submit(learner_client, setting.assignment, "Ma carte.", [("c.pdf", PDF)])
        assert response.headers["Location"] == page_url(setting)
    assert len(versions(setting)) == 1
    assert len(setting.files_on_disk()) == 1
    body = learner_client.get(page_url(setting)).get_data(as_text=True)
    assert text("This work was already submitted: no new version.") in body


def test_windows_line_breaks_do_not_make_another_version(setting, learner_client):
    submit(learner_client, setting.assignment, "Ligne 1\nLigne 2")
    submit(learner_client, setting.assignment, "Ligne 1\r\nLigne 2  ")
    assert len(versions(setting)) == 1


def refused(response, message: str, **values) -> None:
    """Check that the page answered 422 with the message."""
    assert response.status_code == 422
    assert text(message, **values) in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("report.pdf", b"<html><script>alert(1)</script></html>")], "is not a real"),
        ([("carte.svg", b"<svg onload='alert(1)'/>")], "not accepted"),
        ([("setup.exe", b"MZ\x90\x00")], "not accepted"),
        ([("../../etc/passwd", b"root:x:0:0")], "not accepted"),
        ([("rap\x00port.pdf", PDF)], "invalid characters"),
        ([("vide.pdf", b"")], "is empty"),
    ],
)
def test_abusive_files_are_refused_and_nothing_is_stored(setting, learner_client, files, message):
    response = submit(learner_client, setting.assignment, "Texte", files)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert versions(setting) == []
    assert setting.files_on_disk() == set()


def test_a_traversal_name_with_an_allowed_extension_is_stored_under_a_random_key(
    setting, learner_client
):
    submit(learner_client, setting.assignment, "", [("../../../../tmp/evil.pdf", PDF)])
    [file] = versions(setting)[0].files
    assert file.original_name == "evil.pdf"
    assert file.storage_key in setting.files_on_disk()
    assert not (setting.folder.parent.parent / "tmp" / "evil.pdf").exists()


def test_nothing_submitted_is_refused(setting, learner_client):
    refused(submit(learner_client, setting.assignment, "   "),
            "Write your work or attach a file before submitting.")  # fmt: skip
    assert versions(setting) == []


def test_text_is_refused_when_the_assignment_takes_files_only(setting, learner_client):
    setting.assignment.accepts_text = False
    db.session.commit()
    refused(submit(learner_client, setting.assignment, "Du texte"),
            "This assignment takes files only, not text.")  # fmt: skip


def test_files_are_refused_when_the_assignment_takes_text_only(setting, learner_client):
    setting.assignment.accepts_files = False
    db.session.commit()
    response = submit(learner_client, setting.assignment, "", [("c.pdf", PDF)])
    refused(response, "This assignment takes text only, not files.")
    assert setting.files_on_disk() == set()


def test_too_long_text_is_refused(setting, learner_client):
    response = submit(learner_client, setting.assignment, "x" * 50_001)
    assert response.status_code == 422
    assert versions(setting) == []


def test_too_many_files_are_refused(setting, learner_client):
    files = [(f"c{i}.pdf", PDF + bytes([i])) for i in range(6)]
    refused(submit(learner_client, setting.assignment, "", files), "Attach %(max)d files at most.",
            max=5)  # fmt: skip
    assert setting.files_on_disk() == set()


def test_a_file_over_the_assignment_limit_answers_413_and_stores_nothing(setting, learner_client):
    big = PDF + b"0" * (1024 * 1024)  # the assignment takes 1 MB per file
    response = submit(learner_client, setting.assignment, "", [("gros.pdf", big)])
    assert response.status_code == 413
    assert text("Content too large") in response.get_data(as_text=True)
    assert versions(setting) == []
    assert setting.files_on_disk() == set()


def test_a_request_over_the_global_limit_answers_413_and_stores_nothing(
    app, setting, learner_client, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    big = PDF + b"0" * (100 * 1024)  # under the assignment's 1 MB, over the global limit
    response = submit(learner_client, setting.assignment, "", [("gros.pdf", big)])
    assert response.status_code == 413
    assert versions(setting) == []
    assert setting.files_on_disk() == set()


def test_work_after_the_deadline_is_flagged_late(setting, learner_client):
    setting.assignment.due_days = 0  # the module opened yesterday: the deadline has passed
    db.session.commit()
    body = learner_client.get(page_url(setting)).get_data(as_text=True)
    assert text("passed: work submitted now is marked late") in body
    submit(learner_client, setting.assignment, "En retard.")
    assert versions(setting)[0].is_late is True
    body = learner_client.get(page_url(setting)).get_data(as_text=True)
    assert text("Late") in body


def test_an_extension_moves_the_learner_deadline(setting, learner_client):
    setting.assignment.due_days = 0
    DeadlineExtensionFactory(assessment=setting.assignment, user=setting.learner,
                             due_at=utcnow() + timedelta(days=3))  # fmt: skip
    db.session.commit()
    submit(learner_client, setting.assignment, "À temps grâce au délai.")
    assert versions(setting)[0].is_late is False


def test_no_deadline_without_due_days(setting, learner_client):
    setting.assignment.due_days = None
    db.session.commit()
    submit(learner_client, setting.assignment, "Sans échéance.")
    assert versions(setting)[0].is_late is False


@pytest.mark.parametrize("state", ["grading", "graded", "released"])
def test_no_new_version_once_grading_started(setting, learner_client, state):
    submit(learner_client, setting.assignment, "Version 1")
    GradeFactory(submission=versions(setting)[0], **({} if state == "grading" else {state: True}))
    message = "Your work is being graded or has been graded: it can no longer be changed."
    body = learner_client.get(page_url(setting)).get_data(as_text=True)
    assert text(message) in body
    assert 'type="file"' not in body
    refused(submit(learner_client, setting.assignment, "Version 2", [("c.pdf", PDF)]), message)
    assert len(versions(setting)) == 1
    assert len(setting.files_on_disk()) == 0


def test_returned_work_takes_a_new_version_even_with_the_same_content(setting, learner_client):
    submit(learner_client, setting.assignment, "Version 1")
    first = versions(setting)[0]
    GradeFactory(submission=first, returned=True)
    first.state = SubmissionState.RETURNED
    db.session.commit()
    body = learner_client.get(page_url(setting)).get_data(as_text=True)
    assert text("Returned for revision") in body
    submit(learner_client, setting.assignment, "Version 1")
    submit(learner_client, setting.assignment, "Version 1")  # a double click after return
    assert [(v.version, v.state) for v in versions(setting)] == [
        (1, SubmissionState.RETURNED),
        (2, SubmissionState.SUBMITTED),
    ]


def test_posted_owner_state_or_score_are_ignored(setting, learner_client):
    extra = {"user_id": setting.other_learner.id, "state": "graded", "score": "20",
             "version": "7", "is_late": "y"}  # fmt: skip
    submit(learner_client, setting.assignment, "Ma carte.", **extra)
    [version] = versions(setting)
    assert (version.user_id, version.version, version.state, version.is_late) == (
        setting.learner.id, 1, SubmissionState.SUBMITTED, False,
    )  # fmt: skip
    assert versions(setting, setting.other_learner) == []


def test_another_kind_of_assessment_is_not_found_here(setting, learner_client):
    quiz = QuizAttemptFactory(assessment__module=setting.bien_vivre.modules["M2"]).assessment
    assert learner_client.get(f"/assessments/{quiz.id}/assignment").status_code == 404
    response = submit(learner_client, quiz, "Texte")
    assert response.status_code == 404
    assert db.session.scalar(db.select(db.func.count(SubmissionFile.id))) == 0


def test_a_locked_module_keeps_its_assignment_closed(app, setting):
    late_comer = setting.bien_vivre.enrol_learner()  # M1 not done: M2 is locked
    client = app.test_client()
    log_in(client, late_comer)
    assert client.get(page_url(setting)).status_code == 403
    assert submit(client, setting.assignment, "Texte").status_code == 403
    assert versions(setting, late_comer) == []


def test_trainers_have_no_learner_page(app, setting):
    client = app.test_client()
    log_in(client, setting.trainer)
    assert client.get(page_url(setting)).status_code == 403


def test_text_with_a_nul_character_is_refused(setting, learner_client):
    refused(submit(learner_client, setting.assignment, "Ma\x00carte"),
            "The text contains invalid characters.")  # fmt: skip
    assert versions(setting) == []
