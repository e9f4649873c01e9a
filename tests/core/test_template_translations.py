"""Templates translate through a catalog looked up once per rendering (lms.core.i18n)."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale, refresh


def render_in(app, language: str, source: str, **context) -> str:
    """Render ``source`` in a request whose browser asks for ``language``."""
    with app.test_request_context("/", headers={"Accept-Language": language}):
        refresh()  # the tests' application context outlives requests: forget its locale
        return render_template_string(source, **context)


def test_messages_are_translated(app):
    assert render_in(app, "fr", "{{ _('Open') }}") == "Ouvert"
    assert render_in(app, "en", "{{ _('Open') }}") == "Open"


def test_variables_are_escaped_and_formatted(app):
    source = "{{ _('Continue %(module)s: %(title)s', module='M1', title=title) }}"
    rendered = render_in(app, "en", source, title="<script>x</script>")
    assert rendered == "Continue M1: &lt;script&gt;x&lt;/script&gt;"


def test_plural_forms_get_their_count(app):
    source = "{{ ngettext('%(num)d module', '%(num)d modules', count) }}"
    assert render_in(app, "en", source, count=1) == "1 module"
    assert render_in(app, "en", source, count=3) == "3 modules"


def test_a_forced_locale_wins_for_what_is_rendered_under_it(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        refresh()
        assert render_template_string("{{ _('Open') }}") == "Ouvert"
        with force_locale("en"):  # e.g. an e-mail in its recipient's language
            assert render_template_string("{{ _('Open') }}") == "Open"
        assert render_template_string("{{ _('Open') }}") == "Ouvert"


def test_the_catalog_is_looked_up_once_per_rendering(app, monkeypatch):
    import flask_babel

    import lms.core.i18n

    lookups = []
    real = flask_babel.get_translations

    def counting():
        lookups.append(1)
        return real()

    monkeypatch.setattr(lms.core.i18n, "get_translations", counting)
    monkeypatch.setattr(flask_babel, "get_translations", lambda: pytest.fail("per message"))
    source = "{{ _('Open') }} {{ _('Locked') }} {{ ngettext('%(num)d a', '%(num)d b', 2) }}"
    assert render_in(app, "fr", source) == "Ouvert Verrouillé 2 b"
    assert len(lookups) == 1
