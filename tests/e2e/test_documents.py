"""A paper leaves as Word and PDF and comes back edited: staff download both from the
browser, a colleague changes a paragraph in Word, and the upload proposes exactly that change
against the version that was sent."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from exports.document import ExportOrigin
from exports.roundtrip import read_returned_file
from tests.e2e.browser import snapshot
from tests.e2e.test_papers import open_as, paper_url
from tests.word_edits import retype_paragraph

pytestmark = pytest.mark.e2e
GWD_PAPER = "Beitrag zu den industriepolitischen Leitlinien des Fachforums"


def test_staff_download_word_and_pdf_and_read_an_edited_copy_back(
    browser: Browser,
    app_url: str,
    app_data: dict[str, str],
    screenshots: Path,
    tmp_path: Path,
) -> None:
    url = paper_url(app_url, app_data, GWD_PAPER)
    paper_id = int(url.rsplit("=", 1)[1])
    page = open_as(browser, url, "referat@demo.example", GWD_PAPER)
    page.get_by_role("tab", name="Dokumente").click()

    with page.expect_download() as word_download:
        page.get_by_role("button", name="Word (.docx)").click()
    exported = Path(word_download.value.path()).read_bytes()
    assert read_returned_file(exported).origin == ExportOrigin(paper_id, 1)

    page.get_by_role("button", name="PDF erstellen").click()
    with page.expect_download(timeout=120_000) as pdf_download:
        page.get_by_role("button", name="PDF", exact=True).click(timeout=120_000)
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")

    # A wrong file gets our German message, not the upload widget's English one.
    notes = tmp_path / "Notizen.txt"
    notes.write_text("Anmerkungen des Ministeriums", encoding="utf-8")
    page.locator("input[type=file]").last.set_input_files(notes)
    expect(page.get_by_text("Bitte laden Sie")).to_be_visible()

    returned = tmp_path / "Leitlinien_Anmerkungen.docx"
    returned.write_bytes(retype_paragraph(exported, "Vom Ministerium neu gefasst."))
    page.locator("input[type=file]").last.set_input_files(returned)
    expect(page.get_by_text("Verglichen mit: Vorlage für den Vorstand vom")).to_be_visible()
    expect(page.get_by_text("Vom Ministerium neu gefasst.")).to_be_visible()
    snapshot(page, screenshots / "documents-1-returned.png")
    page.get_by_text("übernehmen", exact=True).first.click()
    page.get_by_role("button", name="Ausgewählte Änderungen übernehmen").click()
    # The toast may be gone by now; the header shows the new version for good.
    expect(page.get_by_text("GWD-FA · Fassung 2")).to_be_visible()
    expect(page.get_by_text("Verglichen mit:")).to_have_count(0)  # the file is dealt with
    expect(page.get_by_role("combobox", name="Fassung")).to_have_value(
        "Fassung 2 – Rücklauf aus Leitlinien_Anmerkungen.docx"
    )
    page.context.close()
