"""French first: the language comes from the user, then the browser, then the default (fr)."""

from __future__ import annotations

import pytest

from lms import create_app
from tests.factories import UserFactory
from tests.web.helpers import log_in


def test_default_language_is_french(tmp_path):
    app = create_app(
        {"SECRET_KEY": "i18n-test-secret-key-long-enough-0123456789"}
        | {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    page = app.test_client().get("/login").get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert "Se connecter" in page


@pytest.mark.parametrize(
    ("header", "lang"),
    [("fr-FR,fr;q=0.9,en;q=0.5", "fr"), ("en-GB,en;q=0.8", "en"), ("de-DE", "en")],
)
def test_anonymous_pages_follow_the_browser(client, header, lang):
    page = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{lang}"' in page


def test_the_user_preference_wins_over_the_browser(client):
    user = UserFactory(locale="fr")
    log_in(client, user)
    page = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert "Mon parcours" in page
