"""Language of each response: the user's preference, then the browser's, then the default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, has_request_context, request, session
from flask_babel import get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

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


def template_translations() -> dict[str, Callable[..., str]]:
    """Give each template ``gettext`` and ``ngettext`` bound to its catalog (a context processor).

    Flask-Babel's template functions look the catalog up again for every message (the locale,
    the domain, the cache: ≈ 10 µs each), which cost the learner dashboard, with a hundred
    messages, a quarter of its time. Here the catalog is looked up once per rendering, under
    any ``force_locale`` in effect; the functions behave as Jinja's "newstyle" ones (the
    result is autoescaped and always %-formatted), and ``_()`` resolves to them.
    """
    translations = get_translations()
    return {
        "gettext": _newstyle_gettext(translations.ugettext),
        "ngettext": _newstyle_ngettext(translations.ungettext),
    }


def _newstyle_gettext(translate: Callable[[str], str]) -> Callable[..., str]:
    @pass_context
    def gettext(__context: Context, __string: str, **variables: Any) -> str:
        text = translate(__string)
        if __context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704  the catalog is trusted, as in Jinja's own gettext
        return text % variables

    return gettext


def _newstyle_ngettext(translate: Callable[[str, str, int], str]) -> Callable[..., str]:
    @pass_context
    def ngettext(
        __context: Context, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables.setdefault("num", __num)
        text = translate(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704  the catalog is trusted, as in Jinja's own gettext
        return text % variables

    return ngettext
