"""One transaction boundary per request: ``unit_of_work`` commits or rolls back, nothing else.

Services flush and never commit; a view (or a command, or a job) wraps the services it calls::

    with unit_of_work(error_redirect=detail_url(certificate)):
        revoke_certificate(certificate, revoked_by=acting_user(), reason=form.reason.data)
    notify_revoked(certificate)  # after the commit: never tell about work that was undone

The block's work is committed when the block ends and rolled back when it raises, whatever it
raises. A ``DomainError`` (the base of every domain's ``<Domain>Error``) is a refusal whose
message is written for the person: with ``error_redirect``, it becomes a flash and the request
ends with that redirect; without, it reaches the caller, which shows it where it belongs (a
form error, a 409 page) in an ``except`` around the block.

``discard_unfinished_work`` is the safety net: at the end of every request, work that a view
flushed or added without committing is rolled back and logged. Flask-SQLAlchemy already closes
the session (``session.remove()``, which rolls back) when the *application* context ends. In
production each request has its own application context, so that is the end of the request;
but an application context can span several requests (the test suite keeps one per test), and
the next request would then see, and might commit, the forgotten work. Rolling back at the end of
the *request* makes every request start clean wherever it runs, and the log line names the view
that forgot its commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from flask import Flask, abort, current_app, flash, redirect, request
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from lms.core.redaction import redact
from lms.extensions import db

# Set in ``Session.info`` when the session flushes; cleared when its transaction ends.
FLUSHED = "lms.flushed_uncommitted"


class DomainError(Exception):
    """A use case refused: the message says why, in words for the person who asked."""


@contextmanager
def unit_of_work(*, error_redirect: str | None = None) -> Iterator[None]:
    """Commit the block's work when it ends; roll it back if it raises.

    With ``error_redirect``, a ``DomainError`` is flashed and the request ends with a redirect
    there (POST/redirect/GET); any other exception is raised again after the rollback.
    """
    try:
        yield
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error_redirect is None:
            raise
        refuse(error, error_redirect)
    except BaseException:
        db.session.rollback()
        raise


def refuse(error: DomainError, location: str) -> NoReturn:
    """End the request: flash the refusal's message and redirect to ``location``."""
    flash(str(error), "error")
    abort(redirect(location))


def init_app(app: Flask) -> None:
    """Roll back, at the end of each request, the work a view left uncommitted."""
    if not event.contains(db.session, "after_flush", _note_flush):
        event.listen(db.session, "after_flush", _note_flush)
        event.listen(db.session, "after_transaction_end", _forget_flush)
    app.teardown_request(discard_unfinished_work)


def has_unfinished_work(session: Session) -> bool:
    """Say whether the session holds changes that were neither committed nor rolled back."""
    return bool(session.info.get(FLUSHED) or session.new or session.deleted) or any(
        session.is_modified(instance) for instance in session.dirty
    )


def discard_unfinished_work(_error: BaseException | None = None) -> None:
    """Roll back what the request flushed or added without committing, and say which view."""
    session = db.session()
    if has_unfinished_work(session):
        current_app.logger.warning(
            "uncommitted work rolled back at the end of %s %s (endpoint %s)",
            request.method,
            redact(request.path),
            request.endpoint,
        )
        session.rollback()


def _note_flush(session: Session, _context: Any) -> None:
    session.info[FLUSHED] = True


def _forget_flush(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed or rolled back
        session.info.pop(FLUSHED, None)
