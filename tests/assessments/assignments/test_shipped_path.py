"""M2 of the shipped path: the territory actor map, submitted under its own settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import current_app

from lms.assessments.assignments.errors import AssignmentError
from lms.assessments.assignments.services import submit_assignment
from lms.assessments.assignments.uploads import Upload, storage_report
from lms.assessments.models import Assessment, AssessmentKind
from lms.core.storage import stored_keys
from lms.curriculum.services import load_path
from lms.extensions import db
from tests.assessments.assignments.conftest import PDF
from tests.assessments.test_shipped_path import shipped_definition
from tests.factories import CohortFactory, MembershipFactory, ModuleCalendarFactory, UserFactory


@pytest.fixture
def actor_map():
    """Load the shipped path; return M2's assignment, a cohort following it and a learner."""
    path = load_path(shipped_definition()).path
    assignment = db.session.scalar(db.select(Assessment).filter_by(path_id=path.id, code="M2-A1"))
    cohort = CohortFactory(path=path)
    ModuleCalendarFactory(cohort=cohort, module=assignment.module)
    learner = UserFactory()
    MembershipFactory(user=learner, cohort=cohort)
    db.session.commit()
    return assignment, cohort, learner


def test_the_actor_map_is_an_assignment_taking_files(actor_map):
    assignment, _cohort, _learner = actor_map
    assert assignment.kind == AssessmentKind.ASSIGNMENT
    assert assignment.accepts_files
    assert "pdf" in assignment.extensions
    assert assignment.rubric is not None


def test_a_real_pdf_map_is_recorded_and_a_disguised_page_refused(actor_map):
    assignment, cohort, learner = actor_map
    folder = Path(current_app.instance_path) / "uploads-shipped"
    result = submit_assignment(learner, assignment, cohort, "", [Upload("carte.pdf", PDF)], folder)
    db.session.commit()
    assert result.created
    assert result.submission.version == 1
    assert stored_keys(folder) == {result.submission.files[0].storage_key}
    page = Upload("carte.pdf", b"<html><script>alert(document.cookie)</script></html>")
    with pytest.raises(AssignmentError, match="is not a real PDF file"):
        submit_assignment(learner, assignment, cohort, "", [page], folder)
    assert storage_report(folder).orphans == []
