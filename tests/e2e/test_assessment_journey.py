"""The assessments' journey, in Chromium: a quiz failed then passed, a work graded and released."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import choose_language
from tests.e2e.world import LiveWorld

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FEEDBACK = "Une cartographie claire et bien argumentée."


def open_assessment(
    page: Page, world: LiveWorld, module: str, kind: str, code: str | None = None
) -> None:
    """Open the page of the ``kind`` (quiz or assignment) of a module from the module's page:
    the assessment ``code`` (M1 has the entry quiz before its own), or the first of its kind."""
    page.goto(f"/modules/{world.modules[module]}")
    assessment = f"/assessments/{world.assessments[code]}" if code else ""
    page.locator(f"a[href$='{assessment}/{kind}']").first.click()
    expect(page).to_have_url(re.compile(f"/{kind}$"))


def answer_quiz(page: Page, world: LiveWorld, *, right: bool) -> None:
    """Start an attempt, tick the right options (or one wrong option per question), submit."""
    page.get_by_role("button", name="Start an attempt").click()
    for question in page.locator("fieldset").all():
        options = question.locator("input").all()
        wanted = [o for o in options if world.quiz_key[int(o.get_attribute("value"))] == right]
        for option in wanted if right else wanted[:1]:
            option.check()
    page.get_by_role("button", name="Submit the attempt").click()


def test_a_learner_passes_a_quiz_and_gets_a_graded_work(page_as, live_world: LiveWorld):
    learner = page_as("assessed")
    learner.goto("/dashboard")
    choose_language(learner, "en")
    open_assessment(learner, live_world, "M1", "quiz", "M1-Q1")
    answer_quiz(learner, live_world, right=False)
    open_assessment(learner, live_world, "M1", "quiz", "M1-Q1")
    expect(learner.locator(".page-head .badge")).to_have_text("Not passed yet")
    answer_quiz(learner, live_world, right=True)
    open_assessment(learner, live_world, "M1", "quiz", "M1-Q1")
    expect(learner.locator(".page-head .badge")).to_have_text("Passed")
    expect(learner.locator("tr[data-attempt]")).to_have_count(2)

    open_assessment(learner, live_world, "M1", "assignment")
    learner.locator("input[type=file]").set_input_files(
        {"name": "vision.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    learner.get_by_role("button", name="Submit", exact=True).click()
    expect(learner.locator("#assignment-history")).to_contain_text("vision.pdf")

    trainer = page_as("grader")
    trainer.goto("/dashboard")
    choose_language(trainer, "en")
    trainer.goto("/manage/grading")
    row = trainer.locator(f"#grading-queue tr[data-learner='{live_world.user_ids['assessed']}']")
    row.get_by_role("button", name=re.compile("^Grade")).click()
    criteria = trainer.locator("fieldset.rubric-criterion")
    expect(criteria.first).to_be_visible()
    competency = criteria.first.locator("legend .muted").inner_text().strip("()")
    for criterion in criteria.all():
        criterion.get_by_role("radio").last.click()
    trainer.locator("textarea").fill(FEEDBACK)
    trainer.get_by_role("button", name="Save and mark graded").click()
    trainer.get_by_role("button", name="Release to the learner").click()
    expect(trainer.locator("#grade-state")).to_have_text("Released")

    open_assessment(learner, live_world, "M1", "assignment")
    result = learner.locator("#released-grade")
    expect(result).to_contain_text("Passed")
    expect(result.locator(".released-grade__feedback")).to_have_text(FEEDBACK)
    learner.goto("/competencies")
    line = learner.locator(f"tr[data-competency='{competency}']")
    expect(line).to_have_count(1)
    expect(line.locator("td[data-label='Current level']")).not_to_have_text("No evidence yet")
