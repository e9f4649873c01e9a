"""The closed sheet's PDF/A: plain values read once, rendered by ``lms.core.pdf``, stored hashed.

The document states what CERTIFICATION-FR.md §2 lists: the organisation and the training's
title, the session (module, date, start and end in the organisation's time zone, modality,
place or link), its trainers, each learner with their status, the time and the way they were
recorded (their own signature with the code, or the trainer's mark), the arrival time of a late
learner and the reason of an excused absence (with « justificatif fourni » when a supporting
file is on record, never its name or content), then the trainer who signed and closed the sheet
and when, and for a corrected version the correction and its reason. It ends with the trail
statement: simple electronic signature from authenticated accounts, server times, the document's
SHA-256 kept in an append-only log.

The sheet is written in French, whatever the language of whoever closes it: it is the
organisation's record. Its design is ``certificates/attendance-sheet.html`` and ``.css`` (the
certificate's fonts and logo). Every text is passed through ``printable`` (SECURITY.md J41), and
the PDF's dates are the closing's or the correction's, so a version's bytes do not depend on the
moment it is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from babel.dates import format_date
from flask import current_app

from lms.accounts.models import User
from lms.attendance.models import (
    AttendanceRecord,
    AttendanceSheet,
    AttendanceSheetDocument,
    AttendanceStatus,
    Modality,
    RecordedBy,
)
from lms.attendance.sheets.errors import SheetError
from lms.core import pades, pdf, storage
from lms.core.text import printable
from lms.core.time import organisation_timezone
from lms.extensions import db

TEMPLATE_NAME = "attendance-sheet.html"
STYLESHEET_NAME = "attendance-sheet.css"
STATUS_WORDS = {
    AttendanceStatus.PRESENT: "Présent·e",
    AttendanceStatus.LATE: "En retard",
    AttendanceStatus.ABSENT: "Absent·e",
    AttendanceStatus.EXCUSED: "Absence justifiée",
}
HOW_WORDS = {
    RecordedBy.CODE: "signature de l’apprenant·e (code)",
    RecordedBy.TRAINER: "relevé par {name}",
    RecordedBy.CORRECTION: "correction par {name}",
}
MODALITY_WORDS = {
    Modality.IN_PERSON: "Présentiel",
    Modality.REMOTE: "Distanciel (classe virtuelle)",
}


def sheets_folder() -> Path:
    """Return the folder of stored sheet PDFs, in the instance folder."""
    return Path(current_app.instance_path) / "attendance-sheets"


def local(moment: datetime) -> datetime:
    return moment.astimezone(organisation_timezone())


def day_words(moment: datetime) -> str:
    text = format_date(local(moment).date(), format="full", locale="fr")
    return text.replace(" 1 ", " 1er ", 1) if local(moment).day == 1 else text


def hour(moment: datetime) -> str:
    return local(moment).strftime("%H:%M")


def moment_words(moment: datetime) -> str:
    return f"{day_words(moment)} à {hour(moment)}"


@dataclass(frozen=True)
class Correction:
    """The correction a new version records."""

    reason: str
    by: User
    at: datetime
    learner_name: str
    before: str
    after: str


def _learner_row(learner: User, record: AttendanceRecord | None, names: dict[int, str]) -> dict:
    if record is None:  # not on a sheet closed here; said plainly rather than hidden
        return {
            "name": printable(learner.display_name),
            "status": "Non renseigné",
            "status_class": "none",
            "when": "—",
            "how": "aucun enregistrement",
            "arrived": "",
            "reason": "",
            "supporting": False,
        }
    name = names.get(record.recorder_id or 0) or "l’équipe de formation"
    how = HOW_WORDS[record.recorded_by].format(name=name)
    return {
        "name": printable(learner.display_name),
        "status": STATUS_WORDS[record.status],
        "status_class": record.status.value,
        "when": hour(record.recorded_at),
        "how": printable(how),
        "arrived": hour(record.arrived_at) if record.arrived_at else "",
        "reason": printable(record.reason or ""),
        # That a supporting file is on record, never its name or content.
        "supporting": bool(record.file_key),
    }


def sheet_context(
    sheet: AttendanceSheet,
    learners: list[User],
    records: dict[int, AttendanceRecord],
    version: int,
    correction: Correction | None = None,
) -> dict:
    """Return the plain values the sheet's template shows."""
    session = sheet.session
    path = session.cohort.path
    config = current_app.config
    # The training organisation (dispensateur) of the certificats de réalisation, when set.
    organisation = str(
        config.get("TRAINING_ORGANISATION_NAME")
        or config.get("CERTIFICATE_ORGANISATION")
        or path.certifier
        or ""
    )
    recorders = db.session.scalars(
        db.select(User).where(User.id.in_({r.recorder_id for r in records.values()} - {None}))
    )
    names = {user.id: user.display_name for user in recorders}
    closed_by = sheet.closed_by.display_name if sheet.closed_by else ""
    assert sheet.closed_at is not None
    created = correction.at if correction else sheet.closed_at
    place = session.place if session.modality is Modality.IN_PERSON else session.link
    rows = [_learner_row(learner, records.get(learner.id), names) for learner in learners]
    counts = dict.fromkeys(AttendanceStatus, 0)
    for record in records.values():
        counts[record.status] += 1
    reference = f"EMARGEMENT-{local(session.starts_at):%Y%m%d}-{session.id}-v{version}"
    return {
        "lang": "fr",
        "title": f"Feuille d’émargement {reference}",
        "reference": reference,
        "organisation": printable(organisation),
        "description": printable(f"{path.title} · {session.module.title}"),
        "created": local(created).isoformat(timespec="seconds"),
        "running": printable(f"{organisation} · {reference}"),
        "facts": [
            ("Organisme de formation", printable(organisation)),
            ("Action de formation", printable(path.title)),
            ("Groupe", printable(session.cohort.name)),
            ("Module", printable(f"{session.module.code} — {session.module.title}")),
            ("Date", day_words(session.starts_at)),
            ("Horaires", f"{hour(session.starts_at)} – {hour(session.ends_at)} (heure de Paris)"),
            ("Modalité", MODALITY_WORDS[session.modality]),
            ("Lieu" if session.modality is Modality.IN_PERSON else "Lien", printable(place or "")),
            (
                "Formateur·rices",
                printable(", ".join(t.display_name for t in session.trainers) or "—"),
            ),
        ],
        "counts": [
            {"label": STATUS_WORDS[status], "count": counts[status]} for status in AttendanceStatus
        ],
        "learners": rows,
        "closed": f"Feuille signée et close par {printable(closed_by)}, "
        f"le {moment_words(sheet.closed_at)} (heure de Paris).",
        "version": version,
        "correction": _correction_words(correction),
    }


def _correction_words(correction: Correction | None) -> str:
    if correction is None:
        return ""
    return printable(
        f"Version corrigée le {moment_words(correction.at)} par {correction.by.display_name} : "
        f"{correction.learner_name}, {correction.before} → {correction.after}. "
        f"Motif : {correction.reason}"
    )


def render_sheet(context: dict) -> bytes:
    """Return the sheet as PDF/A-3a bytes."""
    template = pdf.environment().get_template(TEMPLATE_NAME)
    html = template.render(context, link_stylesheet=False)
    return pdf.html_to_pdf(html, STYLESHEET_NAME)


def render_sheet_html(context: dict) -> str:
    """Return the sheet as HTML whose relative URLs name files of ``certificates/``."""
    return pdf.environment().get_template(TEMPLATE_NAME).render(context, link_stylesheet=True)


def sign_sheet(data: bytes, context: dict) -> bytes:
    """Sign the sheet in the training organisation's name (``lms.core.pades``; unchanged when no
    signing identity is configured); a failure refuses the closing rather than store it unsigned.
    """
    config = current_app.config
    place = config.get("TRAINING_ORGANISATION_PLACE") or config.get("CERTIFICATE_PLACE")
    reason = f"Feuille d’émargement établie par {context['organisation']}"
    return pades.sign_or_refuse(data, reason=reason, place=str(place or ""), refusal=SheetError)


def store_document(
    sheet: AttendanceSheet,
    learners: list[User],
    records: dict[int, AttendanceRecord],
    actor: User,
    correction: Correction | None = None,
) -> AttendanceSheetDocument:
    """Render the sheet, store its PDF and record the new version with its SHA-256 (flush)."""
    latest = db.session.scalar(
        db.select(db.func.max(AttendanceSheetDocument.version)).filter_by(sheet_id=sheet.id)
    )
    version = (latest or 0) + 1
    context = sheet_context(sheet, learners, records, version, correction)
    stored = storage.store_bytes(sheets_folder(), sign_sheet(render_sheet(context), context))
    document = AttendanceSheetDocument(
        sheet_id=sheet.id,
        version=version,
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        created_at=correction.at if correction else sheet.closed_at,
        created_by_id=actor.id,
        reason=correction.reason if correction else None,
    )
    try:
        db.session.add(document)
        db.session.flush()
    except BaseException:
        storage.delete_stored(sheets_folder(), stored.key)
        raise
    return document


def open_document(document: AttendanceSheetDocument) -> BinaryIO:
    """Open a stored version's PDF; the caller closes it (``storage.StorageError`` if lost)."""
    return storage.open_stored(sheets_folder(), document.storage_key)
