"""Main user journeys in the real app, in headless Chromium."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import demo
from tests.e2e.browser import snapshot
from tests.e2e.conftest import app_engine

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
    snapshot(page, screenshots / "staff-1-login.png")

    log_in(page, "referat@demo.example", "falsch")
    expect(page.get_by_text("E-Mail-Adresse oder Passwort ist falsch.")).to_be_visible()
    snapshot(page, screenshots / "staff-2-wrong-password.png")

    log_in(page, "referat@demo.example")
    expect(page.get_by_role("heading", name="Guten Tag, Ralf Reiners")).to_be_visible()
    expect(page.get_by_text("Nächste Fristen")).to_be_visible()
    expect(
        page.get_by_role("link", name="TDA · Transformationsdialog Automobilindustrie")
    ).to_be_visible()
    snapshot(page, screenshots / "staff-3-start.png")

    page.get_by_role("link", name="Foren").first.click()
    expect(page.get_by_role("heading", name="Foren", exact=True)).to_be_visible()
    snapshot(page, screenshots / "staff-4-forums.png")

    page.get_by_role("link", name="Transformationsdialog Automobilindustrie (TDA)").click()
    expect(
        page.get_by_role("heading", name="Transformationsdialog Automobilindustrie", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Nächste Frist")).to_be_visible()
    expect(page.get_by_text("Mitgliederfrist am")).to_be_visible()
    expect(
        page.get_by_text("Finanzierung und Förderinstrumente in der Transformation").first
    ).to_be_visible()
    snapshot(page, screenshots / "staff-5-forum.png")

    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_label("E-Mail")).to_be_visible()
    expect(page.get_by_text("Guten Tag")).to_have_count(0)
    snapshot(page, screenshots / "staff-6-logged-out.png")


def test_an_invitation_link_opens_only_the_members_call(
    page: Page, app_url: str, screenshots: Path
) -> None:
    link = f"{app_url}/?einladung={demo.DEMO_INVITATION_TOKEN}"
    page.goto(link)
    expect(page.get_by_text("Ihre offenen Aufrufe")).to_be_visible()
    expect(page.get_by_text("über Einladungslink")).to_be_visible()
    expect(page.get_by_role("link", name="Aufruf öffnen")).to_be_visible()
    snapshot(page, screenshots / "link-1-start.png")

    page.get_by_role("link", name="Aufruf öffnen").click()
    expect(page.get_by_text("Welche Hemmnisse sehen Sie")).to_be_visible()
    expect(page.get_by_text("Mitgliederfrist:").first).to_be_visible()
    expect(page.get_by_text("Vorstandsfrist")).to_have_count(0)
    snapshot(page, screenshots / "link-2-call.png")

    # A staff page opened by address shows a refusal, not the page.
    page.goto(f"{app_url}/foren?einladung={demo.DEMO_INVITATION_TOKEN}")
    expect(page.get_by_text("Diese Seite ist für Ihren Zugang nicht freigegeben.")).to_be_visible()
    expect(page.get_by_text("Transformationsdialog Automobilindustrie")).to_have_count(0)
    expect(page.get_by_role("link", name="Zur Startseite")).to_be_visible()
    snapshot(page, screenshots / "link-3-refused.png")

    page.goto(f"{app_url}/?einladung=abgelaufen-oder-erfunden")
    expect(page.get_by_text("Dieser Einladungslink ist ungültig.")).to_be_visible()
    snapshot(page, screenshots / "link-4-invalid.png")


# Names that, rendered as markdown, would make every viewer's browser fetch an image.
HOSTILE_FORUM = "![p](https:pixel.invalid?forum) :material/home: Forum der Angreifer"
HOSTILE_FILE = "![p](https:pixel.invalid?datei) Protokoll.txt"


def test_no_request_leaves_the_server_not_even_for_hostile_names(
    page: Page, app_url: str, app_data: dict[str, str], screenshots: Path
) -> None:
    """Fonts, icons and favicon come from the app itself, and user data shows as text: a
    browser on the start page and a forum's documents asks nothing of another host."""
    from urllib.parse import urlsplit

    from db.engine import write_session
    from db.models import ForumKind, id_of
    from positions.core.permissions import SYSTEM
    from positions.forums import documents, forums

    engine = app_engine(app_data)
    with write_session(engine) as session:
        forum = forums.create_forum(
            session=session,
            actor=SYSTEM,
            fields=forums.ForumFields(
                name=HOSTILE_FORUM, short_name="Angreifer", kind=ForumKind.INDUSTRY
            ),
        )
        documents.upload(
            session=session, actor=SYSTEM, filename=HOSTILE_FILE, data=b"x", forum_id=id_of(forum)
        )
    engine.dispose()
    elsewhere: list[str] = []

    def note(url: str) -> None:
        address = urlsplit(url)
        if address.scheme in ("http", "https", "ws", "wss") and address.hostname != "127.0.0.1":
            elsewhere.append(url)

    page.on("request", lambda request: note(request.url))
    page.goto(app_url)
    log_in(page, "referat@demo.example")
    expect(page.get_by_role("heading", name="Guten Tag, Ralf Reiners")).to_be_visible()
    link = page.get_by_role("link", name=re.compile(r"Forum der Angreifer"))
    expect(link).to_contain_text("![p](https:")
    snapshot(page, screenshots / "outside-1-start.png")
    link.click()
    page.get_by_role("tab", name="Dokumente").click()
    expect(page.get_by_role("button", name=re.compile(r"Protokoll\.txt"))).to_contain_text(
        "![p](https:"
    )
    snapshot(page, screenshots / "outside-2-documents.png")
    page.wait_for_load_state("networkidle")

    assert elsewhere == []
    assert page.locator("img[src*='pixel.invalid']").count() == 0
    icon = page.locator("link[rel='shortcut icon']").get_attribute("href") or ""
    assert icon.startswith("data:image/svg+xml")  # our own, sent with the page
