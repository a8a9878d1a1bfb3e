"""Sessions that last, in the real app and headless Chromium: a reload, a second tab or a
bookmark keeps a person signed in until logout, idleness or deactivation; a member who came
by invitation link stays in the call, with the token gone from the address."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col

import demo
from db.engine import write_session
from db.models import LoginSession, Role, id_of
from positions.core import sessions, user_admin
from positions.core.clock import utcnow
from positions.core.permissions import SYSTEM
from tests import factories
from tests.e2e.browser import snapshot, wait_until
from tests.e2e.conftest import app_engine
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def database(app_data: dict[str, str]) -> Engine:
    return app_engine(app_data)


def session_cookie(context: BrowserContext) -> dict[str, object] | None:
    found = [c for c in context.cookies() if c["name"] == sessions.COOKIE_NAME]
    return dict(found[0]) if found else None


def wait_for_cookie(context: BrowserContext, *, present: bool = True) -> None:
    wait_until(
        lambda: (session_cookie(context) is not None) == present,
        timeout=30,
        what="the session cookie " + ("set" if present else "cleared"),
        explain=context.cookies,
    )


def expect_signed_in_as(page: Page, name: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Angemeldet als")).to_be_visible()
    expect(sidebar.get_by_text(name, exact=True)).to_be_visible()
    expect(page.get_by_label("E-Mail")).to_have_count(0)


def test_staff_stay_signed_in_across_reloads_and_tabs_until_they_log_out(
    page: Page, app_url: str, screenshots: Path
) -> None:
    page.goto(f"{app_url}/fristen")
    log_in(page, "referat@demo.example")
    wait_for_cookie(page.context)
    expect(page).to_have_url(f"{app_url}/fristen")
    expect(page.get_by_role("heading", name="Fristen", exact=True)).to_be_visible()
    cookie = session_cookie(page.context)
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    snapshot(page, screenshots / "session-1-signed-in.png")

    page.reload()
    expect(page.get_by_role("heading", name="Fristen", exact=True)).to_be_visible()
    expect_signed_in_as(page, "Ralf Reiners")
    snapshot(page, screenshots / "session-2-reloaded.png")

    second = page.context.new_page()  # a second tab, or a bookmark opened in it
    second.goto(f"{app_url}/foren")
    expect(second.get_by_role("heading", name="Foren", exact=True)).to_be_visible()
    expect_signed_in_as(second, "Ralf Reiners")

    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_label("E-Mail")).to_be_visible()
    wait_for_cookie(page.context, present=False)
    page.reload()
    expect(page.get_by_label("E-Mail")).to_be_visible()
    expect(page.get_by_text("Angemeldet als")).to_have_count(0)
    snapshot(page, screenshots / "session-3-logged-out.png")

    # The other tab still shows the page, but its next click finds the session ended.
    second.get_by_role("link", name="Start").click()
    expect(second.get_by_label("E-Mail")).to_be_visible()
    expect(second.get_by_text("Guten Tag")).to_have_count(0)


def test_a_member_who_came_by_link_stays_in_the_call_across_reloads(
    page: Page, app_url: str, screenshots: Path
) -> None:
    page.goto(f"{app_url}/?einladung={demo.DEMO_INVITATION_TOKEN}")
    expect(page.get_by_text("über Einladungslink")).to_be_visible()
    wait_for_cookie(page.context)
    assert "einladung" not in page.url
    page.get_by_role("link", name="Aufruf öffnen").click()
    expect(page.get_by_text("Welche Hemmnisse sehen Sie")).to_be_visible()
    call_address = page.url
    assert "einladung" not in call_address

    page.reload()
    expect(page.get_by_text("Welche Hemmnisse sehen Sie")).to_be_visible()
    expect(page.get_by_text("über Einladungslink")).to_be_visible()
    assert page.url == call_address
    snapshot(page, screenshots / "session-4-link-reloaded.png")

    # Still limited to the call: a staff page opened by address is refused.
    page.goto(f"{app_url}/foren")
    expect(page.get_by_text("Diese Seite ist für Ihren Zugang nicht freigegeben.")).to_be_visible()


def test_deactivation_ends_the_session_at_the_next_click(
    page: Page, app_url: str, database: Engine
) -> None:
    with write_session(database) as session:
        person = factories.user(session, Role.STAFF, email="wird-deaktiviert@demo.example")
        person_id, name = id_of(person), person.name
    page.goto(app_url)
    log_in(page, "wird-deaktiviert@demo.example", factories.PASSWORD)
    wait_for_cookie(page.context)
    expect_signed_in_as(page, name)

    with write_session(database) as session:
        user_admin.deactivate(session=session, actor=SYSTEM, user_id=person_id)
    page.get_by_role("link", name="Foren").first.click()
    expect(page.get_by_label("E-Mail")).to_be_visible()
    expect(page.get_by_text("Angemeldet als")).to_have_count(0)
    page.reload()
    expect(page.get_by_label("E-Mail")).to_be_visible()


def test_a_session_idle_too_long_ends_with_a_note_after_a_reload(
    page: Page, app_url: str, database: Engine, screenshots: Path
) -> None:
    page.goto(app_url)
    log_in(page, "vorstand@demo.example")
    wait_for_cookie(page.context)
    expect(page.get_by_text("Angemeldet als")).to_be_visible()

    with write_session(database) as session:  # as if the browser had slept for two hours
        session.exec(
            update(LoginSession)
            .where(col(LoginSession.ended_at).is_(None))
            .values(last_seen_at=utcnow() - timedelta(hours=2))
        )
    page.reload()
    expect(page.get_by_text("ohne Aktivität abgemeldet")).to_be_visible()
    expect(page.get_by_label("E-Mail")).to_be_visible()
    snapshot(page, screenshots / "session-5-idle.png")
