"""What a dossier holds, as plain values: its sections, its documents, and safe archive names.

``lms.quality.dossiers.evidence`` fills an ``Evidence`` from each domain; ``archive`` writes it.
A name someone gave (a submitted file's) never becomes a path as it is: ``safe_name`` keeps its
last part, transliterated, and ``archive_path`` refuses anything that could leave the folder
the archive is extracted to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from lms.core import storage

SECTIONS = (
    "identity",
    "membership",
    "positioning",
    "submissions",
    "grades",
    "quiz_attempts",
    "competencies",
    "attendance",
    "realisation",
    "decisions",
    "jury",
    "certificates",
)
# The kinds of documents, in the order the index lists them (folder under documents/).
DOCUMENT_KINDS = (
    "submissions",
    "attendance-supporting",
    "attendance-sheets",
    "realisation",
    "certificates",
)
SAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 80


@dataclass(frozen=True)
class Document:
    """A stored file to copy into the archive, under ``path``, as it was stored."""

    kind: str
    path: str
    label: str
    folder: str
    key: str | None
    recorded_sha256: str | None = None

    def open(self) -> BinaryIO:
        """Open the stored bytes (``storage.StorageError`` when they are lost)."""
        if not self.key:
            raise storage.StoredFileMissing("no stored file")
        return storage.open_stored(self.folder, self.key)


@dataclass
class Evidence:
    """Everything the dossier of one learner in one cohort says."""

    learner: dict[str, Any]
    cohort: dict[str, Any]
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)


def safe_name(name: str, fallback: str = "fichier") -> str:
    """Return a file name safe in an archive: no folder, no traversal, ASCII letters and digits.

    A name someone gave (``../../etc/passwd``, ``C:\\x\\y.pdf``) keeps only its last part,
    transliterated; nothing that starts with a dot survives.
    """
    base = re.split(r"[\\/]", name or "")[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = SAFE.sub("-", ascii_name).strip("-.")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    if len(cleaned) > MAX_NAME:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem[: MAX_NAME - len(suffix) - 1] + dot + suffix) if dot else cleaned[:MAX_NAME]
    return cleaned or fallback


def archive_path(*parts: str) -> str:
    """Join safe parts into a relative archive path; refuse anything that could escape."""
    path = PurePosixPath(*parts)
    if path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        raise ValueError(f"unsafe archive path {path}")
    return str(path)


def when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None
