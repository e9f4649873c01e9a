"""Writing a learner's dossier as one ZIP archive with its index page and SHA-256 manifest.

The archive holds, in this order (the same order for the same evidence, whoever builds it):

- ``data/<section>.json`` for every section of ``lms.quality.dossiers.evidence`` (and
  ``data/<section>.csv`` when it has rows): the machine-readable data (GDPR portability);
- ``documents/...``: the stored documents copied byte for byte, their names made safe;
- ``index.html``: the human-readable page, in the learner's language, with its own CSS, listing
  every section and linking every file;
- ``manifest.json``: every other file with its path, size and SHA-256, the learner, the cohort,
  the build time and the generator's version, and the documents missing from storage;
- ``manifest.sha256``: the same digests (and manifest.json's) in ``sha256sum`` format, so that
  ``sha256sum -c manifest.sha256`` checks an extracted archive with standard tools.

A document missing from storage is listed as missing in the index and the manifest and the
build goes on. A stored document whose bytes no longer match the SHA-256 its domain recorded is
copied as it is and flagged (``recorded_sha256`` differs from ``sha256``): the dossier shows
what is there and says that it changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import metadata
from typing import IO, Any

from flask_babel import force_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from jinja2.sandbox import SandboxedEnvironment

from lms.core import pdf, storage
from lms.core.formatting import format_day, format_moment
from lms.core.time import organisation_timezone
from lms.quality.dossiers.evidence import (
    DOCUMENT_KINDS,
    SECTIONS,
    Document,
    Evidence,
    archive_path,
)

FORMAT = "lms-learner-dossier/1"
INDEX = "index.html"
MANIFEST = "manifest.json"
CHECKSUMS = "manifest.sha256"
INDEX_TEMPLATE = "dossier-index.html"  # in certificates/, the documents' design
CHUNK = 64 * 1024

SECTION_TITLES = {
    "identity": _l("Identity"),
    "membership": _l("Enrolment in the cohort"),
    "positioning": _l("Entry positioning"),
    "submissions": _l("Work handed in"),
    "grades": _l("Grades and feedback"),
    "quiz_attempts": _l("Quizzes"),
    "competencies": _l("Competency profile"),
    "attendance": _l("Attendance"),
    "realisation": _l("Training certificates"),
    "decisions": _l("Certification decisions"),
    "jury": _l("Jury"),
    "certificates": _l("Certificates"),
}
DOCUMENT_TITLES = {
    "submissions": _l("Submitted file"),
    "attendance-supporting": _l("Supporting document"),
    "attendance-sheets": _l("Attendance sheet"),
    "realisation": _l("Training certificate"),
    "certificates": _l("Certificate"),
}
COLUMN_LABELS = {
    "id": _l("Number"),
    "display_name": _l("Name"),
    "email": _l("E-mail address"),
    "locale": _l("Language"),
    "account_created_at": _l("Account created"),
    "cohort": _l("Cohort"),
    "role": _l("Role"),
    "funder": _l("Funder"),
    "enrolled_at": _l("Enrolled"),
    "competency": _l("Competency"),
    "competency_title": _l("Title"),
    "self_level": _l("Own level"),
    "self_comment": _l("Own comment"),
    "entry_level": _l("Entry level retained"),
    "self_assessed_at": _l("Self-assessed"),
    "reviewed_by": _l("Reviewed by"),
    "reviewed_at": _l("Reviewed"),
    "adjustments": _l("Adjustments"),
    "module": _l("Module"),
    "assessment": _l("Assessment"),
    "assessment_title": _l("Title"),
    "kind": _l("Kind"),
    "attempt": _l("Attempt"),
    "version": _l("Version"),
    "submitted_at": _l("Submitted"),
    "is_late": _l("Late"),
    "state": _l("State"),
    "text": _l("Text"),
    "text_sha256": _l("SHA-256 of the text"),
    "files": _l("Files"),
    "score": _l("Score"),
    "max_score": _l("Out of"),
    "passed": _l("Passed"),
    "released_at": _l("Released"),
    "feedback": _l("Feedback"),
    "criteria": _l("Rubric levels"),
    "block": _l("Block"),
    "block_title": _l("Block title"),
    "required_level": _l("Required level"),
    "level": _l("Level"),
    "level_label": _l("Level in words"),
    "status": _l("Status"),
    "rated_at": _l("Rated"),
    "starts_at": _l("Start"),
    "ends_at": _l("End"),
    "modality": _l("Modality"),
    "place": _l("Place or link"),
    "sheet_state": _l("Sheet"),
    "recorded_by": _l("Recorded by"),
    "recorded_at": _l("Recorded"),
    "arrived_at": _l("Arrived"),
    "reason": _l("Reason"),
    "supporting_file": _l("Supporting document"),
    "sheet_documents": _l("Sheet PDFs"),
    "reference": _l("Reference"),
    "as_of": _l("Up to"),
    "starts_on": _l("From"),
    "ends_on": _l("To"),
    "realised_hours": _l("Hours realised"),
    "remote_hours": _l("Of which remote"),
    "produced_at": _l("Produced"),
    "sha256": _l("SHA-256"),
    "document": _l("Document"),
    "decided_at": _l("Decided"),
    "outcome": _l("Outcome"),
    "validated_blocks": _l("Validated blocks"),
    "is_override": _l("Override"),
    "decided_by": _l("Recorded by"),
    "jury_held_on": _l("Jury of"),
    "held_on": _l("Held on"),
    "is_remote": _l("Remote"),
    "member": _l("Member"),
    "seat": _l("Seat"),
    "is_president": _l("President"),
    "is_external": _l("External"),
    "organisation": _l("Organisation"),
    "number": _l("Number"),
    "scope": _l("Scope"),
    "learner_name": _l("Name on the certificate"),
    "issued_at": _l("Issued"),
    "revoked_at": _l("Revoked"),
    "revocation_reason": _l("Reason for revocation"),
    "superseded_at": _l("Superseded"),
    "pdf_sha256": _l("SHA-256 of the PDF"),
}
# Columns whose values are paths of files in the archive (linked), and long texts.
LINK_COLUMNS = frozenset({"files", "supporting_file", "sheet_documents", "document"})
DIGEST_COLUMNS = frozenset({"text_sha256", "sha256", "pdf_sha256"})
TEXT_COLUMNS = frozenset({"text", "feedback", "adjustments", "self_comment", "reason", "criteria"})


@dataclass(frozen=True)
class Entry:
    """A file written into the archive."""

    path: str
    size: int
    sha256: str
    kind: str  # "data", a document kind, "index"
    label: str = ""
    recorded_sha256: str | None = None

    def as_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "path": self.path,
            "size": self.size,
            "sha256": self.sha256,
            "kind": self.kind,
        }
        if self.label:
            row["label"] = self.label
        if self.recorded_sha256 is not None:
            row["recorded_sha256"] = self.recorded_sha256
        return row


@dataclass(frozen=True)
class Missing:
    """A document the evidence names whose bytes are not in storage."""

    path: str
    kind: str
    label: str


@dataclass
class Contents:
    """What went into the archive, for the index and the manifest."""

    entries: list[Entry] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)


def generator_version() -> str:
    """Return the application's name and version, as the manifest records it."""
    try:
        return f"lms-bien-vivre {metadata.version('lms-bien-vivre')}"
    except metadata.PackageNotFoundError:  # running from a copy that is not installed
        return "lms-bien-vivre"


def write_archive(evidence: Evidence, out: IO[bytes], *, version: int, built_at: datetime) -> None:
    """Write the dossier's ZIP archive to ``out`` (a seekable binary file)."""
    stamp = built_at.astimezone(organisation_timezone()).timetuple()[:6]
    contents = Contents()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        writer = _Writer(archive, stamp)
        for section in SECTIONS:
            rows = evidence.sections.get(section, [])
            contents.entries.append(writer.add(f"data/{section}.json", _json(rows), "data"))
            if rows:
                contents.entries.append(writer.add(f"data/{section}.csv", _csv(rows), "data"))
        for document in sorted(evidence.documents, key=_document_order):
            entry = writer.copy(document)
            if entry is None:
                contents.missing.append(Missing(document.path, document.kind, document.label))
            else:
                contents.entries.append(entry)
        index = _render_index(evidence, contents, version=version, built_at=built_at)
        contents.entries.append(writer.add(INDEX, index.encode(), "index"))
        manifest = _manifest(evidence, contents, version=version, built_at=built_at)
        manifest_entry = writer.add(MANIFEST, _json(manifest), "manifest")
        checksums = [*contents.entries, manifest_entry]
        lines = "".join(f"{entry.sha256}  {entry.path}\n" for entry in checksums)
        writer.add(CHECKSUMS, lines.encode(), "checksums")


def _document_order(document: Document) -> tuple[int, str]:
    return DOCUMENT_KINDS.index(document.kind), document.path


class _Writer:
    """Add files to the archive with one time stamp, hashing what is written."""

    def __init__(self, archive: zipfile.ZipFile, stamp: tuple[int, ...]) -> None:
        self.archive = archive
        self.stamp = stamp
        self.paths: set[str] = set()

    def _info(self, path: str) -> zipfile.ZipInfo:
        archive_path(path)  # refuses a path that could escape the folder it is extracted to
        if path in self.paths:
            raise ValueError(f"two files at {path}")
        self.paths.add(path)
        info = zipfile.ZipInfo(path, date_time=self.stamp)  # type: ignore[arg-type]
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def add(self, path: str, data: bytes, kind: str) -> Entry:
        self.archive.writestr(self._info(path), data)
        return Entry(path, len(data), hashlib.sha256(data).hexdigest(), kind)

    def copy(self, document: Document) -> Entry | None:
        """Copy a stored document in chunks; return None when storage has lost it."""
        try:
            source = document.open()
        except storage.StorageError:
            return None
        digest, size = hashlib.sha256(), 0
        with source, self.archive.open(self._info(document.path), "w") as target:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
        return Entry(
            document.path,
            size,
            digest.hexdigest(),
            document.kind,
            document.label,
            document.recorded_sha256,
        )


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()


def _csv(rows: list[dict[str, Any]]) -> bytes:
    """Write rows as CSV (UTF-8 with its mark, so that a spreadsheet reads the accents)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return ("\ufeff" + buffer.getvalue()).encode()


def _cell(value: Any) -> Any:
    """Neutralise a cell a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _manifest(
    evidence: Evidence, contents: Contents, *, version: int, built_at: datetime
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "generator": generator_version(),
        "built_at": built_at.isoformat(),
        "version": version,
        "learner": {key: evidence.learner[key] for key in ("id", "display_name", "email")},
        "cohort": evidence.cohort,
        "algorithm": "sha256",
        "files": [entry.as_json() for entry in contents.entries],
        "missing": [
            {"path": item.path, "kind": item.kind, "label": item.label} for item in contents.missing
        ],
    }


ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def readable(value: Any) -> Any:
    """Show an ISO date or moment of the data in the reader's words (local time, short)."""
    if isinstance(value, str) and ISO_MOMENT.match(value):
        return format_moment(datetime.fromisoformat(value), "short")
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        return format_day(date.fromisoformat(value), "short")
    return value


def _index_environment() -> SandboxedEnvironment:
    """Return the sandboxed environment of the documents' design, with gettext installed."""
    environment = pdf.environment()
    environment.filters["readable"] = readable
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(  # type: ignore[attr-defined]  # added by the extension
        gettext, ngettext, newstyle=True
    )
    return environment


def _render_index(
    evidence: Evidence, contents: Contents, *, version: int, built_at: datetime
) -> str:
    """Render the index page in the learner's language (no request: a job renders it)."""
    environment = _index_environment()
    template = environment.get_template(INDEX_TEMPLATE)
    with force_locale(evidence.learner.get("locale") or "fr"):
        return template.render(
            evidence=evidence,
            sections=[(name, evidence.sections.get(name, [])) for name in SECTIONS],
            entries=contents.entries,
            documents=[entry for entry in contents.entries if entry.kind in DOCUMENT_KINDS],
            missing=contents.missing,
            missing_paths={item.path for item in contents.missing},
            version=version,
            built_at=format_moment(built_at, "long"),
            generator=generator_version(),
            manifest=MANIFEST,
            checksums=CHECKSUMS,
            section_titles={name: str(title) for name, title in SECTION_TITLES.items()},
            document_kinds={name: str(title) for name, title in DOCUMENT_TITLES.items()},
            column_labels={name: str(label) for name, label in COLUMN_LABELS.items()},
            link_columns=LINK_COLUMNS,
            text_columns=TEXT_COLUMNS,
            digest_columns=DIGEST_COLUMNS,
        )
