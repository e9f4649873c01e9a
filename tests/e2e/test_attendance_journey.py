"""An attendance sheet from start to end in two browsers: the trainer shows the code, a learner
signs with it, the trainer signs and closes the sheet and downloads its PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.helpers import log_in
from tests.e2e.world import LiveWorld


def pdf_text(data: bytes, tmp_path) -> str:
    binary = shutil.which("pdftotext")
    if binary is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    result = subprocess.run(  # noqa: S603  a fixed system tool on a file we wrote
        [binary, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(result.stdout.split())


def test_a_learner_signs_with_the_shown_code_and_the_trainer_closes(
    browser: Browser, live_world: LiveWorld, tmp_path
):
    session_id = live_world.attendance["journey_session"]
    sheet_id = live_world.attendance["journey_sheet"]
    trainer_context = browser.new_context(base_url=live_world.url, locale="fr-FR")
    learner_context = browser.new_context(
        base_url=live_world.url, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    try:
        trainer = trainer_context.new_page()
        log_in(trainer, live_world, "trainer")
        trainer.goto(f"/attendance/sessions/{session_id}/sheet")
        digits = trainer.locator("#code-digits")
        expect(digits).to_have_text(re.compile(r"^\d{3} \d{3}$"))
        expect(trainer.locator("#code-qr")).to_be_visible()
        code = digits.inner_text().replace(" ", "")

        learner = learner_context.new_page()
        log_in(learner, live_world, "journey")
        learner.goto(f"/attendance/sign/{sheet_id}")
        learner.locator("#code").fill(code)
        learner.locator("#sign-button").click()
        expect(learner.locator(".flash--success")).to_be_visible()
        expect(learner.locator("#my-record")).to_be_visible()
        expect(learner.locator("#sign-button")).to_have_count(0)

        trainer.reload()
        row = trainer.locator(f"#learner-{live_world.user_ids['journey']}")
        expect(row).to_have_attribute("data-status", "present")
        trainer.locator("#close-link").click()
        expect(trainer.locator("#close-sheet")).to_be_visible()
        trainer.locator("#close-sheet").click()
        expect(trainer.locator(".flash--success")).to_be_visible()
        expect(trainer.locator("#close-link")).to_have_count(0)
        expect(row).to_have_attribute("data-status", "present")
        with trainer.expect_download() as download_info:
            trainer.locator("#sheet-documents a").first.click()
        data = Path(download_info.value.path()).read_bytes()
        assert data.startswith(b"%PDF-")
        text = pdf_text(data, tmp_path)
        assert "Feuille d’émargement" in text
        assert "Jade Parcours" in text
        assert "Présent·e" in text
        assert "Feuille signée et close par Théo Formateur" in text
    finally:
        trainer_context.close()
        learner_context.close()
