"""Language of each response: the user's preference, then the browser's, then the default."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

SESSION_KEY = "locale"


def select_locale() -> str | None:
    """Return the locale for this request (Flask-Babel falls back to the default on None).

    Outside a request (CLI commands, jobs) the default locale applies; jobs that write to a
    user (e-mails) wrap their work in ``force_locale(user.locale)``.
    """
    if not has_request_context():
        return None
    languages = current_app.config["LANGUAGES"]
    preferred = getattr(current_user, "locale", None) or session.get(SESSION_KEY)
    if preferred in languages:
        return preferred
    return request.accept_languages.best_match(languages)
