"""The sessions pages reached by posting: an import's preview and the form with its errors (axe)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e.helpers import choose_language
from tests.e2e.test_accessibility import assert_no_violation
from tests.e2e.world import LiveWorld


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_import_preview_has_no_wcag_violation(page_as, live_world: LiveWorld, locale):
    page = page_as("coach")
    page.goto(f"/manage/cohorts/{live_world.cohort_id}/sessions/import")
    choose_language(page, locale)
    day = (date.today() + timedelta(days=40)).isoformat()
    rows = (
        "module;date;start;end;modality;place;link;trainers\n"
        f"M3;{day};09:00;12:30;in_person;Tiers-lieu La Coursive, 8 rue de Paris, Lille;;"
        f"{live_world.emails['coach']}\n"
        f"M3;{day};13:30;12:00;remote;;http://visio.example.org;{live_world.emails['coach']}\n"
    )
    page.locator("#file").set_input_files(
        files=[{"name": "seances.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    page.locator("form[enctype] [type=submit]").click()
    page.locator("[data-count=error]").wait_for()
    assert page.locator("[data-count=create]").inner_text() == "1"
    assert page.locator("[data-count=error]").inner_text() == "1"
    assert_no_violation(page)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_session_form_with_its_errors_has_no_wcag_violation(
    page_as, live_world: LiveWorld, locale
):
    page = page_as("coach")
    page.goto(f"/manage/cohorts/{live_world.cohort_id}/sessions/new")
    choose_language(page, locale)
    page.locator("#day").fill((date.today() + timedelta(days=41)).isoformat())
    page.locator("#starts").fill("14:00")
    page.locator("#ends").fill("10:00")
    page.locator("#place").fill("")
    page.locator(".session-form [type=submit]").click()
    page.locator(".field__errors").first.wait_for()
    assert_no_violation(page)
