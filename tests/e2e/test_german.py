"""Streamlit's own words in German: the hint under a text field of a form, the file uploader,
an empty date field, a multiselect and a dropdown without hits show no English.

Most of these texts are replaced by style rules (ui/german.py): the English stays in the page
as a text of size zero and the German is drawn after it. `inner_text` would still report the
English and miss the German, so the page is read as a person sees it: text of size zero left
out, the text of ::before and ::after put in, and nothing that is hidden or only for screen
readers."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from db.engine import read_session
from db.models import Forum
from tests.e2e.browser import new_page, snapshot
from tests.e2e.conftest import app_engine
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e
DATE_LABELS = (
    "Externe Frist (Abgabe beim Forum)",
    "Mitgliederfrist (leer: berechnet)",
    "Vorstandsfrist (leer: berechnet)",
)

# Every English text of Streamlit's widgets the pages below could show.
ENGLISH = (
    "Press Enter",
    "Press Ctrl+Enter",
    "Press ⌘+Enter",
    "submit form",
    "to apply",
    "Upload",
    "Browse files",
    "Drag and drop",
    "per file",
    "dd",
    "mm",
    "yyyy",
    "Choose an option",
    "Choose options",
    "No options to select",
    "No results",
    "Skip to main content",
)

# What a person sees: text nodes in rendered, non-zero-sized type, and the text of ::before
# and ::after. One line per element, so that "dd" is found as a word of its own.
_VISIBLE_TEXT = """() => {
  const lines = [];
  const shown = (element) => {
    if (!element.checkVisibility({ visibilityProperty: true, opacityProperty: true })) {
      return false;
    }
    const box = element.getBoundingClientRect();
    return box.width > 1 || box.height > 1;  // screen-reader-only text is a 1px box
  };
  const generated = (element, which) => {
    const content = getComputedStyle(element, which).content;
    return content.startsWith('"') ? JSON.parse(content) : "";
  };
  for (const element of document.body.querySelectorAll("*")) {
    if (!shown(element)) continue;
    const style = getComputedStyle(element);
    let own = generated(element, "::before");
    if (style.fontSize !== "0px") {
      for (const node of element.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) own += node.textContent;
      }
    }
    own += generated(element, "::after");
    if (own.trim()) lines.push(own.trim());
  }
  return lines.join("\\n");
}"""


def visible_text(page: Page) -> str:
    return str(page.evaluate(_VISIBLE_TEXT))


def placeholders(page: Page) -> list[str]:
    """The placeholders of the visible input fields (a multiselect's is one)."""
    return [
        str(value)
        for value in page.eval_on_selector_all(
            "input[placeholder], textarea[placeholder]",
            "fields => fields.filter(f => f.checkVisibility()).map(f => f.placeholder)",
        )
    ]


def assert_no_english(page: Page) -> None:
    text = visible_text(page)
    words = set(text.split())
    shown = [e for e in ENGLISH if (e in words if " " not in e and e.islower() else e in text)]
    assert shown == [], f"English on the page: {shown}\n{text}"
    english_placeholders = [p for p in placeholders(page) if p.startswith(("Choose", "No "))]
    assert english_placeholders == []


def forum_url(app_url: str, app_data: dict[str, str], short_name: str) -> str:
    engine = app_engine(app_data)
    with read_session(engine) as session:
        forum = session.exec(select(Forum).where(Forum.short_name == short_name)).one()
    engine.dispose()
    return f"{app_url}/forum?forum={forum.id}"


def signed_in(browser: Browser, url: str, email: str) -> Page:
    page = new_page(browser)
    page.goto(url)
    log_in(page, email)
    return page


def test_settings_form_and_file_uploader_speak_german(
    browser: Browser, app_url: str, screenshots: Path
) -> None:
    page = signed_in(browser, f"{app_url}/einstellungen", "admin@demo.example")
    expect(page.get_by_role("heading", name="Briefkopf der Word-Dokumente")).to_be_visible()
    expect(page.locator('[data-testid="stFileUploaderDropzone"]')).to_be_visible()
    page.get_by_label("Anschrift").click()
    page.keyboard.type(" ")
    expect(page.locator('[data-testid="InputInstructions"]')).to_be_visible()

    text = visible_text(page)
    assert "Strg+Enter zum Absenden" in text
    assert "Datei auswählen" in text and "oder hierher ziehen" in text
    assert_no_english(page)
    snapshot(page, screenshots / "german-1-settings.png")
    page.context.close()


def test_call_form_dates_multiselect_and_dropdown_speak_german(
    browser: Browser, app_url: str, app_data: dict[str, str], screenshots: Path
) -> None:
    page = signed_in(browser, forum_url(app_url, app_data, "TDA"), "referat@demo.example")
    page.get_by_role("tab", name="Aufrufe").click()
    page.get_by_text("Neuen Aufruf anlegen").click()
    title = page.get_by_role("textbox", name="Titel").last
    members = page.get_by_role("combobox", name="Ausgewählte Mitglieder")
    # Streamlit loads each kind of widget when first shown: wait until all of them are there.
    expect(members).to_be_visible()
    for label in DATE_LABELS:
        expect(page.get_by_role("group", name=label, exact=True)).to_be_visible()
    title.fill("Aufruf zur Batteriezellfertigung")
    expect(page.locator('[data-testid="InputInstructions"]')).to_be_visible()

    text = visible_text(page)
    assert "Enter zum Absenden" in text
    assert text.split().count("TT") == len(DATE_LABELS)
    assert text.split().count("JJJJ") == len(DATE_LABELS)
    assert_no_english(page)

    members.click()
    page.keyboard.type("Kein solches Unternehmen")
    expect(page.get_by_role("listbox")).to_be_visible()
    assert "Keine Treffer" in visible_text(page)
    assert_no_english(page)
    snapshot(page, screenshots / "german-2-call-form.png")
    page.context.close()
