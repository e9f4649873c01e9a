"""Objects the security test world needs for the assignment routes (tests/security/world.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app

from lms.core.storage import store_bytes
from tests.factories import AssessmentFactory, SubmissionFactory, SubmissionFileFactory

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def stored_submission_file(assessment, user, name: str = "carte.pdf", data: bytes = PDF):
    """Create a version with one file really stored in the instance's uploads folder."""
    stored = store_bytes(Path(current_app.instance_path) / "uploads", data)
    submission = SubmissionFactory(assessment=assessment, user=user, text="Ma carte des acteurs.")
    return SubmissionFileFactory(
        submission=submission,
        original_name=name,
        storage_key=stored.key,
        size=stored.size,
        sha256=stored.sha256,
    )


def security_world_assignments(bien_vivre, other, users) -> dict[str, Any]:
    """Return M1's assignment, the other path's, and a stored file of learner A and of Otto."""
    assignment = AssessmentFactory(module=bien_vivre.modules["M1"], code="M1-A1")
    other_assignment = AssessmentFactory(module=other.modules["M1"], code="M1-A1")
    return {
        "assignment": assignment,
        "other_assignment": other_assignment,
        "learner_a_file": stored_submission_file(assignment, users["learner_a"]),
        "other_learner_file": stored_submission_file(other_assignment, users["other_learner"]),
    }
