"""Fixtures of the assignment tests: M2's actor-map assignment, its learners and trainer."""

from __future__ import annotations

import io
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from lms.accounts.models import User
from lms.assessments.models import Assessment
from lms.core.storage import stored_keys
from tests.factories import AssessmentFactory, MembershipFactory, UserFactory
from tests.learning.helpers import BienVivrePath, make_bien_vivre_path
from tests.web.helpers import log_in

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def odt_bytes(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    """Return a minimal OpenDocument text: the ``mimetype`` entry first, stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def docx_bytes(part: str = "word/document.xml") -> bytes:
    """Return a minimal Office Open XML word-processing file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<w:document/>")
    return buffer.getvalue()


@dataclass
class Setting:
    """The path (M1 done, M2 open), M2's assignment, two learners, a trainer, an admin."""

    bien_vivre: BienVivrePath
    assignment: Assessment
    learner: User
    other_learner: User
    trainer: User
    folder: Path

    def files_on_disk(self) -> set[str]:
        """Return the keys of the files in the uploads folder."""
        return stored_keys(self.folder)


@pytest.fixture
def setting(app) -> Setting:
    """Build M1 and M2 (both open), M2's assignment due 21 days after it opens, and people."""
    bien_vivre = make_bien_vivre_path(codes=("M1", "M2"), opened=("M1", "M2"))
    assignment = AssessmentFactory(
        module=bien_vivre.modules["M2"],
        code="M2-A1",
        title="Cartographie des acteurs du territoire",
        instructions="Dressez la **carte** des acteurs.\n\n<script>alert(1)</script>",
        due_days=21,
        accepts_text=True,
        accepts_files=True,
        allowed_extensions="pdf,odt,docx,png,jpg,txt",
        max_file_mb=1,
    )
    learner = bien_vivre.enrol_learner(completed=("M1",), display_name="Lina Learner")
    other = bien_vivre.enrol_learner(completed=("M1",), display_name="Omar Other")
    trainer = UserFactory(display_name="Tom Trainer")
    MembershipFactory(user=trainer, cohort=bien_vivre.cohort, trainer=True)
    folder = Path(app.instance_path) / "uploads"
    shutil.rmtree(folder, ignore_errors=True)  # earlier tests' files are not this test's
    return Setting(bien_vivre, assignment, learner, other, trainer, folder)


@pytest.fixture
def learner_client(app, setting):
    """Return a client logged in as the setting's learner."""
    client = app.test_client()
    log_in(client, setting.learner)
    return client


def submit(client, assessment, text: str = "", files=(), **extra):
    """Post the submission form: ``files`` as (name, bytes) pairs."""
    data = {"text": text, **extra}
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    response = client.post(
        f"/assessments/{assessment.id}/assignment/versions",
        data=data,
        content_type="multipart/form-data",
    )
    # The test client spools big bodies to a temporary file it never closes itself.
    response.request.environ["wsgi.input"].close()
    return response
