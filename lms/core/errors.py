"""Error pages: a friendly page per HTTP error, and a 500 page with a correlation id.

The 500 page never shows a traceback, SQL or configuration; it shows a random correlation id
that is also written to the log with the exception, so support can find the one from the other.
"""

from __future__ import annotations

import uuid

from flask import Flask, Response, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.core.redaction import redact
from lms.extensions import db

HANDLED_STATUSES = (400, 403, 404, 405, 413, 429)


def register_error_handlers(app: Flask) -> None:
    """Render ``templates/errors/<status>.html`` for the usual errors and for 500."""
    for status in HANDLED_STATUSES:
        app.register_error_handler(status, handle_http_error)
    app.register_error_handler(InternalServerError, handle_server_error)


def handle_http_error(error: HTTPException) -> Response:
    """Render the page of a client error, keeping headers such as ``Allow`` or ``Retry-After``."""
    response = current_app.make_response(
        (render_template(f"errors/{error.code}.html", error=error), error.code or 500)
    )
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_server_error(error: InternalServerError) -> tuple[str, int]:
    """Log the failure under a new correlation id and show that id, nothing else."""
    # The request id (lms.core.security) also marks the request's security events.
    correlation_id = g.get("request_id") or uuid.uuid4().hex
    original = error.original_exception or error
    current_app.logger.error(
        "internal error correlation_id=%s method=%s path=%r",
        correlation_id,
        request.method,
        redact(request.path),
        exc_info=(type(original), original, original.__traceback__),
    )
    # The failure may have left the transaction broken; the page must not depend on it.
    db.session.rollback()
    return render_template("errors/500.html", correlation_id=correlation_id), 500
