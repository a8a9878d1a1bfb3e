"""Main user journeys in the real app, in headless Chromium."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import demo

pytestmark = pytest.mark.e2e


def log_in(page: Page, email: str, password: str = demo.DEMO_PASSWORD) -> None:
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_staff_open_a_forum_see_its_next_deadline_and_log_out(
    page: Page, app_url: str, screenshots: Path
) -> None:
    page.goto(app_url)
    expect(page.get_by_label("E-Mail")).to_be_visible()
    page.screenshot(path=screenshots / "staff-1-login.png", full_page=True)

    log_in(page, "referat@demo.example", "falsch")
    expect(page.get_by_text("E-Mail-Adresse oder Passwort ist falsch.")).to_be_visible()
    page.screenshot(path=screenshots / "staff-2-wrong-password.png", full_page=True)

    log_in(page, "referat@demo.example")
    expect(page.get_by_role("heading", name="Guten Tag, Ralf Reiners")).to_be_visible()
    expect(page.get_by_text("Nächste Fristen")).to_be_visible()
    expect(
        page.get_by_role("link", name="TDA · Transformationsdialog Automobilindustrie")
    ).to_be_visible()
    page.screenshot(path=screenshots / "staff-3-start.png", full_page=True)

    page.get_by_role("link", name="Foren").first.click()
    expect(page.get_by_role("heading", name="Foren", exact=True)).to_be_visible()
    page.screenshot(path=screenshots / "staff-4-forums.png", full_page=True)

    page.get_by_role("link", name="Transformationsdialog Automobilindustrie (TDA)").click()
    expect(
        page.get_by_role("heading", name="Transformationsdialog Automobilindustrie", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Nächste Frist")).to_be_visible()
    expect(page.get_by_text("Mitgliederfrist am")).to_be_visible()
    expect(
        page.get_by_text("Finanzierung und Förderinstrumente in der Transformation").first
    ).to_be_visible()
    page.screenshot(path=screenshots / "staff-5-forum.png", full_page=True)

    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_label("E-Mail")).to_be_visible()
    expect(page.get_by_text("Guten Tag")).to_have_count(0)
    page.screenshot(path=screenshots / "staff-6-logged-out.png", full_page=True)


def test_an_invitation_link_opens_only_the_members_call(
    page: Page, app_url: str, screenshots: Path
) -> None:
    link = f"{app_url}/?einladung={demo.DEMO_INVITATION_TOKEN}"
    page.goto(link)
    expect(page.get_by_text("Ihre offenen Aufrufe")).to_be_visible()
    expect(page.get_by_text("über Einladungslink")).to_be_visible()
    expect(page.get_by_role("link", name="Aufruf öffnen")).to_be_visible()
    page.screenshot(path=screenshots / "link-1-start.png", full_page=True)

    page.get_by_role("link", name="Aufruf öffnen").click()
    expect(page.get_by_text("Welche Hemmnisse sehen Sie")).to_be_visible()
    expect(page.get_by_text("Mitgliederfrist:").first).to_be_visible()
    expect(page.get_by_text("Vorstandsfrist")).to_have_count(0)
    page.screenshot(path=screenshots / "link-2-call.png", full_page=True)

    # A staff page opened by address shows a refusal, not the page.
    page.goto(f"{app_url}/foren?einladung={demo.DEMO_INVITATION_TOKEN}")
    expect(page.get_by_text("Diese Seite ist für Ihren Zugang nicht freigegeben.")).to_be_visible()
    expect(page.get_by_text("Transformationsdialog Automobilindustrie")).to_have_count(0)
    expect(page.get_by_role("link", name="Zur Startseite")).to_be_visible()
    page.screenshot(path=screenshots / "link-3-refused.png", full_page=True)

    page.goto(f"{app_url}/?einladung=abgelaufen-oder-erfunden")
    expect(page.get_by_text("Dieser Einladungslink ist ungültig.")).to_be_visible()
    page.screenshot(path=screenshots / "link-4-invalid.png", full_page=True)
