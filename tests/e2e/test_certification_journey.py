"""The certification journey, in Chromium (issue 13, Acceptance).

Two trainers mark a file blind, two levels apart on one criterion; the third reader settles it;
a trainer releases the grade and the learner sees one result with one feedback. Then the three
members of a jury vote, the president closes the deliberation, the minutes download and pass
qpdf and pikepdf's PDF/A checks, and an administrator issues the certificate from the jury's
decision. Every step a person takes goes through the pages; the world (tests/e2e/
world_certification.py) only allocates the work and composes the jury.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from lms.certificates.models import Certificate, CertificationDecision
from lms.extensions import db
from tests.e2e.world import LiveWorld
from tests.e2e.world_certification import JURY_PEOPLE

FIRST_FEEDBACK = "Première lecture : une cartographie remarquable et très documentée."
SECOND_FEEDBACK = "Seconde lecture : un inventaire encore incomplet des acteurs."
SETTLED_FEEDBACK = "Décision du tiers lecteur : un diagnostic solide, à compléter sur un point."
REASON = "Les acteurs publics sont cités, les associations du quartier manquent."


@pytest.fixture
def pdf_tools():
    """Skip, saying why, where qpdf or pikepdf is missing (the other PDF tests do the same)."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed (apt-get install qpdf)")
    return qpdf, pytest.importorskip("pikepdf")


def open_from_queue(page: Page, world: LiveWorld, section: str) -> None:
    """Open the learner's marking from a section of the marking queue (« /marking »)."""
    page.goto("/marking")
    link = page.locator(f"#marking-{section} tbody tr a")
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(re.compile(r"/marking/\d+$"))
    expect(page.locator("h1")).to_contain_text("Lou Doublon")


def mark(page: Page, positions: list[int], feedback: str) -> None:
    """Choose the level at ``positions[i]`` (0-based) of criterion i, write, submit."""
    criteria = page.locator("#marking-form fieldset.rubric-criterion")
    expect(criteria.first).to_be_visible()
    assert criteria.count() == len(positions)
    for criterion, position in zip(criteria.all(), positions, strict=True):
        criterion.locator("input[type=radio]").nth(position).check()
    page.locator("#marking-form textarea[name=feedback]").fill(feedback)
    page.locator("#marking-form button[name=action][value=submit]").click()
    expect(page).to_have_url(re.compile(r"/marking$"))  # back to the queue
    expect(page.locator("#marking-to_mark tbody tr")).to_have_count(0)


def criteria_count(page: Page) -> int:
    return page.locator("#marking-form fieldset.rubric-criterion").count()


def double_mark_settle_and_release(page_as, world: LiveWorld) -> None:
    first = page_as("dm_first")
    open_from_queue(first, world, "to_mark")
    expect(first.locator("#marking-role")).to_have_text("Première correction")
    count = criteria_count(first)
    assert count >= 2
    mark(first, [2] * count, FIRST_FEEDBACK)
    expect(first.locator("#marking-waiting tbody tr")).to_have_count(1)

    second = page_as("dm_second")
    seen: list[str] = []  # every page the second marker got before submitting

    def keep(response) -> None:
        if "text/html" in response.headers.get("content-type", "") and response.status == 200:
            seen.append(response.text())

    second.on("response", keep)
    open_from_queue(second, world, "to_mark")
    expect(second.locator("#marking-role")).to_have_text("Seconde correction")
    assert FIRST_FEEDBACK not in second.content()
    second.goto(f"/manage/grading/grades/{world.double_marked_grade_id}")
    expect(second.locator("#marked-pending")).to_be_visible()  # blind: no result, no marking
    open_from_queue(second, world, "to_mark")
    second.remove_listener("response", keep)
    assert seen
    assert not any(FIRST_FEEDBACK in html for html in seen)
    mark(second, [0] + [2] * (count - 1), SECOND_FEEDBACK)  # two levels apart on the first

    third = page_as("dm_third")
    third.goto("/marking")
    expect(third.locator("#section-to_settle")).to_contain_text("À trancher")
    open_from_queue(third, world, "to_settle")
    disputed = third.locator("#settle-form fieldset.rubric-criterion")
    expect(disputed).to_have_count(1)  # only the criterion two levels apart
    expect(third.locator("#markings-side-by-side")).to_contain_text("Diane Première")
    disputed.locator("input[type=radio]").nth(1).check()
    disputed.locator("textarea").fill(REASON)
    third.locator("#settle-form textarea[name=feedback]").fill(SETTLED_FEEDBACK)
    third.locator("#settle-form button[type=submit]").click()
    expect(third).to_have_url(re.compile(r"/marking$"))
    expect(third.locator("#marking-done tbody tr")).to_have_count(1)
    third.locator("#marking-done tbody tr a").click()
    expect(third.locator("#marking-frozen")).to_contain_text("Note finale")

    releaser = page_as("dm_first")
    releaser.goto(f"/manage/grading/grades/{world.double_marked_grade_id}")
    releaser.locator("button[name=action][value=release]").click()
    expect(releaser.locator("#grade-state")).to_have_text("Publié")


def the_learner_sees_one_result(page_as, world: LiveWorld) -> None:
    learner = page_as("dm_learner")
    assert learner.goto(f"/assessments/{world.assessments['M2-A1']}/assignment").status == 200
    expect(learner.locator("#released-grade")).to_have_count(1)
    feedback = learner.locator(".released-grade__feedback")
    expect(feedback).to_have_count(1)
    expect(feedback).to_have_text(SETTLED_FEEDBACK)
    body = learner.locator("main").inner_text()
    assert FIRST_FEEDBACK not in body
    assert SECOND_FEEDBACK not in body


def vote_close_and_check_minutes(page_as, world: LiveWorld, qpdf: str, pikepdf, tmp_path):
    candidate = world.user_ids["jc_candidate"]
    for slug, *_seat in JURY_PEOPLE:
        member = page_as(slug)
        member.goto("/jury/")
        member.locator(f"a[href='/jury/{world.open_jury_id}']").first.click()
        member.locator(f"a[href$='/candidates/{candidate}']").click()
        expect(member.locator("[data-eligible=true]")).to_be_visible()
        member.locator("input[name=proposal][value=award_path]").check()
        member.locator("textarea[name=comment]").fill("Dossier complet, soutenance convaincante.")
        member.locator("#cast-vote").click()
        expect(member.locator(".flash--success")).to_contain_text(
            "Votre vote pour Capucine Candidate est enregistré."
        )

    president = page_as(JURY_PEOPLE[0][0])
    president.goto(f"/jury/{world.open_jury_id}")
    president.locator("#tally-link").click()
    row = president.locator(f"tr[data-candidate='{candidate}']")
    expect(row).to_have_attribute("data-decided", "true")
    expect(row.locator("td li")).to_have_count(3)
    president.locator("#close-jury").click()
    expect(president).to_have_url(f"{world.url}/jury/{world.open_jury_id}")
    expect(president.locator(".flash--success")).to_contain_text("La délibération est close")
    link = president.locator("a[href*='/minutes/']")
    expect(link).to_have_count(1)
    response = president.context.request.get(link.get_attribute("href"))
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("application/pdf")
    pdf = response.body()
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf)
    checked = subprocess.run(  # noqa: S603  a fixed system tool on a file we wrote
        [qpdf, "--check", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No syntax or stream encoding errors found" in checked.stdout
    with pikepdf.open(io.BytesIO(pdf)) as document:
        metadata = document.open_metadata()
        assert metadata["pdfaid:part"] == "3"
        assert metadata["pdfaid:conformance"] == "A"


def issue_from_the_decision(page_as, world: LiveWorld) -> None:
    candidate = world.user_ids["jc_candidate"]
    admin = page_as("admin")
    admin.goto(f"/admin/cohorts/{world.jury_cohort_id}/learners/{candidate}/certification")
    decided = admin.locator("[data-decision]").first  # the latest decision: the jury's
    expect(decided).to_have_attribute("data-decision", "awarded")
    expect(decided).to_contain_text("Pierre Président")
    expect(decided).to_contain_text("Décision du jury du ")
    admin.locator("#issue-path").click()
    expect(admin.locator("#issue-path")).to_have_count(0)
    assert isinstance(world.app, Flask)
    with world.app.app_context():
        certificate = db.session.scalar(db.select(Certificate).filter_by(learner_id=candidate))
        assert certificate is not None
        decision = db.session.get(CertificationDecision, certificate.decision_id)
        assert decision is not None
        assert decision.jury_id == world.open_jury_id
        assert decision.awards
        # The certificate states the day of that jury (« Décision du jury de certification du … »).
        assert decision.jury is not None
        assert certificate.document["jury_on"] == decision.jury.held_on.isoformat()
        code = certificate.code
    visitor = page_as("admin")
    visitor.goto(f"/verify/{code}")
    expect(visitor.locator("main")).to_contain_text("Capucine Candidate")


def test_two_markers_a_third_reader_a_jury_and_the_certificate(
    page_as, live_world: LiveWorld, pdf_tools, tmp_path
):
    qpdf, pikepdf = pdf_tools
    double_mark_settle_and_release(page_as, live_world)
    the_learner_sees_one_result(page_as, live_world)
    vote_close_and_check_minutes(page_as, live_world, qpdf, pikepdf, tmp_path)
    issue_from_the_decision(page_as, live_world)
