"""French first: the language comes from the user, then the browser, then the default (fr)."""

from __future__ import annotations

import re

import pytest

from lms import create_app
from lms.accounts.models import User
from lms.extensions import db
from tests.factories import UserFactory
from tests.web.helpers import csrf_token_of, log_in


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


def switch_language(client, locale: str, next_path: str | None = "/login", page: str = "/login"):
    """Post the layout's language switcher with the CSRF token of ``page``."""
    data = {"locale": locale}
    if client.application.config["WTF_CSRF_ENABLED"]:
        data["csrf_token"] = csrf_token_of(client.get(page).get_data(as_text=True))
    if next_path is not None:
        data["next"] = next_path
    return client.post("/language", data=data)


def test_the_layout_offers_each_language_in_itself(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<button[^>]*value="fr" lang="fr"[^>]*>Français</button>', page)
    assert re.search(r'<button[^>]*value="en" lang="en"[^>]*>English</button>', page)
    assert 'name="next" value="/login"' in page


def test_a_visitor_switches_to_french_for_the_session(client, csrf_enabled):
    response = switch_language(client, "fr", "/password/forgot?from=switcher")
    assert response.headers["Location"] == "/password/forgot?from=switcher"
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert "Se connecter" in page


def test_a_user_switches_and_the_choice_is_their_preference(client, csrf_enabled):
    user = UserFactory(locale="en")
    log_in(client, user)
    response = switch_language(client, "fr", "/dashboard", page="/dashboard")
    assert response.headers["Location"] == "/dashboard"
    assert db.session.scalar(db.select(User.locale).filter_by(id=user.id)) == "fr"
    page = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert "Mon parcours" in page


@pytest.mark.parametrize("locale", ["de", "", "FR", "fr_FR", "en\x00"])
def test_an_unknown_language_is_refused_and_changes_nothing(client, locale):
    user = UserFactory(locale="en")
    log_in(client, user)
    response = switch_language(client, locale, "/dashboard", page="/dashboard")
    assert response.status_code == 400
    assert db.session.scalar(db.select(User.locale).filter_by(id=user.id)) == "en"


def test_a_missing_language_is_refused(client):
    response = client.post("/language", data={"next": "/dashboard"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_the_switcher_never_leaves_the_site(client, target):
    response = switch_language(client, "fr", target)
    assert response.headers["Location"] == "/"


def test_without_the_next_path_the_switcher_goes_home(client):
    assert switch_language(client, "en", None).headers["Location"] == "/"


def test_the_switcher_needs_its_csrf_token(client, csrf_enabled):
    response = client.post("/language", data={"locale": "fr", "next": "/login"})
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en"' in page


# French puts a no-break space (narrow in recent CLDR data) before the sign; English none.
@pytest.mark.parametrize(("locale", "percent"), [("en", "38%"), ("fr", "38[\xa0\u202f]%")])
def test_the_heatmap_writes_percentages_as_the_language_does(client, locale, percent):
    from tests.learning.progress_helpers import make_progress_world

    world = make_progress_world()
    world.trainer.locale = locale
    db.session.commit()
    log_in(client, world.trainer)
    page = client.get(f"/manage/cohorts/{world.bien_vivre.cohort.id}/progress").get_data(
        as_text=True
    )
    cell = re.search(
        rf'<tr data-learner="{world.ahead.id}">.*?data-percent="38">([^<]*)<', page, re.S
    )
    assert re.fullmatch(percent, cell.group(1))
