"""Helpers of the browser tests: log in through the real form, switch the language."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.world import LiveWorld


def log_in(page: Page, world: LiveWorld, slug: str) -> None:
    """Log ``slug`` in through the login form and wait for the page it leads to."""
    page.goto("/login")
    page.locator("#email").fill(world.emails[slug])
    page.locator("#password").fill(world.password)
    page.locator("form[action^='/login'] [type=submit]").click()
    expect(page).not_to_have_url(f"{world.url}/login")
    if slug in world.totp_secrets:  # the second step: a code of the authenticator app
        expect(page).to_have_url(f"{world.url}/login/two-factor")
        page.locator("#code").fill(pyotp.TOTP(world.totp_secrets[slug]).now())
        page.locator("form[action^='/login/two-factor'] [type=submit]").click()
        expect(page).not_to_have_url(re.compile("/login"))


def choose_language(page: Page, locale: str) -> None:
    """Press the footer's button of ``locale`` and wait until the page speaks it."""
    page.locator(f".language-switcher button[lang={locale}]").click()
    expect(page.locator("html")).to_have_attribute("lang", locale)
