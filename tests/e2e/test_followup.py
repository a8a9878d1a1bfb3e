"""Follow-up in the browser: staff record a forum's result, see the found passages, confirm
one and the adoption rate changes. And hostile text is shown as text, never run."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.e2e.browser import new_page, snapshot
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e
RESULT = (
    "Die Bundesregierung wird die Forschungszulage für Auftragsforschung an Zulieferer "
    "öffnen. Im Übrigen bleibt es bei den geltenden Regelungen zur Gewerbesteuer."
)


def open_forum_results(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/foren")
    log_in(page, "referat@demo.example")
    page.get_by_role("link", name="Transformationsdialog Automobilindustrie (TDA)").click()
    page.get_by_role("tab", name="Ergebnisse").click()
    expect(page.get_by_text("Wirkung unserer Kernforderungen")).to_be_visible()


def quote(page: Page) -> str:
    return page.get_by_test_id("stMetricValue").last.inner_text()


def test_staff_record_a_result_confirm_a_passage_and_the_rate_changes(
    page: Page, app_url: str, screenshots: Path
) -> None:
    open_forum_results(page, app_url)
    expect(page.get_by_test_id("stMetricValue").last).to_have_text("50 %")
    snapshot(page, screenshots / "result-1-before.png")
    page.get_by_text("Ergebnis erfassen").click()
    page.get_by_role("textbox", name="Titel").last.fill("Eckpunkte zur Forschungsförderung")
    page.get_by_role("textbox", name="… oder den Text hier einfügen").fill(RESULT)
    page.get_by_role("button", name="Ergebnis speichern und durchsuchen").click()
    confirm = page.get_by_role("button", name="Bestätigen")
    expect(confirm.first).to_be_visible()
    expect(
        page.get_by_text("Die Forschungszulage wird für Auftragsforschung").first
    ).to_be_visible()
    snapshot(page, screenshots / "result-2-found.png")
    confirm.first.click()
    expect(page.get_by_test_id("stMetricValue").last).to_have_text("75 %")
    snapshot(page, screenshots / "result-3-confirmed.png")


def test_hostile_text_is_shown_as_text_and_never_runs(
    browser: Browser, app_url: str, screenshots: Path
) -> None:
    page = new_page(browser, locale=None)
    alerts: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        alerts.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{app_url}/foren")
    log_in(page, "referat@demo.example")
    page.get_by_text("Neues Forum anlegen").click()
    payload = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'
    page.get_by_label("Name", exact=True).fill(f"Forum {payload}")
    page.get_by_label("Kurzname").fill("XSS")
    page.get_by_label("Beschreibung").fill(f"**fett** [Link](javascript:alert(3)) {payload}")
    page.get_by_role("button", name="Forum anlegen").click()
    expect(page.get_by_role("heading", name="Forum <img")).to_be_visible()
    expect(page.get_by_text("<script>window.__xss=2</script>").first).to_be_visible()
    snapshot(page, screenshots / "xss-1-forum.png")
    assert page.evaluate("window.__xss") is None
    assert page.locator("main img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert alerts == []
    page.context.close()
