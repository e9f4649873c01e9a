"""Security headers on every response (SECURITY.md E22), request ids and denied-access logging.

Caching: every response except static files carries ``Cache-Control: no-store``. Pages are
either private (they show a person's data) or forms holding a CSRF token, so none is fit for a
shared or back-button cache; static files keep the default caching. A view whose answer names
nobody and is meant for machines to fetch often (a published revocation list) opts in with
``@public_cache(seconds)``: its 200 and 304 answers, and only those, may then be kept by shared
caches.

The Content-Security-Policy allows no inline script and no inline style (``style=`` attributes
are blocked too): templates use classes of the bundled stylesheet only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request
from flask_login import user_unauthorized
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter, Map

from lms.core.errors import handle_http_error
from lms.core.logging import configure_logging, security_event

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
# Largest id a URL may carry: the ids are PostgreSQL ``integer`` columns, which refuse larger
# values with an error (a 500); beyond it the route does not match (a 404).
MAX_URL_ID = 2**31 - 1
PUBLIC_CACHE_ATTRIBUTE = "public_cache_max_age"
View = TypeVar("View", bound=Callable[..., Any])


def public_cache(max_age: int) -> Callable[[View], View]:
    """Let the view's successful answers be kept by any cache for ``max_age`` seconds."""

    def decorate(view: View) -> View:
        setattr(view, PUBLIC_CACHE_ATTRIBUTE, max_age)
        return view

    return decorate


def _public_max_age(response: Response) -> int | None:
    """Return how long a cache may keep this answer, None when it may not."""
    view = current_app.view_functions.get(request.endpoint or "")
    max_age = getattr(view, PUBLIC_CACHE_ATTRIBUTE, None)
    return max_age if response.status_code in (200, 304) else None


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` URL arguments up to the largest id: larger ones are a 404, not a crash."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_URL_ID)
        super().__init__(map, *args, **kwargs)


def install_url_converters(app: Flask) -> None:
    """Bound integer URL arguments; call before registering any blueprint."""
    app.url_map.converters["int"] = BoundedIntConverter


def init_security(app: Flask) -> None:
    """Install request ids, security headers, denied-access logging and the log handler."""
    configure_logging(app)
    app.before_request(assign_request_id)
    app.after_request(set_security_headers)
    app.after_request(log_denied_access)
    app.register_error_handler(CSRFError, refuse_csrf)
    user_unauthorized.connect(log_login_wall, app)


def assign_request_id() -> None:
    """Give the request an id, taken from a sane ``X-Request-ID`` of the proxy or drawn anew."""
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def set_security_headers(response: Response) -> Response:
    """Add the security headers; forbid caching of everything but static files."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("ENV_NAME") == "production":
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if request.endpoint != "static":
        max_age = _public_max_age(response)
        response.headers["Cache-Control"] = (
            "no-store" if max_age is None else f"public, max-age={max_age}"
        )
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response


def log_denied_access(response: Response) -> Response:
    """Write a security event for every 403 answer."""
    if response.status_code == 403:
        security_event("access.denied", endpoint=request.endpoint, status=403)
    return response


def log_login_wall(sender: object, **extra: object) -> None:
    """Write a security event when an anonymous visitor is sent to the login page."""
    security_event("access.denied", endpoint=request.endpoint, status="login required")


def refuse_csrf(error: CSRFError) -> Response:
    """Log a refused CSRF check, then show the 400 page."""
    security_event("csrf.refused", endpoint=request.endpoint, reason=error.description)
    return handle_http_error(error)
