"""A learner's pages on a phone (390 × 844): no sideways scrolling, targets of 24 × 24 px at least.

The phone learner walks every page a learner uses, in French then in English: dashboard,
module, lesson, quiz, quiz attempt, assignment hand-in, competencies, certificates and the
public verification of their certificate. On each: the page is no wider than the window
(``scrollWidth <= innerWidth``), every interactive element is at least 24 × 24 CSS pixels
(WCAG 2.5.8; links inside a sentence are exempt, as the criterion says) and axe-core finds no
violation at that size, where the dashboard shows its timeline as a list of steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.helpers import choose_language, log_in
from tests.e2e.test_accessibility import assert_no_violation
from tests.e2e.world import LiveWorld

PHONE = {"width": 390, "height": 844}
TARGET = 24  # CSS pixels, WCAG 2.5.8 (AA)

# Measures the page as it is now: its width against the window's, and every rendered
# interactive element smaller than the target size, but links that sit inside a sentence.
MEASURE = """(target) => {
  const inSentence = (link) => {
    const block = link.parentElement.closest("p, li, dd, td");
    if (!block || link.closest("nav")) return false;
    const rest = block.textContent.replace(link.textContent, " ");
    return rest.split(/\\s+/).filter((word) => /\\p{L}{2,}/u.test(word)).length >= 2;
  };
  const small = [];
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  for (const element of document.querySelectorAll(selector)) {
    const style = getComputedStyle(element);
    if (!element.getClientRects().length || style.visibility === "hidden") continue;
    const box = element.getBoundingClientRect();
    if (box.width >= target && box.height >= target) continue;
    if (element.matches("a") && style.display === "inline" && inSentence(element)) continue;
    const name = (element.textContent || element.getAttribute("name") || "").trim();
    small.push(`<${element.localName}> «${name.slice(0, 40)}» ` +
               `${Math.round(box.width)}×${Math.round(box.height)}`);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    small: small,
  };
}"""


@pytest.fixture(scope="module")
def phone(browser: Browser, live_world: LiveWorld) -> Iterator[BrowserContext]:
    """Return a phone-sized, touch browser context where the phone learner is logged in."""
    context = browser.new_context(
        base_url=live_world.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    log_in(context.new_page(), live_world, "phone")
    yield context
    context.close()


def check(page: Page, name: str) -> list[str]:
    """Return what is wrong with the page as shown now (width, small targets), then run axe."""
    # After a click the new page may be parsed before its stylesheets have loaded.
    page.wait_for_load_state("load")
    measured = page.evaluate(MEASURE, TARGET)
    problems = [f"{name}: {target}" for target in measured["small"]]
    if measured["scrollWidth"] > measured["innerWidth"]:
        problems.append(
            f"{name}: scrolls sideways ({measured['scrollWidth']} > {measured['innerWidth']} px)"
        )
    assert_no_violation(page)
    return problems


def open_assessment(page: Page, world: LiveWorld, kind: str) -> None:
    """Open M2's assessment of this kind (quiz or assignment) from the module's page."""
    page.goto(f"/modules/{world.modules['M2']}")
    page.locator(f"a[href$='/{kind}']").first.click()
    expect(page).to_have_url(re.compile(f"/{kind}$"))


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_learner_page_fits_a_phone(phone: BrowserContext, live_world: LiveWorld, locale):
    page = phone.new_page()
    page.goto("/dashboard")
    choose_language(page, locale)
    problems = check(page, "dashboard")
    # The timeline is the list of steps here; the picture is not shown.
    expect(page.locator(".timeline-steps")).to_be_visible()
    expect(page.locator(".timeline__svg")).to_be_hidden()
    pages = {
        "module": f"/modules/{live_world.modules['M2']}",
        "lesson": f"/modules/{live_world.modules['M2']}/lessons/{live_world.lessons['M2'][0]}",
        "competencies": "/competencies",
        "certificates": "/certificates",
        "verification": f"/verify/{live_world.phone_certificate_code}",
    }
    for name, url in pages.items():
        assert page.goto(url).status == 200, name
        problems += check(page, name)
    open_assessment(page, live_world, "quiz")
    problems += check(page, "quiz")
    page.locator(".quiz-about form [type=submit]").click()  # start, or resume, the attempt
    expect(page.locator("fieldset").first).to_be_visible()
    problems += check(page, "quiz attempt")
    open_assessment(page, live_world, "assignment")
    problems += check(page, "assignment hand-in")
    page.close()
    assert not problems, "\n" + "\n".join(problems)
