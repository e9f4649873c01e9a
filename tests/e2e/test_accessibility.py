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

    person: str | None  # None: a visitor who is not logged in
    url: str
    status: int = 200
    endpoint: str | None = None
    lands_on: str | None = None  # where the address leads, when it redirects


PAGES = {
    # A learner
    "dashboard": lambda w: Checked("reader", "/dashboard"),
    "module": lambda w: Checked("reader", f"/modules/{w.modules['M2']}"),
    "lesson": lambda w: Checked(
        "reader", f"/modules/{w.modules['M2']}/lessons/{w.lessons['M2'][0]}"
    ),
    "locked-module": lambda w: Checked("reader", f"/modules/{w.modules['M5']}", 403),
    "competencies": lambda w: Checked("reader", "/competencies", endpoint="learning.competencies"),
    "schedule": lambda w: Checked("reader", "/schedule"),
    "my-project": lambda w: Checked(
        "reader", "/projects", lands_on=f"/projects/{w.projects['project']}"
    ),
    "project": lambda w: Checked("reader", f"/projects/{w.projects['project']}"),
    "project-edit": lambda w: Checked("reader", f"/projects/{w.projects['project']}/edit"),
    "project-declare": lambda w: Checked(
        "visitor", f"/projects/cohorts/{w.projects['cohort']}/new"
    ),
    "project-evaluation": lambda w: Checked(
        "trainer", f"/projects/{w.projects['project']}/evaluations/ex_post"
    ),
    "cohort-projects": lambda w: Checked(
        "trainer", f"/manage/cohorts/{w.projects['cohort']}/projects"
    ),
    "my-positioning": lambda w: Checked(
        "reader", "/positioning", lands_on=f"/positioning/cohorts/{w.cohort_id}"
    ),
    "positioning-reviewed": lambda w: Checked("advanced", f"/positioning/cohorts/{w.cohort_id}"),
    "cohort-positioning": lambda w: Checked("coach", f"/manage/cohorts/{w.cohort_id}/positioning"),
    "learner-positioning": lambda w: Checked(
        "coach", f"/manage/cohorts/{w.cohort_id}/positioning/{w.user_ids['reader']}"
    ),
    "quiz": lambda w: Checked("examinee", f"/assessments/{w.assessments['M1-Q1']}/quiz"),
    "quiz-attempt": lambda w: Checked(
        "candidate", f"/assessments/{w.assessments['M1-Q1']}/quiz/attempts/{w.attempts['open']}"
    ),
    "quiz-review": lambda w: Checked(
        "examinee",
        f"/assessments/{w.assessments['M1-Q1']}/quiz/attempts/{w.attempts['submitted']}/review",
    ),
    "assignment": lambda w: Checked(
        "candidate", f"/assessments/{w.assessments['M1-A1']}/assignment"
    ),
    "evaluation": lambda w: Checked(
        "laureate", f"/assessments/{w.assessments['M5-E1']}/evaluation"
    ),
    "my-certificates": lambda w: Checked("laureate", "/certificates"),
    "my-dossier": lambda w: Checked("laureate", "/my/dossier/"),
    "password": lambda w: Checked("reader", "/account/password"),
    "sessions": lambda w: Checked("reader", "/account/sessions"),
    "two-factor-enrolment": lambda w: Checked("reader", "/account/two-factor"),
    "calendar": lambda w: Checked("reader", "/account/calendar"),
    "reminders": lambda w: Checked("reader", "/account/reminders"),
    "not-found": lambda w: Checked("reader", "/modules/999999", 404),
    # An external assessor
    "assessor-dashboard": lambda w: Checked("external", "/dashboard"),
    # A trainer
    "my-cohorts": lambda w: Checked("coach", "/manage/cohorts/"),
    "heatmap": lambda w: Checked("coach", f"/manage/cohorts/{w.cohort_id}/progress"),
    "learner-page": lambda w: Checked(
        "coach", f"/manage/cohorts/{w.cohort_id}/learners/{w.user_ids['reader']}"
    ),
    "gradebook": lambda w: Checked("coach", f"/manage/cohorts/{w.cohort_id}/gradebook"),
    "cohort-sessions": lambda w: Checked("coach", f"/manage/cohorts/{w.cohort_id}/sessions"),
    "session-new": lambda w: Checked("coach", f"/manage/cohorts/{w.cohort_id}/sessions/new"),
    "session-edit": lambda w: Checked("coach", f"/manage/sessions/{w.session_id}/edit"),
    "sessions-import": lambda w: Checked("coach", f"/manage/cohorts/{w.cohort_id}/sessions/import"),
    "grading-queue": lambda w: Checked("assessor", "/manage/grading"),
    "grading": lambda w: Checked("assessor", f"/manage/grading/grades/{w.grade_id}"),
    "extensions": lambda w: Checked(
        "assessor",
        f"/manage/cohorts/{w.certified_cohort_id}/assessments/{w.assessments['M1-A1']}/extensions",
    ),
    "grading-page": lambda w: Checked("coach", f"/manage/grading/grades/{w.released_grade_id}"),
    "marking-queue": lambda w: Checked("assessor", "/marking"),
    "marking": lambda w: Checked("assessor", f"/marking/{w.marking_id}"),
    "marking-allocations": lambda w: Checked(
        "assessor",
        f"/manage/marking/cohorts/{w.certified_cohort_id}/assessments/{w.assessments['M2-E1']}",
    ),
    # An administrator
    "admin": lambda w: Checked("admin", "/admin/"),
    "admin-users": lambda w: Checked("admin", "/admin/users"),
    "admin-user-new": lambda w: Checked("admin", "/admin/users/new"),
    "admin-user-edit": lambda w: Checked("admin", f"/admin/users/{w.user_ids['reader']}/edit"),
    "admin-audit": lambda w: Checked("admin", "/admin/audit"),
    "admin-cohorts": lambda w: Checked("admin", "/admin/cohorts/"),
    "admin-cohort-new": lambda w: Checked("admin", "/admin/cohorts/new"),
    "admin-cohort-edit": lambda w: Checked("admin", f"/admin/cohorts/{w.cohort_id}/edit"),
    "admin-calendar": lambda w: Checked("admin", f"/admin/cohorts/{w.cohort_id}/calendar"),
    "admin-members": lambda w: Checked("admin", f"/admin/cohorts/{w.cohort_id}/members"),
    "admin-import": lambda w: Checked("admin", "/admin/cohorts/import"),
    "admin-certificates": lambda w: Checked("admin", "/admin/certificates"),
    "admin-certificate": lambda w: Checked("admin", f"/admin/certificates/{w.certificate_id}"),
    "admin-eligibility": lambda w: Checked(
        "admin", f"/admin/cohorts/{w.certified_cohort_id}/eligibility"
    ),
    "admin-certification": lambda w: Checked(
        "admin",
        f"/admin/cohorts/{w.certified_cohort_id}/learners/{w.user_ids['laureate']}/certification",
    ),
    "admin-batch": lambda w: Checked("admin", f"/admin/certificate-batches/{w.batch_id}"),
    "admin-realisation": lambda w: Checked(
        "admin", f"/admin/cohorts/{w.certified_cohort_id}/realisation"
    ),
    "admin-realisation-learner": lambda w: Checked(
        "admin",
        f"/admin/cohorts/{w.certified_cohort_id}/learners/{w.user_ids['laureate']}/realisation",
    ),
    "territory-dashboard": lambda w: Checked(
        "admin", f"/admin/dashboard/territories/{w.territory_id}"
    ),
    "territories-dashboard": lambda w: Checked("admin", "/admin/dashboard/territories/"),
    # Quality indicators: a local administrator's page, the publication, a cohort's withdrawals
    "quality-indicators": lambda w: Checked("territorial", "/admin/quality/indicators"),
    "quality-publication": lambda w: Checked("admin", "/admin/quality/indicators/publication"),
    "withdrawals": lambda w: Checked("admin", f"/admin/cohorts/{w.cohort_id}/withdrawals"),
    "two-factor-settings": lambda w: Checked("admin", "/account/two-factor"),
    "admin-retention": lambda w: Checked("admin", "/admin/retention/"),
    "admin-dossiers": lambda w: Checked(
        "admin", f"/admin/cohorts/{w.certified_cohort_id}/dossiers"
    ),
    "admin-juries": lambda w: Checked("admin", f"/admin/cohorts/{w.certified_cohort_id}/juries"),
    # Territories and the organisation; a local administrator's home
    "admin-organisation": lambda w: Checked("admin", "/admin/organisation"),
    "admin-territories": lambda w: Checked("admin", "/admin/territories"),
    "admin-territory-new": lambda w: Checked("admin", "/admin/territories/new"),
    "admin-territory": lambda w: Checked("admin", f"/admin/territories/{w.territory_id}"),
    "my-territories": lambda w: Checked("territorial", "/my-territories"),
    "admin-jury": lambda w: Checked("admin", f"/admin/juries/{w.jury_id}"),
    # A jury member (the president of the certified cohort's jury)
    "my-juries": lambda w: Checked("juror", "/jury/"),
    "jury": lambda w: Checked("juror", f"/jury/{w.jury_id}"),
    "jury-candidate": lambda w: Checked(
        "juror", f"/jury/{w.jury_id}/candidates/{w.user_ids['laureate']}"
    ),
    "jury-tally": lambda w: Checked("juror", f"/jury/{w.jury_id}/tally"),
    # Attendance sheets: the trainer's sheet with the code, a closed one, the learner's signing
    "attendance-cohort": lambda w: Checked("trainer", f"/cohorts/{w.cohort_id}/attendance"),
    "attendance-sheet": lambda w: Checked(
        "trainer", f"/attendance/sessions/{w.attendance['open_session']}/sheet"
    ),
    "attendance-close": lambda w: Checked(
        "trainer", f"/attendance/sessions/{w.attendance['open_session']}/close"
    ),
    "attendance-closed-sheet": lambda w: Checked(
        "admin", f"/attendance/sessions/{w.attendance['closed_session']}/sheet"
    ),
    "attendance-sign": lambda w: Checked(
        "reader", f"/attendance/sign/{w.attendance['open_sheet']}"
    ),
    # Anyone
    "verification": lambda w: Checked(None, f"/verify/{w.certificate_code}"),
    "verification-unknown": lambda w: Checked(None, "/verify/NO-SUCH-CODE", 404),
    "verification-by-file": lambda w: Checked(None, "/verify/check"),
    "results": lambda w: Checked(None, "/results"),
    "forgot-password": lambda w: Checked(None, "/password/forgot"),
    # The later ex post evaluation: the person invited (no account), and its set-up page.
    "my-surveys": lambda w: Checked("reader", "/surveys"),
    "survey-form": lambda w: Checked("reader", f"/surveys/{w.surveys['module_campaign']}"),
    "cohort-surveys": lambda w: Checked("trainer", f"/manage/cohorts/{w.cohort_id}/surveys"),
    "survey-results": lambda w: Checked(
        "trainer", f"/manage/surveys/campaigns/{w.surveys['module_campaign']}"
    ),
    "survey-contacts": lambda w: Checked(
        "trainer", f"/manage/surveys/campaigns/{w.surveys['funder_campaign']}"
    ),
    "survey-link": lambda w: Checked(None, f"/surveys/link/{w.surveys['token']}"),
    "survey-link-used": lambda w: Checked(None, f"/surveys/link/{w.surveys['used_token']}", 410),
    "project-link": lambda w: Checked(None, f"/projects/evaluate/{w.project_links['token']}"),
    "project-link-used": lambda w: Checked(
        None, f"/projects/evaluate/{w.project_links['used_token']}", 410
    ),
    "project-later-evaluation": lambda w: Checked(
        "trainer", f"/projects/{w.project_links['project_id']}/later-evaluation"
    ),
    "reset-password": lambda w: Checked(
        None, f"/password/reset/{w.reset_token}", lands_on="/password/reset/choose"
    ),
}
# Addresses that answer no HTML page (files, CSV, JSON, probes), or only redirect elsewhere.
NOT_PAGES = {
    "admin.audit_csv",
    "assignments.download",
    "calendar.feed",  # iCalendar text for calendar applications
    "attendance_sheets.code_json",
    "attendance_sheets.document",
    "attendance_sheets.supporting_file",
    "certificates.verify_json",
    "credentials.credential",  # Open Badges credentials and the issuer's documents: JSON-LD
    "credentials.issuer",
    "credentials.status_list",
    "credentials.verification_method",
    "certificates_admin.download",
    "certificates_admin.eligibility_csv",
    "gradebook.export",
    "jury.candidate_file",
    "jury.minutes",
    "jury_admin.minutes",
    "health.healthz",
    "health.readyz",
    "learning.home",  # redirects to the dashboard (or the login page)
    "learning_manage.progress_csv",
    "my_certificates.download",
    "my_certificates.badge",  # the learner's badge, a JSON file
    "my_realisation.my_download",
    "my_dossiers.download",  # a ZIP
    "dossiers_admin.download",  # a ZIP
    "realisation_admin.download",
    "territory_dashboard.overall_csv",
    "territory_dashboard.show_csv",
    "quality_indicators.export",
    "surveys_manage.export",
    "public_results.export",
    "public_results.export_json",
    "static",
}
# Checked by the tests below, with what leads to them (a form error, a pending login).
OWN_TESTS = {"accounts.login", "accounts.login_two_factor"}


def violations_report(violations: list[dict]) -> str:
    """Describe each violation: its rule, help text and the elements at fault."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_no_violation(page: Page) -> None:
    """Run axe-core on the page as it is now; fail with the violations' details.

    Then what axe leaves out: an id given twice, a label whose ``for`` names no form field.
    """
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, "\n" + violations_report(violations)
    assert page.evaluate(DUPLICATE_IDS) == [], "ids given to more than one element"
    assert page.evaluate(ORPHAN_LABELS) == [], "labels whose for names no form field"
    assert page.evaluate(NAMES_WITHOUT_LABEL) == [], "names that do not contain the visible text"


DUPLICATE_IDS = """() => {
    const seen = new Map();
    for (const element of document.querySelectorAll("[id]")) {
        seen.set(element.id, (seen.get(element.id) || 0) + 1);
    }
    return [...seen].filter(([, count]) => count > 1).map(([id]) => id);
}"""
# WCAG 2.5.3 (label in name): a control named by aria-label says its visible words too.
NAMES_WITHOUT_LABEL = """() => {
    const words = (text) => text.replace(/\\s+/g, " ").trim().toLowerCase();
    return [...document.querySelectorAll("a[aria-label], button[aria-label]")]
        .filter((control) => !words(control.ariaLabel).includes(words(control.innerText)))
        .map((control) => `${control.innerText} / ${control.ariaLabel}`);
}"""
ORPHAN_LABELS = """() => {
    const FIELDS = "input:not([type=hidden]), select, textarea, button, meter, output, progress";
    return [...document.querySelectorAll("label[for]")]
    .filter((label) => {
        const target = document.getElementById(label.htmlFor);
        return !target || !target.matches(FIELDS);
    })
    .map((label) => label.htmlFor);
}"""


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_has_no_wcag_violation(
    request, page_as, browser: Browser, live_world: LiveWorld, name: str, locale: str
):
    checked = PAGES[name](live_world)
    if checked.endpoint and checked.endpoint not in live_world.endpoints:
        pytest.skip(f"the {name} page ({checked.endpoint}) does not exist yet")
    if checked.person is None:  # a visitor's language is their browser's
        context = browser.new_context(base_url=live_world.url, locale=BROWSER_LOCALES[locale])
        request.addfinalizer(context.close)
        page = context.new_page()
        assert page.goto(checked.url).status == checked.status
    else:
        page = page_as(checked.person)
        assert page.goto(checked.url).status == checked.status
        # The switcher brings the same page back, in that language.
        choose_language(page, locale)
    assert page.url == live_world.url + (checked.lands_on or checked.url)
    assert page.locator("html").get_attribute("lang") == locale
    assert_no_violation(page)
    if checked.person is not None and locale != "fr":
        # The choice is saved on the account: give the live world's people their French back,
        # the language the other browser tests (which share this world) read.
        choose_language(page, "fr")


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


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_second_step_of_login_has_no_wcag_violation(
    browser: Browser, live_world: LiveWorld, locale: str
):
    context = browser.new_context(base_url=live_world.url, locale=BROWSER_LOCALES[locale])
    try:
        page = context.new_page()
        page.goto("/login")
        page.locator("#email").fill(live_world.emails["admin"])
        page.locator("#password").fill(live_world.password)
        page.locator("form[action^='/login'] [type=submit]").click()
        page.wait_for_url(f"{live_world.url}/login/two-factor")
        assert_no_violation(page)
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_calendar_page_showing_a_new_address_has_no_wcag_violation(
    page_as, live_world: LiveWorld, locale: str
):
    page = page_as("coach")
    page.goto("/account/calendar")
    choose_language(page, locale)
    page.locator("form[action='/account/calendar'] [type=submit]").click()
    page.locator("#calendar-url").wait_for()
    assert "/calendar/" in page.locator("#calendar-url").input_value()
    assert_no_violation(page)


def test_every_page_is_swept(live_world: LiveWorld):
    """Each GET address of the application is a page of the sweep, or said not to be one."""
    adapter = live_world.url_map.bind("127.0.0.1")
    swept = {adapter.match(PAGES[name](live_world).url, method="GET")[0] for name in PAGES}
    assert swept.isdisjoint(NOT_PAGES)
    pages = {
        rule.endpoint for rule in live_world.url_map.iter_rules() if "GET" in (rule.methods or ())
    }
    missing = pages - swept - NOT_PAGES - OWN_TESTS
    assert missing == set(), "add these pages to the sweep (or to NOT_PAGES, saying why)"
