"""The trainer's screens at 1280 × 900: the whole path in view, a queue graded by keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import log_in
from tests.e2e.test_accessibility import assert_no_violation
from tests.e2e.world import LiveWorld

LAPTOP = {"width": 1280, "height": 900}
FEEDBACK = "Une vision claire, reliée au territoire."


@pytest.fixture
def laptop_page(browser: Browser, live_world: LiveWorld):
    """Return a function opening a 1280 × 900 page logged in as a person of the world."""
    contexts = []

    def open_as(slug: str) -> Page:
        context = browser.new_context(base_url=live_world.url, viewport=LAPTOP, locale="fr-FR")
        contexts.append(context)
        page = context.new_page()
        log_in(page, live_world, slug)
        return page

    yield open_as
    for context in contexts:
        context.close()


def assert_in_view_without_page_scroll(page: Page, selector: str, count: int) -> None:
    """Check that ``count`` elements lie inside the window's width and the page does not scroll."""
    headers = page.locator(selector)
    expect(headers).to_have_count(count)
    for header in headers.all():
        box = header.bounding_box()
        assert box is not None
        assert box["width"] > 0
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= LAPTOP["width"], header.inner_text()
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


def test_the_heatmap_shows_the_8_modules_at_1280_px(laptop_page, live_world: LiveWorld):
    page = laptop_page("coach")
    page.goto(f"/manage/cohorts/{live_world.cohort_id}/progress")
    assert_in_view_without_page_scroll(page, "table.heatmap thead th[data-module]", 8)
    # The table's own frame does not scroll sideways either: every column is in view.
    frame = page.locator(".grid-frame")
    assert frame.evaluate("f => f.scrollWidth <= f.clientWidth")


def test_the_gradebook_shows_the_8_modules_at_1280_px(laptop_page, live_world: LiveWorld):
    page = laptop_page("coach")
    page.goto(f"/manage/cohorts/{live_world.cohort_id}/gradebook")
    assert_in_view_without_page_scroll(page, "table.gradebook th.gradebook__module", 8)
    frame = page.locator(".grid-frame")
    assert frame.evaluate("f => f.scrollWidth <= f.clientWidth")
    # Every column's last cell too, not only the module headings.
    last = page.locator("table.gradebook tbody tr").first.locator("td").last
    box = last.bounding_box()
    assert box["x"] + box["width"] <= LAPTOP["width"]


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus in {limit} presses of Tab")


def grade_by_keyboard(page: Page) -> None:
    """Choose the third level of every criterion, type the feedback, save and go to the next."""
    criteria = page.locator("fieldset.rubric-criterion").count()
    assert criteria >= 2
    tab_to(page, "fieldset.rubric-criterion input[type=radio]")
    for index in range(criteria):
        page.keyboard.press("Space")  # the group's first level
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")  # its third level
        group = page.locator("fieldset.rubric-criterion").nth(index)
        expect(group.locator("input[type=radio]").nth(2)).to_be_checked()
        page.keyboard.press("Tab")  # the next criterion's group (the feedback after the last)
    # The score of the chosen levels shows before anything is saved.
    expected = page.evaluate(
        """() => [...document.querySelectorAll('input[type=radio]:checked')]
              .reduce((sum, r) => sum + Number(r.dataset.points), 0)"""
    )
    expect(page.locator('#live-score [data-live="score"]')).to_have_text(str(expected))
    expect(page.locator('#live-score [data-live="unsaved"]')).to_be_visible()
    assert_no_violation(page)  # with levels chosen and the live score shown
    assert page.evaluate("document.activeElement.name") == "feedback"
    page.keyboard.type(FEEDBACK)
    tab_to(page, "button[value=next]", limit=3)
    page.keyboard.press("Enter")


def test_a_trainer_grades_a_whole_queue_by_keyboard_only(laptop_page, live_world: LiveWorld):
    page = laptop_page("marker")
    page.goto("/manage/grading")
    rows = page.locator("#grading-queue tbody tr")
    expect(rows).to_have_count(2)
    names = [row.locator("td").nth(1).inner_text() for row in rows.all()]
    assert names == ["Fanny Première", "Sam Second"]  # oldest first
    assert_no_violation(page)  # the queue with work in it (the sweep sees it empty)
    tab_to(page, "#grading-queue button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/manage/grading/grades/\d+"))
    for name in names:
        expect(page.locator("h1")).to_contain_text(name)
        grade_by_keyboard(page)
    expect(page).to_have_url(re.compile(r"/manage/grading$"))
    expect(page.locator("body")).to_contain_text("Plus rien à corriger")
    page.goto("/manage/grading?state=graded")
    expect(page.locator("#grading-queue tbody tr")).to_have_count(2)
