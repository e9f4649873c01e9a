"""The journeys of a learner and a trainer, in Chromium, against the live server."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import choose_language, log_in
from tests.e2e.world import LiveWorld


def module_card(page: Page, code: str):
    """Return the dashboard's entry of one module."""
    return page.locator(f".module-list li[data-module={code}]")


def test_a_learner_completes_m1_and_m2_opens(page: Page, live_world: LiveWorld):
    log_in(page, live_world, "journey")
    expect(page).to_have_url(f"{live_world.url}/dashboard")
    expect(page.locator("h1")).to_have_text("Mon parcours")
    expect(module_card(page, "M2")).to_have_attribute("data-status", "locked")

    module_card(page, "M1").get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("M1")
    lessons = len(live_world.lessons["M1"])
    for done in range(lessons):
        # Each button posts its form, then the module page comes back with one fewer button.
        page.get_by_role("button", name=re.compile("^Marquer comme faite")).first.click()
        expect(page.locator(".flash--success")).to_contain_text("est marquée comme faite")
        expect(page.locator("li[data-done=yes]")).to_have_count(done + 1)
    expect(page.get_by_role("button", name=re.compile("^Marquer comme faite"))).to_have_count(0)
    expect(page.locator(".page-head .badge")).to_have_text("Terminé")

    page.get_by_role("navigation", name="Fil d’Ariane").get_by_role("link").click()
    expect(module_card(page, "M1")).to_have_attribute("data-status", "completed")
    expect(module_card(page, "M2")).to_have_attribute("data-status", "open")
    module_card(page, "M2").get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("M2")


def test_a_learner_reads_why_m5_is_locked(page: Page, live_world: LiveWorld):
    log_in(page, live_world, "visitor")
    response = page.goto(f"/modules/{live_world.modules['M5']}")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("M5 ne vous est pas encore ouvert")
    expect(page.get_by_text("Terminez d’abord ces modules :")).to_be_visible()
    missing = page.locator(".locked-page__reasons li")
    expect(missing).to_have_text([re.compile(r"^M3 · "), re.compile(r"^M4 · ")])
    page.get_by_role("link", name="Retour à mon parcours").click()
    expect(page).to_have_url(f"{live_world.url}/dashboard")


def test_a_learner_switches_the_interface_to_english_and_back(page: Page, live_world: LiveWorld):
    log_in(page, live_world, "polyglot")
    expect(page.locator("h1")).to_have_text("Mon parcours")
    choose_language(page, "en")
    expect(page).to_have_url(f"{live_world.url}/dashboard")
    expect(page.locator("h1")).to_have_text("My path")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    # The choice is the learner's preference: it holds on the next page.
    page.goto(f"/modules/{live_world.modules['M1']}")
    expect(page.get_by_role("heading", name="Lessons")).to_be_visible()
    choose_language(page, "fr")
    expect(page.get_by_role("heading", name="Leçons")).to_be_visible()


def test_a_trainer_opens_the_heatmap_and_a_learners_page(page: Page, live_world: LiveWorld):
    log_in(page, live_world, "trainer")
    expect(page.locator("h1")).to_have_text("Mes promotions")
    page.get_by_role("link", name="Voir la progression de Promotion Printemps").click()
    expect(page.locator("h1")).to_have_text("Progression de Promotion Printemps")
    rows = page.locator("table.heatmap tbody tr")
    expect(rows).to_have_count(5)
    advanced = page.locator(f"tr[data-learner='{live_world.user_ids['advanced']}']")
    expect(advanced.locator("td[data-module=M3]")).to_have_attribute("data-status", "completed")
    expect(advanced.locator("td[data-module=M4]")).to_have_attribute("data-status", "open")
    expect(advanced.locator("[data-percent]")).to_have_text(re.compile(r"^38\s%$"))
    advanced.get_by_role("link", name="Adèle Avancée").click()
    expect(page.locator("h1")).to_have_text("Adèle Avancée")
    expect(page.locator("#modules-done")).to_contain_text("Modules terminés : 3 sur 8")
