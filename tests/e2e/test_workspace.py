"""Merging the demo call in the browser: the analysis forms topics, staff take a suggested
paragraph into the paper, and the paper shows what the new paragraph rests on."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from db.engine import write_session
from db.models import Call, PaperKind, Section, id_of
from positions.analysis import workspace
from positions.core.permissions import SYSTEM
from positions.papers import papers
from tests.e2e.browser import new_page, snapshot
from tests.e2e.conftest import app_engine
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e
CALL = "Finanzierung und Förderinstrumente in der Transformation"
PAPER = "Positionspapier Förderinstrumente"
SECTION = "Forderungen an Bund und Land"


def draft_for_the_call(app_data: dict[str, str]) -> tuple[int, int]:
    """A new draft answering the demo call (the demo's own paper may be approved by now);
    returns the call and the paper."""
    engine = app_engine(app_data)
    with write_session(engine) as session:
        call = session.exec(select(Call).where(Call.title == CALL)).one()
        paper = papers.create_paper(
            session=session,
            actor=SYSTEM,
            forum_id=call.forum_id,
            fields=papers.PaperFields(title=PAPER, kind=PaperKind.POSITION_PAPER, call_id=call.id),
        )
        papers.add_section(session=session, actor=SYSTEM, paper_id=id_of(paper), title=SECTION)
        ids = id_of(call), id_of(paper)
    engine.dispose()
    return ids


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a select box by typing it (clicking the moving list is flaky)."""
    box = page.get_by_role("combobox", name=label)
    box.press_sequentially(option)
    expect(page.get_by_role("option").filter(has_text=option).first).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value(re.compile(option))


def test_staff_merge_the_call_into_a_section_and_see_the_sources(
    browser: Browser, app_url: str, app_data: dict[str, str], screenshots: Path
) -> None:
    page = new_page(browser, height=1600)
    call_id, paper_id = draft_for_the_call(app_data)
    page.goto(f"{app_url}/aufruf?aufruf={call_id}")
    log_in(page, "referat@demo.example")
    page.get_by_role("link", name="Stellungnahmen zusammenführen").click()
    expect(page.get_by_role("heading", name="Zusammenführen")).to_be_visible()
    expect(page.get_by_text("Noch keine Analyse")).to_be_visible()

    page.get_by_role("button", name="Analyse starten").click()
    expect(page.get_by_text("Zuletzt analysiert")).to_be_visible()
    expect(page.get_by_role("button", name="Analyse aktualisieren")).to_be_visible()

    expect(page.get_by_text("Themen", exact=True)).to_be_visible()
    choose(page, "Thema", "Antragsportal")
    topic = (
        page.get_by_test_id("stVerticalBlock")
        .filter(has=page.get_by_role("heading", name=re.compile("Antragsportal")))
        .last
    )
    expect(topic.get_by_text("Bergische Umformtechnik GmbH").first).to_be_visible()
    # The text area may come before its text while the chosen topic renders: wait for it.
    suggestion = topic.get_by_label("Vorgeschlagener Absatz")
    expect(suggestion).to_have_value(re.compile("Antragsportal"))
    proposed = suggestion.input_value()
    topic.get_by_text("Kernforderung", exact=True).click()
    choose(page, "In Abschnitt", SECTION)
    snapshot(page, screenshots / "workspace-1-topic.png")
    topic.get_by_role("button", name="In das Papier übernehmen").click()
    expect(page.get_by_text("Absatz übernommen; seine Quellen sind verknüpft.")).to_be_visible()

    page.goto(f"{app_url}/papier?papier={paper_id}")
    # A typed address keeps the session: the cookie signs the browser in again.
    expect(page.get_by_role("heading", name=PAPER)).to_be_visible()
    paragraph = (
        page.get_by_test_id("stHorizontalBlock")
        .filter(has=page.get_by_test_id("stMarkdownContainer").get_by_text(proposed[:60]))
        .first
    )
    expect(paragraph.get_by_text("Kernforderung")).to_be_visible()
    paragraph.get_by_text(re.compile(r"Beruht auf \d+ Quellen")).click()
    expect(paragraph.get_by_text("Bergische Umformtechnik GmbH").first).to_be_visible()
    expect(paragraph.get_by_text("zusammengeführt").first).to_be_visible()
    expect(paragraph.get_by_text("anonym").first).to_be_visible()
    paragraph.scroll_into_view_if_needed()
    snapshot(page, screenshots / "workspace-2-paper-sources.png")
    page.context.close()


def test_staff_link_a_suggested_campaign_point_with_every_member_who_sent_it(
    browser: Browser, app_url: str, app_data: dict[str, str], screenshots: Path
) -> None:
    call_id, paper_id = draft_for_the_call(app_data)
    engine = app_engine(app_data)
    with write_session(engine) as session:
        workspace.analyse(session=session, actor=SYSTEM, call_id=call_id)
        section = session.exec(select(Section).where(Section.paper_id == paper_id)).one()
        papers.add_paragraph(
            session=session,
            actor=SYSTEM,
            section_id=id_of(section),
            text="Ein gemeinsames Antragsportal für die Förderprogramme von Bund und Land; "
            "über Anträge wird binnen drei Monaten entschieden.",
        )
    engine.dispose()
    page = new_page(browser, height=1600)
    page.goto(f"{app_url}/papier?papier={paper_id}")
    log_in(page, "referat@demo.example")
    expect(page.get_by_role("heading", name=PAPER)).to_be_visible()
    page.get_by_role("button", name="Quellen vorschlagen").click()
    suggestion = page.get_by_text(re.compile(r"gleichlautend in 3 weiteren Stellungnahmen"))
    expect(suggestion).to_be_visible()
    expect(suggestion).not_to_contain_text("Remscheider")  # anonymous: never named
    snapshot(page, screenshots / "workspace-3-suggested-campaign.png")
    page.get_by_role("button", name="Alle 4 verknüpfen").click()
    expect(page.get_by_text(re.compile(r"Beruht auf 4 Quellen"))).to_be_visible()
    snapshot(page, screenshots / "workspace-4-campaign-linked.png")
    page.context.close()
