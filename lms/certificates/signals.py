"""Signals through which certificates asks higher domains about what they store.

``stored_documents``
    Sent by ``lms check-storage`` (``lms.certificates.storage_check``) with ``sender`` the
    application. Certificates must not import the domains above it (DESIGN.md §9), where other
    stores live, so it asks: each receiver returns one ``StoredStore`` (its store's name, its
    folder and a ``StoredDocument`` per row naming a file), checked like the jury's minutes: a
    lost file is reported, a file no row names is a leftover, a changed hash is reported
    (``lms.quality.dossiers.store.dossier_documents`` answers for the learners' dossiers).
"""

from __future__ import annotations

from blinker import Namespace

certificate_signals = Namespace()

stored_documents = certificate_signals.signal(
    "stored-documents",
    doc="Ask the higher domains' stores of documents to check (sender=the application).",
)
