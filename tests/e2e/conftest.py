"""Browser tests: Debian's Chromium drives the application served on loopback.

The application under test is a second one, built like production (CSRF on, French by
default) on its own SQLite file, served by Werkzeug in a background thread for the whole
session (``tests.live.serving``, as the concurrency tests serve theirs). The main test
session's application and its per-test table emptying are left alone: the live application's
rows are written once, in its own application context.

The folder is skipped, with the reason shown, where /usr/bin/chromium is missing (``apt-get
install chromium``) and on the PostgreSQL pass of ``.ci/run`` (the live server has its own
SQLite file, so a second run would test nothing new).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from lms import create_app
from lms.extensions import db
from tests.e2e.helpers import log_in
from tests.e2e.world import LiveWorld, build_world
from tests.live import serving

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Nothing but the live server: any other host fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def skip_reason() -> str | None:
    """Return why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("LMS_TEST_DATABASE_URL"):
        return "browser tests run once, on the SQLite pass: the live server has its own database"
    return None


def pytest_collection_modifyitems(config, items) -> None:
    """Skip every browser test, before any fixture starts a browser, when they cannot run."""
    reason = skip_reason()
    if reason is None:
        return
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args) -> dict:
    """Launch Debian's Chromium, offline but for the loopback server."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


# The training organisation of the certificats de réalisation (made-up numbers of the right form).
TRAINING_ORGANISATION = {
    "TRAINING_ORGANISATION_NAME": "Institut des Territoires du Bien-Vivre",
    "TRAINING_ORGANISATION_NDA": "84691234569",
    "TRAINING_ORGANISATION_SIRET": "98765432100015",
    "TRAINING_ORGANISATION_ADDRESS": "12 rue des Canuts, 69004 Lyon",
    "TRAINING_ORGANISATION_REPRESENTATIVE_NAME": "Claire Signataire",
    "TRAINING_ORGANISATION_REPRESENTATIVE_TITLE": "Directrice des formations",
    "TRAINING_ORGANISATION_PLACE": "Lyon",
}


@pytest.fixture(scope="session")
def live_world(tmp_path_factory) -> Iterator[LiveWorld]:
    """Serve a production-like application on 127.0.0.1 with its seeded world."""
    folder = tmp_path_factory.mktemp("live")
    live_app = create_app(
        {
            "SECRET_KEY": "live-server-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "live.sqlite3"),
            "INSTANCE_PATH": str(folder / "instance"),
            "WTF_CSRF_ENABLED": True,
            "CERTIFICATE_SIGNATORY_NAME": "Claire Signataire",
            "CERTIFICATE_SIGNATORY_TITLE": "Directrice des formations",
            "CERTIFICATE_PLACE": "Lyon",
            **TRAINING_ORGANISATION,
        }
    )
    with live_app.app_context():
        db.create_all()
        world = build_world()
        db.session.commit()
    world.endpoints = frozenset(live_app.view_functions)
    world.url_map = live_app.url_map
    world.app = live_app
    with serving(live_app) as url:
        world.url = url
        yield world
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_world: LiveWorld) -> str:
    """Point relative URLs of pages (``page.goto("/login")``) at the live server."""
    return live_world.url


@pytest.fixture(scope="session")
def signed_in_contexts(browser, live_world: LiveWorld) -> Iterator[Callable[[str], BrowserContext]]:
    """Return a function giving a browser context of a person, logged in once per session."""
    contexts: dict[str, BrowserContext] = {}

    def context_of(slug: str) -> BrowserContext:
        if slug not in contexts:
            contexts[slug] = browser.new_context(base_url=live_world.url)
            log_in(contexts[slug].new_page(), live_world, slug)
        return contexts[slug]

    yield context_of
    for context in contexts.values():
        context.close()


@pytest.fixture
def page_as(signed_in_contexts) -> Iterator[Callable[[str], Page]]:
    """Return a function opening a new page already logged in as a person of the world."""
    pages: list[Page] = []

    def open_page(slug: str) -> Page:
        pages.append(signed_in_contexts(slug).new_page())
        return pages[-1]

    yield open_page
    for page in pages:
        page.close()
