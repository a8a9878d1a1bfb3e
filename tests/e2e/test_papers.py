"""Drafting in the browser: two colleagues edit one paragraph (the second gets the conflict
view), a member reviews, the board approves."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from db.engine import read_session
from db.models import Paper
from tests.e2e.browser import new_page, open_editor, saved_text, snapshot
from tests.e2e.conftest import app_engine
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e
TDA_PAPER = "Beitrag zur Arbeitsgruppe Unternehmensfinanzierung und Steuerrecht"


def paper_url(app_url: str, app_data: dict[str, str], title: str) -> str:
    engine = app_engine(app_data)
    with read_session(engine) as session:
        paper = session.exec(select(Paper).where(Paper.title == title)).one()
    engine.dispose()
    return f"{app_url}/papier?papier={paper.id}"


def open_as(browser: Browser, url: str, email: str, title: str = TDA_PAPER) -> Page:
    """The paper page in a browser context of its own, signed in as `email`."""
    page = new_page(browser, height=1600)
    page.goto(url)
    log_in(page, email)
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    return page


def test_a_colleague_saving_first_gives_the_second_the_conflict_view(
    browser: Browser, app_url: str, app_data: dict[str, str], screenshots: Path
) -> None:
    url = paper_url(app_url, app_data, TDA_PAPER)
    first = open_as(browser, url, "referat@demo.example")
    second = open_as(browser, url, "s.schulte@demo.example")
    for page in (first, second):
        open_editor(page)
    first.get_by_role("textbox", name="Text").first.fill("Fassung von Ralf Reiners.")
    first.get_by_role("button", name="Speichern").first.click()
    # The saved paragraph as text, not the form still holding the typed words: only then is
    # the first save committed (under load the form can show them while the save runs).
    expect(saved_text(first, "Fassung von Ralf Reiners.")).to_be_visible()

    second.get_by_role("textbox", name="Text").first.fill("Fassung von Sophie Schulte.")
    second.get_by_role("button", name="Speichern").first.click()
    expect(second.get_by_text("während Sie ihn bearbeitet haben")).to_be_visible()
    expect(second.get_by_text("Fassung von Ralf Reiners.").first).to_be_visible()
    snapshot(second, screenshots / "paper-1-conflict.png")
    second.get_by_role("button", name="Meine übernehmen").click()
    expect(second.get_by_text("Fassung von Sophie Schulte.").first).to_be_visible()
    expect(second.get_by_text("während Sie ihn bearbeitet haben")).to_have_count(0)
    first.context.close()
    second.context.close()


def test_a_member_reviews_and_the_board_approves(
    browser: Browser, app_url: str, app_data: dict[str, str], screenshots: Path
) -> None:
    url = paper_url(app_url, app_data, TDA_PAPER)
    member = open_as(browser, url, "mitglied@demo.example")
    # The fund paragraph is the fifth of the paper (after the opening and three demands).
    expect(
        member.get_by_text("Ein Transformationsfonds mit Eigenkapitalbeteiligung")
    ).to_be_visible()
    member.get_by_role("radiogroup", name="Ihre Einschätzung").nth(4).get_by_text(
        "Ablehnung"
    ).click()
    member.get_by_role("textbox", name="Kommentar").nth(4).fill("Wir sind dagegen, weil …")
    member.get_by_text("Als Mindermeinung aufnehmen lassen").nth(4).click()
    member.get_by_role("button", name="Rückmeldung senden").click()
    expect(member.get_by_text("ist gespeichert. Sie können sie bis zum Ende")).to_be_visible()
    snapshot(member, screenshots / "paper-2-review.png")
    member.context.close()

    office = open_as(browser, url, "referat@demo.example")
    office.get_by_role("tab", name="Mitgliederbeteiligung").click()
    # As staff read it: the fund paragraph's comments open (now three with the member's).
    comments = office.get_by_text(re.compile(r"Ein Transformationsfonds.*3 Kommentar"))
    expect(comments).to_be_visible()
    comments.click()
    expect(office.get_by_text("Wir sind dagegen, weil …").first).to_be_visible()
    office.get_by_role("button", name="Dem Vorstand zur Freigabe vorlegen").click()
    expect(office.get_by_text("Vorstandsfreigabe").first).to_be_visible()
    office.context.close()

    board = open_as(browser, url, "vorstand@demo.example")
    board.get_by_role("tab", name="Vorstand").click()
    board.get_by_role("button", name="Freigeben", exact=True).click()
    expect(board.get_by_text("Freigegeben").first).to_be_visible()
    expect(board.get_by_text("hat freigegeben")).to_be_visible()
    snapshot(board, screenshots / "paper-3-approved.png")
    board.context.close()
