"""What every browser test shares: timeouts generous enough for a busy 2-core machine, pages
in browser contexts of their own, and waiting on a condition (never on the clock alone)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# Playwright's own defaults (5 s for `expect`, 30 s for actions) fail on a loaded machine: the
# first page of a fresh server imports the whole app, and a rerun may wait for a free core.
EXPECT_TIMEOUT_MS = 30_000  # expect(...) assertions
ACTION_TIMEOUT_MS = 45_000  # clicks, fills, downloads, wait_for_function
NAVIGATION_TIMEOUT_MS = 60_000  # page.goto and friends
SCREENSHOT_TIMEOUT_MS = 20_000  # the first try of a screenshot (see `snapshot`)

T = TypeVar("T")


def new_page(browser: Browser, *, height: int = 1400, locale: str | None = "de-DE") -> Page:
    """A page in a browser context of its own (cookies, session), with the suite's timeouts.
    Close it with `page.context.close()`."""
    context = browser.new_context(viewport={"width": 1280, "height": height}, locale=locale)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return context.new_page()


def snapshot(page: Page, path: Path) -> None:
    """A full-page screenshot for people to look at afterwards. Chromium can stall a capture
    that a navigation or a rerun's repaint interrupts; the page is then captured once more
    after it has loaded (a second stall fails the test)."""
    try:
        page.screenshot(path=path, full_page=True, timeout=SCREENSHOT_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        page.wait_for_load_state("load")
        page.screenshot(path=path, full_page=True)


def wait_until(
    condition: Callable[[], T],
    *,
    timeout: float,
    what: str,
    explain: Callable[[], object] = str,
    interval: float = 0.2,
) -> T:
    """Poll `condition` until it returns something true and return that; fail the test naming
    `what` (and what `explain` then tells) if it has not within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            pytest.fail(f"{what}: not so within {timeout:.0f} s\n{explain()}")
        time.sleep(interval)


def saved_text(page: Page, text: str) -> Locator:
    """`text` shown as page text (markdown), not as the value of a form still open."""
    return page.locator('[data-testid="stMarkdownContainer"]', has_text=text).first


def open_editor(page: Page, *, attempts: int = 3) -> Locator:
    """Click the first paragraph's "Bearbeiten" until its editor is there; its text field.

    A click that reaches the page while Streamlit is still sending the last run can be
    dropped; the button then still stands and is clicked again (a second click that does
    arrive only opens the same editor)."""
    editor = page.get_by_role("textbox", name="Text").first
    for _ in range(attempts):
        button = page.get_by_role("button", name="Bearbeiten").first
        if button.is_visible():
            button.click()
        try:
            expect(editor).to_be_visible(timeout=15_000)
            return editor
        except AssertionError:
            continue
    expect(editor).to_be_visible()
    return editor
