"""Unsaved text survives a reload, in the real app and headless Chromium: what a member types
into the statement and what staff type into a paragraph is kept in the browser, offered
after a reload, restored, and deleted by a save; only the person who typed it is offered it;
logging out deletes everything the site stored in the browser."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col

import demo
from db.engine import write_session
from db.models import LoginSession
from positions.core.clock import utcnow
from tests.e2e.browser import new_page, open_editor, saved_text, snapshot, wait_until
from tests.e2e.conftest import app_engine
from tests.e2e.test_journeys import log_in
from tests.e2e.test_papers import TDA_PAPER, paper_url
from tests.e2e.test_sessions import wait_for_cookie

pytestmark = pytest.mark.e2e

PREFIX = "positionen:entwurf:"
OFFER = "Nicht gespeicherter Text vom"


@pytest.fixture
def database(app_data: dict[str, str]) -> Engine:
    return app_engine(app_data)


def stored_drafts(page: Page) -> dict[str, str]:
    """The drafts in the browser's storage: key -> text."""
    return dict(
        page.evaluate(
            """prefix => Object.fromEntries(Object.keys(localStorage)
                .filter(key => key.startsWith(prefix))
                .map(key => [key, JSON.parse(localStorage.getItem(key)).text]))""",
            PREFIX,
        )
    )


def keeping_drafts(page: Page) -> None:
    """Wait until the page keeps what is typed: the draft keeper mounts a moment after the
    form, later on a busy machine, and typing before that is not kept (as for a person)."""
    expect(page.locator("html[data-positionen-entwurf='bereit']")).to_have_count(1)


def wait_for_drafts(page: Page, expected: set[str], what: str) -> dict[str, str]:
    """Wait until the stored drafts hold exactly the texts `expected`; the drafts."""
    wait_until(
        lambda: set(stored_drafts(page).values()) == expected,
        timeout=30,
        what=what,
        explain=lambda: stored_drafts(page),
    )
    return stored_drafts(page)


def offer(page: Page) -> Locator:
    return page.get_by_text(OFFER)


def idle_out(page: Page, database: Engine) -> None:
    """As if the browser had slept for two hours: the next page load finds the session over."""
    with write_session(database) as session:
        session.exec(
            update(LoginSession)
            .where(col(LoginSession.ended_at).is_(None))
            .values(last_seen_at=utcnow() - timedelta(hours=2))
        )
    page.reload()
    expect(page.get_by_text("ohne Aktivität abgemeldet")).to_be_visible()


def test_a_members_unsaved_statement_survives_a_reload_and_logout_deletes_it(
    page: Page, app_url: str, screenshots: Path
) -> None:
    page.goto(f"{app_url}/?einladung={demo.DEMO_INVITATION_TOKEN}")
    expect(page.get_by_text("über Einladungslink")).to_be_visible()
    wait_for_cookie(page.context)
    page.get_by_role("link", name="Aufruf öffnen").click()
    editor = page.get_by_role("textbox", name="Ihre Stellungnahme")
    expect(editor).to_be_visible()
    saved = editor.input_value()

    typed = "Ergänzung: Bürgschaftsrahmen verdoppeln, Antragsfristen halbieren."
    keeping_drafts(page)
    editor.fill(typed)
    [key] = wait_for_drafts(page, {typed}, "the typed statement kept in the browser")
    assert re.fullmatch(rf"{PREFIX}u\d+:stellungnahme:\d+", key)

    page.reload()
    expect(offer(page)).to_be_visible()
    expect(editor).to_have_value(saved)  # nothing replaced before the member decides
    snapshot(page, screenshots / "drafts-1-statement-offer.png")
    page.get_by_role("button", name="Wiederherstellen").click()
    expect(offer(page)).to_have_count(0)
    # While the run is going, the form can still stand at its old place as well.
    expect(editor).to_have_count(1)
    expect(editor).to_have_value(typed)

    page.get_by_role("button", name="Änderungen einreichen").click()
    wait_for_drafts(page, set(), "the draft deleted after the save")
    page.reload()
    expect(editor).to_have_value(typed)  # now the stored statement
    expect(offer(page)).to_have_count(0)

    keeping_drafts(page)
    editor.fill(typed + " Und noch ein Satz.")
    wait_for_drafts(page, {typed + " Und noch ein Satz."}, "the second draft kept")
    page.evaluate("localStorage.setItem('positionen:probe', 'x')")
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_label("E-Mail")).to_be_visible()
    wait_for_cookie(page.context, present=False)
    assert stored_drafts(page) == {}
    # Not only the drafts: the Clear-Site-Data header emptied the site's storage (which the
    # login page then starts to fill again, with Streamlit's theme).
    assert "positionen:probe" not in page.evaluate("Object.keys(localStorage)")


def test_a_paragraph_draft_survives_a_reload_and_an_ended_session_for_its_author_only(
    browser: Browser, app_url: str, app_data: dict[str, str], database: Engine, screenshots: Path
) -> None:
    url = paper_url(app_url, app_data, TDA_PAPER)
    page = new_page(browser, height=1600)
    page.goto(url)
    log_in(page, "referat@demo.example")
    expect(page.get_by_role("heading", name=TDA_PAPER)).to_be_visible()
    editor = open_editor(page)

    typed = "Der Fonds soll auch Minderheitsbeteiligungen eingehen dürfen."
    keeping_drafts(page)
    editor.fill(typed)
    [key] = wait_for_drafts(page, {typed}, "the typed paragraph kept in the browser")
    assert re.fullmatch(rf"{PREFIX}u\d+:absatz:\d+", key)

    page.reload()
    expect(offer(page)).to_be_visible()  # before any editor is open
    expect(page.get_by_role("textbox", name="Text")).to_have_count(0)
    snapshot(page, screenshots / "drafts-2-paragraph-offer.png")
    page.get_by_role("button", name="Wiederherstellen").click()
    editor = page.get_by_role("textbox", name="Text").first
    expect(editor).to_have_value(typed)
    page.get_by_role("button", name="Speichern").first.click()
    expect(saved_text(page, typed)).to_be_visible()
    wait_for_drafts(page, set(), "the draft deleted after the save")

    editor = open_editor(page)
    keeping_drafts(page)
    editor.fill("Noch nicht gespeichert.")
    wait_for_drafts(page, {"Noch nicht gespeichert."}, "the second draft kept")
    idle_out(page, database)

    # A colleague signing in on the same browser (the login leads back to the paper) is not
    # offered it.
    log_in(page, "s.schulte@demo.example")
    expect(page.get_by_role("heading", name=TDA_PAPER)).to_be_visible()
    # The first paragraph must stand before its "Bearbeiten" is the first one on the page.
    expect(saved_text(page, typed)).to_be_visible()
    editor = open_editor(page)
    expect(editor).to_have_value(typed)
    expect(offer(page)).to_have_count(0)
    idle_out(page, database)

    # Its author is, after signing in again.
    log_in(page, "referat@demo.example")
    expect(page.get_by_role("heading", name=TDA_PAPER)).to_be_visible()
    expect(offer(page)).to_be_visible()
    page.get_by_role("button", name="Verwerfen").click()
    expect(offer(page)).to_have_count(0)
    wait_for_drafts(page, set(), "the draft deleted after discarding it")
    page.context.close()
