"""Operations on a whole instance: ``lms backup DIR`` and ``lms restore DIR`` (SECURITY.md H35).

Where it sits: on top, with ``admin``, ``demo`` and the application factory. A backup reads every
table of every domain and every folder of stored files, so ``operations`` may import any domain
(it needs only ``core``, the database and the storage layout today) and no domain imports it.

A backup folder holds, and ``manifest.json`` (written last: no manifest, no backup) lists:

- the database: ``database.sqlite3``, a consistent copy made with SQLite's online backup API
  while the application runs, or ``database.pgdump``, ``pg_dump --format=custom`` run in the
  snapshot the row counts were read in (exported from a REPEATABLE READ transaction);
- ``files/<folder>/<key[:2]>/<key>``: the stored files of every folder of the instance that uses
  the layout of ``lms.core.storage`` (``uploads/`` for learners' work, ``certificates/`` for
  issued PDFs, and any later one). Files are copied after the database is read: a file is
  written before its row is committed, so every row of the copy finds its file; a file newer
  than the copy is an orphan, which the consistency check reports;
- the manifest (``manifest.Manifest``): format and version, creation time, application version,
  database dialect, Alembic revision, rows per table, and every file's relative path, size and
  SHA-256, and what the backup holds about keys (the public credential keys, no private key).

Not backed up, by decision: the secret key (``lms.cfg`` or ``LMS_SECRET_KEY``). It signs
password-reset links and sessions and encrypts the administrators' second-factor secrets: a
copy of the key next to the database would turn a stolen backup into a key to the live site. It
is kept apart (a password manager, the deployment's secret store); the manifest records only an
HMAC fingerprint of it, and a restore under another key warns that second factors must be reset
(``lms reset-two-factor``). Nor the private keys (``keys/``: the Ed25519 keys that sign
credentials, the PDF signing identity), for the same reason; the public keys that verify
credentials are rows of ``credential_keys``, so every backup carries them and a restored
instance verifies every credential it ever issued. The manifest's ``keys`` says so. Also left
out: ``imports/`` (CSV files kept a few minutes between an import's preview and its commit) and
the SQLite file itself as a plain file copy.

Restoring checks the manifest and every file's SHA-256 first, refuses a backup of another format
version, dialect or Alembic revision, and refuses an instance that holds any row (the Alembic
version aside) or any stored file. It then restores the database (SQLite: the backup API into
the instance's file; PostgreSQL: ``pg_restore --clean --if-exists --single-transaction``, all
or nothing, into an empty or freshly upgraded database), copies the files (each written with
``lms.core.storage.write_atomically`` and checked again) and compares the row counts with the
manifest.

Modules: ``manifest`` (the format), ``files`` (stored files), ``database`` (copying SQLite and
PostgreSQL databases), ``backup`` and ``restore`` (the two use cases), ``cli`` (the commands).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add ``lms backup`` and ``lms restore``."""
    from lms.operations.cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
