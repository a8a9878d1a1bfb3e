"""Staff create a forum and a call in the browser, see the derived deadlines and take the
forum's calendar home."""

from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from positions.core.clock import today_in_berlin
from positions.core.formatting import short_date
from positions.core.working_days import add_working_days, derived_deadlines
from tests.e2e.browser import snapshot
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e


def test_staff_create_a_forum_and_a_call_and_download_the_calendar(
    page: Page, app_url: str, screenshots: Path, tmp_path: Path
) -> None:
    page.goto(f"{app_url}/foren")
    log_in(page, "referat@demo.example")
    expect(page.get_by_role("heading", name="Foren", exact=True)).to_be_visible()

    page.get_by_text("Neues Forum anlegen").click()
    page.get_by_label("Name", exact=True).fill("Strategiedialog Automobilwirtschaft NRW")
    page.get_by_label("Kurzname").fill("SDA-NRW")
    page.get_by_label("Gastgebende Institution").fill("Staatskanzlei NRW")
    snapshot(page, screenshots / "forum-1-new.png")
    page.get_by_role("button", name="Forum anlegen").click()
    expect(
        page.get_by_role("heading", name="Strategiedialog Automobilwirtschaft NRW")
    ).to_be_visible()

    page.get_by_role("tab", name="Aufrufe").click()
    page.get_by_text("Neuen Aufruf anlegen").click()
    external = add_working_days(today_in_berlin() + timedelta(days=34), 1)
    page.get_by_role("textbox", name="Titel").fill("Stellungnahme zur Ansiedlungsstrategie")
    page.get_by_label("Frage an die Mitglieder").fill("Welche Standortfaktoren zählen?")
    # The date field has one spin button per part; typing digits moves on by itself.
    page.get_by_role("spinbutton", name="day, Externe Frist (Abgabe beim Forum)").click()
    page.keyboard.type(external.strftime("%d%m%Y"))
    snapshot(page, screenshots / "forum-2-new-call.png")
    page.get_by_role("button", name="Aufruf anlegen").click()

    member, board = derived_deadlines(external, member_offset=10, board_offset=3)
    expect(
        page.get_by_role("heading", name="Stellungnahme zur Ansiedlungsstrategie")
    ).to_be_visible()
    expect(page.get_by_text(f"Mitgliederfrist: {short_date(member)}")).to_be_visible()
    expect(page.get_by_text(f"Vorstandsfrist: {short_date(board)}")).to_be_visible()
    expect(page.get_by_text(f"Externe Frist: {short_date(external)}")).to_be_visible()
    expect(page.get_by_text("0 von 25 Mitgliedern haben geantwortet")).to_be_visible()
    snapshot(page, screenshots / "forum-3-call.png")

    page.get_by_role("link", name="Strategiedialog Automobilwirtschaft NRW").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Kalender des Forums (.ics)").click()
    target = tmp_path / "forum.ics"
    download.value.save_as(target)
    calendar = Calendar.from_ical(target.read_bytes())
    events = {str(e["SUMMARY"]): e for e in calendar.events}
    title = "Stellungnahme zur Ansiedlungsstrategie (SDA-NRW)"
    assert events[f"Mitgliederfrist: {title}"].start == member
    assert events[f"Externe Frist: {title}"].start == external
    assert all(str(e["UID"]).startswith("call-") for e in events.values())


def shown_items(page: Page) -> int:
    """The sum of the dashboard's counters (open, due soon, overdue, done)."""
    return sum(int(t) for t in page.get_by_test_id("stMetricValue").all_inner_texts())


# True once the dashboard shows its four counters and they add up to `total`.
COUNTERS_ADD_UP_TO = """(total) => {
    const shown = [...document.querySelectorAll('[data-testid="stMetricValue"]')];
    const sum = shown.reduce((s, e) => s + parseInt(e.innerText, 10), 0);
    return shown.length === 4 && sum === total;
}"""


def test_the_deadline_dashboard_filters_by_person(
    page: Page, app_url: str, screenshots: Path
) -> None:
    page.goto(f"{app_url}/fristen")
    log_in(page, "referat@demo.example")
    expect(page.get_by_role("heading", name="Fristen", exact=True)).to_be_visible()
    expect(page.get_by_text("überfällig").first).to_be_visible()
    snapshot(page, screenshots / "deadlines-1-all.png")
    expect(page.get_by_test_id("stMetricValue")).to_have_count(4)
    assert shown_items(page) > 3
    page.get_by_label("Person").click()
    page.get_by_role("option", name="Sophie Schulte").click()
    # Sophie Schulte represents us in the Zulieferdialog: its call's three deadlines only.
    page.wait_for_function(COUNTERS_ADD_UP_TO, arg=3)
    assert shown_items(page) == 3
    snapshot(page, screenshots / "deadlines-2-person.png")
