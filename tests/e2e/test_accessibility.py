"""Accessibility (WCAG 2.1 AA, RGAA 4): axe-core finds no violation on the main pages.

Each page is checked in French and in English, with the rules tagged wcag2a, wcag2aa, wcag21a
and wcag21aa. axe-core comes bundled with axe-playwright-python (no network).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.e2e.helpers import choose_language
from tests.e2e.world import LiveWorld

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
BROWSER_LOCALES = {"fr": "fr-FR", "en": "en-GB"}


@dataclass(frozen=True)
class Checked:
    """A page to check: who looks at it, its address, the status it answers, its endpoint."""

    person: str
    url: str
    status: int = 200
    endpoint: str | None = None


PAGES = {
    "dashboard": lambda w: Checked("reader", "/dashboard"),
    "module": lambda w: Checked("reader", f"/modules/{w.modules['M2']}"),
    "lesson": lambda w: Checked(
        "reader", f"/modules/{w.modules['M2']}/lessons/{w.lessons['M2'][0]}"
    ),
    "locked-module": lambda w: Checked("reader", f"/modules/{w.modules['M5']}", 403),
    "competencies": lambda w: Checked("reader", "/competencies", endpoint="learning.competencies"),
    "heatmap": lambda w: Checked("coach", f"/manage/cohorts/{w.cohort_id}/progress"),
    "learner-page": lambda w: Checked(
        "coach", f"/manage/cohorts/{w.cohort_id}/learners/{w.user_ids['reader']}"
    ),
    "gradebook": lambda w: Checked("coach", f"/manage/cohorts/{w.cohort_id}/gradebook"),
    "grading-queue": lambda w: Checked("coach", "/manage/grading"),
    "grading-page": lambda w: Checked("coach", f"/manage/grading/grades/{w.released_grade_id}"),
}


def violations_report(violations: list[dict]) -> str:
    """Describe each violation: its rule, help text and the elements at fault."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_no_violation(page: Page) -> None:
    """Run axe-core on the page as it is now; fail with the violations' details."""
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, "\n" + violations_report(violations)


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_has_no_wcag_violation(page_as, live_world: LiveWorld, name: str, locale: str):
    checked = PAGES[name](live_world)
    if checked.endpoint and checked.endpoint not in live_world.endpoints:
        pytest.skip(f"the {name} page ({checked.endpoint}) does not exist yet")
    page = page_as(checked.person)
    assert page.goto(checked.url).status == checked.status
    # The switcher brings the same page back, in that language.
    choose_language(page, locale)
    assert page.url == live_world.url + checked.url
    assert_no_violation(page)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_login_page_has_no_wcag_violation(browser: Browser, live_world: LiveWorld, locale: str):
    context = browser.new_context(base_url=live_world.url, locale=BROWSER_LOCALES[locale])
    try:
        page = context.new_page()
        page.goto("/login")
        assert page.locator("html").get_attribute("lang") == locale
        assert_no_violation(page)
        # With a form error shown, too.
        page.locator("#email").fill("nobody@example.org")
        page.locator("#password").fill("not the password")
        page.locator("form[action^='/login'] [type=submit]").click()
        page.locator(".form-errors").wait_for()
        assert_no_violation(page)
    finally:
        context.close()
